from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.db import IntegrityError, transaction

from backend.accounts.models import User
from backend.accounts.timezones import local_today
from backend.caching import invalidation
from backend.core.errors import ApplicationError
from backend.programs.catalog import Catalog, canonical, prescription_problem
from backend.programs.models import (
    Enrollment,
    Exercise,
    PainRule,
    PlanChange,
    Prescription,
    Program,
    ProgramItem,
    SetAside,
)
from backend.programs.plan_changes import dose_words, when_words
from backend.programs.progression import PainLimits

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
            "why": spec.why,
            "guide": spec.guide,
            "max_per_day": spec.max_per_day,
            "timer": spec.timer,
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


# --- A care team's and the person's own changes to the plan (issue 16) ---------------
# The care app checks who may (a linked clinician with the ``prescribe`` scope, the
# link locked for the write) and records the access; these write the plan side and
# its history, and make the patient's cached renderings stale.

REPLACES_HELP = (
    "Name an item of a program this person follows, as 'program:item' (for example core-strength:plank)."
)


def _record(*, patient: User, by: User, kind: str, text: str) -> None:
    PlanChange.objects.create(
        patient=patient,
        by_user=by,
        by_name=by.name,
        by_role=by.role,
        kind=kind,
        text=text[:500],
    )


def _exercise(*, patient: User, slug: str) -> Exercise:
    exercise = Exercise.objects.filter(slug=slug).first()
    if exercise is None:
        raise ApplicationError(f"There is no exercise called '{slug}' in the catalog.", field="exercise")
    return exercise


def _refuse_if_set_aside(*, patient: User, exercise: Exercise) -> None:
    aside = SetAside.objects.filter(patient=patient, exercise=exercise, ends_on__isnull=True).first()
    if aside is None:
        return
    who = "they" if aside.by == SetAside.By.PATIENT else aside.by_name
    raise ApplicationError(
        f"{exercise.name} is set aside: {who} marked it as not right for this person. "
        "Talk it over with them, or choose another exercise.",
        field="exercise",
    )


def _replaced_item(*, patient: User, replaces: str | None) -> ProgramItem | None:
    """The program item ``replaces`` names, of a program the patient follows now."""
    if not replaces:
        return None
    program, _, key = replaces.partition(":")
    running = Enrollment.objects.filter(
        user=patient,
        program__slug=program,
        status__in=[Enrollment.Status.ACTIVE, Enrollment.Status.PAUSED],
    ).exists()
    item = (
        ProgramItem.objects.filter(program__slug=program, key=key)
        .select_related("exercise", "program")
        .first()
        if running
        else None
    )
    if item is None:
        raise ApplicationError(REPLACES_HELP, field="replaces")
    return item


def _check_dose(prescription: Any) -> dict:
    problem = prescription_problem(prescription)
    if problem:
        raise ApplicationError(problem, field="prescription")
    return dict(prescription)


def _describe(prescription: Prescription, replaced: ProgramItem | None, *, new: bool) -> str:
    dose = f"{dose_words(prescription.prescription)}, {when_words(prescription.time_of_day, prescription.weekdays)}"
    name = prescription.exercise.name
    if replaced is not None and replaced.exercise_id != prescription.exercise_id:
        return f"swapped {replaced.exercise.name} for {name}: {dose}"
    if new and replaced is None:
        return f"added {name}: {dose}"
    return f"changed {name} to {dose}"


@transaction.atomic
def prescription_create(
    *,
    patient: User,
    by: User,
    exercise: str,
    time_of_day: str,
    prescription: dict,
    weekdays: list[int] | None = None,
    replaces: str | None = None,
    note: str = "",
) -> Prescription:
    """A clinician's exercise for this patient, from today (their local date)."""
    found = _exercise(patient=patient, slug=exercise)
    _refuse_if_set_aside(patient=patient, exercise=found)
    dose = _check_dose(prescription)
    replaced = _replaced_item(patient=patient, replaces=replaces)
    if (
        replaced is not None
        and Prescription.objects.filter(patient=patient, replaces=replaces, ends_on__isnull=True).exists()
    ):
        raise ApplicationError(
            "This item already has a prescription: change that one instead.", field="replaces"
        )
    try:
        with transaction.atomic():
            created = Prescription.objects.create(
                patient=patient,
                exercise=found,
                time_of_day=time_of_day,
                weekdays=None if weekdays is None else sorted(set(weekdays)),
                prescription=dose,
                replaces=replaces or "",
                note=note,
                set_by=by,
                set_by_name=by.name,
                starts_on=local_today(patient.timezone),
            )
    except IntegrityError:  # the same item prescribed at the same moment
        raise ApplicationError(
            "This item already has a prescription: change that one instead.", field="replaces"
        ) from None
    kind = PlanChange.Kind.PRESCRIPTION_ADDED if replaced is None else PlanChange.Kind.PRESCRIPTION_CHANGED
    _record(patient=patient, by=by, kind=kind, text=_describe(created, replaced, new=True))
    invalidation.user_changed(patient.pk)
    return created


@transaction.atomic
def prescription_update(*, row: Prescription, by: User, **changes: Any) -> Prescription:
    """Change what is given of ``exercise, time_of_day, weekdays, prescription,
    replaces, note``; the history says what it is now."""
    patient = row.patient
    current = Prescription.objects.select_for_update().select_related("exercise").get(pk=row.pk)
    if current.ends_on is not None:
        raise ApplicationError("This prescription has ended.", status=404)
    if "exercise" in changes and changes["exercise"] != current.exercise.slug:
        current.exercise = _exercise(patient=patient, slug=changes["exercise"])
        _refuse_if_set_aside(patient=patient, exercise=current.exercise)
    if "prescription" in changes:
        current.prescription = _check_dose(changes["prescription"])
    if "time_of_day" in changes:
        current.time_of_day = changes["time_of_day"]
    if "weekdays" in changes:
        current.weekdays = None if changes["weekdays"] is None else sorted(set(changes["weekdays"]))
    if "note" in changes:
        current.note = changes["note"]
    if "replaces" in changes and (changes["replaces"] or "") != current.replaces:
        _replaced_item(patient=patient, replaces=changes["replaces"])
        current.replaces = changes["replaces"] or ""
        if (
            current.replaces
            and Prescription.objects.filter(patient=patient, replaces=current.replaces, ends_on__isnull=True)
            .exclude(pk=current.pk)
            .exists()
        ):
            raise ApplicationError(
                "This item already has a prescription: change that one instead.", field="replaces"
            )
    fields = ("exercise_id", "time_of_day", "weekdays", "prescription", "replaces", "note")
    if all(getattr(current, f) == getattr(row, f) for f in fields):
        return current  # nothing changed: no history row for it
    current.set_by, current.set_by_name = by, by.name
    current.save()
    replaced = _replaced_item(patient=patient, replaces=current.replaces) if current.replaces else None
    _record(
        patient=patient,
        by=by,
        kind=PlanChange.Kind.PRESCRIPTION_CHANGED,
        text=_describe(current, replaced, new=False),
    )
    invalidation.user_changed(patient.pk)
    return current


@transaction.atomic
def prescription_end(*, prescription: Prescription, by: User) -> None:
    """From today the plan is as before: the program's dose, or no added exercise."""
    patient = prescription.patient
    ended = Prescription.objects.filter(pk=prescription.pk, ends_on__isnull=True).update(
        ends_on=local_today(patient.timezone)
    )
    if not ended:
        return
    name = prescription.exercise.name
    text = (
        f"put {name} back to its program's dose" if prescription.replaces else f"took {name} out of the plan"
    )
    _record(patient=patient, by=by, kind=PlanChange.Kind.PRESCRIPTION_ENDED, text=text)
    invalidation.user_changed(patient.pk)


@transaction.atomic
def set_aside_add(*, patient: User, by: User, exercise: str, reason: str = "") -> tuple[SetAside, bool]:
    """Mark an exercise "not for me" from today: (the row, whether it is new). Setting
    aside what already is answers the existing row (a phone may send twice)."""
    found = _exercise(patient=patient, slug=exercise)
    existing = SetAside.objects.filter(patient=patient, exercise=found, ends_on__isnull=True).first()
    if existing is not None:
        return existing, False
    by_patient = by.pk == patient.pk
    try:
        with transaction.atomic():
            created = SetAside.objects.create(
                patient=patient,
                exercise=found,
                by=SetAside.By.PATIENT if by_patient else SetAside.By.CLINICIAN,
                by_user=by,
                by_name=by.name,
                reason=reason,
                starts_on=local_today(patient.timezone),
            )
    except IntegrityError:  # the same exercise set aside at the same moment
        return SetAside.objects.get(patient=patient, exercise=found, ends_on__isnull=True), False
    text = f"set aside {found.name}" + (f" ({reason})" if reason else "")
    _record(patient=patient, by=by, kind=PlanChange.Kind.SET_ASIDE, text=text)
    invalidation.user_changed(patient.pk)
    return created, True


@transaction.atomic
def set_aside_end(*, patient: User, by: User, exercise: str) -> None:
    """Bring an exercise back from today. The patient may bring back anything; a
    clinician only what a clinician set aside (the patient's own choice is theirs)."""
    aside = (
        SetAside.objects.select_for_update()
        .select_related("exercise")
        .filter(patient=patient, exercise__slug=exercise, ends_on__isnull=True)
        .first()
    )
    if aside is None:
        raise ApplicationError("This exercise is not set aside.", status=404)
    if by.pk != patient.pk and aside.by == SetAside.By.PATIENT:
        raise ApplicationError(
            f"{patient.name} set {aside.exercise.name} aside themselves: only they can bring it back.",
            status=403,
        )
    aside.ends_on = local_today(patient.timezone)
    aside.save(update_fields=["ends_on"])
    _record(
        patient=patient, by=by, kind=PlanChange.Kind.BROUGHT_BACK, text=f"brought back {aside.exercise.name}"
    )
    invalidation.user_changed(patient.pk)


def pain_rule_words(limits: PainLimits) -> str:
    rise = (
        "any rise in morning pain"
        if limits.morning_rise_max == 0
        else f"morning pain more than {limits.morning_rise_max} above usual"
    )
    responses = (
        "one sore response"
        if limits.regress_after == 1
        else f"{limits.regress_after} sore responses in a row"
    )
    return (
        f"pain up to {limits.during_max}/10 during or after a session is fine; {rise} holds the dose; "
        f"{responses} step it back"
    )


@transaction.atomic
def pain_rule_set(
    *,
    patient: User,
    by: User,
    during_max: int | None = None,
    morning_rise_max: int | None = None,
    regress_after: int | None = None,
) -> PainRule:
    """Change the limits given (the others stay as they are, the defaults at first)."""
    rule = PainRule.objects.select_for_update().filter(patient=patient).first()
    before = (
        PainLimits()
        if rule is None
        else PainLimits(rule.during_max, rule.morning_rise_max, rule.regress_after)
    )
    after = PainLimits(
        during_max=before.during_max if during_max is None else during_max,
        morning_rise_max=before.morning_rise_max if morning_rise_max is None else morning_rise_max,
        regress_after=before.regress_after if regress_after is None else regress_after,
    )
    first = rule is None
    if rule is None:
        rule = PainRule(patient=patient)
    rule.during_max, rule.morning_rise_max, rule.regress_after = (
        after.during_max,
        after.morning_rise_max,
        after.regress_after,
    )
    rule.set_by, rule.set_by_name = by, by.name
    try:
        with transaction.atomic():
            rule.save()
    except IntegrityError:  # two first rules at once: the other one is kept
        return PainRule.objects.get(patient=patient)
    if after != before or first:
        _record(
            patient=patient,
            by=by,
            kind=PlanChange.Kind.PAIN_RULE,
            text=f"set the pain rule: {pain_rule_words(after)}",
        )
    invalidation.user_changed(patient.pk)
    return rule
