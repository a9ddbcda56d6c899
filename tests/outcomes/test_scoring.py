"""Each instrument scored as its authors describe it, at the boundaries that change
what a person or their physiotherapist is told."""

from __future__ import annotations

import copy

import pytest
import yaml

from backend.outcomes.instruments import CONTENT_DIR, all_instruments, parse_instruments
from backend.programs.sources import ContentError, source_catalog


def score(slug: str, *values: int):
    instrument = all_instruments()[slug]
    answers = {item.id: value for item, value in zip(instrument.items, values, strict=True)}
    assert instrument.validate(answers) == {}
    return instrument.score(answers)


def test_the_four_instruments_ship_with_their_sources_and_licences():
    found = all_instruments()
    assert list(found) == ["peg", "phq4", "startback", "pss4"]
    for instrument in found.values():
        assert instrument.sources and all(s in source_catalog() for s in instrument.sources)
        assert instrument.licence["text"] and isinstance(instrument.licence["commercial_use"], bool)
    assert [s for s, i in found.items() if not i.commercial_use] == ["startback", "pss4"]
    assert [len(i.items) for i in found.values()] == [3, 4, 9, 4]


def test_peg_is_the_mean_of_its_three_items_to_one_decimal():
    # Krebs et al. 2009: the PEG score is the average of the three 0-10 items.
    assert score("peg", 7, 6, 5).score == 6.0
    assert score("peg", 8, 7, 7).score == 7.3
    assert score("peg", 0, 0, 1).score == 0.3
    assert score("peg", 10, 10, 10).score == 10
    assert score("peg", 7, 6, 5).band is None  # no bands are published for the PEG


def test_peg_meaningful_change_is_a_thirty_percent_fall():
    peg = all_instruments()["peg"]
    assert peg.meaningful(6.0, 4.2)  # exactly 30% lower
    assert not peg.meaningful(6.0, 4.3)
    assert not peg.meaningful(6.0, 7.8)  # a rise is never an improvement
    assert not peg.meaningful(0.0, 0.0)


@pytest.mark.parametrize(
    ("values", "total", "band"),
    [
        ((0, 0, 0, 0), 0, "normal"),
        ((1, 1, 0, 0), 2, "normal"),
        ((1, 1, 1, 0), 3, "mild"),
        ((2, 2, 1, 0), 5, "mild"),
        ((2, 2, 1, 1), 6, "moderate"),
        ((2, 2, 2, 2), 8, "moderate"),
        ((3, 2, 2, 2), 9, "severe"),
        ((3, 3, 3, 3), 12, "severe"),
    ],
)
def test_phq4_total_and_its_published_bands(values, total, band):
    result = score("phq4", *values)
    assert (result.score, result.band) == (total, band)


def test_phq4_subscales_and_when_support_is_offered():
    # Items 1-2 are the GAD-2 (anxiety), items 3-4 the PHQ-2 (depression); 3 or more is
    # a positive screen (Kroenke et al. 2009).
    anxious = score("phq4", 2, 1, 0, 0)
    assert anxious.subscores == {"anxiety": 3, "depression": 0}
    assert not anxious.support  # anxiety alone, total 3: not the crisis path
    low_mood = score("phq4", 0, 0, 1, 2)
    assert low_mood.subscores == {"anxiety": 0, "depression": 3}
    assert low_mood.support
    assert not score("phq4", 0, 0, 1, 1).support
    assert score("phq4", 2, 2, 1, 1).support  # total 6: moderate


@pytest.mark.parametrize(
    ("values", "total", "psychosocial", "risk"),
    [
        ((0, 0, 0, 0, 0, 0, 0, 0, 0), 0, 0, "low"),
        ((1, 1, 1, 0, 0, 0, 0, 0, 2), 3, 0, "low"),  # "moderately" bothersome scores 0
        ((1, 1, 1, 1, 0, 0, 0, 0, 0), 4, 0, "medium"),
        ((1, 1, 1, 1, 1, 1, 1, 0, 0), 7, 3, "medium"),
        ((0, 0, 0, 0, 1, 1, 1, 0, 3), 4, 4, "high"),  # "very much" scores 1
        ((1, 1, 1, 1, 1, 1, 1, 1, 4), 9, 5, "high"),
    ],
)
def test_startback_risk_groups(values, total, psychosocial, risk):
    # Hill et al. 2008: total 0-3 low; psychosocial subscore (items 5-9) 4-5 high; else medium.
    result = score("startback", *values)
    assert (result.score, result.subscores["psychosocial"], result.band) == (total, psychosocial, risk)


def test_pss4_reverses_items_two_and_three():
    # Cohen: items 2 and 3 are positively worded and scored 4-0.
    assert score("pss4", 0, 0, 0, 0).score == 8
    assert score("pss4", 0, 4, 4, 0).score == 0
    assert score("pss4", 4, 0, 0, 4).score == 16
    assert score("pss4", 2, 2, 2, 2).score == 8
    assert score("pss4", 2, 2, 2, 2).band is None  # the PSS has no cut-offs


def test_an_incomplete_or_impossible_answer_names_each_question():
    phq4 = all_instruments()["phq4"]
    errors = phq4.validate({"1": 0, "2": 4, "3": True, "9": 1})
    assert set(errors) == {"2", "3", "4", "9"}
    assert phq4.validate([1, 2]) == {"": "Send the answers as an object of item id to the chosen value."}
    assert all_instruments()["peg"].validate({"1": 11, "2": 0, "3": -1}).keys() == {"1", "3"}


def _content():
    return yaml.safe_load((CONTENT_DIR / "questionnaires.yaml").read_text())


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda q: q[0].update(sources=["NOPE"]), "unknown sources"),
        (lambda q: q[0]["licence"].pop("commercial_use"), "commercial_use"),
        (lambda q: q[1]["items"].append(dict(q[1]["items"][0])), "distinct"),
        (lambda q: q[2]["bands"].reverse(), "STarT Back bands"),
        (lambda q: q[3].update(schedule={"every_days": 7, "at_days": [0]}), "one of them"),
        (lambda q: q[0]["scoring"].update(method="median"), "scoring.method"),
    ],
)
def test_content_mistakes_are_named(change, message):
    data = copy.deepcopy(_content())
    change(data["questionnaires"])
    with pytest.raises(ContentError, match=message):
        parse_instruments(data, "questionnaires.yaml", set(source_catalog()))


def test_a_commercial_deployment_hides_the_non_commercial_instruments(settings):
    from backend.outcomes.instruments import instruments

    assert len(instruments()) == 4
    settings.QUESTIONNAIRES_NONCOMMERCIAL = False
    assert list(instruments()) == ["peg", "phq4"]
