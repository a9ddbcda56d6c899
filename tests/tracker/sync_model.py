"""A model of sync: three phones with clocks minutes apart, against the real service.

``SyncMachine`` (hypothesis, stateful) makes three devices edit, delete, re-save,
send, lose answers, replay old requests and pull, in any order, against
``backend.tracker.services.sync_apply`` and the pull selector. ``Device`` mirrors the
PWA's logic (frontend/src/merge.ts and outbox.ts): what it stores from each result
and pull, and what it sends. ``Oracle`` states the rule independently of how the
server implements it (no versions, device ids or time marks): an edit wins on its
first arrival if the server still holds the state the person edited from, or an
edit of their own made since on that device; the same content again changes nothing;
every other first arrival loses and the device must be told (``conflict``).

At the end every device sends and pulls with nothing lost on the way, and then each
device holds exactly the server's copies, and the server holds what the oracle says.
Used by tests/tracker/test_sync_model.py (bounded) and benchmarks/sync_model.py (long).
"""

from __future__ import annotations

import datetime as dt
import itertools
import json
import uuid
from dataclasses import dataclass, field
from typing import Any

from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from backend.accounts.timezones import local_today
from backend.tracker.entries import parse_cursor, render_entry
from backend.tracker.models import CheckIn
from backend.tracker.selectors import sync_changes
from tests.accounts.factories import UserFactory
from tests.tracker.helpers import apply_batch

STATS = {"examples": 0, "steps": 0, "requests": 0}
PAGE = 2  # small pages, so pulls go through several
MAX_ENTRIES = 3
MS = dt.timedelta(milliseconds=1)


def _wire(value: Any) -> Any:
    """What crosses the network: JSON, nothing else."""
    return json.loads(json.dumps(value))


def _time(iso: str) -> dt.datetime:
    return dt.datetime.fromisoformat(iso.replace("Z", "+00:00"))


def _pending(phone: Device) -> list[Local]:
    return [local for local in phone.entries.values() if local.state == "pending"]


def _content(deleted: bool, data: dict) -> tuple:
    return (True, data["date"]) if deleted else (False, json.dumps(data, sort_keys=True))


# --- The oracle ------------------------------------------------------------------------


@dataclass
class State:
    """One content the server held for an entry, named by the oracle (not a version)."""

    id: int
    content: tuple
    by_edit: int | None


@dataclass
class Meta:
    """What the person had in front of them when making an edit (the oracle's view)."""

    edit: int
    origin: int | None  # the oracle state the copy edited was, None for a new entry
    chain: frozenset[int]  # this device's own edits since that state, not yet settled


class Oracle:
    def __init__(self) -> None:
        self.current: dict[str, State] = {}
        self.arrived: set[int] = set()
        self.won: set[int] = set()
        self.held: set[int] = set()  # edits whose content the server held on arrival (won or same)
        self._ids = itertools.count(1)

    def arrive(self, client_id: str, meta: Meta, content: tuple) -> str:
        """'won', 'same', 'lost' (a first arrival) or 'replay' (an edit seen before)."""
        state = self.current.get(client_id)
        if meta.edit in self.arrived:
            if state is not None and state.content == content:
                # Lost at first, but what the person typed is what the server holds now.
                self.held.add(meta.edit)
            return "replay"
        self.arrived.add(meta.edit)
        if state is not None and state.content == content:
            self.held.add(meta.edit)
            return "same"
        if state is None or state.id == meta.origin or state.by_edit in meta.chain:
            self.current[client_id] = State(next(self._ids), content, meta.edit)
            self.won.add(meta.edit)
            self.held.add(meta.edit)
            return "won"
        return "lost"


# --- A device, as the PWA behaves --------------------------------------------------------


@dataclass
class Local:
    client_id: str
    updated_at: str
    deleted: bool
    data: dict
    state: str  # pending, synced, rejected
    version: int | None  # synced: the server's; pending: the version edited from (0: new)
    replaced: bool = False
    meta: Meta | None = None  # pending: the oracle's view of the edit
    origin: int | None = None  # synced: the oracle state this copy is


@dataclass
class Device:
    name: str
    offset: dt.timedelta
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    entries: dict[str, Local] = field(default_factory=dict)
    cursor: str = ""
    superseded: set[int] = field(default_factory=set)
    told: set[int] = field(default_factory=set)
    made: set[int] = field(default_factory=set)

    def record(self, client_id: str, data: dict, deleted: bool, now: dt.datetime, edit: int) -> None:
        """outbox.record: the edit is made from the copy shown."""
        existing = self.entries.get(client_id)
        clock = now + self.offset
        clock -= dt.timedelta(microseconds=clock.microsecond % 1000)  # a JavaScript Date: milliseconds
        if existing is not None and _time(existing.updated_at) >= clock:
            clock = _time(existing.updated_at) + MS  # merge.nextUpdatedAt
        if existing is None:
            meta = Meta(edit, None, frozenset())
        elif existing.state == "pending" and existing.meta is not None:
            self.superseded.add(existing.meta.edit)
            meta = Meta(edit, existing.meta.origin, existing.meta.chain | {existing.meta.edit})
        else:
            meta = Meta(edit, existing.origin, frozenset())
        self.made.add(edit)
        self.entries[client_id] = Local(
            client_id=client_id,
            updated_at=clock.astimezone(dt.UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z"),
            deleted=deleted,
            data=data,
            state="pending",
            version=existing.version if existing else 0,
            meta=meta,
        )

    def outgoing(self) -> list[tuple[dict, Meta]]:
        """merge.outgoing for every pending entry, with the oracle's view beside it."""
        sent = []
        for local in self.entries.values():
            if local.state != "pending":
                continue
            entry = {
                "client_id": local.client_id,
                "type": "checkin",
                "updated_at": local.updated_at,
                "deleted": local.deleted,
                "data": local.data,
                "device": self.id,
            }
            if local.version is not None:
                entry["base_version"] = local.version
            assert local.meta is not None
            sent.append((entry, local.meta))
        return sent

    def apply_results(self, sent: list[dict], results: list[dict], origins: list[int | None]) -> None:
        """merge.applyResults; ``origins``: the oracle state each result leaves the entry in."""
        by_id = {r["client_id"]: (r, origin) for r, origin in zip(results, origins, strict=True)}
        for entry in sent:
            result, origin = by_id[entry["client_id"]]
            now = self.entries[entry["client_id"]]
            status = result["status"]
            stored = status in ("created", "updated", "unchanged")
            if now.updated_at != entry["updated_at"]:
                if stored and now.state == "pending":
                    now.version = result["version"]
                    assert now.meta is not None
                    now.meta = Meta(now.meta.edit, origin, frozenset())
                continue
            if stored:
                now.state, now.version, now.origin, now.meta = "synced", result["version"], origin, None
            elif status in ("stale", "conflict"):
                if status == "conflict" and now.meta is not None:
                    self.told.add(now.meta.edit)
                self.entries[entry["client_id"]] = self._from_server(
                    result["server"], origin, replaced=status == "conflict" or now.replaced
                )
            else:
                raise AssertionError(f"unexpected result {result}")

    def merge_remote(self, remote: dict, origin: int | None) -> None:
        """merge.mergeRemote."""
        local = self.entries.get(remote["client_id"])
        if local is None:
            self.entries[remote["client_id"]] = self._from_server(remote, origin)
        elif local.state == "synced" and (local.version is None or remote["version"] > local.version):
            self.entries[remote["client_id"]] = self._from_server(remote, origin, replaced=local.replaced)

    @staticmethod
    def _from_server(remote: dict, origin: int | None, replaced: bool = False) -> Local:
        return Local(
            client_id=remote["client_id"],
            updated_at=remote["updated_at"],
            deleted=remote["deleted"],
            data=remote["data"],
            state="synced",
            version=remote["version"],
            replaced=replaced,
            origin=origin,
        )


# --- The machine --------------------------------------------------------------------------


@dataclass
class Request:
    device: Device
    entries: list[dict]
    metas: list[Meta]
    cursor: str


class SyncMachine(RuleBasedStateMachine):
    def __init__(self) -> None:
        super().__init__()
        STATS["examples"] += 1
        self.user = UserFactory()
        self.day = (local_today(self.user.timezone) - dt.timedelta(days=1)).isoformat()
        self.now = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
        self.oracle = Oracle()
        self.devices: list[Device] = []
        self.sent: list[Request] = []
        self.client_ids: list[str] = []
        self._edits = itertools.count(1)

    @initialize(offsets=st.lists(st.integers(-300, 300), min_size=3, max_size=3))
    def phones(self, offsets: list[int]) -> None:
        # Each clock within five minutes of the truth: up to ten minutes apart.
        self.devices = [Device(name, dt.timedelta(seconds=s)) for name, s in zip("ABC", offsets, strict=True)]

    def _step(self, seconds: int) -> None:
        STATS["steps"] += 1
        self.now += dt.timedelta(seconds=seconds)

    # --- the person ---

    # Few entries, so that devices meet on the same ones.
    @precondition(lambda self: len(self.client_ids) < MAX_ENTRIES)
    @rule(device=st.integers(0, 2), pain=st.integers(0, 10), wait=st.integers(0, 120))
    def create(self, device: int, pain: int, wait: int) -> None:
        self._step(wait)
        client_id = str(uuid.uuid4())
        self.client_ids.append(client_id)
        self.devices[device].record(client_id, self._checkin(pain), False, self.now, next(self._edits))

    def _with(self, device: int, has: Any) -> Device:
        """The device-th of those that have something to act on (no wasted steps)."""
        able = [phone for phone in self.devices if has(phone)]
        return able[device % len(able)]

    def _some_hold_entries(self) -> bool:
        return any(phone.entries for phone in self.devices)

    def _some_have_pending(self) -> bool:
        return any(_pending(phone) for phone in self.devices)

    @precondition(_some_hold_entries)
    @rule(
        device=st.integers(0, 2),
        pick=st.integers(0, 100),
        pain=st.integers(0, 10),
        delete=st.booleans(),
        wait=st.integers(0, 120),
    )
    def edit(self, device: int, pick: int, pain: int, delete: bool, wait: int) -> None:
        self._step(wait)
        phone = self._with(device, lambda p: p.entries)
        client_id = sorted(phone.entries)[pick % len(phone.entries)]
        data = {"date": self.day} if delete else self._checkin(pain)
        phone.record(client_id, data, delete, self.now, next(self._edits))

    @precondition(_some_hold_entries)
    @rule(device=st.integers(0, 2), pick=st.integers(0, 100), wait=st.integers(0, 120))
    def save_again_unchanged(self, device: int, pick: int, wait: int) -> None:
        """The same answers saved again, later (finding 3's resend)."""
        self._step(wait)
        phone = self._with(device, lambda p: p.entries)
        local = phone.entries[sorted(phone.entries)[pick % len(phone.entries)]]
        phone.record(local.client_id, local.data, local.deleted, self.now, next(self._edits))

    # --- the network ---

    @precondition(_some_have_pending)
    @rule(device=st.integers(0, 2), drop=st.booleans(), wait=st.integers(0, 30))
    def send(self, device: int, drop: bool, wait: int) -> None:
        """One round of outbox.flush; with ``drop`` the server applies it and the answer is lost."""
        self._step(wait)
        self._send(self._with(device, _pending), drop=drop)

    @precondition(_some_have_pending)
    @rule(device=st.integers(0, 2), pain=st.integers(0, 10), wait=st.integers(0, 30))
    def send_and_edit_while_in_flight(self, device: int, pain: int, wait: int) -> None:
        self._step(wait)
        phone = self._with(device, _pending)
        target = _pending(phone)[0].client_id
        self._send(
            phone,
            drop=False,
            meanwhile=lambda: phone.record(target, self._checkin(pain), False, self.now, next(self._edits)),
        )

    @precondition(lambda self: self.sent)
    @rule(pick=st.integers(0, 1000), wait=st.integers(0, 30))
    def replay_an_old_request(self, pick: int, wait: int) -> None:
        """A request delivered again later (a retrying proxy): nobody hears its answer."""
        self._step(wait)
        old = self.sent[pick % len(self.sent)]
        self._post(old)

    @rule(device=st.integers(0, 2), drop=st.booleans(), wait=st.integers(0, 30))
    def pull(self, device: int, drop: bool, wait: int) -> None:
        self._step(wait)
        self._pull(self.devices[device], drop=drop)

    # --- invariants ---

    @invariant()
    def server_holds_what_the_rule_says(self) -> None:
        if not self.devices:
            return
        stored = {str(row.client_id): row for row in CheckIn.objects.filter(user=self.user)}
        assert set(stored) == set(self.oracle.current)
        for client_id, state in self.oracle.current.items():
            row = render_entry(stored[client_id])
            assert _content(row["deleted"], row["data"]) == state.content, (client_id, row, state)

    def teardown(self) -> None:
        try:
            if self.devices:
                self._settle()
        finally:
            super().teardown()

    def _settle(self) -> None:
        """Every device sends what it has and pulls, nothing lost; then all hold the server's copies."""
        for _ in range(2):
            for phone in self.devices:
                for _ in range(5):
                    if not any(e.state == "pending" for e in phone.entries.values()):
                        break
                    self._send(phone, drop=False)
                assert not any(e.state == "pending" for e in phone.entries.values())
                self._pull(phone, drop=False)
        for phone in self.devices:
            self._pull(phone, drop=False)
        self.server_holds_what_the_rule_says()
        server = {
            str(row.client_id): _wire(render_entry(row)) for row in CheckIn.objects.filter(user=self.user)
        }
        for phone in self.devices:
            shown = {
                cid: {
                    "client_id": cid,
                    "type": "checkin",
                    "updated_at": e.updated_at,
                    "deleted": e.deleted,
                    "data": e.data,
                    "version": e.version,
                }
                for cid, e in phone.entries.items()
            }
            assert {cid: e.state for cid, e in phone.entries.items()} == dict.fromkeys(shown, "synced")
            assert {cid: (e["deleted"], e["data"], e["version"]) for cid, e in shown.items()} == {
                cid: (e["deleted"], e["data"], e["version"]) for cid, e in server.items()
            }, phone.name
            # Nothing the person typed vanished without a word: the server held each
            # edit, or their own later edit replaced it, or the device said it lost.
            silent = phone.made - self.oracle.held - phone.superseded - phone.told
            assert not silent, (phone.name, silent)

    # --- plumbing ---

    def _checkin(self, pain: int) -> dict:
        return {"date": self.day, "pain": pain, "stress": 5, "pain_areas": [], "red_flags": []}

    def _send(self, phone: Device, *, drop: bool, meanwhile: Any = None) -> None:
        outgoing = phone.outgoing()
        if not outgoing:
            return
        request = Request(phone, [e for e, _ in outgoing], [m for _, m in outgoing], phone.cursor)
        self.sent.append(request)
        answer, origins = self._post(request)
        if meanwhile is not None:
            meanwhile()
        if drop:
            return
        phone.apply_results(request.entries, answer["results"], origins)
        if answer["cursor"] != phone.cursor:
            phone.cursor = answer["cursor"]

    def _post(self, request: Request) -> tuple[dict, list[int | None]]:
        STATS["requests"] += 1
        outcome = apply_batch(self.user, _wire(request.entries), cursor=request.cursor)
        answer = _wire({"results": outcome.results, "cursor": outcome.cursor})
        origins = []
        for entry, meta, result in zip(request.entries, request.metas, answer["results"], strict=True):
            expected = self.oracle.arrive(entry["client_id"], meta, _content(entry["deleted"], entry["data"]))
            status = result["status"]
            if expected == "won":
                assert status in ("created", "updated"), (expected, result)
            elif expected == "same":
                assert status == "unchanged", (expected, result)
            elif expected == "lost":
                assert status == "conflict", (expected, result)
            else:
                assert status in ("unchanged", "stale", "conflict"), (expected, result)
            state = self.oracle.current.get(entry["client_id"])
            origins.append(state.id if state else None)
        return answer, origins

    def _pull(self, phone: Device, *, drop: bool) -> None:
        for _ in range(1000):
            after = parse_cursor(phone.cursor)
            assert after is not None
            rows, cursor, has_more = sync_changes(user=self.user, after=after, limit=PAGE)
            page = _wire([render_entry(row) for row in rows])
            if drop:
                return
            for remote in page:
                phone.merge_remote(remote, self.oracle.current[remote["client_id"]].id)
            phone.cursor = str(cursor)
            if not has_more:
                return
        raise AssertionError("pull did not end")
