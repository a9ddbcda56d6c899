import shutil
from pathlib import Path

import pytest
import yaml
from django.core.management import CommandError, call_command

from backend.programs.catalog import CONTENT_DIR, ContentError, read_catalog
from backend.programs.models import Enrollment, Exercise, Program, ProgramItem
from backend.programs.services import catalog_load
from tests.programs.factories import EnrollmentFactory


@pytest.fixture
def content(tmp_path) -> Path:
    """A copy of the shipped content that a test may edit."""
    target = tmp_path / "content"
    shutil.copytree(CONTENT_DIR, target)
    return target


def edit(path: Path, change) -> None:
    data = yaml.safe_load(path.read_text())
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False))


def snapshot() -> list:
    return [
        list(Exercise.objects.order_by("slug").values()),
        list(Program.objects.order_by("slug").values()),
        list(ProgramItem.objects.order_by("program_id", "key").values()),
    ]


@pytest.mark.django_db
def test_loading_twice_changes_nothing(capsys):
    call_command("load_programs")
    first = snapshot()

    call_command("load_programs")

    assert snapshot() == first
    assert "0 created, 0 updated, 0 retired" in capsys.readouterr().out


@pytest.mark.django_db
def test_editing_a_file_updates_in_place_and_keeps_enrollments(content):
    catalog_load(catalog=read_catalog(content))
    plank = ProgramItem.objects.get(program__slug="core-strength", key="plank")
    enrollment = EnrollmentFactory(program=plank.program)

    def longer_first_week(data):
        item = next(i for i in data["items"] if i["key"] == "plank")
        item["weeks"][0] = {"sets": 3, "hold_seconds": 12}

    edit(content / "programs" / "core-strength.yaml", longer_first_week)
    report = catalog_load(catalog=read_catalog(content))

    updated = ProgramItem.objects.get(pk=plank.pk)
    assert updated.weeks[0] == {"sets": 3, "hold_seconds": 12}
    assert report.updated == ["program core-strength", "item core-strength:plank"]
    assert Enrollment.objects.get(pk=enrollment.pk).program_id == plank.program_id


@pytest.mark.django_db
def test_an_item_removed_from_its_file_leaves_the_plan(content):
    catalog_load(catalog=read_catalog(content))
    edit(
        content / "programs" / "core-strength.yaml",
        lambda data: data.update(items=[i for i in data["items"] if i["key"] != "walk"]),
    )

    report = catalog_load(catalog=read_catalog(content))

    assert report.retired == ["item core-strength:walk"]
    assert not ProgramItem.objects.filter(program__slug="core-strength", key="walk").exists()


@pytest.mark.django_db
def test_a_program_whose_file_is_gone_is_retired_but_enrollments_survive(content):
    catalog_load(catalog=read_catalog(content))
    enrollment = EnrollmentFactory(program=Program.objects.get(slug="sleep-hygiene"))
    (content / "programs" / "sleep-hygiene.yaml").unlink()

    catalog_load(catalog=read_catalog(content))

    program = Program.objects.get(slug="sleep-hygiene")
    assert not program.is_active
    assert program.items.count() == 6
    assert Enrollment.objects.filter(pk=enrollment.pk).exists()


def _set(path, value):
    def change(data):
        target = data
        for key in path[:-1]:
            target = target[key]
        target[path[-1]] = value

    return change


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (_set(["items", 0, "exercise"], "handstand"), "unknown exercise 'handstand'"),
        (_set(["items", 0, "weeks"], [{"reps": 6}]), "must list exactly 6 prescriptions"),
        (_set(["items", 0, "weeks", 0], {"reps": 6, "speed": 3}), "unknown prescription fields ['speed']"),
        (_set(["items", 0, "weeks", 0], {"reps": -2}), "'reps' must be a whole number"),
        (_set(["items", 0, "time_of_day"], "midnight"), "'time_of_day' must be one of"),
        (_set(["items", 1, "key"], "warm-up"), "key used twice"),
        (_set(["weeks"], 0), "'weeks' must be a whole number between 1 and 52"),
        (_set(["sources"], ["S9"]), "unknown source 'S9'"),
        (_set(["items", 0, "weekdays"], [7]), "'weekdays' must be a list of numbers 0-6"),
    ],
)
def test_content_mistakes_are_reported_with_file_and_place(content, change, message):
    edit(content / "programs" / "core-strength.yaml", change)

    with pytest.raises(ContentError) as error:
        read_catalog(content)

    assert "core-strength.yaml" in str(error.value)
    assert message in str(error.value)


def test_invalid_yaml_is_reported_by_the_command(content):
    (content / "programs" / "broken.yaml").write_text("slug: [unclosed\n")

    with pytest.raises(CommandError, match=r"broken\.yaml: not valid YAML"):
        call_command("load_programs", content_dir=content)


# --- The shipped content ------------------------------------------------------


@pytest.fixture(scope="module")
def shipped():
    catalog = read_catalog()
    return {program.slug: program for program in catalog.programs}, {e.slug: e for e in catalog.exercises}


def weeks_of(program, key):
    return next(item for item in program.items if item.key == key).weeks


def test_four_programs_cover_the_four_categories_in_four_to_six_weeks(shipped):
    programs, _ = shipped
    assert {p.category for p in programs.values()} >= {"core", "stretching", "breathing", "sleep"}
    assert all(4 <= p.weeks <= 6 for p in programs.values())
    assert programs["core-strength"].weeks == 6


def test_every_exercise_has_steps_cautions_and_a_source(shipped):
    _, exercises = shipped
    for exercise in exercises.values():
        assert len(exercise.steps) >= 2, exercise.slug
        assert exercise.cautions, exercise.slug
        assert exercise.sources, exercise.slug


def test_core_holds_and_reps_rise_week_by_week(shipped):
    programs, _ = shipped
    core = programs["core-strength"]
    plank = [week["hold_seconds"] for week in weeks_of(core, "plank")]
    bridge = [week["sets"] * week["reps"] for week in weeks_of(core, "bridge")]
    assert plank == sorted(plank) and plank[-1] > plank[0]
    assert bridge == sorted(bridge) and bridge[-1] > bridge[0]
    assert {i.exercise for i in core.items} >= {"glute-bridge", "plank", "bird-dog", "dead-bug", "cat-cow"}


def test_stretches_follow_the_guidance(shipped):
    programs, _ = shipped
    stretches = programs["back-stretches"]
    for week in weeks_of(stretches, "hamstring"):
        assert 10 <= week["hold_seconds"] <= 15 and 3 <= week["reps"] <= 5
    assert weeks_of(stretches, "childs-pose")[-1] == {"reps": 3, "hold_seconds": 60}
    assert weeks_of(stretches, "knee-to-chest")[-1] == {"reps": 3, "hold_seconds": 30, "per_side": True}
    assert {i.exercise for i in stretches.items} >= {"cat-cow", "supine-spinal-twist"}


def test_breathing_has_4_7_8_twice_a_day(shipped):
    programs, exercises = shipped
    breathing = programs["breathing-relaxation"]
    assert exercises["breathing-4-7-8"].pattern == {"inhale": 4, "hold": 7, "exhale": 8}
    twice = [i for i in breathing.items if i.exercise == "breathing-4-7-8"]
    assert len({i.time_of_day for i in twice}) == 2
    assert all(week == {"breaths": 4} for i in twice for week in i.weeks)
    assert exercises["long-exhale-breathing"].pattern == {"inhale": 4, "exhale": 6}
    assert {w["duration_seconds"] for w in weeks_of(breathing, "long-exhale-midday")} <= set(range(120, 181))
    heat = weeks_of(breathing, "heat")
    assert all(900 <= w["duration_seconds"] <= 1200 for w in heat)


def test_sleep_hygiene_has_the_five_habits(shipped):
    programs, _ = shipped
    sleep = programs["sleep-hygiene"]
    assert {i.exercise for i in sleep.items} >= {
        "consistent-wake-time",
        "caffeine-cutoff",
        "screens-off",
        "wind-down-routine",
        "side-sleeping-position",
    }
