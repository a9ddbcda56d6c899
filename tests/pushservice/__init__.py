"""A local Web Push service for tests: it plays the browser and the push service."""

from tests.pushservice.service import PushService, Received, Subscription

__all__ = ["PushService", "Received", "Subscription"]
