"""Red-flag safety rules, read from content/safety_rules.yaml, and their evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

from backend.accounts.emergency import call_for
from backend.programs.sources import source_catalog

RULES_FILE = Path(__file__).resolve().parent / "content" / "safety_rules.yaml"

# Ordered from least to most serious: the highest answered level wins.
LEVELS = ("none", "see_doctor", "urgent", "emergency")
# daily: "since yesterday", in the check-in; once: history, asked at onboarding.
ASKED = ("daily", "once")
# A longer daily list is not read, and honest history answers would repeat every day.
MAX_DAILY = 8


@dataclass(frozen=True)
class Level:
    level: str
    title: str
    message: str


@dataclass(frozen=True)
class Rule:
    id: str
    level: str
    question: str
    asked: str
    sources: tuple[str, ...]


@dataclass(frozen=True)
class SafetyRules:
    levels: dict[str, Level]
    rules: dict[str, Rule]

    def evaluate(self, answered: Iterable[str]) -> Level:
        """The most serious level among the red flags answered yes (only its message is shown)."""
        rank = max((LEVELS.index(self.rules[rule_id].level) for rule_id in answered), default=0)
        return self.levels[LEVELS[rank]]

    def asked(self, kind: str) -> dict[str, Rule]:
        return {rule_id: rule for rule_id, rule in self.rules.items() if rule.asked == kind}


@cache
def safety_rules() -> SafetyRules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    known_sources = set(source_catalog())
    levels = {
        item["level"]: Level(item["level"], item["title"].strip(), item["message"].strip())
        for item in data["levels"]
    }
    rules = {
        item["id"]: Rule(
            item["id"],
            item["level"],
            item["question"].strip(),
            item["asked"],
            tuple(item.get("sources") or ()),
        )
        for item in data["rules"]
    }
    if set(levels) != set(LEVELS):
        raise ValueError(f"safety_rules.yaml must describe exactly the levels {LEVELS}")
    unknown = {rule.level for rule in rules.values()} - set(LEVELS)
    if unknown:
        raise ValueError(f"safety_rules.yaml: unknown levels {sorted(unknown)}")
    for rule in rules.values():
        if rule.asked not in ASKED:
            raise ValueError(f"safety_rules.yaml: {rule.id} must be asked one of {ASKED}")
        if not rule.sources or set(rule.sources) - known_sources:
            raise ValueError(f"safety_rules.yaml: {rule.id} must name sources listed in sources.yaml")
    if len([r for r in rules.values() if r.asked == "daily"]) > MAX_DAILY:
        raise ValueError(f"safety_rules.yaml: at most {MAX_DAILY} daily questions")
    return SafetyRules(levels=levels, rules=rules)


def safety_answer(level: str, *, country: str | None) -> dict[str, object]:
    """What a person is shown for a level: its title and message, and for an emergency
    (or urgent, where the country has an urgent line) the number to call there."""
    found = safety_rules().levels[level]
    answer: dict[str, object] = {"level": found.level, "title": found.title, "message": found.message}
    call = call_for(level, country)
    if call is not None:
        answer["call"] = call
    return answer
