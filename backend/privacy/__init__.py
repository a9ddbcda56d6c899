"""What a person may take or remove: the export of all their data (their own, or a
patient's for a linked clinician) and the erasure of their account.

It sits above the apps it gathers from (accounts, programs, tracker, reminders, care):
it imports them, none imports it.
"""
