"""Lesson 04 — China's role: charts and widgets.

Everything shown comes from ``readings/china.csv`` (how each reading casts China),
``readings/figures.csv`` (the Freedom House scores) and ``readings/activities/china-scenarios.toml``
(the roles' labels and the scenario texts, whose quotations are registry ids or short verbatim
phrases: ``tests/test_china.py`` checks them). This module only draws and checks.

Public functions:

* :func:`freedom_house_pair` — North Korea and China on the Freedom House figures Lee (2022) gives.
* :func:`roles_by_reading` — which roles each reading gives China, by date (text labels, not colour alone).
* :func:`role_explorer` — pick a role, read every passage that casts China in it.
* :func:`scenario` / :func:`scenario_feedback` — predict China's position on a proposal and see what the
  readings suggest (the widget and the pure function behind it).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

from . import charts, content, explore, ui
from .charts import PALETTE, Chart, fmt_number
from .data import DataError, by_id, load
from .explore import quote_card

# ---------------------------------------------------------------- the activity's content (readings/activities)

ACTIVITY_FILE = "china-scenarios.toml"
NOT_MENTIONED = "China not mentioned"
FITS = ("strong", "some", "weak")


@dataclass(frozen=True)
class Argument:
    """An argument a student might put to China, and what the readings say about its chances."""

    label: str
    feedback: str  # HTML, our words with short verbatim quotations
    fit: str  # "strong", "some" or "weak": how well the readings support it moving China


@dataclass(frozen=True)
class Scenario:
    """A proposal, what the readings suggest about China's position, and arguments to weigh."""

    title: str
    setup: str  # HTML
    readings_view: str  # HTML: what the readings suggest, and how firmly
    predictions: dict[str, str]  # prediction id -> HTML feedback
    arguments: dict[str, Argument]
    quotes: tuple[content.Quotation, ...] = field(default_factory=tuple)
    background: str = ""  # HTML: general background, not from the readings (kept minimal)


@dataclass(frozen=True)
class Activity:
    """Everything lesson 04's activities show, from ``readings/activities/china-scenarios.toml``."""

    roles: dict[str, str]  # role id -> label, in the order the chart lists them
    predictions: dict[str, str]  # prediction id -> label
    fit: dict[str, str]  # fit -> what the feedback says
    scenarios: dict[str, Scenario]


BACKGROUND = "<b>General background, not from the readings:</b> "


def load_activity() -> Activity:
    """Read and check ``readings/activities/china-scenarios.toml``.

    Raises :class:`~nkhr.data.DataError` naming the file, the entry and the problem.
    """
    doc = content.activity(ACTIVITY_FILE)
    where = f"readings/{content.ACTIVITIES}/{ACTIVITY_FILE}"
    roles = content.text_map(doc, "roles", where)
    predictions = content.text_map(doc, "predictions", where)
    fit = content.text_map(doc, "fit", where, FITS)
    scenarios = {}
    for at, e in content.entries(doc, "scenario", ACTIVITY_FILE):
        args = {}
        for n, a in enumerate(e.get("arguments") or [], start=1):
            here = f"{at}, argument number {n}"
            aid = content.text(a, "id", here)
            args[aid] = Argument(content.text(a, "label", here), content.text(a, "feedback", here),
                                 content.choice(a, "fit", here, FITS))
        if not args:
            raise DataError(f"{at}: give at least one [[scenario.arguments]] entry.")
        background = content.text(e, "background", at, required=False)
        scenarios[e["id"]] = Scenario(
            content.text(e, "title", at), content.text(e, "setup", at), content.text(e, "readings_view", at),
            content.text_map(e, "predictions", at, predictions), args, content.quotations(e, "quotes", at),
            BACKGROUND + background if background else "")
    return Activity(roles, predictions, fit, scenarios)


def roles() -> dict[str, str]:
    """The roles china.csv may give China (id -> label), in the order the chart lists them."""
    return load_activity().roles


def scenarios() -> dict[str, Scenario]:
    """The scenario exercise's proposals by id."""
    return load_activity().scenarios


def _short(source_id: str) -> str:
    return by_id("sources.csv").get(source_id, {}).get("short", source_id)


def _para(row: dict) -> int | None:
    """The paragraph of a row's quote in its reading (china.csv's ``para`` column; tests check it)."""
    try:
        return int(row.get("para") or 0) or None
    except ValueError:
        return None


def china_rows() -> list[dict]:
    """The rows of ``readings/china.csv``, each checked to use a role from :func:`roles`."""
    rows = load("china.csv")
    known = roles()
    for row in rows:
        if row["role"] not in known:
            raise DataError(f"readings/china.csv, row {row['id']}: unknown role {row['role']!r} "
                            f"(use one of {', '.join(known)}).")
    return rows


# ---------------------------------------------------------------- chart 1: Freedom House, North Korea and China

FH_BARS = (  # (label, figures.csv id); the difference's label gets its arithmetic from the data
    ("North Korea\n(Freedom House 2022)", "fh2022_nk_total"),
    ("China\n(year not stated by Lee)", "fh_china_total_lee2022"),
    ("Difference\n(derived: {cn} − {nk})", "fh_china_minus_nk"),
)


@charts.friendly
def freedom_house_pair() -> Chart:
    """North Korea's and China's Freedom House totals as Lee (2022) gives them, and their (derived) difference."""
    f = by_id("figures.csv")
    top = f["fh2022_total_max"]["value"]
    title = "North Korea and China: Freedom House scores Lee (2022) cites"
    fig, ax = charts.new_figure(title, (11, 4.4))
    plotted = []
    colours = {"fh2022_nk_total": PALETTE["vermillion"], "fh_china_total_lee2022": PALETTE["blue"]}
    for i, (label, rid) in enumerate(FH_BARS):
        r = f[rid]
        derived = r["kind"] == "derived"
        if not derived:
            ax.barh(i, top, color="#EEEEEE", height=0.6, edgecolor="#BBBBBB")
            plotted.append(("fh2022_total_max", top))
        ax.barh(i, r["value"], height=0.6, color="white" if derived else colours[rid],
                edgecolor=PALETTE["black"] if derived else colours[rid],
                hatch=charts.DERIVED_HATCH if derived else None)
        text = (f"{fmt_number(r['value'])} points (derived)" if derived
                else f"{fmt_number(r['value'])} of {fmt_number(top)}")
        ax.annotate(text, (r["value"], i), xytext=(8, 0), textcoords="offset points", va="center",
                    fontsize=14, fontweight="bold")
        plotted.append((rid, r["value"]))
    nk, cn, diff = (f[rid]["value"] for _, rid in FH_BARS)
    ax.set_yticks(range(len(FH_BARS)), [b[0].format(cn=fmt_number(cn), nk=fmt_number(nk)) for b in FH_BARS])
    ax.invert_yaxis()
    ax.set_xlim(0, top * 1.05)
    ax.set_xlabel(f"score out of {fmt_number(top)} (grey bar = maximum possible; higher = freer)")
    alt = (f"Bar chart. North Korea scored {fmt_number(nk)} out of {fmt_number(top)} in Freedom House's 2022 index; "
           f"China scored {fmt_number(cn)} out of {fmt_number(top)}, Lee (2022) not saying which year's index. "
           f"A hatched bar shows the workbook's derived difference, {fmt_number(cn)} − {fmt_number(nk)} = "
           f"{fmt_number(diff)} points. Both scores sit near the bottom of the scale.")
    note = ("Lee names the 2022 index for North Korea but gives no year for China's score; the hatched difference "
            "is the workbook's arithmetic and assumes both come from the same year's index.")
    return charts.finish(fig, title, ["lee2022"], alt, plotted, note)


# ---------------------------------------------------------------- chart 2: roles by reading over time

def role_grid() -> tuple[list[dict], list[str], dict[tuple[str, str], list[dict]]]:
    """(the five readings in date order, the roles used, {(source id, role): rows}) from china.csv."""
    readings = sorted(load("sources.csv"), key=lambda s: s["date"])
    rows = china_rows()
    cells: dict[tuple[str, str], list[dict]] = {}
    for row in rows:
        cells.setdefault((row["source"], row["role"]), []).append(row)
    used = [role for role in roles() if any(r["role"] == role for r in rows)]
    return readings, used, cells


def _cell_text(rows: list[dict]) -> str:
    paras = sorted({p for p in (_para(r) for r in rows) if p})
    if not paras:
        return f"{len(rows)} passage" + ("s" if len(rows) > 1 else "")
    return ("para. " if len(paras) == 1 else "paras. ") + ", ".join(str(p) for p in paras)


@charts.friendly
def roles_by_reading() -> Chart:
    """Which roles each of the five readings gives China, in date order: a grid labelled with paragraph numbers."""
    import matplotlib.patches
    readings, used, cells = role_grid()
    labels = load_activity().roles
    title = "How the readings cast China, 2010–2022"
    fig, ax = charts.new_figure(title, (13, 1.9 + 0.72 * len(used)))
    plotted = []
    for x, s in enumerate(readings):
        has_any = any((s["id"], role) in cells for role in used)
        if not has_any:
            ax.add_patch(matplotlib.patches.Rectangle((x - 0.45, -0.45), 0.9, len(used) - 0.1,
                                                      facecolor="#F2F2F2", edgecolor="none", zorder=0))
            ax.text(x, (len(used) - 1) / 2, NOT_MENTIONED, rotation=90, ha="center", va="center",
                    fontsize=13, color="#444444")
            continue
        for y, role in enumerate(used):
            rows = cells.get((s["id"], role))
            if not rows:
                continue
            implied = role == "implied_not_named"
            ax.scatter([x - 0.3], [y], s=190, marker="o", zorder=3,
                       facecolors="white" if implied else PALETTE["blue"],
                       edgecolors=PALETTE["grey"] if implied else PALETTE["blue"], linewidths=2)
            label = ("implied: " if implied else "") + _cell_text(rows)
            ax.text(x - 0.18, y, label, va="center", ha="left", fontsize=12)
            plotted += [(r["id"], float(x)) for r in rows]
    ax.set_xticks(range(len(readings)), [f"{s['short']}\n({_month(s['date'])})" for s in readings])
    ax.set_yticks(range(len(used)), [labels[r] for r in used])
    ax.set_xlim(-0.55, len(readings) - 0.45)
    ax.set_ylim(len(used) - 0.5, -0.5)
    ax.xaxis.tick_top()
    ax.tick_params(axis="x", length=0, labelsize=12.5)
    ax.tick_params(axis="y", length=0)
    ax.spines[["left", "bottom"]].set_visible(False)
    for y in range(len(used)):
        ax.axhline(y + 0.5, color="#DDDDDD", linewidth=0.8, zorder=1)
    for x in range(len(readings) - 1):
        ax.axvline(x + 0.5, color="#DDDDDD", linewidth=0.8, zorder=1)
    parts = []
    for s in readings:
        found = [labels[role] for role in used if (s["id"], role) in cells]
        parts.append(f"{s['short']}: " + ("; ".join(found) if found else "does not mention China") + ".")
    alt = ("Grid with the five readings in date order across the top and China's roles down the side; a dot "
           "marks each role a reading gives China, labelled with the paragraph(s). " + " ".join(parts))
    note = ("Filled dot = China named; hollow dot = not named, the link is the workbook's inference. "
            "Paragraph numbers as in readings/README.md.")
    return charts.finish(fig, title, [s["id"] for s in readings if any((s["id"], r) in cells for r in used)],
                         alt, plotted, note, table="china.csv", noun="passage")


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _month(iso: str) -> str:
    """'2010-06-16' -> 'June 2010'; a bare year stays as it is."""
    parts = iso.split("-")
    return f"{MONTHS[int(parts[1]) - 1]} {parts[0]}" if len(parts) >= 2 else iso


# ---------------------------------------------------------------- the role explorer

def role_card(role: str) -> str:
    """HTML: every passage of china.csv that casts China in ``role``, oldest first (a message if none)."""
    labels = roles()
    if role not in labels:
        return f"<p><b>Unknown role:</b> {html.escape(str(role))}. Choose one from the list.</p>"
    rows = sorted((r for r in china_rows() if r["role"] == role), key=lambda r: r["date"])
    if not rows:
        return f"<p>No reading casts China as “{html.escape(labels[role])}”.</p>"
    cards = []
    for r in rows:
        para = _para(r)
        where = f"{_short(r['source'])}" + (f", para. {para}" if para else "")
        cards.append(quote_card(r["quote"], r["source"], heading=html.escape(where),
                                extra=f"In our words: {html.escape(r['summary'])}"))
    return "".join(cards)


@explore.guarded("The roles cannot be shown")
def role_explorer() -> None:
    """A dropdown of the roles; shows each passage that casts China in the chosen role."""

    from .explore import explorer

    rows = china_rows()
    options = [(f"{label} ({sum(r['role'] == role for r in rows)})", role)
               for role, label in roles().items() if any(r["role"] == role for r in rows)]
    explorer(options, role_card, label="China as:")


# ---------------------------------------------------------------- the scenario exercise

def scenario_intro(pid: str) -> str:
    """HTML card: the proposal and the question (visible in any viewer, before any answer)."""
    known = scenarios()
    sc = known.get(pid)
    if sc is None:
        return f"<p><b>Unknown proposal:</b> {html.escape(str(pid))}. Choose one of: {', '.join(known)}.</p>"
    return ('<div class="nkhr-card nkhr-card-proposal">'
            f'<div class="nkhr-card-title"><b>Proposal: {html.escape(sc.title)}</b></div>'
            f'<div class="nkhr-block">{sc.setup}</div>'
            "<div><b>1.</b> Predict China's position. <b>2.</b> Choose the argument most likely to move it. "
            "<b>3.</b> Press <i>Show feedback</i>. There is no single right answer where the readings do not settle "
            "it: the feedback explains their reasoning.</div></div>")


def scenario_feedback(pid: str, prediction: str | None, argument: str | None) -> str:
    """HTML feedback on a prediction and an argument for one proposal.

    Handles every combination, including nothing chosen and unknown ids, with a plain message.
    """
    activity = load_activity()
    sc = activity.scenarios.get(pid)
    if sc is None:
        return (f"<p><b>Unknown proposal:</b> {html.escape(str(pid))}. "
                f"Choose one of: {', '.join(activity.scenarios)}.</p>")
    if not prediction and not argument:
        return "<p>Choose a prediction and an argument first, then press <i>Show feedback</i>.</p>"
    parts = []
    if prediction in sc.predictions:
        parts.append(f"<p><b>Your prediction: {html.escape(activity.predictions[prediction])}.</b> {sc.predictions[prediction]}</p>")
    elif prediction:
        parts.append(f"<p><b>Unknown prediction:</b> {html.escape(str(prediction))}. "
                     f"Choose one of: {', '.join(activity.predictions.values())}.</p>")
    else:
        parts.append("<p><b>No prediction yet.</b> Choose Support, Oppose or Conditional to see how it fits the readings.</p>")
    if argument in sc.arguments:
        a = sc.arguments[argument]
        parts.append(f"<p><b>Your argument:</b> <i>{html.escape(a.label)}</i><br>{activity.fit[a.fit]} {a.feedback}</p>")
    elif argument:
        parts.append(f"<p><b>Unknown argument:</b> {html.escape(str(argument))}. Choose one from the list.</p>")
    else:
        parts.append("<p><b>No argument yet.</b> Choose the argument you think most likely to move China.</p>")
    strongest = [a.label for a in sc.arguments.values() if a.fit == "strong"]
    parts.append(f"<p><b>What the readings suggest.</b> {sc.readings_view} Best supported by the readings: "
                 + " / ".join(f"<i>{html.escape(s.rstrip('.'))}</i>" for s in strongest) + ".</p>")
    parts += [quote_card(q.text, q.source, extra="") for q in sc.quotes]
    if sc.background:
        parts.append(f'<p class="nkhr-small">{sc.background}</p>')
    return "".join(parts)


def scenario_form(pid: str):
    """The interactive part for one known proposal: prediction, argument, button, feedback (an ipywidgets VBox)."""
    import ipywidgets as w

    activity = load_activity()
    sc = activity.scenarios[pid]
    predict = w.RadioButtons(options=[(label, key) for key, label in activity.predictions.items()], index=None,
                             description="China's position:", style={"description_width": "initial"},
                             layout=w.Layout(width="auto"))
    argue = w.RadioButtons(options=[(a.label, key) for key, a in sc.arguments.items()], index=None,
                           description="Best argument:", style={"description_width": "initial"},
                           layout=w.Layout(width="auto", max_width="100%"))
    button = w.Button(description="Show feedback", button_style="primary")
    out = w.HTML("")
    def show(_button: object) -> None:
        try:
            out.value = scenario_feedback(pid, predict.value, argue.value)
        except DataError as exc:  # the file was broken after the form was drawn
            out.value = f"<b>The feedback cannot be shown:</b> {html.escape(str(exc))}"

    button.on_click(show)
    return w.VBox([predict, argue, button, out])


@explore.guarded("The scenario cannot be shown")
def scenario(pid: str) -> None:
    """Show one proposal with a prediction, an argument and a feedback button (the lesson's scenario exercise)."""
    from IPython.display import HTML, display

    display(HTML(ui.CSS + scenario_intro(pid)))
    if pid in scenarios():
        display(ui.panel([scenario_form(pid)]))


def scenario_quotes() -> list[tuple[str, str]]:
    """Every (quote, source id) the scenarios display, for provenance tests."""
    return [(q.text, q.source) for sc in scenarios().values() for q in sc.quotes]


__all__ = [
    "Activity", "Scenario", "Argument", "load_activity", "roles", "scenarios", "china_rows", "freedom_house_pair", "role_grid", "roles_by_reading",
    "role_card", "role_explorer", "scenario_intro", "scenario_feedback", "scenario_form", "scenario", "scenario_quotes",
]
