from django.contrib import admin

from backend.care.models import AccessLogEntry, CareLink


@admin.register(CareLink)
class CareLinkAdmin(admin.ModelAdmin):
    list_display = ["id", "patient", "clinician", "scopes", "created_at", "ended_at"]
    list_filter = ["ended_at"]
    raw_id_fields = ["patient", "clinician"]


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
