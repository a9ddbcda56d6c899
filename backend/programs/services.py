from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.caching import invalidation
from backend.core.errors import ApplicationError
from backend.programs.catalog import Catalog, canonical
from backend.programs.models import Enrollment, Exercise, Program, ProgramItem

# How far from today a program may be started: a few weeks back lets someone log
# a program they began on paper; a few months ahead lets them plan.
START_DATE_PAST_DAYS = 42
START_DATE_FUTURE_DAYS = 90


def _complete_finished(*, user: User, program: Program, today: dt.date) -> None:
    """Mark as completed the user's enrollments of ``program`` that ran to their end."""
    finished = [
        e.pk
        for e in Enrollment.objects.filter(user=user, program=program, status=Enrollment.Status.ACTIVE)
        if e.start_date + dt.timedelta(weeks=program.weeks) <= today
    ]
    if finished:
        Enrollment.objects.filter(pk__in=finished).update(status=Enrollment.Status.COMPLETED)


@transaction.atomic
def enrollment_create(*, user: User, program: Program, start_date: dt.date | None = None) -> Enrollment:
    today = local_today(user.timezone)
    start_date = start_date or today
    if start_date < today - dt.timedelta(days=START_DATE_PAST_DAYS):
        raise ApplicationError(
            f"A program can start at most {START_DATE_PAST_DAYS} days ago.", field="start_date"
        )
    if start_date > today + dt.timedelta(days=START_DATE_FUTURE_DAYS):
        raise ApplicationError(
            f"A program can start at most {START_DATE_FUTURE_DAYS} days from today.", field="start_date"
        )
    if not program.is_active:
        raise ApplicationError("This program is no longer offered.", field="program")
    _complete_finished(user=user, program=program, today=today)
    try:
        with transaction.atomic():
            enrollment = Enrollment.objects.create(user=user, program=program, start_date=start_date)
    except IntegrityError:
        raise ApplicationError(
            "You are already following this program. Resume it or leave it first.", field="program"
        ) from None
    # No reminder is added here: the person chooses theirs (issue 15), the PWA makes them.
    invalidation.user_changed(user.pk)
    return enrollment


def _refuse_if_over(enrollment: Enrollment, today: dt.date) -> None:
    status = enrollment.effective_status(today)
    if status == Enrollment.Status.COMPLETED:
        raise ApplicationError("This program is finished. Enroll again to repeat it.", field="status")
    if status == Enrollment.Status.LEFT:
        raise ApplicationError("You left this program. Enroll again to restart it.", field="status")


@transaction.atomic
def enrollment_set_status(*, enrollment: Enrollment, status: str) -> Enrollment:
    """Pause or resume. Pauses are recorded as date ranges so past plans stay true."""
    enrollment = (
        Enrollment.objects.select_for_update().select_related("program", "user").get(pk=enrollment.pk)
    )
    today = local_today(enrollment.user.timezone)
    _refuse_if_over(enrollment, today)
    if status == enrollment.status:
        return enrollment
    if status == Enrollment.Status.PAUSED:
        enrollment.pauses = [*enrollment.pauses, [today.isoformat(), None]]
    elif status == Enrollment.Status.ACTIVE:
        enrollment.pauses = [
            [first, resumed if resumed is not None else today.isoformat()]
            for first, resumed in enrollment.pauses
        ]
    else:
        raise ApplicationError(
            "Status can be set to active or paused; to leave, delete the enrollment.", field="status"
        )
    enrollment.status = status
    enrollment.save(update_fields=["status", "pauses", "updated_at"])
    invalidation.user_changed(enrollment.user_id)
    return enrollment


@transaction.atomic
def enrollment_leave(*, enrollment: Enrollment) -> Enrollment:
    enrollment = (
        Enrollment.objects.select_for_update().select_related("program", "user").get(pk=enrollment.pk)
    )
    if enrollment.status == Enrollment.Status.LEFT:
        return enrollment
    today = local_today(enrollment.user.timezone)
    invalidation.user_changed(enrollment.user_id)
    if enrollment.effective_status(today) == Enrollment.Status.COMPLETED:
        enrollment.status = Enrollment.Status.COMPLETED
        enrollment.save(update_fields=["status", "updated_at"])
        return enrollment
    enrollment.status = Enrollment.Status.LEFT
    enrollment.ended_on = today
    enrollment.save(update_fields=["status", "ended_on", "updated_at"])
    return enrollment


@dataclass
class LoadReport:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    retired: list[str] = field(default_factory=list)
    unchanged: int = 0

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated or self.retired)


def _sync_fields(obj: Any, values: dict[str, Any]) -> bool:
    """Set the fields that differ; return whether any did (JSON compared canonically)."""
    changed = False
    for name, value in values.items():
        current = getattr(obj, name)
        same = canonical(current) == canonical(value) if isinstance(value, list | dict) else current == value
        if not same:
            setattr(obj, name, value)
            changed = True
    return changed


@transaction.atomic
def catalog_load(*, catalog: Catalog) -> LoadReport:
    """Write the catalog read from the content files, in place and idempotently.

    Rows are matched by slug (exercises, programs) and by (program, key) (items), so
    editing a file updates what enrollments point at; session logs refer to items
    by their string id and never break. Programs whose file is gone are retired
    (hidden from the catalog, still followed by whoever is enrolled).
    """
    report = LoadReport()
    exercises = {e.slug: e for e in Exercise.objects.all()}
    for spec in catalog.exercises:
        values = {
            "name": spec.name,
            "kind": spec.kind,
            "summary": spec.summary,
            "steps": spec.steps,
            "cautions": spec.cautions,
            "pattern": spec.pattern,
            "sources": spec.sources,
            "illustrations": spec.illustrations,
        }
        exercise = exercises.get(spec.slug)
        if exercise is None:
            exercises[spec.slug] = Exercise.objects.create(slug=spec.slug, **values)
            report.created.append(f"exercise {spec.slug}")
        elif _sync_fields(exercise, values):
            exercise.save()
            report.updated.append(f"exercise {spec.slug}")
        else:
            report.unchanged += 1

    programs = {p.slug: p for p in Program.objects.prefetch_related("items")}
    for program_spec in catalog.programs:
        program_values = {
            "title": program_spec.title,
            "category": program_spec.category,
            "weeks": program_spec.weeks,
            "summary": program_spec.summary,
            "description": program_spec.description,
            "sources": program_spec.sources,
            "is_active": True,
            "content_hash": program_spec.content_hash,
        }
        program = programs.get(program_spec.slug)
        if program is None:
            program = Program.objects.create(slug=program_spec.slug, **program_values)
            report.created.append(f"program {program_spec.slug}")
            existing_items: dict[str, ProgramItem] = {}
        else:
            if _sync_fields(program, program_values):
                program.save()
                report.updated.append(f"program {program_spec.slug}")
            else:
                report.unchanged += 1
            existing_items = {item.key: item for item in program.items.all()}
        for item_spec in program_spec.items:
            item_values = {
                "exercise_id": exercises[item_spec.exercise].pk,
                "time_of_day": item_spec.time_of_day,
                "position": item_spec.position,
                "weekdays": item_spec.weekdays,
                "weeks": item_spec.weeks,
            }
            item = existing_items.pop(item_spec.key, None)
            if item is None:
                ProgramItem.objects.create(program=program, key=item_spec.key, **item_values)
                report.created.append(f"item {program_spec.slug}:{item_spec.key}")
            elif _sync_fields(item, item_values):
                item.save()
                report.updated.append(f"item {program_spec.slug}:{item_spec.key}")
            else:
                report.unchanged += 1
        if existing_items:
            ProgramItem.objects.filter(pk__in=[i.pk for i in existing_items.values()]).delete()
            report.retired.extend(f"item {program_spec.slug}:{key}" for key in existing_items)

    listed = {spec.slug for spec in catalog.programs}
    for slug, program in programs.items():
        if slug not in listed and program.is_active:
            program.is_active = False
            program.save(update_fields=["is_active"])
            report.retired.append(f"program {slug}")
    if report.changed:
        invalidation.catalog_changed()
    return report
