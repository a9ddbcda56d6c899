from django.contrib import admin

from backend.reminders.models import Delivery, PushSubscription, ReminderRule


@admin.register(ReminderRule)
class ReminderRuleAdmin(admin.ModelAdmin):
    list_display = [
        "id",
        "user",
        "kind",
        "times",
        "every_minutes",
        "window",
        "weekdays",
        "enabled",
        "next_fire_at",
    ]
    list_filter = ["kind", "enabled"]
    raw_id_fields = ["user"]
    # Writes go through the services (they keep next_fire_at right); the admin only looks.
    readonly_fields = [f.name for f in ReminderRule._meta.fields]


@admin.register(PushSubscription)
class PushSubscriptionAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "created_at", "last_success_at", "failure_count"]
    raw_id_fields = ["user"]
    exclude = ["endpoint", "p256dh", "auth"]  # capabilities and keys: not for browsing


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin):
    list_display = ["id", "user", "kind", "fire_at", "status", "reason", "finished_at"]
    list_filter = ["status", "kind", "reason"]
    raw_id_fields = ["user", "rule"]
    readonly_fields = [f.name for f in Delivery._meta.fields]
