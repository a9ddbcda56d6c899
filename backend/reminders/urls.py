from django.urls import path
from rest_framework.routers import SimpleRouter

from backend.reminders.api import PushPublicKeyView, PushSubscriptionView, ReminderRuleViewSet

router = SimpleRouter(trailing_slash=True)
router.register("reminders", ReminderRuleViewSet, basename="reminder")

urlpatterns = [
    path("push/public-key/", PushPublicKeyView.as_view(), name="push-public-key"),
    path("push/subscriptions/", PushSubscriptionView.as_view(), name="push-subscriptions"),
    *router.urls,
]
