from django.contrib import admin

from backend.caching import invalidation
from backend.care.models import AccessLogEntry, AlertNotice, CareLink


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "clinician", "scopes", "created_at", "ended_at"]
    list_filter = ["ended_at"]
    raw_id_fields = ["patient", "clinician"]

    def save_model(self, request, obj: CareLink, form, change) -> None:
        super().save_model(request, obj, form, change)
        # As the services do where they write a link (backend/caching/invalidation.py).
        invalidation.links_changed(obj.clinician_id)
        if change and "clinician" in form.changed_data and form.initial.get("clinician"):
            invalidation.links_changed(form.initial["clinician"])


@admin.register(AccessLogEntry)
class AccessLogAdmin(admin.ModelAdmin):
    list_display = ["at", "clinician_email", "patient", "what", "ip"]
    raw_id_fields = ["patient", "clinician"]

    # An audit trail is read, never written by hand: not even a superuser adds, edits
    # or deletes a row (rows go only with the patient's erasure).
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AlertNotice)
class AlertNoticeAdmin(admin.ModelAdmin):
    list_display = ["alert", "clinician", "channel", "level", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["status", "channel", "level"]
    raw_id_fields = ["alert", "clinician"]

    # A record of what was sent: read here, written only by the notice tasks.
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
