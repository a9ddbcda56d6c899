"""Which address the access log and the sign-in limit see, with and without our proxy.

Behind the compose file's nginx every request comes from the proxy's address; the
client's is the last one the proxy appended to X-Forwarded-For. Without a trusted
proxy (the default) that header is ignored, so a caller cannot pick their own address.
"""

import pytest
from django.test import override_settings
from rest_framework.test import APIClient

from backend.care.models import AccessLogEntry
from tests.accounts.factories import PASSWORD

PROXY = "172.18.0.5"


def test_without_a_trusted_proxy_a_forged_forwarded_for_is_not_logged(link, patient, doctor):
    response = doctor[1].get(f"/api/v1/care/patients/{patient.pk}/", HTTP_X_FORWARDED_FOR="198.51.100.9")

    assert response.status_code == 200
    assert AccessLogEntry.objects.latest("at").ip == "127.0.0.1"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_log_names_the_address_the_proxy_saw(link, patient, doctor):
    response = doctor[1].get(
        f"/api/v1/care/patients/{patient.pk}/",
        HTTP_X_FORWARDED_FOR="203.0.113.50, 198.51.100.9",
        REMOTE_ADDR=PROXY,
    )

    assert response.status_code == 200
    # The first address was sent by the caller and is not believed; the proxy appended the last.
    assert AccessLogEntry.objects.latest("at").ip == "198.51.100.9"


@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_a_header_without_an_address_logs_none_and_still_answers(link, patient, doctor):
    response = doctor[1].get(
        f"/api/v1/care/patients/{patient.pk}/", HTTP_X_FORWARDED_FOR="unknown", REMOTE_ADDR=PROXY
    )

    assert response.status_code == 200
    assert AccessLogEntry.objects.latest("at").ip is None


@pytest.mark.django_db
@override_settings(ALLAUTH_TRUSTED_PROXY_COUNT=1)
def test_behind_one_proxy_the_sign_in_limit_is_per_person_not_for_everyone(patient):
    """30 sign-ins a minute from one address: the 31st from there waits, while someone
    else coming through the same proxy still signs in."""

    def sign_in(address: str):
        client = APIClient(REMOTE_ADDR=PROXY, HTTP_X_FORWARDED_FOR=address)
        return client.post(
            "/_allauth/app/v1/auth/login", {"email": patient.email, "password": PASSWORD}, format="json"
        )

    for _ in range(30):
        assert sign_in("198.51.100.20").status_code == 200

    busy = sign_in("198.51.100.20")
    assert busy.status_code == 429 or busy.json()["errors"][0]["code"] == "too_many_login_attempts"
    other = sign_in("203.0.113.7")
    assert other.status_code == 200, other.content
