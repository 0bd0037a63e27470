"""``workbook site``: the reading site (``_site/``) built from exactly what students get.

Every lesson is executed and turned into a page; the reading guides and the glossary become pages;
everything is linked in lesson order from ``index.html``. Nothing on a page loads from another host:
the pages carry their own small stylesheet, no MathJax, RequireJS or widget loader. A live explorer
is replaced by a box that opens the lesson in the browser app (``lite/``), where it runs.

Only the student release goes in (:func:`nkhr.release.release`), so instructor material stays out.
The JupyterLite app is assembled by ``site/build_lite.py`` (it needs the ``site`` extra).
"""

from __future__ import annotations

import html
import json
import re
import shutil
import tempfile
import time
from pathlib import Path

from .release import release

LITE = "lite/lab/index.html?path="
WIDGET_MIME = "application/vnd.jupyter.widget-view+json"
ANSWER_LINE = "**Text description.**"

STYLE = """
body{font-family:system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;line-height:1.55;max-width:52rem;
margin:0 auto;padding:1rem 1.2rem 4rem;color:#1d1d1d;background:#fff}
a{color:#0b57d0}nav.top{font-size:.95rem;border-bottom:1px solid #ddd;padding:.4rem 0;margin-bottom:1rem}
pre,code{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
pre{background:#f6f8fa;padding:.6rem;overflow-x:auto;border-radius:4px}
.jp-InputArea,.jp-InputPrompt,.jp-OutputPrompt{display:none}
.jp-OutputArea-output pre{background:#fafafa}
img{max-width:100%;height:auto}
table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:.3rem .5rem;vertical-align:top}
.nkhr-live{border:2px solid #0b57d0;border-radius:6px;padding:.6rem .9rem;margin:.8rem 0;background:#eef3fd}
.nkhr-set{font-size:1.05rem;font-weight:600}
@media (prefers-color-scheme: dark){body{background:#111;color:#eee}a{color:#8ab4f8}
pre{background:#222}.jp-OutputArea-output pre{background:#1a1a1a}.nkhr-live{background:#14213d}}
"""


def page(title: str, body: str, *, depth: int = 0) -> str:
    """A complete HTML page with the site's navigation; ``depth`` is how many folders below ``_site``."""
    up = "../" * depth
    nav = (f'<nav class="top" aria-label="Site"><a href="{up}index.html">Contents</a> · '
           f'<a href="{up}readings/glossary.html">Glossary</a> · <a href="{up}lite/lab/index.html">Open the browser app</a></nav>')
    return (f'<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f"<title>{html.escape(title)}</title><style>{STYLE}</style></head>"
            f"<body>{nav}<main>{body}</main></body></html>\n")


def lessons(root: Path) -> list[Path]:
    """The lesson notebooks in lesson order (their names start with the lesson number)."""
    return sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb"))


def title_of(nb: dict, fallback: str) -> str:
    """The first Markdown heading of a notebook, without its ``#``."""
    for cell in nb.get("cells", []):
        if cell.get("cell_type") == "markdown":
            for line in "".join(cell.get("source", "")).splitlines():
                if line.startswith("#"):
                    return line.lstrip("#").strip()
    return fallback


def rewrite_links(text: str, *, depth: int) -> str:
    """Point links at site pages: readings ``.md`` → ``.html``; notebooks → pages or the live app."""
    up = "../" * depth

    def fix(m: re.Match) -> str:
        quote, target = m.group(1), m.group(2)
        if re.match(r"[a-z]+:|#", target):
            return m.group(0)
        path, _, anchor = target.partition("#")
        name = Path(path).name
        anchor = f"#{anchor}" if anchor else ""
        if path.endswith(".md") and ("readings" in path or depth == 1 and "/" not in path):
            name = "reading-list.md" if name == "README.md" else name
            return f'href={quote}{up}readings/{name[:-3]}.html{anchor}{quote}'
        if path.endswith("-exercises.ipynb"):
            return f'href={quote}{up}{LITE}exercises/{name}{quote}'
        if path.endswith(".ipynb") and re.match(r"\d\d-", name):
            return f'href={quote}{up}lessons/{name[:-6]}.html{anchor}{quote}'
        if path.endswith(".csv"):
            return f'href={quote}{up}readings/{name}{quote}'
        return m.group(0)
    return re.sub(r'href=(["\'])([^"\']+)\1', fix, text)


def live_box(lesson: str, depth: int = 1) -> dict:
    """The output that stands in for a live explorer on the static page."""
    href = f"{'../' * depth}{LITE}notebooks/{lesson}"
    return {"output_type": "display_data", "metadata": {}, "data": {"text/html": (
        f'<div class="nkhr-live">This part is interactive. <a href="{href}">Open this lesson in the browser app</a> '
        "to use it (nothing to install; it runs in your browser).</div>")}}


def _text(data: dict, mime: str) -> str:
    value = data.get(mime, "")
    return "".join(value) if isinstance(value, list) else value


def prepare(nb: dict, lesson: str) -> dict:
    """Replace live widgets by a link to the app; give every chart image the text description as alt."""
    for cell in nb.get("cells", []):
        outs = cell.get("outputs", [])
        new = []
        for i, out in enumerate(outs):
            data = out.get("data", {})
            if WIDGET_MIME in data:
                if not any(WIDGET_MIME in o.get("data", {}) for o in outs[:i]):
                    new.append(live_box(lesson))
                continue
            if "image/png" in data:
                alt = "Chart (its text description follows below)."
                for later in outs[i + 1:]:
                    md = _text(later.get("data", {}), "text/markdown")
                    if md.startswith(ANSWER_LINE):
                        alt = md[len(ANSWER_LINE):].strip()
                        break
                out.setdefault("metadata", {}).setdefault("image/png", {})["alt"] = alt
            new.append(out)
        cell["outputs"] = new if cell.get("cell_type") == "code" else outs
    nb.get("metadata", {}).pop("widgets", None)
    return nb


def add_alt(body: str, nb: dict) -> str:
    """nbconvert drops image metadata: put each image's alt text on its ``<img>``, in order."""
    alts = [o["metadata"]["image/png"]["alt"] for c in nb["cells"] for o in c.get("outputs", [])
            if "image/png" in o.get("data", {})]
    it = iter(alts)

    def fix(m: re.Match) -> str:
        tag = m.group(0)
        if " alt=" in tag:
            return tag
        return tag[:-1] + f' alt="{html.escape(next(it, "Chart"), quote=True)}">'
    return re.sub(r"<img\b[^>]*>", fix, body)


def execute(nb_path: Path, timeout: int = 300) -> dict:
    """Run a lesson top to bottom in its folder and return the notebook with fresh outputs."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(nb_path, as_version=4)
    NotebookClient(nb, timeout=timeout, kernel_name="python3",
                   resources={"metadata": {"path": str(nb_path.parent)}}).execute()
    return json.loads(nbformat.writes(nb))


def lesson_page(nb: dict, lesson: str) -> str:
    """The HTML of one executed lesson, body only (nbconvert's ``basic`` template: no scripts)."""
    import nbformat
    from nbconvert import HTMLExporter

    nb = prepare(nb, lesson)
    body, _ = HTMLExporter(template_name="basic").from_notebook_node(nbformat.reads(json.dumps(nb), as_version=4))
    return rewrite_links(add_alt(body, nb), depth=1)


def markdown_page(md: str, *, depth: int) -> str:
    """A reading guide or the glossary as HTML."""
    import mistune

    return rewrite_links(mistune.html(md), depth=depth)


def build_reading(root: Path, out: Path, *, run: bool = True, executed: dict | None = None) -> list[Path]:
    """Write the reading site into ``out`` from the student copy ``root``; return the pages written.

    ``executed`` (if given) receives each lesson as run here, by file name: the browser app shows
    those outputs (charts drawn at build time from the same data files).
    """
    out.mkdir(parents=True, exist_ok=True)
    (out / "lessons").mkdir(exist_ok=True)
    (out / "readings").mkdir(exist_ok=True)
    written, items = [], []
    for nb_path in lessons(root):
        nb = execute(nb_path) if run else json.loads(nb_path.read_text(encoding="utf-8"))
        if executed is not None:
            executed[nb_path.name] = json.loads(json.dumps(nb))
        title = title_of(nb, nb_path.stem)
        target = out / "lessons" / f"{nb_path.stem}.html"
        target.write_text(page(title, lesson_page(nb, nb_path.name), depth=1), encoding="utf-8")
        set_file = f"{nb_path.stem}-exercises.ipynb"
        has_set = (root / "exercises" / set_file).is_file()
        items.append((nb_path.stem, title, has_set, set_file))
        written.append(target)
    guides = []
    for md in sorted((root / "readings").glob("*.md")):
        target = out / "readings" / f"{md.stem}.html"
        text = md.read_text(encoding="utf-8")
        name = md.stem if md.stem != "README" else "reading-list"
        target = out / "readings" / f"{name}.html" if md.stem == "README" else target
        target.write_text(page(title_of({"cells": [{"cell_type": "markdown", "source": text}]}, md.stem),
                               markdown_page(text, depth=1), depth=1), encoding="utf-8")
        guides.append((target.name, title_of({"cells": [{"cell_type": "markdown", "source": text}]}, md.stem)))
        written.append(target)
    for csv in sorted((root / "readings").glob("*.csv")):
        shutil.copy2(csv, out / "readings" / csv.name)
    (out / "index.html").write_text(index_page(items, guides), encoding="utf-8")
    written.append(out / "index.html")
    return written


def index_page(items: list[tuple[str, str, bool, str]], guides: list[tuple[str, str]]) -> str:
    """The contents page: lessons in order, each with its exercise set, then readings and glossary."""
    rows = []
    for stem, title, has_set, set_file in items:
        link = (f' — <a class="nkhr-set" href="{LITE}exercises/{set_file}">exercise set (opens in the browser app)</a>'
                if has_set else "")
        rows.append(f'<li><a href="lessons/{stem}.html">{html.escape(title)}</a>{link}</li>')
    guide_rows = "".join(f'<li><a href="readings/{name}">{html.escape(t)}</a></li>' for name, t in guides)
    body = (
        "<h1>Engagement or pressure? Responding to North Korea's human-rights record</h1>"
        "<p>Read every lesson here, in order. Each lesson has an exercise set that opens in the "
        '<a href="lite/lab/index.html">browser app</a>: nothing to install, it runs in your browser.</p>'
        '<div class="nkhr-live"><b>Handing in an exercise set.</b> Answer each question and press '
        "<b>Submit answer</b>; save (Ctrl+S), then <b>File → Download</b>. The downloaded <code>.ipynb</code> file is "
        "what you hand in. Work kept only in the browser can be lost when the browser clears its storage, "
        "so download after every session.</div>"
        f"<h2>Lessons</h2><ol start=\"0\">{''.join(rows)}</ol>"
        f"<h2>Readings and glossary</h2><ul>{guide_rows}</ul>")
    return page("Engagement or pressure? — the workbook", body)


def folder_size(folder: Path | str) -> int:
    """Bytes in every file under ``folder``."""
    return sum(p.stat().st_size for p in Path(folder).rglob("*") if p.is_file())


def build(out: Path | str = "_site", *, lite: bool = True, run: bool = True) -> dict:
    """Build ``out`` (reading site, and the browser app unless ``lite`` is False); return timings."""
    out = Path(out).resolve()
    if out.exists():
        shutil.rmtree(out)
    out.mkdir(parents=True)
    timings = {}
    with tempfile.TemporaryDirectory(prefix="nkhr-site-") as tmp:
        student = release(Path(tmp) / "student")
        t0 = time.perf_counter()
        executed: dict[str, dict] = {}
        build_reading(student, out, run=run, executed=executed)
        timings["reading"] = time.perf_counter() - t0
        if lite:
            from .lite import build_lite

            t0 = time.perf_counter()
            build_lite(student, out / "lite", lessons=executed)
            timings["lite"] = time.perf_counter() - t0
    return timings
