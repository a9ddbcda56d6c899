import re

import pytest
import yaml
from django.core.management import call_command
from django.urls import URLPattern, URLResolver, get_resolver


def _api_routes(patterns=None, prefix=""):
    """Every route the URLconf serves under /api/v1/ and /healthz, in OpenAPI form."""
    for pattern in patterns if patterns is not None else get_resolver().url_patterns:
        route = prefix + str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            yield from _api_routes(pattern.url_patterns, route)
        elif isinstance(pattern, URLPattern) and (route.startswith("api/v1/") or route == "healthz"):
            route = route.replace("^", "").replace("$", "")
            route = re.sub(r"\(\?P<(\w+)>[^)]+\)", "{}", route)
            route = re.sub(r"<(?:\w+:)?(\w+)>", "{}", route)
            if "{format}" not in route and "\\." not in route:
                yield "/" + route


@pytest.fixture(scope="module")
def schema(tmp_path_factory):
    path = tmp_path_factory.mktemp("schema") / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    return yaml.safe_load(path.read_text())


def test_schema_is_valid_openapi_3_without_warnings(schema):
    assert schema["openapi"].startswith("3.")


def test_every_api_route_is_documented(schema):
    routes = set(_api_routes())
    documented = {re.sub(r"\{\w+\}", "{}", path) for path in schema["paths"]}
    assert {"/api/v1/today/", "/api/v1/enrollments/{}/", "/healthz"} <= routes
    assert routes <= documented, routes - documented


@pytest.mark.django_db
def test_schema_and_docs_are_served(client):
    assert client.get("/api/schema/").status_code == 200
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()
