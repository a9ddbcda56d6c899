"""Sources (issue 17): the list at /sources/, its file's checks, and every `sources` the API renders as objects."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from rest_framework.test import APIClient

from backend.programs.catalog import read_catalog
from backend.programs.flare import read_flare_plan
from backend.programs.sources import CONTENT_DIR, ContentError, read_sources
from tests.programs.factories import EnrollmentFactory, exercises_of

pytestmark = pytest.mark.usefixtures("frozen_time")

IDS = {
    "S1",
    "S2",
    "S3",
    "S4",
    "S5",
    "SILBERNAGEL_2007",
    "NICE_NG59",
    "NICE_CG95",
    "SPINAL_RED_FLAGS",
    "JACOBSON_1938",
    "MCGILL_2007",
    "AASM_2021",
    "ASHAR_2022",
    "BRINJIKJI_2015",
    "BACKTRACK",
    # The validated questionnaires (issue 18).
    "KREBS_2009",
    "FARRAR_2001",
    "KROENKE_2009",
    "HILL_2008",
    "KEELE_STARTBACK",
    "COHEN_1983",
    "COHEN_1988",
}


def test_the_list_has_every_id_with_title_kind_and_only_the_keys_known(patient_client):
    body = patient_client.get("/api/v1/sources/").json()
    by_id = {source["id"]: source for source in body}

    assert set(by_id) == IDS
    assert by_id["S2"]["author"] == "Randy Withers, LCMHC"
    assert by_id["ASHAR_2022"]["url"] == "https://doi.org/10.1001/jamapsychiatry.2021.2669"
    assert by_id["ASHAR_2022"]["kind"] == "study" and by_id["AASM_2021"]["kind"] == "guideline"
    assert by_id["JACOBSON_1938"]["kind"] == "book" and by_id["BACKTRACK"]["kind"] == "program"
    # No address is known for the five articles: the key is left out, not null.
    assert all("url" not in by_id[f"S{n}"] for n in range(1, 6))
    assert set(by_id["S1"]) == {"id", "title", "kind"}
    assert all(source["title"].strip() for source in body)


def test_the_list_needs_signing_in():
    assert APIClient().get("/api/v1/sources/").status_code == 401


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _edit_sources(content: Path, change) -> None:
    path = content / "sources.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(sources={"S1": "the old id: text shape"}), "non-empty 'sources' list"),
        (lambda d: d["sources"][0].pop("title"), "'title'"),
        (lambda d: d["sources"][0].update(kind="blog"), "'kind' must be one of"),
        (lambda d: d["sources"].append(dict(d["sources"][0])), "id used twice"),
        (lambda d: d["sources"][0].update(url="http://example.org"), "https://"),
        (lambda d: d["sources"][0].update(publisher="x"), "unknown fields"),
        (lambda d: d["sources"][0].update(id="s1"), "'id' must be capital letters"),
    ],
)
def test_mistakes_in_the_sources_file_are_refused(content, change, message):
    _edit_sources(content, change)

    with pytest.raises(ContentError, match=message):
        read_sources(content)


def test_every_loader_still_refuses_an_unknown_source_id(content):
    _edit_sources(content, lambda d: d.update(sources=[s for s in d["sources"] if s["id"] != "S3"]))

    # Exercises and programs, the flare plan and the lessons all name S3.
    with pytest.raises(ContentError, match="unknown source 'S3'"):
        read_catalog(content)
    with pytest.raises(ContentError, match="S3"):
        read_flare_plan(content)


def _is_source_list(value) -> bool:
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(s, dict) and set(s) >= {"id", "title"} and set(s) <= {"id", "title", "author", "url"}
            for s in value
        )
    )


def test_every_sources_field_the_api_renders_is_a_list_of_source_objects(catalog, patient, patient_client):
    EnrollmentFactory(user=patient)
    program = APIClient().get("/api/v1/programs/core-strength/").json()
    day = patient_client.get("/api/v1/today/").json()
    flare = patient_client.get("/api/v1/flare/plan/").json()
    rules = APIClient().get("/api/v1/safety-rules/").json()["rules"]

    assert _is_source_list(program["sources"])
    assert all(_is_source_list(i["exercise"]["sources"]) for w in program["schedule"] for i in w["items"])
    items = exercises_of(day)
    assert items and all(_is_source_list(i["exercise"]["sources"]) for i in items)
    assert all(_is_source_list(i["progression"]["sources"]) for i in items)
    assert all(
        _is_source_list(i["sources"]) and _is_source_list(i["exercise"]["sources"]) for i in flare["items"]
    )
    assert all(_is_source_list(a["sources"]) for a in flare["advice"])
    assert all(_is_source_list(r["sources"]) for r in rules)
    lesson = patient_client.get("/api/v1/lessons/scans-and-real-pain/").json()
    assert _is_source_list(lesson["sources"])
    (study,) = [s for s in lesson["sources"] if s["id"] == "BRINJIKJI_2015"]
    assert (study["author"], study["url"]) == ("Brinjikji W et al.", "https://doi.org/10.3174/ajnr.A4173")
    assert study["title"].startswith(
        "Systematic literature review of imaging features of spinal degeneration"
    )
