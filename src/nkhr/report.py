"""The grader's class report (``class-report.html``), item analysis (``item-analysis.csv``) and review pages.

**Item analysis**, per question, over the students who have a score for it (written answers
count once scored by hand):

- *difficulty*: the mean proportion of the question's points students earned (1 = everyone
  right; this is the classical item "facility" index);
- *discrimination*: the corrected item–total correlation, the Pearson correlation between the
  question's points and each student's total on the *other* questions (blank when it cannot be
  computed: fewer than 5 students, or everyone scored the same);
- *flag*: non-empty when the question misbehaves: negative or near-zero (below 0.10)
  discrimination, or a wrong option chosen by more of the strongest students than the key (the
  signature of a wrong key). "Strongest" is the top 27 % by score on the other questions.

Every student-supplied text is HTML-escaped; nothing loads from outside the page.
"""

from __future__ import annotations

import csv
import html
import io
import math
import re
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from statistics import median
from typing import TYPE_CHECKING, Any

from .gradeio import atomic_write, clean
from .questions import Question, canon

if TYPE_CHECKING:  # pragma: no cover
    from .bank import Bank
    from .grade import SetData

MIN_STUDENTS = 5  # fewer than this: no discrimination index
NEAR_ZERO = 0.10
TOP_SHARE = 0.27
_BULLET = re.compile(r"^([-*]|\d+\.)\s+")
ITEM_COLUMNS = ["set", "question", "type", "points", "scored", "difficulty", "discrimination", "flag"]


@dataclass
class Item:
    """One question's figures."""

    q: Question
    scored: int
    difficulty: float | None
    discrimination: float | None
    flag: str
    options: list[tuple[str, int, bool]]  # (option, how many chose it, is it the key)


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < 2:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 1e-12 or syy <= 1e-12:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / math.sqrt(sxx * syy)


def _option_counts(q: Question, answers: list[Any], key: Any) -> list[tuple[str, int, bool]]:
    """How often each option was chosen (single) or ticked (multi), and whether the key wants it."""
    if q.type == "single":
        seen = Counter()
        for a, n in Counter(a for a in answers if isinstance(a, str)).items():  # each distinct answer once
            seen[canon(a)] += n
        return [(o, seen[canon(o)], key.accepts(q.id, "choice", canon(o))) for o in q.options]
    if q.type == "multi":
        seen = Counter(canon(x) for a in answers if isinstance(a, list) for x in set(map(str, a)))
        return [(o, seen[canon(o)], key.accepts(q.id, canon(o), "1")) for o in q.options]
    return []


def _wrong_key(q: Question, top: list[Any], key: Any) -> str:
    """A wrong option that more of the strongest students chose than the key, as a flag; else ''."""
    if not top or q.type not in ("single", "multi"):
        return ""
    counts = _option_counts(q, top, key)
    if q.type == "single":
        keyed = max((n for _, n, k in counts if k), default=0)
        wrong = [(n, o) for o, n, k in counts if not k and n > keyed]
        if wrong:
            n, o = max(wrong)
            return (f"a wrong option ('{o}') was chosen by more of the strongest students ({n} of {len(top)}) "
                    f"than the key ({keyed}): check the key")
        return ""
    for o, n, k in counts:  # multi: most of the strongest students disagree with the key on an option
        if (k and n < len(top) / 2) or (not k and n > len(top) / 2):
            return (f"most of the strongest students {'did not tick' if k else 'ticked'} '{o}', "
                    f"against the key: check the key")
    return ""


def item_analysis(d: "SetData") -> list[Item]:
    """Difficulty, discrimination, flag and option counts for every question of one set."""
    bank = d.bank
    students = [r["student"] for r in d.roster]
    points = {s: dict(zip((q.id for q in bank.questions), d.points[s])) for s in students}
    totals = {s: d.total(s) for s in students}
    items = []
    for q in bank.questions:
        have = [s for s in students if points[s][q.id] is not None]
        xs = [points[s][q.id] for s in have]
        rest = [totals[s] - points[s][q.id] for s in have]
        difficulty = (sum(xs) / len(xs) / q.points) if xs and q.points else None
        r = _pearson(xs, rest) if len(have) >= MIN_STUDENTS else None
        answers = ([d.answers.get(s, {}).get(q.id, {}).get("answer") for s in have]
                   if q.type in ("single", "multi") else [])
        flag = ""
        if r is not None and r < 0:
            flag = f"negative discrimination ({r:.2f}): stronger students scored lower on it; check the key and wording"
        elif r is not None and r < NEAR_ZERO:
            flag = f"near-zero discrimination ({r:.2f}): it does not separate stronger from weaker students"
        if len(have) >= MIN_STUDENTS and answers:
            ranked = sorted(zip(rest, range(len(have))), reverse=True)
            top = [answers[i] for _, i in ranked[:max(1, round(len(have) * TOP_SHARE))]]
            wrong = _wrong_key(q, top, bank.key)
            flag = "; ".join(f for f in (flag, wrong) if f)
        items.append(Item(q, len(have), difficulty, r, flag, _option_counts(q, answers, bank.key)))
    return items


def _fmt(x: float | None) -> str:
    return "" if x is None else f"{x:.2f}"


def _histogram(percents: list[float], title: str) -> str:
    """An inline SVG bar chart of scores in 10-point bands, with a text alternative."""
    bins = [0] * 10
    for p in percents:
        bins[min(9, int(p // 10))] += 1
    top = max(bins) or 1
    w, h, bw = 440, 180, 40
    bars, labels = [], []
    for i, n in enumerate(bins):
        bh = round(140 * n / top)
        x = 20 + i * bw
        bars.append(f'<rect x="{x + 4}" y="{150 - bh}" width="{bw - 8}" height="{bh}" fill="#0072B2"/>'
                    f'<text x="{x + bw / 2}" y="{145 - bh}" text-anchor="middle" font-size="11">{n or ""}</text>')
        labels.append(f'<text x="{x + bw / 2}" y="166" text-anchor="middle" font-size="10">{i * 10}–{i * 10 + 10}</text>')
    alt = (f"{title}: " + ", ".join(f"{n} student(s) scored {i * 10}–{i * 10 + 10} %" for i, n in enumerate(bins) if n)
           if percents else f"{title}: no scores yet")
    return (f'<figure><svg role="img" aria-label="{html.escape(alt)}" width="{w}" height="{h}" viewBox="0 0 {w} {h}">'
            f'<title>{html.escape(alt)}</title>{"".join(bars)}{"".join(labels)}'
            f'<line x1="20" y1="150" x2="420" y2="150" stroke="#333"/></svg>'
            f'<figcaption>{html.escape(alt)} (percent of the points possible; written answers count once '
            'scored).</figcaption></figure>')


_PAGE = ("<!doctype html><html lang='en'><head><meta charset='utf-8'><title>{title}</title>"
         "<meta http-equiv='Content-Security-Policy' content=\"default-src 'none'; style-src 'unsafe-inline'\">"
         "<style>body{{font-family:sans-serif;max-width:70em;margin:auto;padding:0 1em;line-height:1.4}}"
         "table{{border-collapse:collapse}}td,th{{vertical-align:top;border-top:1px solid #ccc;padding:4px 6px;"
         "text-align:left}}.flag{{color:#a00;font-weight:bold}}.a{{white-space:pre-wrap;overflow-wrap:anywhere}}"
         ".rubric{{overflow-wrap:anywhere}}</style></head><body><main>{body}</main></body></html>\n")


def markdown_html(text: str) -> str:
    """Question-bank Markdown as HTML: paragraphs, lists, bold, italics, code; everything else escaped."""
    out, items = [], []

    def inline(s: str) -> str:
        s = html.escape(s)
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)
        return re.sub(r"`([^`]+)`", r"<code>\1</code>", s)

    for block in re.split(r"\n\s*\n", text.strip()):
        lines = [ln.strip() for ln in block.splitlines() if ln.strip()]
        items = [ln for ln in lines if re.match(r"^([-*]|\d+\.)\s", ln)]
        if items and len(items) == len(lines):
            tag = "ol" if re.match(r"^\d+\.", items[0]) else "ul"
            lis = "".join("<li>" + inline(_BULLET.sub("", ln)) + "</li>" for ln in items)
            out.append(f"<{tag}>{lis}</{tag}>")
        elif lines:
            out.append("<p>" + "<br>".join(inline(ln) for ln in lines) + "</p>")
    return "".join(out)


def review_page(bank: "Bank", q: Question, rows: list[list], sheet_name: str) -> str:
    """The review sheet as a readable page: question and rubric rendered, each answer as plain text."""
    body = [f"<h1>{html.escape(bank.set_id)}: {html.escape(q.id)} ({q.points:g} points)</h1>",
            f"<h2>Question</h2>{markdown_html(q.prompt)}",
            f"<h2>Rubric</h2><div class='rubric'>{markdown_html(q.rubric)}</div>"]
    limits = [f"at least {q.min_words}" if q.min_words else "", f"at most {q.max_words}" if q.max_words else ""]
    if any(limits):
        body.append(f"<p>Length asked for: {' and '.join(x for x in limits if x)} words. Answers outside it were "
                    "recorded anyway and are flagged below.</p>")
    body.append(f"<p>Score in the CSV sheet beside this page ({html.escape(sheet_name)}).</p>"
                "<table><tr><th scope='col'>Student</th><th scope='col'>Words</th><th scope='col'>Answer</th></tr>")
    for r in rows:
        flag = f"<br><span class='flag'>{html.escape(r[5])}</span>" if r[5] else ""
        body.append(f"<tr><td>{html.escape(clean(r[3]))}<br><small>{html.escape(clean(r[2]))}</small></td>"
                    f"<td>{r[4]}{flag}</td><td class='a'>{html.escape(str(r[6]))}</td></tr>")
    body.append("</table>")
    return _PAGE.format(title=html.escape(f"Review: {bank.set_id} {q.id}"), body="".join(body))


def _set_section(d: "SetData", items: list[Item]) -> str:
    bank = d.bank
    totals, pending, late = [], [], []
    for r in d.roster:
        pts = d.points[r["student"]]
        totals.append(d.total(r["student"]))
        waiting = sum(1 for q, p in zip(bank.questions, pts) if q.manual and p is None)
        if waiting:
            pending.append((r["student"], r["name"], waiting))
        if r.get("late"):
            late.append((r["student"], r["name"], r["file"]))
    possible = bank.possible or 1
    h = [f"<h2>{html.escape(bank.title)} ({html.escape(bank.set_id)})</h2>"]
    if totals:
        h.append(f"<p>{len(totals)} student(s). Total of {bank.possible:g} points: mean {sum(totals) / len(totals):.2f}, "
                 f"median {median(totals):g}, lowest {min(totals):g}, highest {max(totals):g}."
                 + (f" <strong>{sum(p for *_, p in pending)} written answer(s) are not scored yet</strong>, so "
                    "these totals will rise." if pending else "") + "</p>")
    h.append("<h3>Score distribution</h3>" + _histogram([100 * t / possible for t in totals], "Students by total score"))
    h.append("<h3>Questions</h3><p>Difficulty: mean share of the points (1 = everyone right). Discrimination: "
             "corrected item–total correlation (this question against the total of the others; blank with fewer "
             f"than {MIN_STUDENTS} students or no spread). A flag means: look at the question and its key.</p>"
             "<table><tr><th scope='col'>Question</th><th scope='col'>Points</th><th scope='col'>Scored</th>"
             "<th scope='col'>Difficulty</th><th scope='col'>Discrimination</th><th scope='col'>Flag</th></tr>")
    for it in items:
        h.append(f"<tr><td>{html.escape(it.q.id)}</td><td>{it.q.points:g}</td><td>{it.scored}</td>"
                 f"<td>{_fmt(it.difficulty)}</td><td>{_fmt(it.discrimination)}</td>"
                 f"<td class='flag'>{html.escape(it.flag)}</td></tr>")
    h.append("</table><h3>Most missed</h3><ol>")
    ranked = sorted((it for it in items if it.difficulty is not None), key=lambda it: it.difficulty)[:5]
    h += [f"<li>{html.escape(it.q.id)}: {100 * it.difficulty:.0f} % of the points earned</li>" for it in ranked]
    h.append("</ol><h3>How often each option was chosen</h3>")
    for it in items:
        if it.options:
            h.append(f"<h4>{html.escape(it.q.id)}</h4><ul>" + "".join(
                f"<li>{html.escape(o)}: {n}{' <strong>(key)</strong>' if k else ''}</li>" for o, n, k in it.options)
                + "</ul>")
    h.append("<h3>Unscored written answers</h3>")
    h.append("<ul>" + "".join(f"<li>{html.escape(clean(n))} ({html.escape(clean(s))}): {w}</li>"
                              for s, n, w in pending) + "</ul>" if pending else "<p>None.</p>")
    h.append("<h3>Late submissions (as the LMS marked them)</h3>")
    h.append("<ul>" + "".join(f"<li>{html.escape(clean(n))} ({html.escape(clean(s))}): {html.escape(clean(f))}</li>"
                              for s, n, f in late) + "</ul>" if late else "<p>None marked late.</p>")
    return "".join(h)


def write_class_report(out: Path, data: list["SetData"]) -> Path:
    """Write ``class-report.html`` and ``item-analysis.csv`` for these sets; return the report's path."""
    sections, buf = [], io.StringIO()
    w = csv.writer(buf)
    w.writerow(ITEM_COLUMNS)
    for d in data:
        items = item_analysis(d)
        sections.append(_set_section(d, items))
        w.writerows([d.bank.set_id, it.q.id, it.q.type, f"{it.q.points:g}", it.scored, _fmt(it.difficulty),
                     _fmt(it.discrimination), it.flag] for it in items)
    body = "<h1>Class report</h1>" + ("".join(sections) or "<p>Nothing graded yet.</p>")
    atomic_write(out / "item-analysis.csv", buf.getvalue(), bom=True)
    path = out / "class-report.html"
    atomic_write(path, _PAGE.format(title="Class report", body=body))
    return path
