"""The visit report as a PDF (ReportLab's platypus): a title with the person's name and
the window, a plain-words note that it is not a diagnosis, then the sections a visit
goes through, each a heading, a chart or a table. One to four A4 pages for 90 days.

Fonts: DejaVu Sans, the copy matplotlib ships (so every name prints, accents and all,
with no system font needed); the charts use the same face.
"""

from __future__ import annotations

import datetime as dt
import io
from functools import cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

import matplotlib
from reportlab.lib import colors
from reportlab.lib.enums import TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import inch, mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.platypus import (
    Image,
    KeepTogether,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)

from backend.outcomes.instruments import all_instruments
from backend.programs.plan_changes import dose_words, when_words
from backend.reports import charts
from backend.reports.data import BILLING_PERIOD_DAYS, ReportData
from backend.tracker import patterns
from backend.tracker.models import SafetyHold
from backend.tracker.safety import safety_rules

NONE = "\u2013"  # an en dash: nothing to show
NOT_A_DIAGNOSIS = "This report shows what was logged in Backtrack. It is not a diagnosis."
FONT, BOLD = "DejaVuSans", "DejaVuSans-Bold"
INK = colors.HexColor(charts.INK)
MUTED = colors.HexColor(charts.MUTED)
LINE = colors.HexColor(charts.GRID)
HEAD = colors.HexColor("#eef2f3")
LEVEL_WORDS = {"see_doctor": "See a doctor", "urgent": "Urgent", "emergency": "Emergency"}
RELEASE_WORDS = {
    SafetyHold.Reason.SEEN_PROFESSIONAL: "said they had been seen",
    SafetyHold.Reason.CLEARED_BY_CLINICIAN: "released by a clinician",
    SafetyHold.Reason.ANSWERED_BY_MISTAKE: "answered by mistake",
    SafetyHold.Reason.CHECK_IN_CHANGED: "the check-in was changed",
}
FEELING_WORDS = {"better": "better", "same": "about the same", "worse": "worse"}
# The statistics behind each insight (backend/tracker/patterns.py), in words.
METHOD_WORDS = {
    patterns.SPEARMAN_METHOD: "Spearman r",
    patterns.MEDIAN_METHOD: "difference in median pain",
}


@cache
def _fonts() -> None:
    folder = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
    pdfmetrics.registerFont(TTFont(FONT, str(folder / "DejaVuSans.ttf")))
    pdfmetrics.registerFont(TTFont(BOLD, str(folder / "DejaVuSans-Bold.ttf")))
    pdfmetrics.registerFontFamily(FONT, normal=FONT, bold=BOLD, italic=FONT, boldItalic=BOLD)


@cache
def _styles() -> dict[str, ParagraphStyle]:
    _fonts()
    body = ParagraphStyle("body", fontName=FONT, fontSize=9, leading=12, textColor=INK, alignment=TA_LEFT)
    return {
        "title": ParagraphStyle("title", parent=body, fontName=BOLD, fontSize=16, leading=20, spaceAfter=2),
        "sub": ParagraphStyle("sub", parent=body, fontSize=10, leading=13, textColor=MUTED),
        "note": ParagraphStyle(
            "note", parent=body, backColor=HEAD, borderPadding=(5, 6, 5, 6), spaceBefore=6, spaceAfter=6
        ),
        "h2": ParagraphStyle(
            "h2",
            parent=body,
            fontName=BOLD,
            fontSize=11.5,
            leading=15,
            spaceBefore=9,
            spaceAfter=3,
            keepWithNext=1,
        ),
        "body": body,
        "small": ParagraphStyle("small", parent=body, fontSize=7.5, leading=9.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", parent=body, fontSize=8, leading=10),
        "words": ParagraphStyle("words", parent=body, fontSize=8, leading=10, spaceAfter=2.5),
        "cellhead": ParagraphStyle("cellhead", parent=body, fontName=BOLD, fontSize=8, leading=10),
    }


def _p(text: str, style: str = "body") -> Paragraph:
    return Paragraph(escape(text), _styles()[style])


def _day(day: dt.date | str) -> str:
    value = dt.date.fromisoformat(day) if isinstance(day, str) else day
    return f"{value.day} {value:%b %Y}"


def _number(value: float | None, decimals: int = 1) -> str:
    if value is None:
        return NONE
    return f"{value:.{decimals}f}".rstrip("0").rstrip(".") if decimals else str(round(value))


def _two(value: float) -> str:
    """A signed number to two places, without a signed zero."""
    shown = f"{value:+.2f}"
    return "0.00" if shown in ("+0.00", "-0.00") else shown


def _days(n: int) -> str:
    return f"{n} day" if n == 1 else f"{n} days"


def _percent(value: float | None) -> str:
    return NONE if value is None else f"{round(value * 100)}%"


def _table(head: list[str] | None, rows: list[list[Any]], widths: list[float] | None = None) -> Table:
    """A table of rows under a shaded head (repeated on a new page); ``None``: no head."""
    cells = [[_p(h, "cellhead") for h in head]] if head else []
    cells += [
        [cell if isinstance(cell, Paragraph) else _p(str(cell), "cell") for cell in row] for row in rows
    ]
    table = Table(cells, colWidths=widths, repeatRows=1 if head else 0, hAlign="LEFT")
    shaded = [("BACKGROUND", (0, 0), (-1, 0), HEAD)] if head else [("LINEABOVE", (0, 0), (-1, 0), 0.4, LINE)]
    table.setStyle(
        TableStyle(
            [
                *shaded,
                ("LINEBELOW", (0, 0), (-1, -1), 0.4, LINE),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("TOPPADDING", (0, 0), (-1, -1), 2.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 2.5),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _image(chart: charts.Chart) -> Image:
    return Image(io.BytesIO(chart.png), width=chart.width * inch, height=chart.height * inch)


def _heading(text: str) -> Paragraph:
    return _p(text, "h2")


# --- Sections -------------------------------------------------------------------------


def _glance(data: ReportData) -> list:
    summary = data.summary
    change = summary.get("change_since_first_week") or {}
    with_data = sum(p.days_with_data for p in data.periods)
    rows = [
        [
            "Exercises done",
            f"{summary['done']} of {summary['due']} due ({_percent(summary['adherence'])})"
            if summary["due"]
            else "none were due in these days",
        ],
        ["Days with something logged", f"{with_data} of {data.days}"],
        [
            "Days in a row with an exercise done",
            f"{_days(summary['streak']['current'])} now, {_days(summary['streak']['best'])} at best",
        ],
    ]
    if change:
        rows.append(
            [
                "First week to last week",
                f"pain {_signed(change.get('pain'))}, stress {_signed(change.get('stress'))}, "
                f"sleep {_signed(change.get('sleep_hours'))} h",
            ]
        )
    open_hold = next((h for h in data.holds if h.released_at is None), None)
    if open_hold is not None:
        rows.append(["Exercises paused", f"safety hold since {_day(data.local(open_hold.since).date())}"])
    if any(data.flare_running(f) for f in data.flares):
        rows.append(["Flare-up", "in a flare-up now"])
    return [_heading("At a glance"), _table(None, rows, [55 * mm, 115 * mm])]


def _signed(value: float | None) -> str:
    if value is None:
        return NONE
    return f"{value:+.1f}".replace("+0.0", "0").replace("-0.0", "0")


def _daily(data: ReportData) -> list:
    series = data.summary["series"]
    dates = [dt.date.fromisoformat(d["date"]) for d in series]
    pain = charts.daily_chart(
        title="Pain (0 = none, 10 = worst)",
        dates=dates,
        values=[d["pain"] for d in series],
        colour=charts.COLOURS["pain"],
        low=-0.3,
        high=10.3,
        ticks=(0, 2, 4, 6, 8, 10),
    )
    stress = charts.daily_chart(
        title="Stress (0 = none, 10 = most)",
        dates=dates,
        values=[d["stress"] for d in series],
        colour=charts.COLOURS["stress"],
        low=-0.3,
        high=10.3,
        ticks=(0, 2, 4, 6, 8, 10),
    )
    sleeps = [d["sleep_hours"] for d in series]
    top = max([s for s in sleeps if s is not None] + [10])
    sleep = charts.daily_chart(
        title="Sleep (hours, the night before each check-in)",
        dates=dates,
        values=sleeps,
        colour=charts.COLOURS["sleep"],
        low=0,
        high=top + 0.5,
        ticks=range(0, int(top) + 1, 2),
    )
    weekly = [
        [
            f"{_day(w['start'])} to {_day(w['end'])}",
            _number(w["pain"]),
            _number(w["stress"]),
            _number(w["sleep_hours"]),
            _percent(w["adherence"]),
        ]
        for w in data.summary["weekly"]
    ]
    return [
        _heading("Pain, stress and sleep"),
        _p("Each dot is a day's check-in; a gap is a day with no check-in.", "small"),
        _image(pain),
        _image(stress),
        _image(sleep),
        Spacer(0, 4),
        _table(
            ["Week", "Pain (mean)", "Stress (mean)", "Sleep h (mean)", "Exercises done"],
            weekly,
            [58 * mm, 26 * mm, 26 * mm, 28 * mm, 30 * mm],
        ),
    ]


def _meaningful(outcome: dict[str, Any]) -> str:
    """Whether the change reaches the instrument's published meaningful change, short."""
    rule = all_instruments()[outcome["questionnaire"]].meaningful_change
    if rule is None:
        return "none published"
    unit = "%" if rule["kind"] == "percent" else " points"
    threshold = f"a {rule['direction']} of {rule['value']}{unit} or more"
    if outcome["change"] is None:
        return f"one answer so far ({threshold})"
    return f"{'yes' if outcome['meaningful'] else 'not yet'} ({threshold})"


def _outcomes(data: ReportData) -> list:
    if not data.outcomes:
        return [_heading("Questionnaires"), _p("No questionnaire answered yet.")]
    rows = []
    panels = []
    for outcome in data.outcomes:
        instrument = all_instruments()[outcome["questionnaire"]]
        decimals = instrument.decimals
        latest = outcome["latest"]
        band = f" ({latest['band']})" if latest.get("band") else ""
        change = (
            NONE
            if outcome["change"] is None
            else _signed(outcome["change"])
            + ("" if outcome["percent"] is None else f" ({outcome['percent']:+d}%)")
        )
        rows.append(
            [
                _p(instrument.short_title, "cell"),
                f"{_number(outcome['baseline']['score'], decimals)} on {_day(outcome['baseline']['date'])}",
                f"{_number(latest['score'], decimals)}{band} on {_day(latest['date'])}",
                change,
                _p(_meaningful(outcome), "cell"),
            ]
        )
        low, high = instrument.score_range
        pad = (high - low) * 0.05
        panels.append(
            charts.ScorePanel(
                title=instrument.short_title,
                dates=[dt.date.fromisoformat(p["date"]) for p in outcome["points"]],
                scores=[p["score"] for p in outcome["points"]],
                baseline=float(outcome["baseline"]["score"]),
                low=low - pad,
                high=high + pad,
            )
        )
    worse = {all_instruments()[o["questionnaire"]].higher_is for o in data.outcomes} == {"worse"}
    higher = " Higher scores are worse on each of these." if worse else ""
    return [
        _heading("Questionnaires against baseline"),
        _p(f"The baseline is the first answer (the dashed line in the charts).{higher}", "small"),
        _table(
            ["Questionnaire", "Baseline", "Latest", "Change", "Meaningful change"],
            rows,
            [38 * mm, 30 * mm, 34 * mm, 24 * mm, 46 * mm],
        ),
        Spacer(0, 3),
        # The same words the app shows beside each score (outcomes/selectors.py).
        *[_p(outcome["words"], "words") for outcome in data.outcomes],
        Spacer(0, 4),
        _image(charts.scores_chart(panels, data.start, data.end)),
    ]


def _billing(data: ReportData) -> list:
    rows = [[f"{_day(p.start)} to {_day(p.end)}", str(p.length), str(p.days_with_data)] for p in data.periods]
    return [
        _heading("Days with data"),
        _p(
            f"Days with at least one session, check-in or questionnaire logged, in each "
            f"{BILLING_PERIOD_DAYS}-day period from the first day of this report (as remote "
            "monitoring counts them).",
            "small",
        ),
        _table(["Period", "Days", "Days with data"], rows, [70 * mm, 25 * mm, 35 * mm]),
    ]


def _safety(data: ReportData) -> list:
    found: list = [_heading("Safety alerts and holds")]
    rules = safety_rules().rules
    if data.alerts:
        rows = []
        for alert in data.alerts:
            asked = "; ".join(rules[r].question if r in rules else r for r in alert.red_flags)
            seen = "open"
            if alert.acknowledged_at is not None:
                by = f" by {alert.acknowledged_by.name}" if alert.acknowledged_by else ""
                seen = f"seen{by} on {_day(data.local(alert.acknowledged_at).date())}"
            rows.append(
                [_day(alert.date), LEVEL_WORDS.get(alert.level, alert.level), _p(asked, "cell"), seen]
            )
        found.append(
            _table(["Date", "Level", "Answered yes", "Status"], rows, [22 * mm, 18 * mm, 84 * mm, 50 * mm])
        )
    else:
        found.append(_p("No safety alert in these days."))
    if data.holds:
        rows = []
        for hold in data.holds:
            ended = (
                "still paused"
                if hold.released_at is None
                else f"{_day(data.local(hold.released_at).date())}: "
                + RELEASE_WORDS.get(hold.release_reason, hold.release_reason)
            )
            rows.append([_day(data.local(hold.since).date()), LEVEL_WORDS.get(hold.level, hold.level), ended])
        found += [
            Spacer(0, 4),
            _table(["Exercises paused from", "Level", "Released"], rows, [40 * mm, 25 * mm, 105 * mm]),
        ]
    return found


def _flares(data: ReportData) -> list:
    if not data.flares:
        return [_heading("Flare-ups"), _p("No flare-up in these days.")]
    rows = []
    for flare in data.flares:
        started = data.local(flare.started_at)
        if data.flare_running(flare):
            ended = "still in it"
        else:
            ran_out = flare.ended_at is None or flare.ended_by == "expired"
            ended = f"{data.local(flare.until):%d %b %H:%M}" + (" (ran its 48 hours)" if ran_out else "")
        feeling = FEELING_WORDS.get(flare.check_in_feeling, "not answered")
        rows.append([f"{started:%d %b %Y %H:%M}", ended, feeling])
    return [
        _heading("Flare-ups"),
        _table(["Started", "Ended", "Back afterwards"], rows, [45 * mm, 70 * mm, 55 * mm]),
    ]


def _plan(data: ReportData) -> list:
    found: list = [_heading("Prescriptions and plan changes")]
    if data.prescriptions:
        rows = []
        for row in data.prescriptions:
            until = "now" if row.ends_on is None else _day(row.ends_on - dt.timedelta(days=1))
            rows.append(
                [
                    _p(row.exercise.name, "cell"),
                    _p(
                        f"{dose_words(row.prescription)}, {when_words(row.time_of_day, row.weekdays)}", "cell"
                    ),
                    # As the app names them: the display name now, else the name kept.
                    _p(row.set_by.name if row.set_by else row.set_by_name, "cell"),
                    f"{_day(row.starts_on)} to {until}",
                ]
            )
        found.append(
            _table(["Exercise", "Dose", "Set by", "Dates"], rows, [38 * mm, 62 * mm, 32 * mm, 40 * mm])
        )
    else:
        found.append(_p("No exercise prescribed in these days."))
    if data.set_aside:
        names = ", ".join(f"{row.exercise.name} (by {row.by_name})" for row in data.set_aside)
        found.append(_p(f"Set aside now: {names}.", "cell"))
    if data.plan_changes:
        found += [
            Spacer(0, 4),
            _table(
                ["When", "Change"],
                [
                    [_day(data.local(c.at).date()), _p(f"{c.by_name} {c.text}", "cell")]
                    for c in data.plan_changes
                ],
                [28 * mm, 144 * mm],
            ),
        ]
    return found


def _insights(data: ReportData) -> list:
    rows = []
    for insight in data.summary["insights"]:
        if insight["kind"] == "not_enough_data":
            rows.append([_p(insight["text"], "cell"), f"{insight['n']} paired days", NONE])
            continue
        level = round((insight["ci_level"] or 0) * 100, 1)
        low, high = insight["ci"]
        numbers = (
            f"{METHOD_WORDS.get(insight['method'], insight['method'])} {_two(insight['effect'])}, "
            f"{_number(level)}% interval {_two(low)} to {_two(high)}"
        )
        if insight.get("with_days") is not None:
            numbers += f"; {insight['with_days']} days with it"
        rows.append([_p(insight["text"], "cell"), f"{insight['n']} days", _p(numbers, "cell")])
    if not rows:
        return []
    return [
        _heading("Patterns in the check-ins"),
        _p(
            "Over the last 90 days, whatever this report's window; each pain is detrended by its "
            "7-day trend, the interval is a bootstrap one. A pattern is not a cause; one whose "
            "interval includes zero could be chance.",
            "small",
        ),
        _table(["What shows", "Days", "Numbers"], rows, [92 * mm, 20 * mm, 60 * mm]),
    ]


def _about(data: ReportData) -> list:
    notes = []
    for outcome in data.outcomes:
        instrument = all_instruments()[outcome["questionnaire"]]
        notes.append(_p(f"{instrument.title}: {instrument.licence['text']}", "small"))
    return [Spacer(0, 8), *notes] if notes else []


def render(data: ReportData) -> bytes:
    """The report as PDF bytes."""
    styles = _styles()
    buffer = io.BytesIO()
    made = data.local(data.made_at)
    title = f"Backtrack visit report: {data.name}"

    def footer(canvas, document) -> None:
        canvas.saveState()
        canvas.setFont(FONT, 7)
        canvas.setFillColor(MUTED)
        canvas.drawString(
            document.leftMargin, 10 * mm, f"{data.name} · {_day(data.start)} to {_day(data.end)}"
        )
        canvas.drawRightString(A4[0] - document.rightMargin, 10 * mm, f"Page {document.page}")
        canvas.restoreState()

    document = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=18 * mm,
        rightMargin=18 * mm,
        topMargin=15 * mm,
        bottomMargin=16 * mm,
        title=title,
        author="Backtrack",
        subject=f"{_day(data.start)} to {_day(data.end)}",
        creator="Backtrack",
    )
    story = [
        Paragraph(escape(title), styles["title"]),
        _p(
            f"{_day(data.start)} to {_day(data.end)} ({data.days} days) · made {made:%d %b %Y %H:%M} "
            f"({data.zone})",
            "sub",
        ),
        _p(NOT_A_DIAGNOSIS, "note"),
        *_glance(data),
        *_daily(data),
        KeepTogether(_outcomes(data)),
        KeepTogether(_billing(data)),
        *_safety(data),
        *_flares(data),
        *_plan(data),
        *_insights(data),
        *_about(data),
    ]
    document.build(story, onFirstPage=footer, onLaterPages=footer)
    return buffer.getvalue()
