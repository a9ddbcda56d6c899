"""The flare plan is content (content/flare.yaml), checked as strictly as the programs:
a mistake fails loudly, naming the file and the place, at startup and on load."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from backend.programs.catalog import CONTENT_DIR, ContentError, read_catalog
from backend.programs.flare import flare_plan, read_flare_plan


@pytest.fixture
def content(tmp_path) -> Path:
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def test_the_shipped_flare_plan_is_short_gentle_and_sourced():
    plan = flare_plan()
    assert plan.exercise_slugs == {
        "long-exhale-breathing",
        "cold-therapy",
        "heat-therapy",
        "childs-pose",
        "knee-to-chest",
        "easy-walk",
    }
    assert all(item.sources and item.prescription["note"] for item in plan.items)
    assert {a.kind for a in plan.advice} == {"keep_moving", "seek_help"}
    walk = next(item for item in plan.items if item.exercise == "easy-walk")
    assert walk.prescription["duration_seconds"] == 300  # five minutes
    # Cold is for a new, sharp pain, and always wrapped (S2): the note says both.
    cold = next(item for item in plan.items if item.exercise == "cold-therapy")
    assert 600 <= cold.prescription["duration_seconds"] <= 900
    assert "wrapped" in cold.prescription["note"] and "new and sharp" in cold.prescription["note"]


def _item(field, value):
    def change(data):
        data["items"][0][field] = value

    return change


@pytest.mark.parametrize(
    "change,message",
    [
        (_item("exercise", "sit-ups"), "unknown exercise 'sit-ups'"),
        (_item("sources", ["S9"]), "unknown source 'S9'"),
        (_item("time_of_day", "noon"), "'time_of_day' must be one of"),
        (_item("prescription", {"reps": 3}), "'note'"),
        (_item("prescription", {"minutes": 3, "note": "x"}), "unknown prescription fields"),
        (lambda data: data["advice"].pop(0), "keep moving"),
        (lambda data: data["advice"][1].update(sources=["S9"]), "unknown source 'S9'"),
    ],
)
def test_flare_plan_mistakes_are_reported_with_the_place(db, content, change, message):
    edit(content / "flare.yaml", change)

    with pytest.raises(ContentError, match=r"flare\.yaml") as raised:
        read_flare_plan(content)
    assert message in str(raised.value)
    with pytest.raises(CommandError, match=r"flare\.yaml"):
        call_command("load_programs", "--content-dir", str(content))


def test_no_program_may_take_the_flare_slug(content):
    edit(content / "programs" / "core-strength.yaml", lambda data: data.update(slug="flare"))

    with pytest.raises(ContentError, match="reserved"):
        read_catalog(content)
