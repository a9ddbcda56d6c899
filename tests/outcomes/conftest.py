"""The care fixtures (a clinician with TOTP, a real share-code link) for the clinician's view of scores."""

from tests.care.conftest import doctor, link  # noqa: F401
