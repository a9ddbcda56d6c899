"""Every exercise's pictures: drawn by scripts/illustrations.py from
content/illustrations.yaml, checked by the catalog loader, served by the API."""

import datetime as dt
import importlib.util
import shutil
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
import yaml

from backend.programs.catalog import (
    CONTENT_DIR,
    ILLUSTRATIONS_DIR,
    MOVEMENT_KINDS,
    ContentError,
    read_catalog,
)
from tests.programs.factories import EnrollmentFactory, exercises_of

pytestmark = pytest.mark.usefixtures("frozen_time")

ROOT = Path(__file__).resolve().parents[2]
SVG = "{http://www.w3.org/2000/svg}"


def _generator():
    spec = importlib.util.spec_from_file_location("illustrations", ROOT / "scripts" / "illustrations.py")
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    # Its dataclasses look their module up by name.
    sys.modules.setdefault("illustrations", module)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def exercises():
    return read_catalog().exercises


def test_every_exercise_has_a_picture_and_every_movement_its_start_and_end(exercises):
    assert len(exercises) == 30
    for exercise in exercises:
        urls = [i["url"] for i in exercise.illustrations]
        # A guided practice is done in one still position, so one picture is enough.
        if exercise.kind in MOVEMENT_KINDS and not exercise.guide:
            assert urls[:2] == [
                f"/illustrations/{exercise.slug}-start.svg",
                f"/illustrations/{exercise.slug}-end.svg",
            ], exercise.slug
        else:
            assert len(urls) >= 1, exercise.slug


def test_alt_texts_say_something_different_for_every_picture(exercises):
    alts = [i["alt"] for e in exercises for i in e.illustrations]
    assert all(len(alt) >= 20 for alt in alts)
    assert len(set(alts)) == len(alts)


def test_every_picture_is_a_small_svg_titled_with_its_alt_text(exercises):
    for exercise in exercises:
        for illustration in exercise.illustrations:
            path = ILLUSTRATIONS_DIR / illustration["url"].removeprefix("/illustrations/")
            assert path.stat().st_size < 6_000, path.name
            root = ET.fromstring(path.read_text(encoding="utf-8"))  # noqa: S314 (our own committed files)
            assert root.tag == f"{SVG}svg"
            assert root.get("viewBox") == "0 0 240 160"
            assert root.get("role") == "img"
            assert root.findtext(f"{SVG}title") == illustration["alt"]
            # Light and dark from the file itself: it follows the page's colour scheme.
            assert "prefers-color-scheme:dark" in root.findtext(f"{SVG}style", "")


def test_the_committed_files_are_what_the_generator_draws_now():
    generator = _generator()
    drawn = generator.build()
    on_disk = {p.name: p.read_text(encoding="utf-8") for p in ILLUSTRATIONS_DIR.glob("*.svg")}
    assert drawn.keys() == on_disk.keys(), "run python scripts/illustrations.py"
    stale = [name for name in drawn if drawn[name] != on_disk[name]]
    assert not stale, f"out of date, run python scripts/illustrations.py: {stale}"


def test_the_generator_refuses_a_hand_through_the_floor(tmp_path):
    generator = _generator()
    data = yaml.safe_load((CONTENT_DIR / "illustrations.yaml").read_text())
    data["illustrations"]["cat-cow"][0]["pose"]["arm"] = [-90, -90]
    path = tmp_path / "illustrations.yaml"
    path.write_text(yaml.safe_dump(data))

    with pytest.raises(generator.PoseError, match="cat-cow start: hand goes through the floor"):
        generator.build(path)


# --- The loader -----------------------------------------------------------------


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def _drop_end(data):
    data["illustrations"]["plank"].pop()


def _drop_exercise(data):
    del data["illustrations"]["bird-dog"]


def _blank_alt(data):
    data["illustrations"]["screens-off"][0]["alt"] = " "


def _unknown(data):
    data["illustrations"]["handstand"] = data["illustrations"]["plank"]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_drop_end, "exercise 'plank': a hold exercise needs a 'start' and an 'end' picture"),
        (_drop_exercise, "exercise 'bird-dog': needs at least one picture"),
        (_blank_alt, "exercise 'screens-off': 'alt' must be a non-empty string"),
        (_unknown, "pictures for unknown exercises ['handstand']"),
    ],
)
def test_missing_pictures_stop_the_catalog_loading(content, change, message):
    path = content / "illustrations.yaml"
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))

    with pytest.raises(ContentError) as error:
        read_catalog(content)

    assert "illustrations.yaml" in str(error.value)
    assert message in str(error.value)


def test_a_missing_file_stops_the_catalog_loading(content, tmp_path):
    files = tmp_path / "illustrations"
    shutil.copytree(ILLUSTRATIONS_DIR, files)
    (files / "dead-bug-end.svg").unlink()

    with pytest.raises(ContentError, match=r"dead-bug-end\.svg is missing"):
        read_catalog(content, files)


# --- The API --------------------------------------------------------------------


def test_program_pages_show_each_exercise_with_its_pictures(catalog, api_client):
    detail = api_client.get("/api/v1/programs/core-strength/").json()

    exercise = next(i["exercise"] for i in detail["schedule"][0]["items"] if i["exercise"]["slug"] == "plank")
    assert [i["url"] for i in exercise["illustrations"]] == [
        "/illustrations/plank-start.svg",
        "/illustrations/plank-end.svg",
    ]
    assert all(set(i) == {"url", "alt"} and i["alt"] for i in exercise["illustrations"])


def test_todays_items_carry_the_pictures(catalog, patient, patient_client):
    EnrollmentFactory(user=patient, start_date=dt.date(2026, 11, 16))

    items = exercises_of(patient_client.get("/api/v1/today/").json())

    assert items
    for item in items:
        pictures = item["exercise"]["illustrations"]
        assert pictures and all(p["url"].startswith("/illustrations/") for p in pictures)
        if item["exercise"]["kind"] in MOVEMENT_KINDS:
            assert len(pictures) >= 2
