"""Every write of the reminders app: rules, subscriptions, the dispatcher, delivery records."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from functools import partial
from typing import Any
from zoneinfo import ZoneInfo

from cryptography.hazmat.primitives.asymmetric import ec
from django.conf import settings
from django.db import IntegrityError, connection, models, transaction
from django.db.models import F, Q
from django.utils import timezone

from backend.accounts.models import User
from backend.errors import ApplicationError, BrokerUnavailable
from backend.programs.models import Program
from backend.programs.selectors import users_with_a_program_on
from backend.reminders import endpoints
from backend.reminders.models import (
    MAX_EVERY_MINUTES,
    MAX_TIMES,
    MIN_EVERY_MINUTES,
    Delivery,
    Kind,
    PushReceipt,
    PushSubscription,
    ReminderRule,
)
from backend.reminders.notifications import TEST_KIND
from backend.reminders.schedule import (
    Schedule,
    format_hhmm,
    latest_due,
    next_fire_after,
    parse_hhmm,
)
from backend.reminders.vapid import b64url_decode
from backend.tracker.selectors import users_with_sessions_logged

logger = logging.getLogger(__name__)

# A reminder this late (the workers were down) is recorded as skipped, not sent:
# "time for your morning stretches" at lunchtime helps nobody.
LATE_LIMIT = dt.timedelta(hours=1)
# Rules claimed per transaction, and deliveries per send task (250 cost a worker
# 15% less CPU than 100 in the benchmark: fewer per-task queries).
DISPATCH_BATCH = 500
SEND_CHUNK = 250
# Deliveries are history for support and tests; older rows are pruned daily.
DELIVERY_RETENTION = dt.timedelta(days=30)

# Local times for the program items' times of day.
TIME_OF_DAY_TIMES = {
    "morning": "07:30",
    "midday": "12:30",
    "afternoon": "16:00",
    "evening": "19:00",
    "bedtime": "21:30",
}
CATEGORY_KIND = {
    "core": Kind.SESSION,
    "stretching": Kind.SESSION,
    "breathing": Kind.BREATHING,
    "sleep": Kind.BEDTIME,
}
DEFAULT_CHECKIN_TIME = "20:30"
# A break every 45-60 minutes of desk work (GUIDANCE.md), on working days.
DEFAULT_DESK_BREAK = {"every_minutes": 50, "window": ["09:00", "17:00"], "weekdays": [0, 1, 2, 3, 4]}
ALL_DAYS = [0, 1, 2, 3, 4, 5, 6]


# --- Rules -----------------------------------------------------------------------


def _times_list(value: Any, *, name: str, exact: int | None = None, limit: int = MAX_TIMES) -> list[str]:
    if not isinstance(value, list | tuple):
        raise ApplicationError('Give a list of times "HH:MM".', field=name)
    if exact is not None and len(value) != exact:
        raise ApplicationError(f'Give exactly {exact} times "HH:MM": a start and an end.', field=name)
    if len(value) > limit:
        raise ApplicationError(f"At most {limit} times.", field=name)
    try:
        return [format_hhmm(parse_hhmm(item)) for item in value]
    except ValueError as exc:
        raise ApplicationError(f"{exc}.", field=name) from None


@dataclass(frozen=True)
class RuleFields:
    kind: str
    times: list[str]
    every_minutes: int | None
    window: list[str] | None
    weekdays: list[int]
    quiet_hours: list[str] | None
    enabled: bool


def rule_fields_validate(
    *,
    kind: Any,
    times: Any,
    every_minutes: Any,
    window: Any,
    weekdays: Any,
    quiet_hours: Any,
    enabled: Any,
    zone: str,
) -> RuleFields:
    """Normalise a rule's fields or raise ``ApplicationError`` naming the field.

    The serializer checks formats already; this also holds for callers that are
    not the API (defaults on enrollment, the admin) and checks the fields together.
    """
    if kind not in Kind.values:
        raise ApplicationError(f"Choose one of {', '.join(Kind.values)}.", field="kind")
    times = sorted(set(_times_list(times or [], name="times")))
    if window is not None:
        window = _times_list(window, name="window", exact=2)
        if parse_hhmm(window[1]) <= parse_hhmm(window[0]):
            raise ApplicationError("The window must end after it starts (same day).", field="window")
    if every_minutes is not None:
        if isinstance(every_minutes, bool) or not isinstance(every_minutes, int):
            raise ApplicationError("A whole number of minutes.", field="every_minutes")
        if not MIN_EVERY_MINUTES <= every_minutes <= MAX_EVERY_MINUTES:
            raise ApplicationError(
                f"Between {MIN_EVERY_MINUTES} and {MAX_EVERY_MINUTES} minutes.", field="every_minutes"
            )
    if times and (every_minutes is not None or window is not None):
        raise ApplicationError("Give either times, or every_minutes with a window, not both.", field="times")
    if not times:
        if every_minutes is None and window is None:
            raise ApplicationError("Give at least one time, or every_minutes with a window.", field="times")
        if every_minutes is None:
            raise ApplicationError("A window needs every_minutes.", field="every_minutes")
        if window is None:
            raise ApplicationError('every_minutes needs a daily window ["HH:MM", "HH:MM"].', field="window")
    if (
        not isinstance(weekdays, list | tuple)
        or not weekdays
        or any(isinstance(d, bool) or not isinstance(d, int) or not 0 <= d <= 6 for d in weekdays)
    ):
        raise ApplicationError("Give at least one weekday, 0 (Monday) to 6 (Sunday).", field="weekdays")
    weekdays = sorted(set(weekdays))
    if quiet_hours is not None:
        quiet_hours = _times_list(quiet_hours, name="quiet_hours", exact=2)
        if quiet_hours[0] == quiet_hours[1]:
            raise ApplicationError("Quiet hours need a start and a different end.", field="quiet_hours")
    if not isinstance(enabled, bool):
        raise ApplicationError("true or false.", field="enabled")
    fields = RuleFields(
        kind=kind,
        times=times,
        every_minutes=every_minutes,
        window=window,
        weekdays=weekdays,
        quiet_hours=quiet_hours,
        enabled=enabled,
    )
    if not schedule_of(fields, zone=zone).daily_times():
        raise ApplicationError("Every reminder time falls within the quiet hours.", field="quiet_hours")
    return fields


def schedule_of(rule: ReminderRule | RuleFields, *, zone: str) -> Schedule:
    return Schedule.from_fields(
        zone=zone,
        times=rule.times,
        every_minutes=rule.every_minutes,
        window=rule.window,
        weekdays=rule.weekdays,
        quiet_hours=rule.quiet_hours,
    )


def _next_fire(fields: RuleFields | ReminderRule, *, zone: str, after: dt.datetime) -> dt.datetime | None:
    if not fields.enabled:
        return None
    return next_fire_after(schedule_of(fields, zone=zone), after)


@transaction.atomic
def reminder_rule_create(
    *,
    user: User,
    kind: str,
    times: list[str] | None = None,
    every_minutes: int | None = None,
    window: list[str] | None = None,
    weekdays: list[int] | None = None,
    quiet_hours: list[str] | None = None,
    enabled: bool = True,
    customized: bool = True,
) -> ReminderRule:
    fields = rule_fields_validate(
        kind=kind,
        times=times,
        every_minutes=every_minutes,
        window=window,
        weekdays=ALL_DAYS if weekdays is None else weekdays,
        quiet_hours=quiet_hours,
        enabled=enabled,
        zone=user.timezone,
    )
    return ReminderRule.objects.create(
        user=user,
        **asdict(fields),
        next_fire_at=_next_fire(fields, zone=user.timezone, after=timezone.now()),
        customized=customized,
    )


_UNSET: Any = object()


@transaction.atomic
def reminder_rule_update(
    *,
    rule: ReminderRule,
    kind: str = _UNSET,
    times: list[str] = _UNSET,
    every_minutes: int | None = _UNSET,
    window: list[str] | None = _UNSET,
    weekdays: list[int] = _UNSET,
    quiet_hours: list[str] | None = _UNSET,
    enabled: bool = _UNSET,
) -> ReminderRule:
    """Change some fields; the rest keep their values.

    Switching between fixed times and an interval needs only the new side:
    sending ``times`` drops ``every_minutes``/``window`` and the other way round.
    """
    rule = ReminderRule.objects.select_for_update().select_related("user").get(pk=rule.pk)
    changes = {
        name: value
        for name, value in {
            "kind": kind,
            "times": times,
            "every_minutes": every_minutes,
            "window": window,
            "weekdays": weekdays,
            "quiet_hours": quiet_hours,
            "enabled": enabled,
        }.items()
        if value is not _UNSET
    }
    merged = {
        "kind": rule.kind,
        "times": rule.times,
        "every_minutes": rule.every_minutes,
        "window": rule.window,
        "weekdays": rule.weekdays,
        "quiet_hours": rule.quiet_hours,
        "enabled": rule.enabled,
        **changes,
    }
    if changes.get("times") and "every_minutes" not in changes and "window" not in changes:
        merged["every_minutes"] = merged["window"] = None
    elif ("every_minutes" in changes or "window" in changes) and "times" not in changes:
        merged["times"] = []
    fields = rule_fields_validate(**merged, zone=rule.user.timezone)
    for name in ("kind", "times", "every_minutes", "window", "weekdays", "quiet_hours", "enabled"):
        setattr(rule, name, getattr(fields, name))
    rule.customized = True
    rule.next_fire_at = _next_fire(fields, zone=rule.user.timezone, after=timezone.now())
    rule.save()
    return rule


@transaction.atomic
def reminder_rule_delete(*, rule: ReminderRule) -> None:
    rule.delete()


@transaction.atomic
def reminder_rules_reschedule(*, user: User) -> int:
    """Recompute every rule's next firing, e.g. after the user's time zone changed."""
    now = timezone.now()
    rules = list(ReminderRule.objects.select_for_update().filter(user=user))
    for rule in rules:
        rule.next_fire_at = _next_fire(rule, zone=user.timezone, after=now)
    ReminderRule.objects.bulk_update(rules, ["next_fire_at"])
    return len(rules)


def _default_rules_for(program: Program) -> list[dict[str, Any]]:
    items = list(program.items.all())
    kind = CATEGORY_KIND.get(program.category, Kind.SESSION)
    times_of_day = [item.time_of_day for item in items]
    times = sorted({TIME_OF_DAY_TIMES[t] for t in times_of_day if t in TIME_OF_DAY_TIMES})
    if kind == Kind.BREATHING:
        # Breathing practice twice a day (GUIDANCE.md): first and last, bedtime has its own reminder.
        daytime = sorted({TIME_OF_DAY_TIMES[t] for t in times_of_day if t != "bedtime"}) or times
        times = sorted({daytime[0], daytime[-1]}) if daytime else ["08:00", "18:00"]
    elif kind == Kind.BEDTIME:
        times = [TIME_OF_DAY_TIMES["bedtime"]]
    if any(not item.weekdays for item in items) or not items:
        weekdays = ALL_DAYS
    else:
        weekdays = sorted({day for item in items for day in item.weekdays})
    rules: list[dict[str, Any]] = [{"kind": kind, "times": times or ["07:30"], "weekdays": weekdays}]
    rules.append({"kind": Kind.CHECKIN, "times": [DEFAULT_CHECKIN_TIME], "weekdays": ALL_DAYS})
    if program.category in ("core", "stretching"):
        rules.append({"kind": Kind.DESK_BREAK, **DEFAULT_DESK_BREAK})
    return rules


@transaction.atomic
def reminder_rules_create_defaults(*, user: User, program: Program) -> list[ReminderRule]:
    """Sensible reminders for a new enrollment, from the program items' times of day.

    One rule per kind: a kind the user already has is left alone if they edited
    it, otherwise the program's times are merged into it.
    """
    existing: dict[str, ReminderRule] = {}
    for rule in ReminderRule.objects.select_for_update().filter(user=user).order_by("id"):
        existing.setdefault(rule.kind, rule)
    now = timezone.now()
    touched = []
    for spec in _default_rules_for(program):
        rule = existing.get(spec["kind"])
        if rule is None:
            touched.append(reminder_rule_create(user=user, customized=False, **spec))
            continue
        if rule.customized or not rule.times or "times" not in spec:
            continue
        times = sorted(set(rule.times) | set(spec["times"]))[:MAX_TIMES]
        weekdays = sorted(set(rule.weekdays) | set(spec["weekdays"]))
        if times != rule.times or weekdays != rule.weekdays:
            rule.times, rule.weekdays = times, weekdays
            rule.next_fire_at = _next_fire(rule, zone=user.timezone, after=now)
            rule.save(update_fields=["times", "weekdays", "next_fire_at", "updated_at"])
            touched.append(rule)
    return touched


# --- Push subscriptions ---------------------------------------------------------------


def _check_keys(p256dh: str, auth: str) -> None:
    """The serializer checks these too; this guards callers that are not the API."""
    try:
        point = b64url_decode(p256dh)
        if len(point) != 65:
            raise ValueError
        ec.EllipticCurvePublicKey.from_encoded_point(ec.SECP256R1(), point)
    except ValueError:
        raise ApplicationError(
            "p256dh is not a P-256 public key (65 bytes, base64url).", field="keys"
        ) from None
    try:
        secret = b64url_decode(auth)
    except ValueError:
        secret = b""
    if len(secret) != 16:
        raise ApplicationError("The auth secret is 16 bytes, base64url.", field="keys")


@transaction.atomic
def push_subscription_save(
    *, user: User, endpoint: str, p256dh: str, auth: str, user_agent: str = ""
) -> tuple[PushSubscription, bool]:
    """Store a browser's subscription; posting the same endpoint again updates it.

    An endpoint already stored for another account moves to this one: whoever
    holds the browser (and so the endpoint, an unguessable capability) gets its
    notifications, e.g. after signing out and in as someone else.
    """
    try:
        endpoints.check_endpoint(endpoint, allowed=settings.WEBPUSH_ALLOWED_HOSTS, resolve=endpoints_resolve)
    except endpoints.EndpointRefused as exc:
        raise ApplicationError(str(exc), field="endpoint") from None
    _check_keys(p256dh, auth)
    subscription, created = PushSubscription.objects.select_for_update().get_or_create(
        endpoint=endpoint,
        defaults={"user": user, "p256dh": p256dh, "auth": auth, "user_agent": user_agent[:256]},
    )
    if not created:
        subscription.user = user
        subscription.p256dh, subscription.auth = p256dh, auth
        subscription.user_agent = user_agent[:256]
        subscription.failure_count = 0
        subscription.save(update_fields=["user", "p256dh", "auth", "user_agent", "failure_count"])
    return subscription, created


def endpoints_resolve(host: str, port: int) -> list[str]:
    """DNS for the subscription check; tests replace it (there is no DNS in CI)."""
    return endpoints.system_resolve(host, port)


@transaction.atomic
def push_subscription_delete(*, user: User, endpoint: str) -> None:
    deleted, _ = PushSubscription.objects.filter(user=user, endpoint=endpoint).delete()
    if not deleted:
        raise ApplicationError("No such subscription.", status=404)


# --- Dispatching -------------------------------------------------------------------------


@dataclass
class DispatchReport:
    claimed: int = 0
    queued: int = 0
    skipped_late: int = 0
    skipped_done: int = 0
    skipped_no_program: int = 0
    batches: int = 0
    delivery_ids: list[int] = field(default_factory=list)


def reminders_dispatch(
    *, now: dt.datetime | None = None, batch_size: int = DISPATCH_BATCH, max_batches: int = 200
) -> DispatchReport:
    """Claim the rules due at ``now``, record their deliveries and queue the sends.

    Each batch is one transaction. On PostgreSQL the claimed rows are locked with
    ``FOR UPDATE SKIP LOCKED``, so concurrent dispatchers take disjoint batches;
    the unique (rule, fire_at) of deliveries backs that up on any database.
    """
    now = now or timezone.now()
    report = DispatchReport()
    conflicts = 0
    while report.batches < max_batches:
        try:
            claimed = _dispatch_batch(now=now, batch_size=batch_size, report=report)
        except IntegrityError:
            # Another dispatcher recorded one of these slots first (only possible
            # where rows cannot be locked, as on SQLite): the batch rolled back;
            # read again, the other dispatcher has moved those rules on.
            conflicts += 1
            if conflicts > 3:
                raise
            continue
        report.batches += 1
        if claimed < batch_size:
            break
    return report


@transaction.atomic
def _dispatch_batch(*, now: dt.datetime, batch_size: int, report: DispatchReport) -> int:
    rules = list(
        ReminderRule.objects.select_for_update(skip_locked=True, of=("self",))
        .select_related("user")
        # What the arithmetic needs: whole user rows (password hashes...) cost time.
        .only(*RULE_SCHEDULE_FIELDS, "kind", "next_fire_at", "user_id", "user__timezone")
        .filter(enabled=True, next_fire_at__lte=now)
        .order_by("next_fire_at")[:batch_size]
    )
    if not rules:
        return 0
    deliveries: list[Delivery] = []
    # Rules with the same fields in the same zone share their arithmetic: with the
    # defaults most of a batch does, so it is done once per distinct schedule.
    memo: dict[tuple, Any] = {}

    def remember(key: tuple, compute: Any) -> Any:
        if key not in memo:
            memo[key] = compute()
        return memo[key]

    for rule in rules:
        key = _schedule_key(rule)
        schedule = remember(key, lambda rule=rule: schedule_of(rule, zone=rule.user.timezone))
        due: dt.datetime | None = rule.next_fire_at
        assert due is not None
        if now - due > LATE_LIMIT:
            deliveries.append(_delivery(rule, due, Delivery.Status.SKIPPED, Delivery.Reason.LATE, now))
            recent = remember((key, "recent"), lambda s=schedule: next_fire_after(s, now - LATE_LIMIT))
            due = recent if recent is not None and recent <= now else None
        if due is not None:
            fire_at = remember((key, "latest", due), lambda s=schedule, d=due: latest_due(s, d, now))
            deliveries.append(_delivery(rule, fire_at, Delivery.Status.PENDING, "", now))
        rule.next_fire_at = remember((key, "next"), lambda s=schedule: next_fire_after(s, now))

    sessions = [d for d in deliveries if d.kind == Kind.SESSION and d.status == Delivery.Status.PENDING]
    if sessions:
        zones = {rule.user_id: ZoneInfo(rule.user.timezone) for rule in rules}
        dates = {d.user_id: d.fire_at.astimezone(zones[d.user_id]).date() for d in sessions}
        done = users_with_sessions_logged(user_ids=list(dates), dates=dates)
        running = users_with_a_program_on(dates=dates)
        for delivery in sessions:
            if delivery.user_id in done:
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    Delivery.Reason.DONE,
                    now,
                )
            elif delivery.user_id not in running:
                # Every program is paused, left or finished: nothing to remind of.
                delivery.status, delivery.reason, delivery.finished_at = (
                    Delivery.Status.SKIPPED,
                    Delivery.Reason.NO_PROGRAM,
                    now,
                )
    _insert_deliveries(deliveries)
    _set_next_fire_at([(rule.pk, rule.next_fire_at) for rule in rules])

    pending = [d.pk for d in deliveries if d.status == Delivery.Status.PENDING]
    chunks = [pending[start : start + SEND_CHUNK] for start in range(0, len(pending), SEND_CHUNK)]
    if chunks:
        # Like send_reminders.delay_on_commit per chunk, but through one producer:
        # a publish each took 7 ms, 1.6 ms with a shared producer.
        transaction.on_commit(partial(_enqueue_sends, chunks))
    report.claimed += len(rules)
    report.queued += len(pending)
    report.skipped_late += sum(d.reason == Delivery.Reason.LATE for d in deliveries)
    report.skipped_done += sum(d.reason == Delivery.Reason.DONE for d in deliveries)
    report.skipped_no_program += sum(d.reason == Delivery.Reason.NO_PROGRAM for d in deliveries)
    report.delivery_ids.extend(pending)
    return len(rules)


RULE_SCHEDULE_FIELDS = ("times", "every_minutes", "window", "weekdays", "quiet_hours")


def _schedule_key(rule: ReminderRule) -> tuple:
    def frozen(value: list | None) -> tuple | None:
        return None if value is None else tuple(value)

    return (
        rule.user.timezone,
        frozen(rule.times),
        rule.every_minutes,
        frozen(rule.window),
        frozen(rule.weekdays),
        frozen(rule.quiet_hours),
    )


def _enqueue_sends(chunks: list[list[int]]) -> None:
    from backend.reminders.tasks import send_reminders

    with send_reminders.app.producer_or_acquire() as producer:
        for chunk in chunks:
            send_reminders.apply_async((chunk,), producer=producer)


def _bulk_insert(
    model: type[models.Model],
    columns: Sequence[str],
    rows: Sequence[Sequence[Any]],
    *,
    returning_ids: bool = False,
    ignore_conflicts: bool = False,
) -> list[int]:
    """One multi-row INSERT, optionally ``ON CONFLICT DO NOTHING`` / ``RETURNING id``.

    Django's bulk_create prepares every field of every object in Python, a quarter
    of a millisecond a row: most of the dispatcher's and the sender's own time in
    the 10k benchmark. These rows are plain values. On PostgreSQL they travel as one
    array per column (``unnest``): a few parameters instead of thousands, each of
    which the driver would otherwise adapt in Python. Both databases return ids in
    the order the rows are given, which bulk_create relies on too.
    """
    if not rows:
        return []
    table = connection.ops.quote_name(model._meta.db_table)
    tail = (" ON CONFLICT DO NOTHING" if ignore_conflicts else "") + (
        " RETURNING id" if returning_ids else ""
    )
    if connection.vendor == "postgresql":
        fields = {f.attname: f for f in model._meta.concrete_fields}
        arrays = ", ".join(f"%s::{fields[column].db_type(connection)}[]" for column in columns)
        sql = f"INSERT INTO {table} ({', '.join(columns)}) SELECT * FROM unnest({arrays}){tail}"  # noqa: S608
        params: list[Any] = [list(values) for values in zip(*rows, strict=True)]
    else:
        placeholders = f"({', '.join(['%s'] * len(columns))})"
        sql = (
            f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([placeholders] * len(rows))}{tail}"  # noqa: S608
        )
        params = [
            connection.ops.adapt_datetimefield_value(value) if isinstance(value, dt.datetime) else value
            for row in rows
            for value in row
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return [row_id for (row_id,) in cursor.fetchall()] if returning_ids else []


_DELIVERY_COLUMNS = (
    "user_id",
    "rule_id",
    "kind",
    "fire_at",
    "status",
    "reason",
    "created_at",
    "finished_at",
    "lease_owner",
    "leased_until",
)


def _insert_deliveries(deliveries: list[Delivery]) -> None:
    """Insert the batch's deliveries and set their ids."""
    now = timezone.now()
    for delivery in deliveries:
        delivery.created_at = now
    rows = [[getattr(d, column) for column in _DELIVERY_COLUMNS] for d in deliveries]
    ids = _bulk_insert(Delivery, _DELIVERY_COLUMNS, rows, returning_ids=True)
    for delivery, pk in zip(deliveries, ids, strict=True):
        delivery.pk = pk


def _set_next_fire_at(pairs: list[tuple[int, dt.datetime | None]]) -> None:
    """One UPDATE for the whole batch (see ``_bulk_insert`` for the two forms).

    Django's bulk_update builds a CASE WHEN per row in Python: 1 ms a row, most of
    a 500-rule batch's time.
    """
    if not pairs:
        return
    table = connection.ops.quote_name(ReminderRule._meta.db_table)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            ids, instants = zip(*pairs, strict=True)
            cursor.execute(
                f"UPDATE {table} SET next_fire_at = v.next_fire_at "  # noqa: S608 - no user input in the SQL
                "FROM unnest(%s::bigint[], %s::timestamptz[]) AS v(id, next_fire_at) "
                f"WHERE {table}.id = v.id",
                [list(ids), list(instants)],
            )
        else:
            params: list[Any] = []
            for pk, when in pairs:
                params += [pk, connection.ops.adapt_datetimefield_value(when)]
            cursor.execute(
                # VALUES columns are named column1, column2 (SQLite 3.33+ has UPDATE ... FROM).
                f"UPDATE {table} SET next_fire_at = v.column2 "  # noqa: S608 - no user input in the SQL
                f"FROM (VALUES {', '.join(['(%s, %s)'] * len(pairs))}) AS v "
                f"WHERE {table}.id = v.column1",
                params,
            )


def _delivery(
    rule: ReminderRule, fire_at: dt.datetime, status: str, reason: str, now: dt.datetime
) -> Delivery:
    pending = status == Delivery.Status.PENDING
    return Delivery(
        user_id=rule.user_id,
        rule=rule,
        kind=rule.kind,
        fire_at=fire_at,
        status=status,
        reason=reason,
        finished_at=None if pending else now,
        lease_owner="",
        leased_until=now + requeue_after() if pending else None,
    )


def requeue_after() -> dt.timedelta:
    """How long a queued delivery may wait for a worker before it is queued again."""
    return dt.timedelta(seconds=settings.REMINDERS_REQUEUE_AFTER)


def deliveries_claim(*, delivery_ids: Iterable[int], owner: str, now: dt.datetime) -> list[int]:
    """Lease these pending deliveries to one send task; return the ids it may send.

    A queued delivery (owner "") or an expired lease goes to the first task that asks;
    a redelivery of the owning task keeps it. Any other copy gets nothing, so a
    delivery queued twice (the sweep below) is still sent once.
    """
    ids = list(delivery_ids)
    until = now + dt.timedelta(seconds=settings.REMINDERS_SEND_LEASE)
    Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).filter(
        Q(lease_owner__in=["", owner]) | Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    ).update(lease_owner=owner, leased_until=until)
    return list(
        Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING, lease_owner=owner).values_list(
            "pk", flat=True
        )
    )


def deliveries_hold(*, delivery_ids: Iterable[int], owner: str, until: dt.datetime) -> None:
    """Keep a task's lease while it waits to retry, so the sweep does not queue them again."""
    Delivery.objects.filter(pk__in=list(delivery_ids), lease_owner=owner).update(leased_until=until)


@transaction.atomic
def deliveries_requeue_stuck(*, now: dt.datetime | None = None) -> int:
    """Queue again the pending deliveries nobody is sending (a broker restart can lose
    queued messages); skip those that became more than an hour late."""
    now = now or timezone.now()
    stuck = Delivery.objects.filter(status=Delivery.Status.PENDING).filter(
        Q(leased_until__isnull=True) | Q(leased_until__lt=now)
    )
    stuck.exclude(kind=TEST_KIND).filter(fire_at__lt=now - LATE_LIMIT).update(
        status=Delivery.Status.SKIPPED, reason=Delivery.Reason.LATE, finished_at=now
    )
    ids = list(
        Delivery.objects.filter(pk__in=stuck.values("pk"), status=Delivery.Status.PENDING)
        .select_for_update(skip_locked=True)
        .values_list("pk", flat=True)[:5000]
    )
    if not ids:
        return 0
    Delivery.objects.filter(pk__in=ids).update(lease_owner="", leased_until=now + requeue_after())
    chunks = [ids[start : start + SEND_CHUNK] for start in range(0, len(ids), SEND_CHUNK)]
    transaction.on_commit(partial(_enqueue_sends, chunks))
    logger.warning("reminders: %d pending deliveries were queued again", len(ids))
    return len(ids)


@transaction.atomic
def reminder_test_send(*, user: User) -> Delivery:
    """One test notification to all the user's devices, through the task queue."""
    now = timezone.now()
    delivery = Delivery.objects.create(
        user=user, rule=None, kind=TEST_KIND, fire_at=now, lease_owner="", leased_until=now + requeue_after()
    )
    transaction.on_commit(partial(notification_test_enqueue, delivery.pk))
    return delivery


def notification_test_enqueue(delivery_id: int) -> None:
    from backend.reminders.tasks import send_reminders

    try:
        send_reminders.delay([delivery_id])
    except BrokerUnavailable:
        # The person is told to try again (503): the dispatcher must not also send this
        # one minutes later, when a test notification would mean nothing.
        Delivery.objects.filter(pk=delivery_id, status=Delivery.Status.PENDING).delete()
        raise


# --- Recording what the sender did ------------------------------------------------------------


@transaction.atomic
def deliveries_finish(*, delivery_ids: Iterable[int], status: str, reason: str = "", now: dt.datetime) -> int:
    """Close pending deliveries; ones already closed (by an earlier attempt) stay as they are."""
    ids = list(delivery_ids)
    if not ids:
        return 0
    return Delivery.objects.filter(pk__in=ids, status=Delivery.Status.PENDING).update(
        status=status, reason=reason, finished_at=now
    )


@transaction.atomic
def push_results_record(
    *,
    accepted: Sequence[tuple[int, int]],
    gone: Iterable[int],
    failed: Iterable[int],
    now: dt.datetime,
) -> None:
    """``accepted``: (delivery, subscription) pairs the push service took; ``gone``:
    subscriptions it says no longer exist; ``failed``: subscriptions that failed."""
    if accepted:
        _bulk_insert(
            PushReceipt,
            ("delivery_id", "subscription_id", "created_at"),
            [(d, s, now) for d, s in accepted],
            ignore_conflicts=True,  # an earlier attempt's receipt stays as it is
        )
        PushSubscription.objects.filter(pk__in={s for _, s in accepted}).update(
            last_success_at=now, failure_count=0
        )
    gone = set(gone)
    if gone:
        PushSubscription.objects.filter(pk__in=gone).delete()
    failed = set(failed) - gone
    if failed:
        PushSubscription.objects.filter(pk__in=failed).update(failure_count=F("failure_count") + 1)


@transaction.atomic
def deliveries_prune(*, now: dt.datetime | None = None) -> int:
    cutoff = (now or timezone.now()) - DELIVERY_RETENTION
    deleted, _ = (
        Delivery.objects.filter(created_at__lt=cutoff).exclude(status=Delivery.Status.PENDING).delete()
    )
    return deleted
