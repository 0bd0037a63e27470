"""Lessons 05 and 06: designing a human-rights dialogue, and what changed from 2010 to 2022.

* **Role cards** (``readings/roles.csv``): each actor's interests and red lines as the readings
  report them, each card grounded in two verbatim quotations, with anything the readings do not
  say labelled as the workbook's inference.
* **Policy options** (``readings/activities/policy-options.toml``, :func:`load_options`): pressure first, engagement first, conditional
  dialogue, pragmatic humanitarian cooperation, each with its case, its risks and the readings
  that argue it.
* **The agenda builder** (``readings/agenda.csv``): :func:`check_agenda` is a pure function that
  checks any set of agenda items and conditions against the criteria the readings give (Cohen
  2014's five caveats, Wertz 2014's starting points, Son 2017's warning, Lee 2022's priorities)
  and lists the trade-offs. It never names a single right answer: no agenda meets every criterion
  without straining another. :func:`agenda_builder` is the widget around it.
* **The synthesis chart** (:func:`what_changed`): where each reading stands (``positions.csv``)
  against the events the readings date (``timeline.csv``), 2009–2022.

Nothing here runs on import.
"""

from __future__ import annotations

import csv
import html
from dataclasses import dataclass, field
from typing import Iterable

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn, so lessons import without it
    import matplotlib.pyplot as plt

from . import charts, content, explore, ui
from .data import DataError, load

__all__ = [
    "Role", "AgendaRow", "PolicyOption", "CriterionResult", "AgendaReport", "load_options",
    "STATUS_LABELS", "SIGNAL_LABELS", "load_roles", "load_agenda", "role_card", "role_cards",
    "option_card", "policy_options", "check_agenda", "render_report", "agenda_builder",
    "what_changed", "positions_explorer",
]

SHORT = {"cohen2010": "Cohen 2010", "wertz2014": "Wertz 2014", "cohen2014": "Cohen 2014",
         "son2017": "Son 2017", "lee2022": "Lee 2022"}
KINDS = ("criterion", "item", "condition")
RULES = ("any", "all")
# What the readings report about Pyongyang's stance on an agenda row.
SIGNAL_LABELS = {
    "open": "has offered or admitted it",
    "partly": "has signalled partial or conditional openness",
    "refused": "has rejected or denied it",
    "not_reported": "the readings do not report its answer",
}
# Criterion statuses, worst to best is not implied: each is a different kind of result.
STATUS_LABELS = {
    "met": "met",
    "strained": "met, but another choice pulls against it",
    "partly": "partly met",
    "against": "not met, and a choice pulls against it",
    "open": "not addressed",
}
_STATUS_MARK = {"met": "✔", "strained": "⚖", "partly": "◐", "against": "✖", "open": "·"}


class _Rows:
    """Shared checks for the two CSVs this module reads (they have no schema in data.py)."""

    @staticmethod
    def load(name: str, required: tuple[str, ...]) -> list[dict]:
        rows = load(name)
        with open(_path(name), encoding="utf-8", newline="") as handle:
            header = next(csv.reader(handle), [])
        missing = [c for c in required if c not in header]
        if missing:
            raise DataError(f"readings/{name}, line 1: the header lacks column(s) {', '.join(missing)}.")
        for n, row in enumerate(rows, start=2):
            for col in ("id", "source", "quote"):
                if not (row.get(col) or "").strip():
                    raise DataError(f"readings/{name}, row {n}: column '{col}' is empty.")
            if row["source"] not in SHORT:
                raise DataError(f"readings/{name}, row {n} ({row['id']}): unknown source {row['source']!r}; "
                                f"use one of {', '.join(SHORT)}.")
        return rows


def _path(name: str):
    from .paths import readings_dir

    return readings_dir() / name


def _ids(text: str) -> tuple[str, ...]:
    return tuple(part.strip() for part in (text or "").split(";") if part.strip())


def _para(text: str) -> int | None:
    text = (text or "").strip()
    return int(text) if text.isdigit() else None


def cite(source: str, para: int | None) -> str:
    """'Cohen 2014, para. 9' (or just the short name when the paragraph is unknown)."""
    name = SHORT.get(source, source)
    return f"{name}, para. {para}" if para else name


# ---------------------------------------------------------------- role cards

@dataclass(frozen=True)
class Role:
    """One actor in the role-play, as the readings report it."""

    id: str
    role: str
    interests: str
    red_lines: str
    quotes: tuple[content.Quotation, ...]
    inference: str
    opening_move: str


ROLE_COLUMNS = ("id", "role", "interests", "red_lines", "source", "quote", "para", "source_2", "quote_2",
                "para_2", "inference", "opening_move")


def load_roles() -> list[Role]:
    """Read ``readings/roles.csv`` (one card per actor) and check every card is complete.

    Raises :class:`~nkhr.data.DataError` naming the file, row and problem.
    """
    rows = _Rows.load("roles.csv", ROLE_COLUMNS)
    roles = []
    for n, r in enumerate(rows, start=2):
        for col in ("role", "interests", "red_lines", "opening_move"):
            if not r[col]:
                raise DataError(f"readings/roles.csv, row {n} ({r['id']}): column '{col}' is empty.")
        if r["source_2"] and r["source_2"] not in SHORT:
            raise DataError(f"readings/roles.csv, row {n} ({r['id']}): unknown source_2 {r['source_2']!r}.")
        if bool(r["source_2"]) != bool(r["quote_2"]):
            raise DataError(f"readings/roles.csv, row {n} ({r['id']}): source_2 and quote_2 go together.")
        quotes = [content.Quotation(r["source"], r["quote"], _para(r["para"]))]
        if r["quote_2"]:
            quotes.append(content.Quotation(r["source_2"], r["quote_2"], _para(r["para_2"])))
        roles.append(Role(r["id"], r["role"], r["interests"], r["red_lines"], tuple(quotes), r["inference"],
                          r["opening_move"]))
    return roles


def _quote_html(q: content.Quotation) -> str:
    who = q.label or cite(q.source, q.para)
    return (f'<div class="nkhr-quote"><i>“{html.escape(q.text)}”</i> '
            f'<span class="nkhr-small">— {html.escape(who)}</span></div>')


def role_card(role: Role) -> str:
    """The HTML card for one role: interests, red lines, evidence, inference, opening move."""
    parts = [
        '<div class="nkhr-card nkhr-card-role">',
        f'<div class="nkhr-card-title"><b>{html.escape(role.role)}</b></div>',
        f"<p><b>Interests (as the readings report them).</b> {html.escape(role.interests)}</p>",
        f"<p><b>Red lines.</b> {html.escape(role.red_lines)}</p>",
        "<div><b>From the readings:</b></div>",
        *(_quote_html(q) for q in role.quotes),
    ]
    if role.inference:
        parts.append(f'<p class="nkhr-note"><b>Note.</b> {html.escape(role.inference)}</p>')
    parts.append(f'<p class="nkhr-move"><b>Your opening move in the role-play:</b> '
                 f"{html.escape(role.opening_move)}</p></div>")
    return "".join(parts)


@explore.guarded("The role cards cannot be shown")
def role_cards() -> None:
    """A dropdown of the roles; the chosen role's card appears below."""

    from .explore import explorer

    roles = load_roles()
    lookup = {r.id: r for r in roles}
    explorer([(r.role, r.id) for r in roles], lambda rid: role_card(lookup[rid]), label="Role:")


# ---------------------------------------------------------------- policy options

@dataclass(frozen=True)
class PolicyOption:
    """One policy option in the deliberation: its case, its risks, who argues it."""

    id: str
    name: str
    case: str
    risks: str
    argued_by: str
    quotes: tuple[content.Quotation, ...]  # registry quotations; tested against the texts
    preset: tuple[str, ...]  # agenda rows the option would start from (agenda.csv ids)


OPTIONS_FILE = "policy-options.toml"


def load_options(rows: list[AgendaRow] | None = None) -> tuple[PolicyOption, ...]:
    """The policy options from ``readings/activities/policy-options.toml``, checked.

    Each needs a name, case, risks, who argues it, at least one quotation and a preset of agenda
    items and conditions that exist in ``readings/agenda.csv``. Raises :class:`~nkhr.data.DataError`
    naming the file, the option and the problem.
    """
    doc = content.activity(OPTIONS_FILE)
    rows = rows if rows is not None else load_agenda()
    pickable = {r.id for r in rows if r.kind != "criterion"}
    options = []
    for where, e in content.entries(doc, "option", OPTIONS_FILE):
        preset = e.get("preset", [])
        if not isinstance(preset, list) or not all(isinstance(p, str) for p in preset):
            raise DataError(f"{where}: field 'preset' must be a list of agenda.csv ids.")
        unknown = [p for p in preset if p not in pickable]
        if unknown:
            raise DataError(f"{where}: preset names {', '.join(unknown)}, not items or conditions in "
                            "readings/agenda.csv.")
        options.append(PolicyOption(
            e["id"], content.text(e, "name", where), content.text(e, "case", where),
            content.text(e, "risks", where), content.text(e, "argued_by", where),
            content.quotations(e, "quotes", where), tuple(preset)))
    return tuple(options)


def option_card(option: PolicyOption) -> str:
    """The HTML card for one policy option: the case, the risks, who argues it, the evidence."""
    return "".join([
        '<div class="nkhr-card nkhr-card-option">',
        f'<div class="nkhr-card-title"><b>{html.escape(option.name)}</b></div>',
        f"<p><b>The case.</b> {html.escape(option.case)}</p>",
        f"<p><b>The risks.</b> {html.escape(option.risks)}</p>",
        f"<p><b>Who argues it.</b> {html.escape(option.argued_by)}</p>",
        *(_quote_html(q) for q in option.quotes),
        "</div>",
    ])


@explore.guarded("The policy options cannot be shown")
def policy_options() -> None:
    """Show the four policy options, one card each, in reading order."""
    from IPython.display import HTML, display

    display(HTML(ui.CSS + "".join(option_card(o) for o in load_options())))


# ---------------------------------------------------------------- the agenda builder (pure part)

@dataclass(frozen=True)
class AgendaRow:
    """One row of ``readings/agenda.csv``: a criterion from a reading, or an item or condition to pick."""

    id: str
    kind: str  # criterion | item | condition
    label: str
    serves: tuple[str, ...]  # criterion ids this row helps meet (a criterion lists itself)
    source: str
    quote: str
    para: int | None
    detail: str
    rule: str = "any"  # criteria: "any" serving row meets it, or "all" of them must be chosen
    tension: tuple[str, ...] = ()  # criterion ids this row pulls against
    unless: tuple[str, ...] = ()  # ... unless one of these rows is also chosen
    excludes: tuple[str, ...] = ()  # rows that contradict this one
    tradeoff: str = ""
    tradeoff_basis: tuple[str, ...] = ()  # source ids, or "inference"
    nk_signal: str = "not_reported"
    nk_note: str = ""


AGENDA_COLUMNS = ("id", "kind", "item", "criterion", "source", "quote", "para", "detail", "rule", "tension",
                  "unless", "excludes", "tradeoff", "tradeoff_basis", "nk_signal", "nk_note")


def load_agenda() -> list[AgendaRow]:
    """Read ``readings/agenda.csv`` and check that its rows refer to each other consistently.

    Raises :class:`~nkhr.data.DataError` naming the file, row and problem.
    """
    rows = _Rows.load("agenda.csv", AGENDA_COLUMNS)
    where = "readings/agenda.csv"
    out = []
    for n, r in enumerate(rows, start=2):
        at = f"{where}, row {n} ({r['id']})"
        if r["kind"] not in KINDS:
            raise DataError(f"{at}: kind must be one of {', '.join(KINDS)}, not {r['kind']!r}.")
        if not r["item"]:
            raise DataError(f"{at}: column 'item' (the label) is empty.")
        rule = r["rule"] or "any"
        if rule not in RULES:
            raise DataError(f"{at}: rule must be 'any' or 'all', not {rule!r}.")
        signal = r["nk_signal"] or "not_reported"
        if signal not in SIGNAL_LABELS:
            raise DataError(f"{at}: nk_signal must be one of {', '.join(SIGNAL_LABELS)}, not {signal!r}.")
        basis = _ids(r["tradeoff_basis"])
        bad = [b for b in basis if b != "inference" and b not in SHORT]
        if bad:
            raise DataError(f"{at}: tradeoff_basis {', '.join(bad)} is neither a source id nor 'inference'.")
        if r["kind"] != "criterion" and not r["tradeoff"]:
            raise DataError(f"{at}: every item and condition needs a 'tradeoff' (its cost or risk).")
        out.append(AgendaRow(r["id"], r["kind"], r["item"], _ids(r["criterion"]), r["source"], r["quote"],
                             _para(r["para"]), r["detail"], rule, _ids(r["tension"]), _ids(r["unless"]),
                             _ids(r["excludes"]), r["tradeoff"], basis, signal, r["nk_note"]))
    ids = {r.id for r in out}
    criteria = {r.id for r in out if r.kind == "criterion"}
    for r in out:
        at = f"{where} ({r.id})"
        if r.kind == "criterion" and r.serves != (r.id,):
            raise DataError(f"{at}: a criterion's 'criterion' column must be its own id.")
        for col, refs, pool in (("criterion", r.serves, criteria), ("tension", r.tension, criteria),
                                ("unless", r.unless, ids - criteria), ("excludes", r.excludes, ids - criteria)):
            unknown = [x for x in refs if x not in pool]
            if unknown:
                raise DataError(f"{at}: column '{col}' names unknown id(s) {', '.join(unknown)}.")
    for c in criteria:
        if not any(c in r.serves for r in out if r.kind != "criterion"):
            raise DataError(f"{where} ({c}): no item or condition meets this criterion.")
    return out


@dataclass(frozen=True)
class CriterionResult:
    """How one criterion fares on a given agenda."""

    criterion: AgendaRow
    status: str  # a key of STATUS_LABELS
    met_by: tuple[str, ...]  # labels of chosen rows that serve it
    missing: tuple[str, ...]  # for an "all" criterion: serving rows not chosen
    strained_by: tuple[str, ...]  # labels of chosen rows that pull against it


@dataclass(frozen=True)
class AgendaReport:
    """The result of :func:`check_agenda`: criteria, trade-offs, Pyongyang's reported stance, notes."""

    chosen: tuple[AgendaRow, ...]
    results: tuple[CriterionResult, ...]
    messages: tuple[str, ...] = ()  # empty agenda, contradictions, unknown ids (plain text)
    signals: dict[str, tuple[str, ...]] = field(default_factory=dict)  # nk_signal -> chosen labels

    def count(self, status: str) -> int:
        """How many criteria have ``status``."""
        return sum(1 for r in self.results if r.status == status)

    @property
    def empty(self) -> bool:
        return not self.chosen


def check_agenda(selected: Iterable[str] | None, rows: list[AgendaRow] | None = None) -> AgendaReport:
    """Check an agenda (ids of items and conditions from agenda.csv) against the readings' criteria.

    Pure: it reads nothing but ``rows`` (loaded from ``readings/agenda.csv`` when not given) and never
    raises on odd input. Unknown ids, criteria picked as if they were items, duplicates and
    ``None`` are reported in ``messages`` and otherwise ignored.
    """
    rows = rows if rows is not None else load_agenda()
    by = {r.id: r for r in rows}
    messages: list[str] = []
    wanted: list[str] = []
    for raw in list(selected or []):
        if raw is None:
            continue
        key = str(raw).strip()
        if key in wanted:
            continue
        if key not in by:
            messages.append(f"'{key}' is not an agenda item or condition; it was left out.")
            continue
        if by[key].kind == "criterion":
            messages.append(f"'{by[key].label}' is a criterion to check against, not something to put on the "
                            "agenda; it was left out.")
            continue
        wanted.append(key)
    chosen_ids = set(wanted)
    chosen = tuple(r for r in rows if r.id in chosen_ids)  # file order, whatever order they were picked in
    if not chosen:
        messages.insert(0, "Your agenda is empty. Tick some items and conditions to see how they fare against "
                           "the criteria the readings give.")
    elif not any(r.kind == "item" for r in chosen):
        messages.append("You have set conditions but no agenda items: what would the two sides actually discuss?")
    elif not any(r.kind == "condition" for r in chosen):
        messages.append("You have items but no conditions: who leads the talks, and what happens to UN scrutiny "
                        "meanwhile?")
    seen_pairs: set[frozenset] = set()
    for r in chosen:
        for other in r.excludes:
            pair = frozenset((r.id, other))
            if other in chosen_ids and pair not in seen_pairs:
                seen_pairs.add(pair)
                messages.append(f"Contradiction: '{r.label}' and '{by[other].label}' cannot both hold. Drop one.")
    results = []
    for c in (r for r in rows if r.kind == "criterion"):
        servers = [r for r in rows if r.kind != "criterion" and c.id in r.serves]
        hits = [r for r in servers if r.id in chosen_ids]
        strains = [r for r in chosen if c.id in r.tension and not (set(r.unless) & chosen_ids)]
        if c.rule == "all":
            met = bool(servers) and len(hits) == len(servers)
            partly = bool(hits) and not met
        else:
            met, partly = bool(hits), False
        if met:
            status = "strained" if strains else "met"
        elif partly:
            status = "partly"
        else:
            status = "against" if strains else "open"
        missing = tuple(r.label for r in servers if r.id not in chosen_ids) if c.rule == "all" else ()
        results.append(CriterionResult(c, status, tuple(r.label for r in hits), missing,
                                       tuple(r.label for r in strains)))
    signals = {s: tuple(r.label for r in chosen if r.nk_signal == s) for s in SIGNAL_LABELS}
    return AgendaReport(chosen, tuple(results), tuple(messages), signals)


def _basis(row: AgendaRow) -> str:
    if not row.tradeoff_basis or row.tradeoff_basis == ("inference",):
        return "the workbook's inference"
    names = [SHORT.get(b, b) for b in row.tradeoff_basis if b != "inference"]
    extra = " and the workbook's inference" if "inference" in row.tradeoff_basis else ""
    return "from " + " and ".join(names) + extra


def render_report(report: AgendaReport) -> str:
    """The agenda report as HTML: summary, criteria table, trade-offs, Pyongyang's reported stance."""
    esc = html.escape
    parts = ['<div class="nkhr-agenda">']
    for m in report.messages:
        parts.append(f'<p class="nkhr-message">{esc(m)}</p>')
    n = len(report.results)
    summary = (f"<b>Criteria met:</b> {report.count('met')} of {n} cleanly, {report.count('strained')} under strain, "
               f"{report.count('partly')} partly. <b>Not addressed:</b> {report.count('open')}. "
               f"<b>Pulled against:</b> {report.count('against')}.")
    parts.append(f"<p>{summary}</p>")
    parts.append("<p><i>There is no single right agenda: every choice that meets one reading's criterion costs "
                 "something on another's, or on what Pyongyang is likely to accept. Decide what you will trade, and "
                 "be ready to defend it.</i></p>")
    parts.append('<table><tr class="nkhr-head">'
                 "<th>Criterion (reading)</th><th>Result</th><th>Why</th></tr>")
    for res in report.results:
        c = res.criterion
        why = []
        if res.met_by:
            why.append("met by: " + "; ".join(res.met_by))
        if res.missing and res.status == "partly":
            why.append("still missing: " + "; ".join(res.missing))
        if res.strained_by:
            why.append("pulled against by: " + "; ".join(res.strained_by))
        parts.append(
            '<tr class="nkhr-row">'
            f'<td title="{esc(c.detail)}"><b>{esc(c.label)}</b><br><span class="nkhr-small">'
            f"{esc(cite(c.source, c.para))}</span></td>"
            f"<td>{_STATUS_MARK[res.status]} {esc(STATUS_LABELS[res.status])}</td>"
            f"<td>{esc('; '.join(why)) or '—'}</td></tr>")
    parts.append("</table>")
    if report.chosen:
        parts.append("<p><b>Trade-offs of your choices</b></p><ul>")
        for r in report.chosen:
            parts.append(f"<li><b>{esc(r.label)}.</b> {esc(r.tradeoff)} <span class='nkhr-small'>"
                         f"({esc(_basis(r))})</span></li>")
        parts.append("</ul><p><b>What the readings report about Pyongyang's stance on your agenda</b></p><ul>")
        for signal, label in SIGNAL_LABELS.items():
            chosen = [r for r in report.chosen if r.nk_signal == signal]
            if chosen:
                notes = " ".join(f"{r.label}: {r.nk_note}" for r in chosen if r.nk_note)
                parts.append(f"<li><b>It {esc(label)}</b> ({len(chosen)}). {esc(notes)}</li>")
        parts.append("</ul>")
    parts.append("</div>")
    return "".join(parts)


# ---------------------------------------------------------------- the agenda builder (widget)

@explore.guarded("The agenda builder cannot start")
def agenda_builder() -> None:
    """Tick agenda items and conditions (or start from a policy option) and see the report update."""
    import ipywidgets as w
    from IPython.display import display

    rows = load_agenda()
    boxes = {r.id: w.Checkbox(value=False, description=r.label, indent=False,
                              layout=w.Layout(width="auto"), style={"description_width": "initial"})
             for r in rows if r.kind != "criterion"}
    options = load_options(rows)
    preset = w.Dropdown(options=[("(start from scratch)", "")] + [(o.name, o.id) for o in options],
                        value="", description="Start from a policy option:", style={"description_width": "initial"})
    clear = w.Button(description="Clear all", icon="eraser")
    out = w.HTML(render_report(check_agenda([], rows)))
    busy = {"on": False}

    def update(*_):
        if not busy["on"]:
            out.value = render_report(check_agenda([k for k, b in boxes.items() if b.value], rows))

    def set_all(ids: Iterable[str]) -> None:
        busy["on"] = True
        wanted = set(ids)
        for k, b in boxes.items():
            b.value = k in wanted
        busy["on"] = False
        update()

    presets = {o.id: o.preset for o in options}
    preset.observe(lambda ch: set_all(presets.get(ch["new"], ())) if ch["new"] else None, names="value")
    clear.on_click(lambda _: (setattr(preset, "value", ""), set_all(())))
    for b in boxes.values():
        b.observe(update, names="value")
    items = [boxes[r.id] for r in rows if r.kind == "item"]
    conds = [boxes[r.id] for r in rows if r.kind == "condition"]
    form = w.VBox([
        w.HBox([preset, clear]),
        w.HTML("<b>Agenda items</b> (what the talks cover)"), w.VBox(items),
        w.HTML("<b>Conditions</b> (how the talks are run)"), w.VBox(conds),
        w.HTML("<hr class='nkhr-rule'>"), out,
    ])
    display(ui.panel([form]))


# ---------------------------------------------------------------- lesson 06: what changed

@charts.friendly
def what_changed(start: int = 2009, end: int = 2022) -> charts.Chart:
    """Two panels on one time axis: where each reading stands (positions.csv) and the events they date
    (timeline.csv), ``start``–``end``."""
    import matplotlib.pyplot as plt
    positions = load("positions.csv")
    events = [r for r in load("timeline.csv") if start <= int(r["date"][:4]) <= end]
    lanes = [lane for lane in charts.LANES if any((r["mechanism"] or "other") == lane for r in events)]
    title = f"What changed, {start}–{end}: where the readings stand, and what happened around them"
    with plt.rc_context(charts.STYLE):
        fig, (top, bottom) = plt.subplots(2, 1, figsize=(12, 9.6), sharex=True, layout="constrained",
                                          gridspec_kw={"height_ratios": [5, 4.2]})
    charts.title_figure(fig, charts.wrap(title, 80))
    plotted: list[tuple[str, float]] = []
    for r in positions:
        x = charts._when(str(r["date"]))
        feffer = r["id"].startswith("feffer")
        colour = charts.PALETTE["grey"] if feffer else charts.PALETTE["vermillion"]
        top.plot(x, r["position"], "o", markersize=14, color=colour, markeredgecolor="black",
                 markerfacecolor="white" if feffer else colour, markeredgewidth=1.5)
        label = r.get("label") or SHORT.get(r["source"], r["source"])
        top.annotate(charts.wrap(f"{label}: {charts.fmt_number(r['position'])}", 24), (x, r["position"]),
                     xytext=(12, 0), textcoords="offset points", va="center", fontsize=11.5)
        plotted.append((r["id"], r["position"]))
    top.set_ylim(-0.5, 10.5)
    top.set_yticks([0, 2, 4, 6, 8, 10], ["0 engagement\nfirst", "2", "4", "6", "8", "10 pressure\nfirst"])
    top.set_ylabel("position (0–10)")
    top.grid(axis="y", color="#E5E5E5")
    top.set_title("Where each reading stands (workbook's placement, readings/positions.csv)", loc="left", fontsize=13)
    for r in events:
        x = charts._when(r["date"])
        bottom.plot(x, lanes.index(r["mechanism"] or "other"), "o", markersize=10, color=charts.PALETTE["blue"],
                    markeredgecolor="white", alpha=0.9)
        plotted.append((r["id"], x))
    bottom.set_yticks(range(len(lanes)), lanes)
    bottom.set_ylim(len(lanes) - 0.5, -0.7)
    bottom.set_title("Events the readings date, by mechanism (readings/timeline.csv)", loc="left", fontsize=13)
    bottom.grid(axis="x", color="#E5E5E5")
    for ax in (top, bottom):
        ax.axvspan(2013, 2015, color=charts.PALETTE["yellow"], alpha=0.18)
    bottom.text(2014, -0.45, "COI and its aftermath", ha="center", va="center", fontsize=10.5)
    bottom.set_xlim(start - 0.5, end + 1.6)
    bottom.set_xticks(range(start, end + 1))
    bottom.tick_params(axis="x", labelsize=11.5)
    shown = ", ".join(f"{r.get('label') or SHORT.get(r['source'])} ({str(r['date'])[:4]}) at "
                      f"{charts.fmt_number(r['position'])}" for r in positions)
    counts = ", ".join(f"{lane} {sum((e['mechanism'] or 'other') == lane for e in events)}" for lane in lanes)
    alt = (f"Two panels sharing a time axis from {start} to {end}. Top: where each reading stands on a scale from 0 "
           f"(engagement first) to 10 (pressure first), as the workbook places it: {shown}. Bottom: {len(events)} "
           f"dated events from the readings, by mechanism ({counts}); they cluster around the Commission of Inquiry "
           "in 2013–2014 and again in 2022. Later readings sit further toward pressure.")
    order = [s["id"] for s in load("sources.csv")]
    sources = sorted({r["source"] for r in positions} | {r["source"] for r in events}, key=order.index)
    note = ("Positions are the workbook's judgement, argued in positions.csv; Feffer (hollow marker) is placed from "
            "Cohen's report of his view. Dates given only as a year are drawn mid-year.")
    return charts.finish(fig, title, sources, alt, plotted, note,
                         table="positions.csv and readings/timeline.csv", noun="row")


@explore.guarded("The positions cannot be shown")
def positions_explorer() -> None:
    """Pick a reading and see where the workbook places it, why, and the quotation it rests on."""
    from .explore import explorer, quote_card

    rows = load("positions.csv")
    lookup = {r["id"]: r for r in rows}

    def render(rid: str) -> str:
        r = lookup[rid]
        heading = (f"{html.escape(r.get('label') or SHORT.get(r['source'], r['source']))}: "
                   f"{charts.fmt_number(r['position'])} on the 0–10 scale ({html.escape(str(r['date']))})")
        extra = (f"<b>Why there:</b> {html.escape(r['justification'])}<br>"
                 f"<b>What it would put on the agenda:</b> {html.escape(r['agenda'])}")
        return quote_card(r["quote"], r["source"], heading=heading, extra=extra)

    explorer([(r.get("label") or r["id"], r["id"]) for r in rows], render, label="Reading:")
