"""Lesson 02 (engagement or pressure?): where each reading stands, and two activities.

Everything here is drawn from ``readings/positions.csv`` (the workbook's placement of each reading
on a 0–10 scale, 0 = engagement first, 10 = pressure first, each justified by a verbatim quote)
and ``readings/claims.csv`` (claims from the readings for the claim sorter). The placements are
the workbook's *reading* of the texts, not facts; every chart and widget says so.

The widgets are thin: :func:`compare_placements` and :func:`sort_feedback` are pure functions
(they return HTML) so that every combination of input can be tested without a browser.
"""

from __future__ import annotations

import hashlib
import html
from typing import Mapping

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn, so lessons import without it
    import matplotlib.pyplot as plt

from . import charts, explore, ui
from .charts import PALETTE, STYLE, Chart, finish, title_figure, wrap
from .data import DataError, load

SCALE_MIN, SCALE_MAX = 0, 10
SORTS = ("engagement", "pressure", "both")
NOT_PLACED = "not placed"
READING_NOT_FACT = "The workbook's reading, not a fact: disagree, with a passage to show why."

# One colour per row of positions.csv, in the order the rows are drawn (Okabe–Ito).
_COLOURS = [PALETTE[c] for c in ("sky", "blue", "green", "orange", "purple", "vermillion", "black", "grey")]


# ---------------------------------------------------------------- data

def placements() -> list[dict]:
    """Rows of ``readings/positions.csv`` in date order, each checked to lie on the 0–10 scale.

    Raises :class:`~nkhr.data.DataError` naming the row when a position is off the scale.
    """
    rows = load("positions.csv")
    for r in rows:
        if not SCALE_MIN <= r["position"] <= SCALE_MAX:
            raise DataError(f"readings/positions.csv, row {r['id']}: position {r['position']} is not on the "
                            f"{SCALE_MIN}–{SCALE_MAX} scale.")
        r["label"] = r.get("label") or r["id"]
    return sorted(rows, key=lambda r: (r["date"][:4], r["date"], r["position"]))


def claims() -> list[dict]:
    """Rows of ``readings/claims.csv`` in a fixed mixed order (not grouped by answer).

    Raises :class:`~nkhr.data.DataError` when an answer is not engagement, pressure or both.
    """
    rows = load("claims.csv")
    for r in rows:
        also = [a.strip() for a in (r.get("also_defensible") or "").split(";") if a.strip()]
        bad = [a for a in [r["answer"], *also] if a not in SORTS]
        if bad:
            raise DataError(f"readings/claims.csv, row {r['id']}: {bad[0]!r} is not one of {', '.join(SORTS)}.")
        r["also"] = also
    return sorted(rows, key=lambda r: hashlib.sha256(r["id"].encode()).hexdigest())


def year_of(row: dict) -> int:
    """The year of a placement's date (``2014`` from ``2014`` or ``2014-10-16``)."""
    return int(str(row["date"])[:4])


def centres(rows: list[dict] | None = None) -> list[dict]:
    """The derived 'centre of gravity' per year: the plain mean of that year's placements.

    Each item has ``year``, ``centre``, ``ids`` and ``arithmetic`` (e.g. ``"(1 + 5) / 2 = 3"``).
    """
    rows = placements() if rows is None else rows
    out = []
    for year in sorted({year_of(r) for r in rows}):
        these = [r for r in rows if year_of(r) == year]
        values = [r["position"] for r in these]
        centre = sum(values) / len(values)
        shown = charts.fmt_number(centre)
        arithmetic = (f"({' + '.join(charts.fmt_number(v) for v in values)}) / {len(values)} = {shown}"
                      if len(values) > 1 else f"{shown} (one reading)")
        out.append({"year": year, "centre": centre, "ids": [r["id"] for r in these], "arithmetic": arithmetic})
    return out


# ---------------------------------------------------------------- charts

def _scale_axis(ax: plt.Axes) -> None:
    ax.set_xlim(SCALE_MIN - 0.6, SCALE_MAX + 0.6)
    ax.set_xticks(range(SCALE_MIN, SCALE_MAX + 1))
    ax.axvspan(SCALE_MIN - 0.6, 5, color=PALETTE["green"], alpha=0.06, lw=0)
    ax.axvspan(5, SCALE_MAX + 0.6, color=PALETTE["vermillion"], alpha=0.06, lw=0)
    ax.grid(axis="x", color="#DDDDDD")
    ax.set_xlabel("0 = engagement first            5 = both            10 = pressure first")


@charts.friendly
def position_map() -> Chart:
    """Where each reading stands (0–10) and what it wants on the agenda, one row per reading."""
    import matplotlib.pyplot as plt
    rows = placements()
    title = "Engagement or pressure? Where the readings stand, 2010–2022"
    with plt.rc_context(STYLE):
        fig, (ax, side) = plt.subplots(1, 2, figsize=(14, 1.9 + 1.15 * len(rows)), layout="constrained",
                                       gridspec_kw={"width_ratios": [5, 4]})
    title_figure(fig, title)
    _scale_axis(ax)
    ax.set_title(READING_NOT_FACT, loc="left", fontsize=12, style="italic", fontweight="normal")
    plotted = []
    for i, r in enumerate(rows):
        colour = _COLOURS[i % len(_COLOURS)]
        reported = r["id"] != r["source"]  # a view we hear only through another reading
        ax.plot([r["position"]], [i], "o", markersize=24, color="white" if reported else colour,
                markeredgecolor=colour, markeredgewidth=3, zorder=3)
        ax.annotate(charts.fmt_number(r["position"]), (r["position"], i), ha="center", va="center",
                    fontsize=12, fontweight="bold", color=colour if reported else "white", zorder=4)
        items = [a.strip() for a in r["agenda"].split(";") if a.strip()]
        side.text(0, i, wrap("; ".join(items), 52), va="center", ha="left", fontsize=10.5, linespacing=1.15)
        plotted.append((r["id"], r["position"]))
    ticks = [wrap(r["label"], 22) for r in rows]
    ax.set_yticks(range(len(rows)), ticks, fontsize=11.5)
    ax.set_ylim(len(rows) - 0.5, -0.6)
    side.set_ylim(len(rows) - 0.5, -0.6)
    side.set_xlim(0, 1)
    side.axis("off")
    side.set_title("What it wants on the agenda (our summary)", loc="left", fontsize=12, fontweight="bold")
    alt = ("Dot chart of the workbook's placements on a scale from 0 (engagement first) to 10 (pressure first): "
           + "; ".join(f"{r['label']}, {r['date'][:4]}: {charts.fmt_number(r['position'])}" for r in rows)
           + ". Beside each, what the reading wants on the agenda: "
           + " ".join(f"{r['label']}: {r['agenda']}." for r in rows)
           + " These placements are the workbook's judgement, each justified by a quoted passage.")
    note = ("Placements are the workbook's judgement, not facts: each is justified in positions.csv by a quoted "
            "passage. Open circle: Feffer's view reaches us only as reported by his critic, Cohen 2010.")
    return finish(fig, title, [r["source"] for r in rows], alt, plotted, note, table="positions.csv", noun="placement")


@charts.friendly
def centre_of_gravity() -> Chart:
    """Each placement by year, with the derived yearly centre (mean) joined by a dashed line."""
    rows = placements()
    cs = centres(rows)
    title = "How the debate's centre moved, 2010–2022 (in these five readings)"
    fig, ax = charts.new_figure(title, (12, 6.4))
    ax.set_title(READING_NOT_FACT, loc="left", fontsize=12, style="italic", fontweight="normal")
    plotted = []
    for i, r in enumerate(rows):
        colour = _COLOURS[i % len(_COLOURS)]
        reported = r["id"] != r["source"]
        x = year_of(r)
        ax.plot([x], [r["position"]], "o", markersize=13, color="white" if reported else colour,
                markeredgecolor=colour, markeredgewidth=2.5, zorder=3)
        ax.annotate(wrap(r["label"], 20), (x, r["position"]), xytext=(12, -10), textcoords="offset points",
                    va="top", fontsize=11, color="#222222")
        plotted.append((r["id"], r["position"]))
    xs, ys = [c["year"] for c in cs], [c["centre"] for c in cs]
    ax.plot(xs, ys, "--", color=PALETTE["black"], lw=1.6, zorder=2)
    ax.plot(xs, ys, "D", markersize=17, color="white", markeredgecolor=PALETTE["black"], markeredgewidth=2,
            zorder=2, label="derived centre (mean of that year's placements)")
    for c in cs:
        ax.annotate(f"centre {charts.fmt_number(c['centre'])}", (c["year"], c["centre"]), xytext=(-12, 10),
                    textcoords="offset points", ha="right", va="bottom", fontsize=10.5, style="italic")
        plotted.append((f"centre_{c['year']}", c["centre"]))
    ax.set_xlim(min(xs) - 1.6, max(xs) + 2.4)
    ax.set_xticks(xs)
    ax.set_ylim(SCALE_MIN - 0.5, SCALE_MAX + 0.5)
    ax.set_yticks(range(SCALE_MIN, SCALE_MAX + 1, 1))
    ax.set_yticklabels([("0 engagement first" if v == 0 else "10 pressure first" if v == 10 else str(v))
                        for v in range(SCALE_MIN, SCALE_MAX + 1)])
    ax.axhspan(SCALE_MIN - 0.5, 5, color=PALETTE["green"], alpha=0.06, lw=0)
    ax.axhspan(5, SCALE_MAX + 0.5, color=PALETTE["vermillion"], alpha=0.06, lw=0)
    ax.grid(axis="y", color="#E5E5E5")
    ax.set_xlabel("year of the reading")
    ax.legend(loc="upper left", fontsize=10.5, frameon=False)
    arithmetic = "; ".join(f"{c['year']}: {c['arithmetic']}" for c in cs)
    alt = ("Scatter chart of the workbook's placements by year, 0 = engagement first, 10 = pressure first: "
           + "; ".join(f"{r['label']} {year_of(r)}: {charts.fmt_number(r['position'])}" for r in rows)
           + ". A dashed line joins the derived centre of each year: " + arithmetic
           + ". The centre moves toward pressure over the period.")
    note = (f"Diamonds are derived by the workbook, not given in any reading: the mean of the placements dated that "
            f"year ({arithmetic}). One or two readings per year, chosen by this workbook: a trend in five readings, "
            f"not in the whole field.")
    return finish(fig, title, [r["source"] for r in rows], alt, plotted, note, table="positions.csv", noun="placement")


# ---------------------------------------------------------------- activity 1: place the authors yourself

def _as_place(value: object) -> int | None | str:
    """A slider value as an int 0–10, None (not placed), or an error message."""
    if value is None or (isinstance(value, str) and value.strip().lower() in ("", NOT_PLACED, "-", "–")):
        return None
    if isinstance(value, bool):
        return f"{value!r} is not a place on the scale"
    try:
        number = float(str(value).strip())
    except ValueError:
        return f"{str(value)[:30]!r} is not a place on the scale"
    if not number.is_integer() or not SCALE_MIN <= number <= SCALE_MAX:
        return f"{charts.fmt_number(number) if abs(number) < 1e9 else 'that'} is not a whole number from {SCALE_MIN} to {SCALE_MAX}"
    return int(number)


def _difference(label: str, yours: int, ours: float) -> str:
    gap = yours - ours
    if gap == 0:
        return "You and the workbook put this reading in the same place."
    side = "pressure" if gap > 0 else "engagement"
    points = charts.fmt_number(abs(gap))
    unit = "point" if abs(gap) == 1 else "points"
    return f"You placed {html.escape(label)} {points} {unit} further toward <b>{side}</b> than the workbook."


def compare_placements(guesses: Mapping[str, object] | None) -> str:
    """HTML comparing a student's placements (reading id -> 0–10 or None) with the workbook's.

    Only placed readings are revealed; unplaced ones are listed. Unknown ids and values off the
    scale get a plain message. Never raises on bad input (data errors are reported as text).
    """
    try:
        rows = placements()
    except DataError as exc:
        return f"<b>The placements cannot be shown:</b> {html.escape(str(exc))}"
    guesses = dict(guesses or {}) if isinstance(guesses, Mapping) or guesses is None else {}
    known = {r["id"] for r in rows}
    parts, waiting, problems = [], [], []
    for r in rows:
        place = _as_place(guesses.get(r["id"]))
        if place is None:
            waiting.append(r["label"])
            continue
        if isinstance(place, str):
            problems.append(f"{html.escape(r['label'])}: {html.escape(place)}.")
            continue
        heading = (f"{html.escape(r['label'])}: you {place} · the workbook {charts.fmt_number(r['position'])}")
        extra = (f"{_difference(r['label'], place, r['position'])}<br><b>Why the workbook put it there:</b> "
                 f"{html.escape(r['justification'])}")
        if r["id"] != r["source"]:
            extra += "<br><i>This view reaches us only as reported by its critic; the quotation is the critic's.</i>"
        parts.append(_card(r, heading, extra))
    unknown = sorted(str(k) for k in guesses if k not in known)
    if unknown:
        problems.append("Not a reading in this activity: " + html.escape(", ".join(unknown)) + ".")
    if not parts:
        intro = ("<p><b>You have not placed anyone yet.</b> Move at least one slider away from "
                 f"“{NOT_PLACED}”, then press Compare. The workbook's placement of a reading is shown only "
                 "after you have placed it yourself.</p>")
        return intro + _list("Please check", problems)
    head = ("<p><b>Your placements beside the workbook's.</b> The workbook's are a reading of the texts, not a "
            "right answer. Where you differ by 2 points or more, find the passage that made you decide, "
            "and be ready to argue for it.</p>")
    tail = _list("Not placed yet (place them to see the workbook's reading)", [html.escape(w) for w in waiting])
    return head + "".join(parts) + tail + _list("Please check", problems)


def _card(row: dict, heading: str, extra: str) -> str:
    from .explore import quote_card  # imported here so the module imports without ipywidgets state

    return quote_card(row["quote"], row["source"], heading=heading, extra=extra)


def _list(title: str, items: list[str]) -> str:
    if not items:
        return ""
    return f"<p><b>{title}:</b></p><ul>" + "".join(f"<li>{i}</li>" for i in items) + "</ul>"


@explore.guarded("The activity cannot start")
def placement_activity() -> None:
    """Sliders to place each reading on the scale, and a Compare button that reveals the workbook's."""
    import ipywidgets as w
    from IPython.display import display

    rows = placements()
    options = [NOT_PLACED] + [str(v) for v in range(SCALE_MIN, SCALE_MAX + 1)]
    sliders = {}
    for r in rows:
        sliders[r["id"]] = w.SelectionSlider(
            options=options, value=NOT_PLACED, description=f"{r['label']} ({r['date'][:4]})",
            style={"description_width": "260px"}, layout=w.Layout(width="640px"), continuous_update=True)
    legend = w.HTML("<b>Scale:</b> 0 = engagement first · 5 = both · 10 = pressure first. "
                    f"Leave a slider at “{NOT_PLACED}” to skip that reading.")
    button = w.Button(description="Compare with the workbook", button_style="info", icon="balance-scale",
                      layout=w.Layout(width="260px"))
    out = w.HTML()

    def on_click(_button: object) -> None:
        out.value = compare_placements({rid: s.value for rid, s in sliders.items()})

    button.on_click(on_click)
    display(ui.panel([legend, *sliders.values(), button, out]))


# ---------------------------------------------------------------- activity 2: the claim sorter

def sort_feedback(answers: Mapping[str, object] | None) -> str:
    """HTML feedback on a claim sorting (claim id -> engagement / pressure / both / None).

    Per claim: whether it matches the workbook's sorting, whether another sorting is also
    defensible, the explanation and the verbatim quote. Never raises on bad input.
    """
    try:
        rows = claims()
    except DataError as exc:
        return f"<b>The claims cannot be shown:</b> {html.escape(str(exc))}"
    answers = dict(answers) if isinstance(answers, Mapping) else {}
    parts, unsorted, problems = [], [], []
    same = defensible = 0
    for n, r in enumerate(rows, start=1):
        raw = answers.get(r["id"])
        choice = raw.strip().lower() if isinstance(raw, str) else raw
        if choice in (None, ""):
            unsorted.append(f"Claim {n}")
            continue
        if choice not in SORTS:
            problems.append(f"Claim {n}: {html.escape(str(raw)[:30])!s} is not one of {', '.join(SORTS)}.")
            continue
        if choice == r["answer"]:
            same += 1
            verdict = f"You sorted it as <b>{choice}</b>, as the workbook does."
        elif choice in r["also"]:
            defensible += 1
            verdict = (f"You sorted it as <b>{choice}</b>; the workbook sorts it as <b>{r['answer']}</b>, "
                       "but yours is also a defensible reading (see why below).")
        else:
            verdict = (f"You sorted it as <b>{choice}</b>; the workbook sorts it as <b>{r['answer']}</b>. "
                       "Read the passage: does it change your mind, or can you argue for yours?")
        heading = f"Claim {n}. {html.escape(r['claim'])}"
        parts.append(_card(r, heading, f"{verdict}<br>{html.escape(r['explanation'])}"))
    if not parts:
        return ("<p><b>You have not sorted any claim yet.</b> Choose engagement, pressure or both for at least one "
                "claim, then press Check.</p>" + _list("Please check", problems))
    head = (f"<p><b>{len(parts)} of {len(rows)} claims sorted:</b> {same} as the workbook sorts them"
            + (f", {defensible} in another defensible way" if defensible else "")
            + ". The workbook's sorting is a reading, not the last word.</p>")
    return head + "".join(parts) + _list("Not sorted yet", unsorted) + _list("Please check", problems)


@explore.guarded("The claim sorter cannot start")
def claim_sorter() -> None:
    """Sort each claim as engagement, pressure or both; a Check button gives feedback per claim."""
    import ipywidgets as w
    from IPython.display import display

    rows = claims()
    pickers, boxes = {}, []
    for n, r in enumerate(rows, start=1):
        pick = w.ToggleButtons(options=list(SORTS), value=None, style={"button_width": "110px"})
        pickers[r["id"]] = pick
        boxes.append(w.HTML(f"<b>Claim {n}.</b> {html.escape(r['claim'])}"))
        boxes.append(pick)
    button = w.Button(description="Check my sorting", button_style="info", icon="check",
                      layout=w.Layout(width="220px"))
    out = w.HTML()

    def on_click(_button: object) -> None:
        out.value = sort_feedback({cid: p.value for cid, p in pickers.items()})

    button.on_click(on_click)
    display(ui.panel([*boxes, button, out]))
