"""Check that what the workbook quotes and counts really comes from the five readings.

The readings themselves are someone else's writing and never live in this repository. When they
are on this machine (``../shared/sources`` beside the workbook, or wherever ``NKHR_SOURCES``
points) the functions here read them to verify quotations; when they are not,
:func:`source_text` returns ``None`` and :func:`paragraphs` an empty list, so callers can skip.

Conventions that other parts of the workbook write to:

* A **quotation** is verbatim after :func:`normalise` (whitespace, typographic quotes and dashes,
  footnote markers and case do not matter). ``...`` or ``…`` inside a quotation marks an omission:
  the parts around it must appear in the reading in that order.
* A Markdown **blockquote** (lines starting with ``>``) is used *only* for a verbatim quotation
  from one of the five readings, and the next non-empty line names the reading by its short name,
  optionally with a paragraph: ``— Cohen 2014, para. 5``. See :func:`blockquotes`.
* **Paragraph numbers** ("para. N") count the article's body paragraphs from 1, as defined by
  :func:`paragraphs`.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from .data import load
from .paths import sources_dir

__all__ = [
    "normalise",
    "source_text",
    "quote_in_text",
    "paragraphs",
    "paragraph_of",
    "number_in_quote",
    "word_count",
    "blockquotes",
    "attributed_source",
    "RUN_WORDS",
    "budget_words",
    "file_budget_text",
    "reproduced",
    "reproduced_share",
    "budget_report",
]

# --------------------------------------------------------------------------------------------
# Normalising text
# --------------------------------------------------------------------------------------------

_CHAR_MAP = str.maketrans(
    {
        "\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u2032": "'", "`": "'",
        "\u201c": '"', "\u201d": '"', "\u201e": '"', "\u201f": '"', "\u2033": '"',
        "\u00ab": '"', "\u00bb": '"',
        "\u2010": "-", "\u2011": "-", "\u2012": "-", "\u2013": "-", "\u2014": "-",
        "\u2015": "-", "\u2212": "-",
        "\u2026": "...",
        "\u00ad": "", "\u200b": "", "\u200c": "", "\u200d": "", "\ufeff": "",
    }
)
# Footnote markers as the copies write them: [ii], [xiv], [12]. Editorial brackets with words
# in them ("[Human Rights Council]") are left alone.
_FOOTNOTE = re.compile(r"\[(?:[ivxlcdm]+|\d{1,3})\]", re.IGNORECASE)
_SPACE = re.compile(r"\s+")


def normalise(text: str) -> str:
    """Return ``text`` folded for comparison.

    Typographic quotes, apostrophes and dashes become ASCII (``’`` → ``'``, ``“”`` → ``"``,
    ``–``/``—`` → ``-``), ``…`` becomes ``...``, footnote markers such as ``[ii]``, ``[xiv]`` or
    ``[12]`` are removed, runs of whitespace (including non-breaking spaces) become one space, and
    the result is case-folded and stripped.
    """
    text = text.translate(_CHAR_MAP)
    text = _FOOTNOTE.sub("", text)
    return _SPACE.sub(" ", text).strip().casefold()


def word_count(text: str) -> int:
    """Count the words in ``text``: whitespace-separated tokens with at least one letter or digit.

    Punctuation standing alone (a dash, an ellipsis) is not a word; footnote markers are ignored.
    """
    cleaned = _FOOTNOTE.sub("", text)
    return sum(1 for token in cleaned.split() if any(ch.isalnum() for ch in token))


# --------------------------------------------------------------------------------------------
# The readings
# --------------------------------------------------------------------------------------------


def _sources_rows() -> list[dict]:
    return load("sources.csv")


def _source_row(source_id: str) -> dict | None:
    for row in _sources_rows():
        if row["id"] == source_id:
            return row
    return None


def source_text(source_id: str) -> str | None:
    """Return the full text of reading ``source_id`` (an id of ``readings/sources.csv``).

    Returns ``None`` when the source texts are not on this machine (see
    :func:`nkhr.paths.sources_dir`) or the file named in ``sources.csv`` is missing there.
    Raises ``KeyError`` for an id that ``sources.csv`` does not list.
    """
    row = _source_row(source_id)
    if row is None:
        raise KeyError(f"{source_id!r} is not an id in readings/sources.csv")
    folder = sources_dir()
    if folder is None:
        return None
    path = folder / row["file"]
    if not path.is_file():
        return None
    return path.read_text(encoding="utf-8")


def quote_in_text(quote: str, text: str) -> bool:
    """True when ``quote`` appears verbatim in ``text`` after :func:`normalise`.

    ``...`` or ``…`` in the quote marks an omission: the parts between them must all appear, in
    order, without overlapping. An empty quote is never found.
    """
    parts = [part.strip() for part in normalise(quote).split("...")]
    parts = [part for part in parts if part]
    if not parts:
        return False
    haystack = normalise(text)
    position = 0
    for part in parts:
        found = haystack.find(part, position)
        if found < 0:
            return False
        position = found + len(part)
    return True


_FOOTNOTE_LINE = re.compile(r"^\[(?:[ivxlcdm]+|\d{1,3})\]", re.IGNORECASE)
_TAIL = re.compile(
    r"^(?:recommended citation"
    r"|stay informed"
    r"|related articles"
    r"|[-_=*]{3,}$)",  # a separator line (—————— after normalising)
    re.IGNORECASE,
)
_BIO = re.compile(r"the views expressed here are (?:his|her|their) own", re.IGNORECASE)
_SENTENCE_END = re.compile(r"""[.!?]['")\]]*$""")
_MIN_WORDS = 8


def _is_tail(line: str) -> bool:
    return bool(_FOOTNOTE_LINE.match(line.strip()) or _TAIL.match(normalise(line)) or _BIO.search(line))


def _is_paragraph(line: str) -> bool:
    cleaned = normalise(line)
    return word_count(cleaned) >= _MIN_WORDS and bool(_SENTENCE_END.search(cleaned))


def paragraphs(source_id: str) -> list[str]:
    """Return the body paragraphs of reading ``source_id``; ``para. N`` is item ``N - 1``.

    The convention that guides and lessons cite by ("Cohen 2014, para. 5"):

    1. Start at the first line of the copy that begins (after :func:`normalise`) with the
       reading's ``first_paragraph`` in ``readings/sources.csv``. Titles, standfirsts, photo
       captions and summary boxes above it are not counted.
    2. Stop at the tail: the first line that is a footnote (``[i]``, ``[1]``), a separator
       (``———``), "Recommended citation", "Stay informed", "Related Articles", or an author's
       note ending "The views expressed here are his own".
    3. In between, every non-blank line is one paragraph, except headings and captions: lines of
       fewer than 8 words, or lines that do not end a sentence (``.``, ``?`` or ``!``, possibly
       followed by a closing quote or bracket). Items of a numbered list count as paragraphs.

    Returns an empty list when the source texts are not on this machine.
    """
    text = source_text(source_id)
    if text is None:
        return []
    row = _source_row(source_id) or {}
    start = normalise(row.get("first_paragraph") or "")
    if not start:
        raise ValueError(f"readings/sources.csv gives no first_paragraph for {source_id!r}")
    lines = [line.strip() for line in text.splitlines()]
    try:
        first = next(i for i, line in enumerate(lines) if normalise(line).startswith(start))
    except StopIteration:
        raise ValueError(
            f"no line of {source_id}'s copy begins with its first_paragraph {row['first_paragraph']!r}"
        ) from None
    body: list[str] = []
    for line in lines[first:]:
        if not line:
            continue
        if _is_tail(line):
            break
        if _is_paragraph(line):
            body.append(line)
    return body


def paragraph_of(quote: str, source_id: str) -> int | None:
    """The number (from 1) of the first body paragraph of ``source_id`` that contains ``quote``.

    ``None`` when no single paragraph contains it (it is in the title, a caption, a footnote,
    spans two paragraphs, is not in the reading at all) or the texts are not on this machine.
    """
    for number, paragraph in enumerate(paragraphs(source_id), start=1):
        if quote_in_text(quote, paragraph):
            return number
    return None


def attributed_source(attribution: str) -> str | None:
    """Map an attribution line such as ``— Cohen 2014, para. 5`` to a reading id (``cohen2014``).

    Matches the ``short`` names of ``readings/sources.csv`` (case and spacing do not matter);
    the longest match wins. ``None`` when no short name occurs in the line.
    """
    folded = normalise(attribution)
    best: tuple[int, str] | None = None
    for row in _sources_rows():
        short = normalise(row.get("short") or "")
        if short and re.search(rf"(?<!\w){re.escape(short)}(?!\w)", folded):
            if best is None or len(short) > best[0]:
                best = (len(short), row["id"])
    return best[1] if best else None


# --------------------------------------------------------------------------------------------
# Numbers
# --------------------------------------------------------------------------------------------

_ONES = (
    "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen "
    "fifteen sixteen seventeen eighteen nineteen"
).split()
_TENS = "twenty thirty forty fifty sixty seventy eighty ninety".split()
_WORD_VALUES: dict[str, float] = {word: n for n, word in enumerate(_ONES)}
for _i, _ten in enumerate(_TENS):
    _WORD_VALUES[_ten] = 20 + 10 * _i
    for _n in range(1, 10):
        _WORD_VALUES[f"{_ten}-{_ONES[_n]}"] = 20 + 10 * _i + _n
_WORD_VALUES.update({"hundred": 100, "a hundred": 100, "one hundred": 100, "half": 0.5,
                     "a quarter": 0.25, "a third": 1 / 3, "a dozen": 12, "dozen": 12})
_WORD_PATTERN = re.compile(
    r"(?<![\w-])(" + "|".join(sorted(map(re.escape, _WORD_VALUES), key=len, reverse=True)) + r")(?![\w-])"
)
_DIGITS = re.compile(
    r"(?<![\d.,])(\d{1,3}(?:,\d{3})+|\d+)(\.\d+)?(?:\s*(thousand|million|billion))?", re.IGNORECASE
)
_SCALE = {"thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}


def _numbers_in(text: str) -> list[float]:
    folded = normalise(text)
    found: list[float] = []
    for match in _DIGITS.finditer(folded):
        whole, fraction, scale = match.groups()
        number = float(whole.replace(",", "") + (fraction or ""))
        found.append(number)
        if scale:
            found.append(number * _SCALE[scale.casefold()])
    found.extend(_WORD_VALUES[m.group(1)] for m in _WORD_PATTERN.finditer(folded))
    return found


def number_in_quote(value: float | int | str, quote: str) -> bool:
    """True when the number ``value`` appears in ``quote`` as the reading writes it.

    Accepts digits with or without thousands separators (150000 as ``150,000`` or ``150000``),
    decimals (``2.5``), a scale word (``1.2 million``), and number words from zero to
    ninety-nine (5 as ``five``, 15 as ``fifteen``, 47 as ``forty-seven``) plus ``half``
    (0.5). A number inside a longer one does not count (15 is not in ``150,000``).
    """
    target = float(str(value).replace(",", "")) if isinstance(value, str) else float(value)
    return any(abs(number - target) <= 1e-9 * max(1.0, abs(target)) for number in _numbers_in(quote))


# --------------------------------------------------------------------------------------------
# Blockquotes in guides and notebooks
# --------------------------------------------------------------------------------------------

_FENCE = re.compile(r"^\s*(```|~~~)")
_QUOTE_LINE = re.compile(r"^\s{0,3}>")


def _blockquotes_in_lines(lines: list[str]) -> list[tuple[int, str, str]]:
    """Blockquotes in Markdown lines as (1-based line of the first ``>``, text, attribution)."""
    found: list[tuple[int, str, str]] = []
    in_fence = False
    i = 0
    while i < len(lines):
        line = lines[i]
        if _FENCE.match(line):
            in_fence = not in_fence
            i += 1
            continue
        if in_fence or not _QUOTE_LINE.match(line):
            i += 1
            continue
        start = i
        parts: list[str] = []
        while i < len(lines) and _QUOTE_LINE.match(lines[i]):
            parts.append(re.sub(r"^\s{0,3}(?:>\s?)+", "", lines[i]).strip())
            i += 1
        attribution = ""
        j = i
        while j < len(lines):
            if lines[j].strip():
                attribution = lines[j].strip()
                break
            j += 1
        found.append((start + 1, " ".join(p for p in parts if p), attribution))
    return found


def blockquotes(path: str | Path) -> list[tuple[int, str, str]]:
    """Every Markdown blockquote in ``path`` as ``(where, text, attribution)``.

    For a ``.md`` file ``where`` is the 1-based line of the blockquote's first ``>`` line; for a
    notebook (``.ipynb``) only Markdown cells are read and ``where`` is the 1-based cell number.
    Consecutive ``>`` lines form one blockquote, joined with spaces with the ``>`` markers removed.
    ``attribution`` is the next non-empty line after the blockquote (in a notebook: in the same
    cell), or ``""`` if there is none. Blockquotes inside fenced code blocks are ignored.
    """
    path = Path(path)
    if path.suffix == ".ipynb":
        notebook = json.loads(path.read_text(encoding="utf-8"))
        found: list[tuple[int, str, str]] = []
        for number, cell in enumerate(notebook.get("cells", []), start=1):
            if cell.get("cell_type") != "markdown":
                continue
            source = cell.get("source", "")
            text = "".join(source) if isinstance(source, list) else source
            found.extend((number, quote, who) for _, quote, who in _blockquotes_in_lines(text.splitlines()))
        return found
    return _blockquotes_in_lines(path.read_text(encoding="utf-8").splitlines())


# --------------------------------------------------------------------------------------------
# The quotation budget: how much of each reading the repository reproduces
# --------------------------------------------------------------------------------------------

RUN_WORDS = 8  # a run of this many consecutive words shared with a reading counts as reproduced
_WORD = re.compile(r"[a-z0-9]+(?:'[a-z0-9]+)*")
_TAG = re.compile(r"<[^<>]{0,400}>")


def budget_words(text: str) -> list[str]:
    """The words of ``text`` as the budget counts them.

    After :func:`normalise` (case, typographic quotes and dashes, footnote markers), HTML tags
    are dropped and entities decoded, and a word is a run of letters or digits, with inner
    apostrophes kept (``country's``). Punctuation and markup therefore never break a run.
    """
    text = html.unescape(_TAG.sub(" ", text))
    return _WORD.findall(normalise(text))


def file_budget_text(path: Path) -> str | None:
    """The text of one repository file as the budget reads it, or ``None`` for a binary file.

    A notebook is read as JSON and every string in it counts (Markdown, code, outputs,
    metadata), so quotations in stored outputs are counted too and JSON escapes do not hide them.
    """
    try:
        raw = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return None
    if path.suffix != ".ipynb":
        return raw
    try:
        notebook = json.loads(raw)
    except json.JSONDecodeError:
        return raw
    strings: list[str] = []

    def collect(node: object) -> None:
        if isinstance(node, str):
            strings.append(node)
        elif isinstance(node, list):
            # a cell's source is a list of lines; join them so a run may cross a line break
            if node and all(isinstance(item, str) for item in node):
                strings.append("".join(node))
            else:
                for item in node:
                    collect(item)
        elif isinstance(node, dict):
            for value in node.values():
                collect(value)

    collect(notebook)
    return "\n".join(strings)


def reproduced(source_words: list[str], files: dict[str, list[str]], n: int = RUN_WORDS) -> dict[str, set[int]]:
    """For each file, the positions of ``source_words`` it reproduces in runs of ``n``+ words.

    A source word is reproduced by a file when it lies inside some ``n``-word sequence of the
    source that also occurs, word for word, in that file. Files that reproduce nothing are left
    out. The union over all files is what the budget limits, so a passage quoted in many files
    counts once.
    """
    index: dict[tuple[str, ...], list[int]] = {}
    for i in range(len(source_words) - n + 1):
        index.setdefault(tuple(source_words[i:i + n]), []).append(i)
    out: dict[str, set[int]] = {}
    for name, words in files.items():
        grams = {tuple(words[i:i + n]) for i in range(len(words) - n + 1)}
        positions: set[int] = set()
        for gram in grams & index.keys():
            for start in index[gram]:
                positions.update(range(start, start + n))
        if positions:
            out[name] = positions
    return out


def reproduced_share(source_words: list[str], per_file: dict[str, set[int]]) -> float:
    """The fraction (0 to 1) of ``source_words`` reproduced by the files together."""
    if not source_words:
        return 0.0
    covered: set[int] = set().union(*per_file.values()) if per_file else set()
    return len(covered) / len(source_words)


def budget_report(source_id: str, per_file: dict[str, set[int]], total: int, top: int = 6) -> str:
    """One line per source: its share reproduced and the files contributing most."""
    covered: set[int] = set().union(*per_file.values()) if per_file else set()
    share = len(covered) / total if total else 0.0
    ranked = sorted(per_file.items(), key=lambda item: (-len(item[1]), item[0]))[:top]
    files = ", ".join(f"{name} {100 * len(pos) / total:.1f}%" for name, pos in ranked)
    return f"{source_id}: {100 * share:.1f}% of {total} words reproduced; top files: {files or 'none'}"
