from allauth.account.adapter import DefaultAccountAdapter

from backend.accounts.models import User


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit=True):
        # Signing up always makes a patient: the clinician role is only granted by
        # an operator (`manage.py create_clinician`).
        user.role = User.Role.PATIENT
        zone = form.cleaned_data.get("timezone") if hasattr(form, "cleaned_data") else None
        if zone:
            user.timezone = zone
        return super().save_user(request, user, form, commit=commit)
