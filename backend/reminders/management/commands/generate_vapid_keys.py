from django.core.management.base import BaseCommand

from backend.reminders.vapid import generate_key_pair


class Command(BaseCommand):
    help = "Print a new VAPID key pair as environment lines (VAPID_PUBLIC_KEY=..., VAPID_PRIVATE_KEY=...)."

    def handle(self, *args, **options) -> None:
        public, private = generate_key_pair()
        # Lines that can be appended to .env as they are.
        self.stdout.write(f"VAPID_PUBLIC_KEY={public}")
        self.stdout.write(f"VAPID_PRIVATE_KEY={private}")
