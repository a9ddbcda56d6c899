"""Red-flag safety rules, read from content/safety_rules.yaml, and their evaluation."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import cache
from pathlib import Path

import yaml

RULES_FILE = Path(__file__).resolve().parent / "content" / "safety_rules.yaml"

# Ordered from least to most serious: the highest answered level wins.
LEVELS = ("none", "see_doctor", "urgent", "emergency")


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


@dataclass(frozen=True)
class SafetyRules:
    levels: dict[str, Level]
    rules: dict[str, Rule]

    def evaluate(self, answered: Iterable[str]) -> Level:
        """The most serious level among the red flags answered yes."""
        rank = max((LEVELS.index(self.rules[rule_id].level) for rule_id in answered), default=0)
        return self.levels[LEVELS[rank]]


@cache
def safety_rules() -> SafetyRules:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    levels = {
        item["level"]: Level(item["level"], item["title"].strip(), item["message"].strip())
        for item in data["levels"]
    }
    rules = {item["id"]: Rule(item["id"], item["level"], item["question"].strip()) for item in data["rules"]}
    if set(levels) != set(LEVELS):
        raise ValueError(f"safety_rules.yaml must describe exactly the levels {LEVELS}")
    unknown = {rule.level for rule in rules.values()} - set(LEVELS)
    if unknown:
        raise ValueError(f"safety_rules.yaml: unknown levels {sorted(unknown)}")
    return SafetyRules(levels=levels, rules=rules)
