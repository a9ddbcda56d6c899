from django import forms

from backend.accounts.timezones import validate_timezone


class SignupForm(forms.Form):
    """Extra signup fields (allauth's ACCOUNT_SIGNUP_FORM_CLASS).

    The PWA sends the detected time zone at signup so "today" is right from the
    first request; it stays optional and can be changed with PATCH /api/v1/me/.
    """

    timezone = forms.CharField(max_length=64, required=False, validators=[validate_timezone])

    def signup(self, request, user) -> None:
        # The adapter's save_user already applied the time zone.
        pass
