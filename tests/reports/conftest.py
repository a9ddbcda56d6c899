import io
from pathlib import Path

import pytest
from pypdf import PdfReader

from tests.reports.seed import seed_patient

NAME = "Zoë Łukasiewicz"  # a name beyond Latin-1: the PDF's font must carry it


@pytest.fixture
def doctor(make_clinician):
    """A clinician with TOTP, signed in with it: (user, client)."""
    return make_clinician()


@pytest.fixture
def seeded(catalog, patient, doctor):
    """``patient`` with three months of use (tests/reports/seed.py) and a prescription
    from ``doctor``."""
    patient.display_name = NAME
    patient.save(update_fields=["display_name"])
    return seed_patient(patient, clinician=doctor[0])


@pytest.fixture
def link(seeded, patient_client, doctor):
    """``patient`` shares with ``doctor`` through a real share code."""
    code = patient_client.post("/api/v1/care/share-codes/").json()["code"]
    response = doctor[1].post("/api/v1/care/links/", {"code": code}, format="json")
    assert response.status_code == 201, response.content
    return response.json()


class Opened:
    """A PDF as a reader finds it: its text (whitespace folded, so a wrapped cell reads
    as one line) and the images on its pages."""

    def __init__(self, content: bytes) -> None:
        self.reader = PdfReader(io.BytesIO(content))
        self.text = " ".join(" ".join(page.extract_text() or "" for page in self.reader.pages).split())
        self.images = [image for page in self.reader.pages for image in page.images]
        self.pages = len(self.reader.pages)


ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


def opened(response) -> Opened:
    assert response.status_code == 200, response.content[:300]
    assert response["Content-Type"] == "application/pdf"
    content = b"".join(response.streaming_content) if response.streaming else response.content
    # The last report a test opened, kept to look at (pdftoppm turns it into pictures).
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "visit-report-last.pdf").write_bytes(content)
    return Opened(content)


@pytest.fixture
def at_no_worker(settings):
    """The 90-day report goes to the task queue (as in production), where no worker
    takes it: the test makes it when it wants."""
    settings.REPORT_SYNC_MAX_DAYS = 28
    from tests.reminders.worker import flush_broker

    flush_broker()
    yield
    flush_broker()
