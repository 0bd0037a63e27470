"""Charts of the readings' figures, in one readable, colour-blind-safe style.

Every chart takes its numbers only from ``readings/*.csv`` (through :mod:`nkhr.data`), carries a
title, a caption naming its sources inside the image, and a text description (alt text) shown
under it. Each returns a :class:`Chart` whose ``plotted`` list records what was drawn, so tests
can check the picture against the data.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Callable

import functools
import textwrap

from typing import TYPE_CHECKING

if TYPE_CHECKING:  # matplotlib is imported where a chart is drawn, so lessons import without it
    import matplotlib.text
    import matplotlib.pyplot as plt
    from matplotlib.figure import Figure

from .data import DataError, by_id, load

# Okabe & Ito (2008): distinguishable with the common forms of colour blindness.
PALETTE = {
    "blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00",
    "sky": "#56B4E9", "purple": "#CC79A7", "yellow": "#F0E442", "grey": "#8C8C8C", "black": "#000000",
}
DERIVED_HATCH = "///"
WIDTH = 9.1  # inches: at 100 dpi the chart fits a laptop's notebook column unshrunk (see DISPLAY_PX)
STYLE = {
    "font.size": 13, "axes.titlesize": 16, "axes.titleweight": "bold", "axes.labelsize": 13,
    "xtick.labelsize": 12, "ytick.labelsize": 12, "axes.spines.top": False, "axes.spines.right": False,
    "figure.dpi": 100, "savefig.dpi": 100, "font.family": "DejaVu Sans",
}


@dataclass
class Chart:
    """A drawn chart plus what a reader and a test need to know about it."""

    fig: Figure
    title: str
    caption: str
    alt: str
    plotted: list[tuple[str, float]] = field(default_factory=list)  # (row id, value) in drawing order


@dataclass
class Unavailable:
    """Stands in for a chart whose data could not be read; :func:`show` explains why."""

    reason: str


def friendly(builder):
    """Wrap a chart builder so a data problem becomes a message in the lesson, not a traceback."""

    @functools.wraps(builder)
    def wrapper(*args, **kwargs):
        try:
            return builder(*args, **kwargs)
        except DataError as exc:
            return Unavailable(str(exc))
    return wrapper


def source_names(ids: list[str]) -> str:
    """'Cohen 2010; Lee 2022' from source ids, in the order given, without repeats."""
    shorts = by_id("sources.csv")
    seen = []
    for sid in ids:
        name = shorts[sid]["short"] if sid in shorts else sid
        if name not in seen:
            seen.append(name)
    return "; ".join(seen)


def new_figure(title: str, size: tuple[float, float]) -> tuple[Figure, plt.Axes]:
    """A one-axes figure in the workbook style, titled."""
    import matplotlib.pyplot as plt
    with plt.rc_context(STYLE):
        fig, ax = plt.subplots(figsize=size, layout="constrained")
    title_figure(fig, title)
    return fig, ax


def title_figure(fig: Figure, title: str) -> None:
    fig.suptitle(title, x=0.01, ha="left", fontsize=16, fontweight="bold")


def _caption(fig: Figure, text: str) -> None:
    fig.get_layout_engine().set(h_pad=0.15)
    fig.supxlabel(text, x=0.01, ha="left", fontsize=11.5, color="#333333", wrap=True)


def finish(fig: Figure, title: str, sources: list[str], alt: str, plotted, note: str = "",
            table: str = "figures.csv", noun: str = "") -> Chart:
    """Caption the figure with its sources (inside the image) and wrap it as a :class:`Chart`."""
    noun = noun or ("event" if table == "timeline.csv" else "figure")
    caption = f"Sources: {source_names(sources)} (readings/{table}, each {noun} with its verbatim quote). {note}".strip()
    _caption(fig, caption)
    return Chart(fig, title, caption, alt, plotted)


def fmt_number(value: float) -> str:
    """120000 -> '120,000'; 3.5 -> '3.5'."""
    return f"{value:,.0f}" if float(value).is_integer() else f"{value:,.1f}"


def figure_bars(ax: plt.Axes, rows: list[dict], colours: dict[str, str], names: dict[str, str],
                fontsize: float = 14) -> list[tuple[str, float]]:
    """Horizontal bars for figures.csv rows, top to bottom: cited ones solid, derived ones hatched and
    labelled "(derived)". Returns what was drawn, as (row id, value)."""
    plotted = []
    for i, r in enumerate(rows):
        derived = r["kind"] == "derived"
        colour = colours[r["id"]]
        ax.barh(i, r["value"], height=0.6, color="white" if derived else colour, edgecolor=colour,
                hatch=DERIVED_HATCH if derived else None, linewidth=1.5)
        ax.annotate(fmt_number(r["value"]) + (" (derived)" if derived else ""), (r["value"], i), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=fontsize, fontweight="bold")
        plotted.append((r["id"], r["value"]))
    ax.set_yticks(range(len(rows)), [names[r["id"]] for r in rows])
    ax.invert_yaxis()
    return plotted


# ---------------------------------------------------------------- the record (lesson 01)

@friendly
def camp_estimates() -> Chart:
    """Estimates of the political-prison-camp population, by reading: ranges drawn as ranges."""
    import matplotlib.ticker
    rows = [r for r in load("figures.csv") if r["topic"] == "camps" and r["kind"] == "cited"]
    rows.sort(key=lambda r: str(r["as_of"]))
    title = "Prison-camp population: two estimates, four years apart"
    fig, ax = new_figure(title, (WIDTH, 1.6 + 1.1 * len(rows)))
    shorts = by_id("sources.csv")
    plotted = []
    for i, r in enumerate(rows):
        lo, hi = r["value"], r["value_high"] or r["value"]
        colour = PALETTE["blue"] if r["value_high"] else PALETTE["orange"]
        if r["value_high"]:
            ax.barh(i, hi - lo, left=lo, height=0.45, color=colour, alpha=0.85)
            label = f"{fmt_number(lo)} to {fmt_number(hi)}"
        else:
            ax.plot([lo], [i], marker="D", markersize=12, color=colour)
            label = fmt_number(lo)
        ax.annotate(label, (hi, i), xytext=(10, 0), textcoords="offset points", va="center", fontsize=13)
        plotted += [(r["id"], lo)] + ([(r["id"], hi)] if r["value_high"] else [])
    ax.set_yticks(range(len(rows)), [f"{shorts[r['source']]['short']}\n" + wrap(f"(figure as of {r['as_of']})", 20)
                                     if str(r["as_of"]) != shorts[r["source"]]["date"][:4] else shorts[r["source"]]["short"]
                                     for r in rows])
    ax.set_xlim(0, 250_000)
    ax.margins(y=0.35)  # keep the markers clear of the axis
    ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    ax.set_xlabel("people held (estimate)")
    ax.invert_yaxis()
    alt = "Horizontal chart. " + " ".join(
        f"{shorts[r['source']]['short']}: {fmt_number(r['value'])}" + (f" to {fmt_number(r['value_high'])}" if r["value_high"] else "")
        + " people." for r in rows) + " The two readings disagree; neither explains how its estimate was made."
    return finish(fig, title, [r["source"] for r in rows], alt, plotted,
                   "Cohen 2010's range comes from a 2003 report (her note ii). The chart shows both; it does not pick one.")


@friendly
def freedom_house() -> Chart:
    """Freedom House 2022 scores for North Korea (by part) and China, each against its maximum."""
    f = by_id("figures.csv")
    bars = [  # (label, score row, maximum row)
        ("North Korea: political rights", "fh2022_nk_political", "fh2022_political_max"),
        ("North Korea: civil liberties", "fh2022_nk_civil", "fh2022_civil_max"),
        ("North Korea: total", "fh2022_nk_total", "fh2022_total_max"),
        ("China: total", "fh_china_total_lee2022", "fh2022_total_max"),
    ]
    title = "Freedom House 2022: scores out of the maximum possible"
    fig, ax = new_figure(title, (WIDTH, 4.4))
    plotted = []
    for i, (label, sid, mid) in enumerate(bars):
        score, top = f[sid]["value"], f[mid]["value"]
        ax.barh(i, top, color="#EEEEEE", height=0.6, edgecolor="#BBBBBB")
        colour = PALETTE["vermillion"] if label.startswith("North") else PALETTE["blue"]
        ax.barh(i, score, color=colour, height=0.6)
        ax.annotate(f"{fmt_number(score)} of {fmt_number(top)}", (max(score, 0), i), xytext=(8, 0),
                    textcoords="offset points", va="center", fontsize=13, fontweight="bold")
        plotted += [(sid, score), (mid, top)]
    ax.set_yticks(range(len(bars)), [b[0] for b in bars])
    ax.invert_yaxis()
    ax.set_xlim(0, 105)
    ax.set_xlabel("score (grey bar = maximum possible)")
    alt = ("Bar chart. North Korea scored {} of {} for political rights, {} of {} for civil liberties and {} of {} "
           "in total; China scored {} of {} in total.").format(*[fmt_number(v) for _, v in plotted])
    return finish(fig, title, [f[b[1]]["source"] for b in bars], alt, plotted,
                   "Both scores as Lee (2022) reports them.")


@friendly
def pows_and_abductees() -> Chart:
    """Korean War prisoners of war and post-war abductees: cited figures, with derived ones hatched."""
    import matplotlib.pyplot as plt
    import matplotlib.ticker
    f = by_id("figures.csv")
    panels = [
        ("Prisoners of war (Korean War)", ["pows_held_lee2022", "pows_returned_lee2022", "pows_not_returned_lee2022",
                                           "pows_escaped_lee2022"]),
        ("South Koreans abducted since 1953", ["abductees_total_lee2022", "abductees_remaining_lee2022",
                                               "abductees_not_in_north_lee2022"]),
    ]
    title = "Prisoners of war and abductees, as Lee (2022) counts them"
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(2, 1, figsize=(WIDTH, 8.4), layout="constrained",
                                 gridspec_kw={"height_ratios": [4, 3]})
    title_figure(fig, title)
    plotted = []
    for ax, (panel, ids) in zip(axes, panels):
        plotted += figure_bars(ax, [f[i] for i in ids], {i: PALETTE["blue"] for i in ids},
                               {i: wrap(f[i]["label"], 34) for i in ids}, fontsize=12)
        ax.tick_params(axis="y", labelsize=12)
        ax.set_title(panel, loc="left", fontsize=13)
        ax.set_xlim(0, max(f[i]["value"] for i in ids) * 1.7)
        ax.xaxis.set_major_locator(matplotlib.ticker.MaxNLocator(4))
        ax.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda x, _: f"{x:,.0f}"))
    derivations = "; ".join(f[i]["derivation"].split(" (")[0] for _, ids in panels for i in ids if f[i]["kind"] == "derived")
    alt = "Two bar charts. " + " ".join(f"{f[i]['label']}: {fmt_number(v)}." for i, v in plotted)
    return finish(fig, title, ["lee2022"], alt, plotted,
                   f"Hatched bars are derived by the workbook, not given in the text: {derivations}. All figures approximate.")


@friendly
def figure_cards(ids: list[str], title: str) -> Chart:
    """Big-number cards for single figures (a chart of one number would mislead)."""
    import matplotlib.pyplot as plt
    import matplotlib.patches
    f = by_id("figures.csv")
    missing = [i for i in ids if i not in f]
    if missing:
        raise DataError(f"readings/figures.csv has no row with id {', '.join(missing)}.")
    with plt.rc_context(STYLE):
        fig, axes = plt.subplots(1, len(ids), figsize=(min(WIDTH, 4.2 * len(ids)), 3.6), layout="constrained", squeeze=False)
    title_figure(fig, title)
    plotted = []
    shorts = by_id("sources.csv")
    for ax, rid in zip(axes[0], ids):
        r = f[rid]
        ax.axis("off")
        ax.add_patch(matplotlib.patches.FancyBboxPatch((0.02, 0.02), 0.96, 0.96, boxstyle="round,pad=0.01",
                                                       transform=ax.transAxes, facecolor="#F4F8FB", edgecolor=PALETTE["sky"]))
        ax.text(0.5, 0.74, fmt_number(r["value"]), ha="center", va="center", fontsize=30, fontweight="bold", color=PALETTE["blue"])
        ax.text(0.5, 0.53, wrap(f"{r['unit']}", 30), ha="center", va="center", fontsize=12, color="#333333")
        ax.text(0.5, 0.31, wrap(r["label"], 32), ha="center", va="center", fontsize=12)
        ax.text(0.5, 0.09, shorts[r["source"]]["short"], ha="center", va="center", fontsize=12, style="italic")
        plotted.append((rid, r["value"]))
    alt = " ".join(f"{f[i]['label']}: {fmt_number(v)} {f[i]['unit']} ({shorts[f[i]['source']]['short']})." for i, v in plotted)
    return finish(fig, title, [f[i]["source"] for i in ids], alt, plotted)


# ---------------------------------------------------------------- the timeline (lesson 00)

LANES = ["UPR", "COI", "HRC", "GA", "UNSC", "Special Rapporteur", "treaty", "bilateral", "sanctions", "other"]


def _when(text: str) -> float:
    """A decimal year for plotting an ISO date of year, month or day precision."""
    parts = [int(p) for p in text.split("-")]
    y, m, d = (parts + [7, 1])[:3] if len(parts) == 1 else (parts + [15])[:3]
    return y + (date(y, m, d).timetuple().tm_yday - 1) / 365.25


@friendly
def timeline(start: int = 2003, end: int = 2022) -> Chart:
    """Events the readings date, one lane per UN mechanism or kind of action."""
    rows = [r for r in load("timeline.csv") if start <= int(r["date"][:4]) <= end]
    lanes = [lane for lane in LANES if any((r["mechanism"] or "other") == lane for r in rows)]
    title = f"What the readings date, {start}–{end}, by mechanism"
    fig, ax = new_figure(title, (WIDTH, 1.9 + 0.6 * len(lanes)))
    plotted = []
    for r in rows:
        lane = lanes.index(r["mechanism"] or "other")
        x = _when(r["date"])
        scheduled = r.get("status") == "scheduled"
        ax.plot(x, lane, "o", markersize=11, color="white" if scheduled else PALETTE["blue"],
                markeredgecolor=PALETTE["blue"] if scheduled else "white", markeredgewidth=2 if scheduled else 1)
        plotted.append((r["id"], x))
    ax.set_yticks(range(len(lanes)), lanes)
    ax.set_xlim(start - 0.5, end + 1.4)  # room for a November marker's whole dot
    ax.set_xticks(range(start, end + 1, 2))
    ax.set_ylim(len(lanes) - 0.5, -1.3)
    ax.grid(axis="x", color="#DDDDDD")
    ax.axvspan(2013, 2015, color=PALETTE["yellow"], alpha=0.18)
    ax.text(2014, -0.95, "Commission of Inquiry\nand its aftermath", ha="center", va="center", fontsize=12)
    counts = {lane: sum((r["mechanism"] or "other") == lane for r in rows) for lane in lanes}
    alt = (f"Dot chart of {len(rows)} dated events from {start} to {end}, one row per mechanism: "
           + ", ".join(f"{lane} {n}" for lane, n in counts.items())
           + ". Events cluster in 2013–2014, around the Commission of Inquiry, and again in 2022.")
    order = [s["id"] for s in load("sources.csv")]
    sources = sorted({r["source"] for r in rows}, key=order.index)
    return finish(fig, title, sources, alt, plotted, "Hollow dots: events the reading expected (scheduled), not events "
                  "it reports. Dates given only as a year are drawn mid-year.", table="timeline.csv")


def wrap(text: str, width: int) -> str:
    """Wrap a label onto lines of at most ``width`` characters."""
    return "\n".join(textwrap.wrap(str(text), width)) or str(text)


# ---------------------------------------------------------------- legibility and contrast (issue 18)

# A lesson's output column in a 1366-px-wide JupyterLab with the file browser open is 914 CSS px
# wide; a wider PNG is shrunk to fit, and its text with it. Text must be at least 12 pt (16 CSS px) there.
DISPLAY_PX = 914  # measured: Chromium, JupyterLab 4.6, 1366 × 768, file browser open
MIN_TEXT_PX = 16
TEXT_CONTRAST = 4.5
MARK_CONTRAST = 3.0
DARK_EDGE = "#1A1A1A"


def luminance(colour) -> float:
    """WCAG relative luminance of a Matplotlib colour (alpha blended onto white)."""
    import matplotlib.colors
    r, g, b, a = matplotlib.colors.to_rgba(colour)
    chans = [a * c + (1 - a) for c in (r, g, b)]
    lin = [c / 12.92 if c <= 0.03928 else ((c + 0.055) / 1.055) ** 2.4 for c in chans]
    return 0.2126 * lin[0] + 0.7152 * lin[1] + 0.0722 * lin[2]


def contrast(a, b) -> float:
    """WCAG contrast ratio of two colours (1 to 21)."""
    hi, lo = sorted((luminance(a), luminance(b)), reverse=True)
    return (hi + 0.05) / (lo + 0.05)


def shown_scale(fig: Figure) -> float:
    """How much the notebook shrinks this figure: 1 when it fits the column, less when it is wider."""
    width_px = fig.get_figwidth() * fig.get_dpi()
    return min(1.0, DISPLAY_PX / width_px)


def shown_px(fig: Figure, fontsize: float) -> float:
    """The height in CSS px of ``fontsize``-point text as the notebook shows the figure."""
    return fontsize / 72 * fig.get_dpi() * shown_scale(fig)


def texts(fig: Figure) -> list[matplotlib.text.Text]:
    """Every text the figure draws: titles, captions, axis labels, the tick labels shown, annotations."""
    found = [fig._suptitle, fig._supxlabel, fig._supylabel, *fig.texts]
    for ax in fig.axes:
        if not ax.get_visible():
            continue
        found += [*ax.texts, ax.title, ax._left_title, ax._right_title]
        if ax.axison:
            found += [ax.xaxis.label, ax.yaxis.label]
            for axis in (ax.xaxis, ax.yaxis):
                if axis.get_visible():
                    for tick in axis._update_ticks():  # the ticks drawn (inside the view), not all made
                        found += [lab for lab, on in ((tick.label1, tick.label1.get_visible()),
                                                      (tick.label2, tick.label2.get_visible())) if on]
        legend = ax.get_legend()
        if legend is not None:
            found += list(legend.get_texts())
    unique = list({id(t): t for t in found if t is not None}.values())
    return [t for t in unique if t.get_visible() and t.get_text().strip()]


def _text_centre(text: matplotlib.text.Text):
    """Where ``text`` is anchored, in display pixels (annotations: their text position)."""
    import matplotlib.text
    renderer = text.figure.canvas.get_renderer()
    if isinstance(text, matplotlib.text.Annotation):
        return text._get_xy(renderer, text.xyann, text.anncoords)  # Matplotlib's own resolver
    return text.get_transform().transform(text.get_position())


def _marker_under(text: matplotlib.text.Text):
    """The face colour of a single-point marker drawn exactly where ``text`` is centred, or None."""
    if text.axes is None:
        return None
    where = _text_centre(text)
    for line in text.axes.lines:
        if line.get_marker() in (None, "None", "", " ") or len(line.get_xdata()) != 1:
            continue
        at = line.get_transform().transform(line.get_xydata()[0])
        if abs(at[0] - where[0]) < 1 and abs(at[1] - where[1]) < 1:
            return line.get_markerfacecolor()
    return None


def _min_tick_size(ax: plt.Axes, need: float) -> None:
    """Tick labels are re-made at drawing time, so their size is set on the axis, not on the labels."""
    for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
        labels = [t for t in axis.get_ticklabels(which="both") if t.get_text().strip()]
        if axis.get_visible() and labels and min(t.get_fontsize() for t in labels) < need - 1e-6:
            ax.tick_params(axis=name, which="both", labelsize=need)


def _raise_text(fig: Figure) -> Callable[[], None]:
    """Raise every text below 12 pt as shown to 12 pt; return a function that undoes it."""
    need = MIN_TEXT_PX / (fig.get_dpi() / 72 * shown_scale(fig))
    sizes = {t: t.get_fontsize() for t in texts(fig)}
    ticks = []
    for ax in fig.axes:
        for name, axis in (("x", ax.xaxis), ("y", ax.yaxis)):
            labels = [t for t in axis.get_ticklabels() if t.get_text().strip()]
            if labels:
                ticks.append((ax, name, labels[0].get_fontsize()))
        _min_tick_size(ax, need)
    for t, size in sizes.items():
        if size < need - 1e-6:
            t.set_fontsize(need)

    def undo() -> None:
        for ax, name, size in ticks:
            ax.tick_params(axis=name, which="both", labelsize=size)
        for t, size in sizes.items():
            t.set_fontsize(size)
    return undo


def make_legible(fig: Figure) -> bool:
    """Raise small text to 12 pt as shown, and give text and marks enough contrast.

    Text on a marker is black or white, whichever reads better on it; other text is darkened until it
    reaches 4.5 : 1 on white; light markers and bars get a dark outline (3 : 1 for marks). When the
    layout has no room for 12-pt text (text would run into text or off the figure), the sizes stay as
    drawn: overlapping text is worse than small text. Returns whether the text reached 12 pt.
    """
    import matplotlib.colors
    fig.canvas.draw()  # lay out once, so positions are final
    crowded_before = len(overlapping_texts(fig))
    undo = _raise_text(fig)
    raised = len(overlapping_texts(fig)) <= crowded_before
    if not raised:
        undo()
    for t in texts(fig):
        face = _marker_under(t)
        if face is not None:
            t.set_color(max(("#000000", "#FFFFFF"), key=lambda c: contrast(c, face)))
            continue
        colour = t.get_color()
        while contrast(colour, "white") < TEXT_CONTRAST:
            colour = tuple(0.85 * c for c in matplotlib.colors.to_rgb(colour))
        t.set_color(colour)
    for ax in fig.axes:
        for line in ax.lines:
            face = line.get_markerfacecolor()
            if line.get_marker() not in (None, "None", "", " ") and contrast(face, "white") < MARK_CONTRAST:
                if contrast(line.get_markeredgecolor(), "white") < MARK_CONTRAST:
                    line.set_markeredgecolor(DARK_EDGE)
                    line.set_markeredgewidth(max(1.2, line.get_markeredgewidth()))
        for coll in ax.collections:
            faces, edges = coll.get_facecolor(), coll.get_edgecolor()
            if len(faces) and len(coll.get_offsets()) and all(contrast(f, "white") < MARK_CONTRAST for f in faces) \
                    and (not len(edges) or all(contrast(e, "white") < MARK_CONTRAST for e in edges)):
                coll.set_edgecolor(DARK_EDGE)
        for bars in ax.containers:
            for patch in getattr(bars, "patches", []):
                if (contrast(patch.get_facecolor(), "white") < MARK_CONTRAST
                        and contrast(patch.get_edgecolor(), "white") < MARK_CONTRAST):
                    patch.set_edgecolor(DARK_EDGE if patch.get_facecolor()[:3] != (1.0, 1.0, 1.0) else "#595959")
                    patch.set_linewidth(max(1.0, patch.get_linewidth()))
    return raised


def overlapping_texts(fig: Figure) -> list[tuple[str, str]]:
    """Pairs of texts whose drawn boxes overlap (a sign the layout cannot take the text size)."""
    fig.canvas.draw()
    renderer = fig.canvas.get_renderer()
    boxes = [(t.get_text(), t.get_window_extent(renderer)) for t in texts(fig)]
    fig_box = fig.bbox
    out = []
    for i, (a, box_a) in enumerate(boxes):
        if box_a.x0 < fig_box.x0 - 1 or box_a.x1 > fig_box.x1 + 1:
            out.append((a, "(outside the figure)"))
        for b, box_b in boxes[i + 1:]:
            if box_a.overlaps(box_b) and box_a.intersection(box_a, box_b).width > 2 \
                    and box_a.intersection(box_a, box_b).height > 2:
                out.append((a, b))
    return out


# ---------------------------------------------------------------- showing a chart

def _png(fig: Figure) -> bytes:
    import io

    buffer = io.BytesIO()
    fig.savefig(buffer, format="png", metadata={"Software": None})
    return buffer.getvalue()


def figure_html(chart: Chart, png: bytes) -> str:
    """The chart as an HTML figure: the image with a short ``alt``, and the long description in a
    ``<details>`` that the image's ``aria-describedby`` points to (screen readers reach it either way)."""
    import base64
    import hashlib
    import html

    ident = "nkhr-desc-" + hashlib.sha1((chart.title + chart.alt).encode()).hexdigest()[:10]
    width = round(chart.fig.get_figwidth() * chart.fig.get_dpi())
    src = "data:image/png;base64," + base64.b64encode(png).decode("ascii")
    return (f'<figure class="nkhr-chart" style="margin:0 0 6px 0;max-width:{width}px">'
            f'<img src="{src}" alt="{html.escape(chart.title, quote=True)}. Chart; described below." '
            f'aria-describedby="{ident}" style="width:100%;height:auto;background:#fff">'
            f'<figcaption><details><summary>Text description of the chart “{html.escape(chart.title)}”</summary>'
            f'<p id="{ident}">{html.escape(chart.alt)} {html.escape(chart.caption)}</p></details></figcaption></figure>')


def show(chart: Chart | Unavailable) -> None:
    """Display a chart in a notebook as a figure with alt text and a text description, then free it.

    The output carries ``text/html`` (JupyterLab: the accessible figure), ``image/png`` (other
    viewers, nbval) and ``text/plain`` (the description).
    """
    import matplotlib.pyplot as plt
    import base64

    from IPython.display import Markdown, display

    if isinstance(chart, Unavailable):
        display(Markdown(f"**This chart cannot be drawn:** {chart.reason}"))
        return
    make_legible(chart.fig)
    png = _png(chart.fig)
    bundle = {"text/html": figure_html(chart, png), "image/png": base64.b64encode(png).decode("ascii"),
              "text/plain": f"{chart.title}. {chart.alt}"}
    display(bundle, raw=True)
    plt.close(chart.fig)


def save_png(chart: Chart, path) -> None:
    """Write a chart to PNG as the notebook shows it (used to review every chart by eye)."""
    import matplotlib.pyplot as plt
    make_legible(chart.fig)
    chart.fig.savefig(path)
    plt.close(chart.fig)
