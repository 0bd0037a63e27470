"""Load the workbook's CSV files with checks that name the file, line and problem.

Every number a chart shows comes through :func:`load`. Rows come back as plain dicts with
numbers already converted, so lessons and charts never parse text themselves.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from .paths import readings_dir


class DataError(ValueError):
    """A data file is missing or malformed; the message says where and what."""


def _number(text: str) -> float | int:
    value = float(text.replace(",", ""))
    return int(value) if value.is_integer() else value


@dataclass(frozen=True)
class Column:
    name: str
    required: bool = True  # a value must be present on every row
    kind: Callable[[str], object] | None = None  # converter; None keeps the text


# Column contracts (DESIGN.md "Data the lessons stand on"). Extra columns are allowed and kept.
SCHEMAS: dict[str, tuple[Column, ...]] = {
    "sources.csv": (
        Column("id"), Column("file"), Column("author"), Column("title"), Column("outlet"),
        Column("date"), Column("url", required=False), Column("not_in_copy", required=False),
    ),
    "figures.csv": (
        Column("id"), Column("topic"), Column("label"), Column("value", kind=_number),
        Column("value_high", required=False, kind=_number), Column("unit"), Column("as_of"),
        Column("source"), Column("quote", required=False), Column("kind"),
        Column("derivation", required=False),
    ),
    "timeline.csv": (
        Column("id"), Column("date"), Column("precision"), Column("event"), Column("actors"),
        Column("mechanism", required=False), Column("source"), Column("quote"),
        Column("status", required=False),  # "scheduled": the reading expects it; empty or "reported": it happened
    ),
    # Lesson 02: where each reading stands. position: 0 = engagement first ... 10 = pressure first.
    "positions.csv": (
        Column("id"), Column("source"), Column("date"), Column("position", kind=_number),
        Column("agenda"), Column("justification"), Column("quote"),
    ),
    # Lesson 02: the claim sorter. answer: engagement | pressure | both.
    "claims.csv": (
        Column("id"), Column("claim"), Column("source"), Column("answer"), Column("explanation"), Column("quote"),
    ),
    # Lesson 03: what each UN mechanism can do (yes / no / partly in the matrix columns).
    "mechanisms.csv": (
        Column("id"), Column("mechanism"), Column("who_acts"), Column("binding"), Column("naming"),
        Column("access_needed"), Column("nk_engaged"), Column("achieved"), Column("limit"), Column("source"),
        Column("quote"),
    ),
    # The one registry of quotations: every quotation of 8 words or more is stored here once and
    # referred to by id from the other files (a quote cell holding an id of this file).
    "quotes.csv": (
        Column("id"), Column("reading"), Column("paragraph", kind=_number), Column("text"),
    ),
    # Lesson 04: how each reading casts China.
    "china.csv": (
        Column("id"), Column("source"), Column("date"), Column("role"), Column("summary"), Column("quote"),
    ),
}


def load(name: str, folder: Path | None = None) -> list[dict]:
    """Read ``readings/<name>`` and return its rows, checked against its schema.

    Raises :class:`DataError` (never a bare pandas/csv error) naming the file and line.
    """
    path = (folder or readings_dir()) / name
    shown = f"readings/{name}"
    if not path.is_file():
        raise DataError(f"{shown} is missing. The charts need it: restore it from the workbook's repository.")
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{shown} cannot be read: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    schema = SCHEMAS.get(name, ())
    missing = [c.name for c in schema if c.name not in (reader.fieldnames or [])]
    if missing:
        raise DataError(f"{shown}, line 1: the header lacks column(s) {', '.join(missing)}.")
    rows = []
    registry: dict[str, dict] = {}
    for row in reader:
        line = reader.line_num
        if None in row or any(v is None for v in row.values()):
            raise DataError(f"{shown}, line {line}: wrong number of fields (check quoting and commas).")
        rows.append(_check_row(row, schema, f"{shown}, line {line}"))
        if name != QUOTES:
            _resolve_quotes(rows[-1], f"{shown}, line {line}", registry, folder)
    _check_unique_ids(rows, shown)
    return rows


QUOTES = "quotes.csv"
_QUOTE_ID = re.compile(r"[a-z][a-z0-9]*_[a-z0-9_]+")


def is_quote_id(value: str) -> bool:
    """True when a quote cell holds a registry id (``c14_barter``) rather than a short anchor."""
    return bool(_QUOTE_ID.fullmatch(value or ""))


def quotes(folder: Path | None = None) -> dict[str, dict]:
    """The quotation registry ``readings/quotes.csv`` keyed by id (id, reading, paragraph, text)."""
    return {row["id"]: row for row in load(QUOTES, folder)}


def quote(quote_id: str, folder: Path | None = None) -> dict:
    """One registry entry by id; :class:`DataError` naming the id when it is not there."""
    entry = quotes(folder).get(quote_id)
    if entry is None:
        raise DataError(f"readings/{QUOTES}: no quotation with the id {quote_id!r}.")
    return entry


def _resolve_quotes(row: dict, where: str, registry: dict[str, dict], folder: Path | None) -> None:
    """Replace registry ids in ``quote*`` columns by their text; keep the id in ``<column>_id``.

    A quote cell holds either a registry id or a short anchor (a phrase of under 8 words that
    proves a figure or date). The id must exist and belong to the row's ``source*`` column.
    """
    for column in [c for c in row if c == "quote" or c.startswith("quote_")]:
        value = row[column]
        if column.endswith("_id") or not is_quote_id(value):
            continue
        if not registry:
            registry.update(quotes(folder))  # read once per load, and only when a row refers to it
        entry = registry.get(value)
        if entry is None:
            raise DataError(f"{where}: column '{column}' names the quotation {value!r}, "
                            f"which is not an id in readings/{QUOTES}.")
        source = row.get("source" + column[len("quote"):]) or row.get("source")
        if source and entry["reading"] != source:
            raise DataError(f"{where}: the quotation {value!r} is from {entry['reading']}, "
                            f"but the row's source is {source}.")
        row[column + "_id"] = value
        row[column] = entry["text"]


def _check_row(row: dict, schema: tuple[Column, ...], where: str) -> dict:
    out = {k: v.strip() for k, v in row.items()}
    for col in schema:
        raw = out.get(col.name, "")
        if not raw:
            if col.required:
                raise DataError(f"{where}: column '{col.name}' is empty.")
            out[col.name] = None if col.kind else ""
            continue
        if col.kind:
            try:
                out[col.name] = col.kind(raw)
            except ValueError:
                raise DataError(f"{where}: column '{col.name}' should be a number, not {raw!r}.") from None
    return out


def _check_unique_ids(rows: list[dict], shown: str) -> None:
    seen: set[str] = set()
    for row in rows:
        rid = row.get("id")
        if rid in seen:
            raise DataError(f"{shown}: the id {rid!r} is used twice.")
        seen.add(rid)


def by_id(name: str) -> dict[str, dict]:
    """Rows of ``readings/<name>`` keyed by their ``id``."""
    return {row["id"]: row for row in load(name)}
