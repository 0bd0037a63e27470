"""Small interactive explorers for lessons: pick an item, see its figure, source and quote.

Everything shown comes from ``readings/*.csv`` rows; nothing is typed into a lesson by hand.
"""

from __future__ import annotations

import functools
import html
from typing import Callable, Iterable

import ipywidgets as w
from IPython.display import HTML, display

from . import ui
from .charts import fmt_number
from .data import DataError, by_id, load

GUIDES = {  # source id -> reading guide (relative to notebooks/)
    "cohen2010": "../readings/cohen-2010-engaging.md",
    "wertz2014": "../readings/wertz-2014-chance-for-progress.md",
    "cohen2014": "../readings/cohen-2014-dialogue.md",
    "son2017": "../readings/son-2017-upr-spotlight.md",
    "lee2022": "../readings/lee-2022-international-cooperation.md",
}


def guarded(what: str) -> Callable:
    """Decorate a widget function: a data problem shows "<what>: <reason>" instead of a traceback."""

    def wrap(show: Callable) -> Callable:
        @functools.wraps(show)
        def wrapper(*args, **kwargs):
            try:
                return show(*args, **kwargs)
            except DataError as exc:
                display(HTML(f"<b>{html.escape(what)}:</b> {html.escape(str(exc))}"))
        return wrapper
    return wrap


def source_line(source_id: str) -> str:
    """'Cohen 2014 — "A Human Rights Dialogue…", 38 North, 2014-10-16' as HTML with a guide link."""
    s = by_id("sources.csv").get(source_id)
    if s is None:
        return html.escape(source_id)
    guide = GUIDES.get(source_id)
    name = f'<a href="{guide}" target="_blank">{html.escape(s["short"])}</a>' if guide else html.escape(s["short"])
    return f'{name} — {html.escape(s["title"])}, {html.escape(s["outlet"])}, {html.escape(s["date"])}'


def quote_card(text: str, source_id: str, *, heading: str = "", extra: str = "") -> str:
    """An HTML card: optional heading, the verbatim quote, its source, and a note."""
    parts = ['<div class="nkhr-card" style="border-left:4px solid #0072B2;padding:6px 12px;margin:4px 0;'
             'background:#F7FAFC;line-height:1.45">']
    if heading:
        parts.append(f'<div style="font-size:1.15em;font-weight:bold">{heading}</div>')
    if text:
        parts.append(f'<div style="margin:6px 0"><i>“{html.escape(text)}”</i></div>')
    parts.append(f'<div style="font-size:0.92em">Source: {source_line(source_id)}</div>')
    if extra:
        parts.append(f'<div style="font-size:0.92em;margin-top:4px">{extra}</div>')
    parts.append("</div>")
    return "".join(parts)


def figure_card(row: dict) -> str:
    """The card for one row of figures.csv: number, unit, date, quote or derivation."""
    value = fmt_number(row["value"]) + (f" to {fmt_number(row['value_high'])}" if row["value_high"] else "")
    heading = f'{html.escape(row["label"])}: {value} <span style="font-weight:normal">{html.escape(row["unit"])}</span>'
    extra = f"As of: {html.escape(str(row['as_of']))}."
    if row["kind"] == "derived":
        extra += f" <b>Derived by the workbook</b>, not given in the reading: {html.escape(row['derivation'])}."
    if row.get("note"):
        extra += f" Note: {html.escape(row['note'])}"
    return quote_card(row["quote"], row["source"], heading=heading, extra=extra)


def explorer(options: list[tuple[str, str]], render: Callable[[str], str], *, label: str = "Choose:") -> None:
    """A dropdown of (label, key) pairs; the chosen key's HTML (from ``render``) appears below."""
    pick = w.Dropdown(options=options, description=label, style={"description_width": "initial"},
                      layout=w.Layout(width="auto", max_width="100%"))
    out = w.HTML(render(pick.value) if options else "Nothing to show.")
    out.add_class("nkhr-live")  # a screen reader reads the new card when the choice changes
    pick.observe(lambda change: setattr(out, "value", render(change["new"])), names="value")
    display(ui.panel([pick, out]))


@guarded("The figures cannot be shown")
def figure_explorer(topics: Iterable[str] | None = None) -> None:
    """Pick any figure the readings cite (optionally from some topics) and see its quote and source."""
    rows = [r for r in load("figures.csv") if topics is None or r["topic"] in set(topics)]
    shorts = by_id("sources.csv")
    lookup = {r["id"]: r for r in rows}
    options = [(f"{r['label']} ({shorts[r['source']]['short']})", r["id"]) for r in rows]
    explorer(options, lambda rid: figure_card(lookup[rid]), label="Figure:")


@guarded("The timeline cannot be shown")
def timeline_explorer(start: int = 2003, end: int = 2022) -> None:
    """Pick a mechanism (or all) and list its dated events, start to end, each with its quote."""
    rows = sorted((r for r in load("timeline.csv") if start <= int(r["date"][:4]) <= end), key=lambda r: r["date"])
    lanes = sorted({r["mechanism"] or "other" for r in rows})

    def render(lane: str) -> str:
        chosen = [r for r in rows if lane == "all" or (r["mechanism"] or "other") == lane]
        return "".join(quote_card(r["quote"], r["source"], heading=f"{html.escape(r['date'])} — {html.escape(r['event'])}"
                                  + (" <i>(expected when the reading was written)</i>" if r.get("status") == "scheduled" else ""))
                       for r in chosen)
    options = [(f"{lane} ({sum((r['mechanism'] or 'other') == lane for r in rows)} events)", lane) for lane in lanes]
    explorer(options + [(f"All {len(rows)} events", "all")], render, label="Mechanism:")
