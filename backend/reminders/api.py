from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.throttling import ScopedRateThrottle
from rest_framework.views import APIView

from backend.core.errors import ApplicationError
from backend.reminders import deliveries, rules, selectors, subscriptions, tasks
from backend.reminders.config import push_config
from backend.reminders.models import ReminderRule
from backend.reminders.serializers import (
    PublicKeySerializer,
    PushSubscriptionDeleteSerializer,
    PushSubscriptionSerializer,
    ReminderRuleSerializer,
    ReminderTestSerializer,
)

RULE_FIELDS = ("kind", "times", "every_minutes", "window", "weekdays", "quiet_hours", "enabled")


def _rule_fields(request: Request) -> dict:
    """The rule fields the body gives, as sent: the service checks them, once."""
    if not isinstance(request.data, dict):
        raise ApplicationError("Send a JSON object of the rule's fields.")
    return {name: request.data[name] for name in RULE_FIELDS if name in request.data}


class ReminderRuleViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """The caller's reminder rules, in their local time (the time zone on their profile)."""

    serializer_class = ReminderRuleSerializer
    pagination_class = None
    lookup_value_regex = "[0-9]{1,18}"  # fits a 64-bit id: longer is a 404
    http_method_names = ["get", "post", "patch", "delete", "head", "options"]

    throttle_scope = "reminders_test"

    def get_throttles(self):
        # Only the test notification: it makes the server send pushes and emails.
        return [ScopedRateThrottle()] if self.action == "test" else []

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no user
            return ReminderRule.objects.none()
        return selectors.reminder_rule_list(user=self.request.user)

    # One validator per rule: the service's (rules.rule_fields_validate), which every
    # caller goes through. The serializer renders rules and documents their fields.

    def create(self, request: Request, *args, **kwargs) -> Response:
        rule = rules.reminder_rule_create(user=request.user, **{"kind": None, **_rule_fields(request)})
        return Response(self.get_serializer(rule).data, status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, *args, **kwargs) -> Response:
        rule = rules.reminder_rule_update(rule=self.get_object(), **_rule_fields(request))
        return Response(self.get_serializer(rule).data)

    def perform_destroy(self, instance: ReminderRule) -> None:
        rules.reminder_rule_delete(rule=instance)

    @extend_schema(request=None, responses={202: ReminderTestSerializer})
    @action(detail=False, methods=["post"], url_path="test")
    def test(self, request: Request) -> Response:
        """Send one notification to all the caller's devices now (by email when there are none)."""
        delivery = deliveries.reminder_test_send(user=request.user, enqueue=tasks.enqueue_sends)
        devices = selectors.push_subscription_list(user=request.user).count()
        return Response({"id": delivery.pk, "devices": devices}, status=status.HTTP_202_ACCEPTED)


class PushPublicKeyView(APIView):
    """The VAPID public key the PWA passes to ``pushManager.subscribe``."""

    @extend_schema(
        responses={
            200: PublicKeySerializer,
            503: OpenApiResponse(description="Push notifications are not configured on this server."),
        }
    )
    def get(self, request: Request) -> Response:
        public_key = push_config().public_key
        if not public_key:
            raise ApplicationError("Push notifications are not configured on this server.", status=503)
        return Response({"public_key": public_key})


class PushSubscriptionView(APIView):
    """Register or forget this browser's push subscription."""

    @extend_schema(
        request=PushSubscriptionSerializer,
        responses={201: PushSubscriptionSerializer, 200: PushSubscriptionSerializer},
    )
    def post(self, request: Request) -> Response:
        serializer = PushSubscriptionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subscription, created = subscriptions.push_subscription_save(
            user=request.user,
            endpoint=data["endpoint"],
            p256dh=data["keys"]["p256dh"],
            auth=data["keys"]["auth"],
            user_agent=request.headers.get("User-Agent", ""),
        )
        body = PushSubscriptionSerializer(
            {
                "endpoint": subscription.endpoint,
                "keys": {"p256dh": subscription.p256dh, "auth": subscription.auth},
            }
        ).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(request=PushSubscriptionDeleteSerializer, responses={204: None})
    def delete(self, request: Request) -> Response:
        serializer = PushSubscriptionDeleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        subscriptions.push_subscription_delete(
            user=request.user, endpoint=serializer.validated_data["endpoint"]
        )
        return Response(status=status.HTTP_204_NO_CONTENT)
