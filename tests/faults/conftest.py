# The local push service and VAPID keys of the reminders tests, for the broker faults.
from tests.reminders.conftest import push_service, push_settings, vapid_keys  # noqa: F401
