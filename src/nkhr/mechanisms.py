"""Lesson 03: the UN mechanisms, what each can do, and what North Korea did with it.

Charts (the March 2014 Human Rights Council vote, a timeline of mechanisms and North Korea's
responses, a matrix of what each mechanism can do) and two widgets (a mechanism explorer and a
"what would you use?" scenario). Every number comes from ``readings/figures.csv``, every dated
event from ``readings/timeline.csv`` and every judgement from ``readings/mechanisms.csv``.
Importing this module draws nothing and reads no files.
"""

from __future__ import annotations

import html
from dataclasses import dataclass

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn, so lessons import without it
    import matplotlib.pyplot as plt

from . import charts, content, explore, ui
from .charts import PALETTE, STYLE, Chart, finish, fmt_number, title_figure, wrap
from .data import DataError, by_id, load

__all__ = [
    "MATRIX_COLUMNS", "VALUES", "Scenario", "timeline_lanes", "timeline_events", "scenarios",
    "mechanisms", "vote_2014", "mechanism_timeline", "matrix",
    "mechanism_card", "mechanism_explorer", "scenario_feedback", "scenario_explorer",
]

NOT_IN_READINGS = "not in the readings"
VALUES = ("yes", "partly", "no", NOT_IN_READINGS)
# (column in mechanisms.csv, heading on the matrix)
MATRIX_COLUMNS = (
    ("binding", "Legally\nbinding?"),
    ("naming", "Names and\nshames?"),
    ("access_needed", "Needs North Korea's\ncooperation?"),
    ("nk_engaged", "North Korea\nengaged?"),
)
_CELL_COLOURS = {  # light tints of the Okabe-Ito palette; the word in the cell carries the meaning
    "yes": "#B3D7EC", "partly": "#F7E0A3", "no": "#F2C2A4", NOT_IN_READINGS: "#FFFFFF",
}


def _message(text: str) -> str:
    return f'<div class="nkhr-alert">{html.escape(text)}</div>'


def mechanisms() -> list[dict]:
    """The rows of ``readings/mechanisms.csv`` (one per mechanism), checked.

    Raises :class:`~nkhr.data.DataError` naming the row when a matrix cell is not one of
    :data:`VALUES`.
    """
    rows = load("mechanisms.csv")
    for r in rows:
        for col, _ in MATRIX_COLUMNS:
            if r[col] not in VALUES:
                raise DataError(f"readings/mechanisms.csv, row {r['id']!r}: {col} must be one of "
                                f"{', '.join(VALUES)}, not {r[col]!r}.")
    return rows


# ---------------------------------------------------------------- chart 1: the 2014 vote

VOTE_ROWS = ("un_hrc2014_yes", "un_hrc2014_no", "un_hrc2014_abstain")
FOR_ROWS = ("un_hrc2014_yes_africa_asia", "un_hrc2014_yes_latam", "un_hrc2014_yes_other")


@charts.friendly
def vote_2014() -> Chart:
    """The March 2014 Human Rights Council vote on the COI report, and who voted for it.

    Left: for, against and (derived) abstentions out of the 47 members. Right: the 30 votes in
    favour split into the groups Cohen 2014 names and the derived remainder. Derived bars are
    hatched and labelled with their arithmetic.
    """
    import matplotlib.pyplot as plt
    f = by_id("figures.csv")
    members = f["un_hrc_members"]["value"]
    title = "Human Rights Council, March 2014: the vote endorsing the COI report"
    with plt.rc_context(STYLE):
        fig, (left, right) = plt.subplots(1, 2, figsize=(13, 5.6), layout="constrained",
                                          gridspec_kw={"width_ratios": [1.15, 1]})
    title_figure(fig, title)
    plotted: list[tuple[str, float]] = [("un_hrc_members", members)]

    names = {"un_hrc2014_yes": "For", "un_hrc2014_no": "Against",
             "un_hrc2014_abstain": "Abstained"}
    colours = {"un_hrc2014_yes": PALETTE["blue"], "un_hrc2014_no": PALETTE["vermillion"],
               "un_hrc2014_abstain": PALETTE["grey"]}
    plotted += charts.figure_bars(left, [f[rid] for rid in VOTE_ROWS], colours, names)
    left.tick_params(axis="y", labelsize=13)
    left.set_xlim(0, members)
    left.set_xlabel(f"members of the Council (all {fmt_number(members)})")
    left.set_title(f"All {fmt_number(members)} members", loc="left", fontsize=14)
    n = {rid: fmt_number(f[rid]["value"]) for rid in ("un_hrc_members",) + VOTE_ROWS + FOR_ROWS}
    abstain_sum = f"{n['un_hrc_members']} − {n['un_hrc2014_yes']} − {n['un_hrc2014_no']} = {n['un_hrc2014_abstain']}"
    other_sum = (f"{n['un_hrc2014_yes']} − {n['un_hrc2014_yes_africa_asia']} − {n['un_hrc2014_yes_latam']} "
                 f"= {n['un_hrc2014_yes_other']}")
    left.text(0.98, 0.04, f"Derived: {abstain_sum},\nassuming every member\nvoted or abstained",
              transform=left.transAxes, ha="right", va="bottom", fontsize=11, color="#333333")

    group_names = {"un_hrc2014_yes_africa_asia": "African and Asian states",
                   "un_hrc2014_yes_latam": "Latin American states",
                   "un_hrc2014_yes_other": "Others, not broken down in the text"}
    group_colours = {"un_hrc2014_yes_africa_asia": PALETTE["green"], "un_hrc2014_yes_latam": PALETTE["orange"],
                     "un_hrc2014_yes_other": PALETTE["blue"]}
    plotted += charts.figure_bars(right, [f[rid] for rid in FOR_ROWS], group_colours,
                                  {rid: wrap(name, 18) for rid, name in group_names.items()})
    right.tick_params(axis="y", labelsize=13)
    right.set_xlim(0, f["un_hrc2014_yes"]["value"])
    right.set_xlabel(f"votes in favour (all {fmt_number(f['un_hrc2014_yes']['value'])})")
    right.set_title(f"Who the {fmt_number(f['un_hrc2014_yes']['value'])} votes for were", loc="left", fontsize=14)
    right.text(0.98, 0.04, f"Derived: {other_sum}", transform=right.transAxes, ha="right",
               va="bottom", fontsize=11, color="#333333")

    v = {rid: fmt_number(val) for rid, val in plotted}
    alt = (f"Two bar charts. Left: of the Human Rights Council's {v['un_hrc_members']} members, {v['un_hrc2014_yes']} "
           f"voted for the March 2014 resolution and {v['un_hrc2014_no']} against; {v['un_hrc2014_abstain']} abstained, "
           f"a figure the workbook derives ({abstain_sum}) on the assumption that every member voted or "
           f"abstained. Right: of the {v['un_hrc2014_yes']} votes for, {v['un_hrc2014_yes_africa_asia']} came from African "
           f"and Asian states and {v['un_hrc2014_yes_latam']} from Latin American states (Cohen 2014); the other "
           f"{v['un_hrc2014_yes_other']} (derived: {other_sum}) are not broken down in the text.")
    note = (f"Hatched bars are derived by the workbook, not given in the text: abstentions = {abstain_sum}, "
            f"assuming every member voted or abstained (Cohen gives no abstentions); other votes for = {other_sum}. "
            "Cohen gives African and Asian states together.")
    return finish(fig, title, ["cohen2014"], alt, plotted, note)


# ---------------------------------------------------------------- chart 2: timeline

@dataclass(frozen=True)
class Event:
    """How one row of timeline.csv appears on the lesson's timeline."""

    lane: str
    kind: str  # "un" (a UN body acts), "nk" (North Korea responds), "state" (another government acts)
    label: str  # short, in our words


KINDS = {
    "un": ("UN body acts", "o", PALETTE["blue"]),
    "nk": ("North Korea responds", "D", PALETTE["vermillion"]),
    "state": ("Another government acts", "s", PALETTE["green"]),
}
ACTIVITY_FILE = "mechanism-scenarios.toml"


@dataclass(frozen=True)
class Scenario:
    """A goal a government or NGO might have, and how each mechanism fits it, per the readings."""

    id: str
    title: str
    situation: str
    strong: dict[str, str]  # mechanism id -> why it is a defensible choice (cites the readings)
    weak: dict[str, str]  # mechanism id -> why the readings suggest it will not get you there


def timeline_lanes() -> list[str]:
    """The timeline's lanes, top to bottom (``[timeline] lanes`` in the activity file)."""
    doc = content.activity(ACTIVITY_FILE)
    lanes = content.table(doc, "timeline", f"readings/{content.ACTIVITIES}/{ACTIVITY_FILE}").get("lanes")
    if not isinstance(lanes, list) or not lanes or not all(isinstance(x, str) and x for x in lanes):
        raise DataError(f"readings/{content.ACTIVITIES}/{ACTIVITY_FILE}: [timeline] lanes must be a list of names.")
    return lanes


def timeline_events() -> dict[str, Event]:
    """How each timeline.csv row shown appears on the timeline (``[[event]]`` entries), checked."""
    doc = content.activity(ACTIVITY_FILE)
    lanes = timeline_lanes()
    return {e["id"]: Event(content.choice(e, "lane", where, lanes), content.choice(e, "kind", where, KINDS),
                           content.text(e, "label", where))
            for where, e in content.entries(doc, "event", ACTIVITY_FILE)}


def scenarios() -> tuple[Scenario, ...]:
    """The 'what would you use?' scenarios (``[[scenario]]`` entries), each naming known mechanisms."""
    doc = content.activity(ACTIVITY_FILE)
    known = {r["id"] for r in mechanisms()}
    out = []
    for where, e in content.entries(doc, "scenario", ACTIVITY_FILE):
        strong = content.text_map(e, "strong", where, known)
        weak = content.text_map(e, "weak", where, known, required=False)
        both = sorted(set(strong) & set(weak))
        if both:
            raise DataError(f"{where}: {', '.join(both)} is both strong and weak; keep it in one.")
        out.append(Scenario(e["id"], content.text(e, "title", where), content.text(e, "situation", where),
                            strong, weak))
    return tuple(out)


ZOOM = (2013.0, 2015.0)


def _timeline_rows(start: int, end: int) -> list[tuple[dict, Event, float]]:
    rows = {r["id"]: r for r in load("timeline.csv")}
    shown = timeline_events()
    missing = sorted(set(shown) - set(rows))
    if missing:
        raise DataError(f"readings/{content.ACTIVITIES}/{ACTIVITY_FILE} names event(s) that readings/timeline.csv "
                        f"does not have: {', '.join(missing)}.")
    chosen = [(rows[i], e, charts._when(rows[i]["date"])) for i, e in shown.items()
              if start <= int(rows[i]["date"][:4]) <= end]
    chosen.sort(key=lambda t: (t[2], t[0]["id"]))
    return chosen


@charts.friendly
def mechanism_timeline(start: int = 2003, end: int = 2022) -> Chart:
    """Mechanisms and North Korea's responses, ``start``–``end``, with 2013–14 enlarged.

    Top: the whole period. Bottom: 2013–2014, where most events fall. Each event is a numbered
    marker (shape and colour say who acted); the key on the right gives each number's event.
    """
    import matplotlib.pyplot as plt
    if start > end:
        raise ValueError(f"start ({start}) must not be after end ({end}).")
    events = _timeline_rows(start, end)
    lanes = [lane for lane in timeline_lanes() if any(e.lane == lane for _, e, _ in events)]
    title = f"UN mechanisms and North Korea's responses, {start}–{end}"
    with plt.rc_context(STYLE):
        fig = plt.figure(figsize=(15, 10.5), layout="constrained")
        grid = fig.add_gridspec(2, 2, width_ratios=[1.6, 1], height_ratios=[1, 1])
        top, zoom, key = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[1, 0]), fig.add_subplot(grid[:, 1])
    title_figure(fig, title)
    plotted: list[tuple[str, float]] = []
    for number, (row, ev, x) in enumerate(events, start=1):
        name, marker, colour = KINDS[ev.kind]
        y = lanes.index(ev.lane)
        in_zoom = ZOOM[0] <= x < ZOOM[1]
        for ax, big in ((top, not in_zoom), (zoom, in_zoom)):
            if ax is zoom and not in_zoom:
                continue
            ax.plot(x, y, marker=marker, markersize=19 if big else 8, color=colour, markeredgecolor="white",
                    linestyle="none")
            if big:
                ax.text(x, y, str(number), ha="center", va="center", fontsize=9.5, color="white", fontweight="bold")
        plotted.append((row["id"], x))
    for ax, (lo, hi) in ((top, (start - 0.7, end + 1.2)), (zoom, ZOOM)):
        ax.set_yticks(range(len(lanes)), lanes, fontsize=11.5)
        ax.set_ylim(len(lanes) - 0.5, -0.6)
        ax.set_xlim(lo, hi)
        ax.grid(axis="x", color="#DDDDDD")
        ax.grid(axis="y", color="#F0F0F0")
    top.set_xticks(range(start, end + 1, 2))
    top.axvspan(*ZOOM, color=PALETTE["yellow"], alpha=0.25)
    top.set_title("The whole period (2013–14 shaded: enlarged below)", loc="left", fontsize=13)
    months = [ZOOM[0] + m / 12 for m in range(0, 24, 3)]
    zoom.set_xticks(months, [f"{['Jan', 'Apr', 'Jul', 'Oct'][(i % 4)]}\n{int(ZOOM[0]) + i // 4}" if i % 4 == 0
                             else ['Jan', 'Apr', 'Jul', 'Oct'][i % 4] for i in range(len(months))])
    zoom.set_title("2013–2014 enlarged: the Commission of Inquiry and its aftermath", loc="left", fontsize=13)
    zoom.set_facecolor("#FFFDF0")

    key.axis("off")
    lines = []
    for number, (row, ev, _) in enumerate(events, start=1):
        lines.append((number, ev, f"{row['date']}  {ev.label}"))
    step = 1 / (len(lines) + 4)
    key.text(0, 1, "Key (dates as the readings give them)", fontsize=12, fontweight="bold", va="top",
             transform=key.transAxes)
    for i, (number, ev, text) in enumerate(lines):
        _, marker, colour = KINDS[ev.kind]
        y = 1 - (i + 1.3) * step
        key.plot(0.03, y, marker=marker, markersize=16, color=colour, transform=key.transAxes, clip_on=False)
        key.text(0.03, y, str(number), ha="center", va="center", fontsize=8.5, color="white", fontweight="bold",
                 transform=key.transAxes)
        key.text(0.08, y, text, va="center", fontsize=10.5, transform=key.transAxes)
    legend_y = 1 - (len(lines) + 2) * step
    for j, (name, marker, colour) in enumerate(KINDS.values()):
        key.plot(0.03 + j * 0.34, legend_y, marker=marker, markersize=12, color=colour, transform=key.transAxes,
                 clip_on=False)
        key.text(0.07 + j * 0.34, legend_y, wrap(name, 14), va="center", fontsize=10, transform=key.transAxes)

    counts = {k: sum(e.kind == k for _, e, _ in events) for k in KINDS}
    alt = (f"Timeline of {len(events)} events from {start} to {end}, one row per mechanism, with 2013–2014 enlarged. "
           f"{counts['un']} are actions of UN bodies, {counts['nk']} are North Korea's responses and {counts['state']} "
           "are actions of other governments. In order: "
           + "; ".join(f"{n}. {row['date']}, {ev.lane}: {ev.label}" for n, (row, ev, _) in enumerate(events, start=1))
           + ". Most events fall in 2014, after the Commission of Inquiry reported.")
    order = [s["id"] for s in load("sources.csv")]
    sources = sorted({row["source"] for row, _, _ in events}, key=order.index)
    return finish(fig, title, sources, alt, plotted,
                  "Labels are ours. Dates given only as a year are drawn mid-year; some years are inferred "
                  "(see each event's row).", table="timeline.csv")


# ---------------------------------------------------------------- chart 3: the matrix

@charts.friendly
def matrix() -> Chart:
    """Mechanism × (binding? names and shames? needs North Korea's cooperation? North Korea engaged?).

    Each cell shows its word (yes / partly / no / not in the readings) as text; the tint only repeats it.
    """
    import matplotlib.patches
    rows = mechanisms()
    title = "What each mechanism can do, and whether North Korea engaged"
    height = 1.9 + 0.62 * len(rows)
    fig, ax = charts.new_figure(title, (13, height))
    plotted: list[tuple[str, float]] = []
    ncol = len(MATRIX_COLUMNS)
    for i, r in enumerate(rows):
        for j, (col, _) in enumerate(MATRIX_COLUMNS):
            value = r[col]
            missing = value == NOT_IN_READINGS
            ax.add_patch(matplotlib.patches.Rectangle((j, i), 1, 1, facecolor=_CELL_COLOURS[value],
                                                      edgecolor="white", linewidth=3))
            ax.text(j + 0.5, i + 0.5, "not in the\nreadings" if missing else value, ha="center", va="center",
                    fontsize=10.5 if missing else 14, fontweight="normal" if missing else "bold",
                    color="#555555" if missing else "#111111", style="italic" if missing else "normal")
            plotted.append((f"{r['id']}.{col}", VALUES.index(value)))
        if i and r["family"] != rows[i - 1]["family"]:
            ax.axhline(i, color="#333333", linewidth=2)
    ax.set_xlim(0, ncol)
    ax.set_ylim(len(rows), 0)
    ax.set_yticks([i + 0.5 for i in range(len(rows))], [r["short"] for r in rows], fontsize=12.5)
    ax.set_xticks([j + 0.5 for j in range(ncol)], [h for _, h in MATRIX_COLUMNS], fontsize=12.5)
    ax.xaxis.tick_top()
    ax.tick_params(length=0)
    for side in ("top", "right", "bottom", "left"):
        ax.spines[side].set_visible(False)
    families = []
    for r in rows:
        if r["family"] not in families:
            families.append(r["family"])
    alt = ("Table of " + str(len(rows)) + " mechanisms by four questions. " + " ".join(
        f"{r['short']}: binding {r['binding']}; names and shames {r['naming']}; needs North Korea's cooperation "
        f"{r['access_needed']}; North Korea engaged {r['nk_engaged']}." for r in rows))
    below = [f"below line {k}: {fam}" for k, fam in enumerate(families[1:], start=1)]
    note = ("Yes / partly / no are the workbook's judgements from the readings, each explained in the "
            "mechanism explorer. 'Legally binding' (yes / partly): whether the mechanism rests on legal obligations; "
            "none of the UN mechanisms can enforce them except a Security Council decision (general background). "
            "Rows above the first line are UN mechanisms; " + "; ".join(below) + ".")
    order = [s["id"] for s in load("sources.csv")]
    sources = sorted({r["source"] for r in rows}, key=order.index)
    return finish(fig, title, sources, alt, plotted, note, table="mechanisms.csv", noun="row")


# ---------------------------------------------------------------- widget: the mechanism explorer

def _row(mechanism_id: str | None) -> dict | None:
    for r in mechanisms():
        if r["id"] == mechanism_id:
            return r
    return None


def mechanism_card(mechanism_id: str | None) -> str:
    """HTML for one mechanism: who acts, what it can compel, its record, the quote and dated events.

    Returns a clear message (never raises) for an empty or unknown id or unreadable data.
    """
    from .explore import quote_card

    if not mechanism_id:
        return _message("Choose a mechanism from the list.")
    try:
        r = _row(mechanism_id)
        events = load("timeline.csv")
    except DataError as exc:
        return _message(f"The mechanisms cannot be shown: {exc}")
    if r is None:
        return _message(f"There is no mechanism called {mechanism_id!r} in readings/mechanisms.csv.")
    e = html.escape
    facts = [
        ("Who acts", r["who_acts"]), ("What it can compel", r["compels"]),
        ("What it cost North Korea", r["cost_to_nk"]), ("How North Korea responded", r["nk_response"]),
        ("One thing it achieved", r["achieved"]), ("One limit", r["limit"]),
    ]
    table = "".join(f'<tr><th>'
                    f"{e(k)}</th><td>{e(v)}</td></tr>" for k, v in facts)
    cells = " · ".join(f"{e(h.replace(chr(10), ' '))} <b>{e(r[c])}</b>" for c, h in MATRIX_COLUMNS)
    parts = [f'<div class="nkhr-card-title">{e(r["mechanism"])}</div>',
             f'<div class="nkhr-block">{cells}</div>',
             f'<table class="nkhr-facts">{table}</table>',
             quote_card(r["quote"], r["source"], heading="In the readings")]
    lane_names = {"UPR": "UPR", "COI": "COI", "HRC": "HRC", "GA": "GA", "UNSC": "UNSC",
                  "Special Rapporteur": "Special Rapporteur", "sanctions": "sanctions"}
    lane = lane_names.get(r["lane"])
    dated = [ev for ev in events if lane and ev["mechanism"] == lane]
    if dated:
        parts.append('<div class="nkhr-bold nkhr-block">Dated events in readings/timeline.csv</div><ul>')
        parts += [f"<li>{e(ev['date'])}: {e(ev['event'])}</li>" for ev in dated]
        parts.append("</ul>")
    else:
        parts.append('<div class="nkhr-block"><i>No dated events for this mechanism in readings/timeline.csv.</i></div>')
    return "".join(parts)


@explore.guarded("The mechanisms cannot be shown")
def mechanism_explorer() -> None:
    """A dropdown of mechanisms; the chosen one's card appears below (see :func:`mechanism_card`)."""
    rows = mechanisms()
    explore.explorer([(r["mechanism"], r["id"]) for r in rows], mechanism_card, label="Mechanism:")


# ---------------------------------------------------------------- widget: what would you use?

def scenario_feedback(scenario_id: str | None, mechanism_id: str | None) -> str:
    """Feedback (HTML) on using ``mechanism_id`` for ``scenario_id``, citing the readings.

    Never raises: empty or unknown choices get a clear message.
    """
    try:
        known = scenarios()
    except DataError as exc:
        return _message(f"The scenarios cannot be shown: {exc}")
    scenario = next((s for s in known if s.id == scenario_id), None)
    if scenario is None:
        return _message("Choose a scenario first.")
    if not mechanism_id:
        return _message("Now choose the mechanism you would use.")
    try:
        row = _row(mechanism_id)
    except DataError as exc:
        return _message(f"The mechanisms cannot be shown: {exc}")
    if row is None:
        return _message(f"There is no mechanism called {mechanism_id!r} in readings/mechanisms.csv.")
    name = html.escape(row["short"])
    if mechanism_id in scenario.strong:
        others = [_row(m)["short"] for m in scenario.strong if m != mechanism_id]
        verdict, look = "A defensible choice", "good"
        body = scenario.strong[mechanism_id]
        tail = f" Other defensible choices: {', '.join(others)}." if others else ""
    elif mechanism_id in scenario.weak:
        verdict, look = "The readings suggest this will not get you there", "bad"
        body, tail = scenario.weak[mechanism_id], ""
    else:
        verdict, look = "A weak fit in the readings", "weak"
        body = (f"The readings do not connect {row['short']} to this goal. What it can compel: {row['compels']} "
                f"Its limit: {row['limit']}")
        tail = ""
    return (f'<div class="nkhr-card nkhr-card-{look}">'
            f'<div class="nkhr-bold">{name}: {html.escape(verdict)}</div>'
            f"<div>{html.escape(body)}{html.escape(tail)}</div></div>")


@explore.guarded("The scenario cannot be shown")
def scenario_explorer() -> None:
    """Pick a scenario and a mechanism; feedback citing the readings appears below."""
    import ipywidgets as w
    from IPython.display import display

    rows = mechanisms()
    known = scenarios()
    pick_s = w.Dropdown(options=[(s.title, s.id) for s in known], description="Scenario:",
                        style={"description_width": "initial"}, layout=w.Layout(width="auto"))
    situation = w.HTML()
    pick_m = w.RadioButtons(options=[(r["short"], r["id"]) for r in rows], value=None,
                            description="I would use:", style={"description_width": "initial"})
    feedback = w.HTML(scenario_feedback(pick_s.value, None))

    def on_scenario(change) -> None:
        s = next(s for s in known if s.id == change["new"])
        situation.value = f"<p><b>{html.escape(s.title)}.</b> {html.escape(s.situation)}</p>"
        pick_m.value = None
        feedback.value = scenario_feedback(s.id, None)

    pick_s.observe(on_scenario, names="value")
    pick_m.observe(lambda change: setattr(feedback, "value", scenario_feedback(pick_s.value, change["new"])),
                   names="value")
    on_scenario({"new": pick_s.value})
    display(ui.panel([pick_s, situation, pick_m, feedback]))
