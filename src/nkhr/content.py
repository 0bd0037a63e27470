"""Lesson content kept in data files: the activities' texts, read and checked on load.

Scenario texts, policy options, feedback prose and the quotations they show live in TOML files
in ``readings/activities/`` beside the CSV data, so an instructor can change them without
touching Python. The modules that draw the activities (:mod:`nkhr.china`, :mod:`nkhr.dialogue`,
:mod:`nkhr.mechanisms`) read them through this module, which checks every entry and raises
:class:`~nkhr.data.DataError` naming the file, the entry and the problem.

Quotations in these files follow the registry rule (``readings/quotes.csv``): a quotation is
either a registry id (``quote = "c14_barter"``) or, for a phrase of under 8 words, an inline
table ``{ source = "lee2022", text = "...", para = 7 }``.

Nothing here runs on import; files are read each time they are asked for, so an edit shows at
the next run of the cell.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any, NamedTuple

from .data import DataError, load, quotes
from .paths import readings_dir

__all__ = ["Quotation", "ACTIVITIES", "activity", "table", "entries", "text", "choice", "text_map", "quotation",
           "quotations"]

ACTIVITIES = "activities"
_MAX_INLINE_WORDS = 7  # a longer quotation belongs in readings/quotes.csv (the budget counts runs of 8)



class Quotation(NamedTuple):
    """A quotation as an activity shows it."""

    source: str  # reading id (readings/sources.csv)
    text: str  # verbatim
    para: int | None  # body paragraph, or None when not given
    label: str = ""  # optional attribution replacing the plain citation (e.g. "X's view, as reported by ...")


def _shown(name: str) -> str:
    return f"readings/{ACTIVITIES}/{name}"


def activity(name: str, folder: Path | None = None) -> dict[str, Any]:
    """Read ``readings/activities/<name>`` (a TOML file) and return its top-level table.

    A missing or malformed file raises :class:`DataError` with the file and, for a syntax error,
    the line and column TOML reports.
    """
    path = (folder or readings_dir()) / ACTIVITIES / name
    if not path.is_file():
        raise DataError(f"{_shown(name)} is missing. The activity needs it: restore it from the workbook's repository.")
    try:
        return tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise DataError(f"{_shown(name)} cannot be read: {exc}") from None
    except tomllib.TOMLDecodeError as exc:
        raise DataError(f"{_shown(name)} is not valid TOML: {exc}") from None


def table(doc: dict, key: str, where: str) -> dict[str, Any]:
    """``doc[key]`` as a table (``[key]`` in the file)."""
    value = doc.get(key)
    if not isinstance(value, dict):
        raise DataError(f"{where}: the table [{key}] is missing.")
    return value


def entries(doc: dict, key: str, name: str) -> list[tuple[str, dict]]:
    """The ``[[key]]`` entries of a file as ``(where, entry)``, each with a unique text ``id``.

    ``where`` reads ``readings/activities/<name>, <key> '<id>'`` for use in messages.
    """
    items = doc.get(key)
    if not isinstance(items, list) or not items or not all(isinstance(i, dict) for i in items):
        raise DataError(f"{_shown(name)}: expected one or more [[{key}]] entries.")
    out: list[tuple[str, dict]] = []
    seen: set[str] = set()
    for n, item in enumerate(items, start=1):
        eid = item.get("id")
        if not isinstance(eid, str) or not eid.strip():
            raise DataError(f"{_shown(name)}, {key} number {n}: field 'id' is missing.")
        if eid in seen:
            raise DataError(f"{_shown(name)}, {key} '{eid}': the id is used twice.")
        seen.add(eid)
        out.append((f"{_shown(name)}, {key} '{eid}'", item))
    return out


def text(entry: dict, field: str, where: str, *, required: bool = True) -> str:
    """A text field of an entry, stripped; ``""`` when optional and absent."""
    value = entry.get(field)
    if value is None and not required:
        return ""
    if not isinstance(value, str) or (required and not value.strip()):
        problem = "is missing" if value is None else "must be non-empty text"
        raise DataError(f"{where}: field '{field}' {problem}.")
    return value.strip()


def choice(entry: dict, field: str, where: str, allowed: tuple[str, ...] | list[str] | set[str] | dict) -> str:
    """A text field that must be one of ``allowed``."""
    value = text(entry, field, where)
    if value not in allowed:
        raise DataError(f"{where}: field '{field}' is {value!r}; use one of {', '.join(allowed)}.")
    return value


def text_map(entry: dict, field: str, where: str, keys: tuple[str, ...] | list[str] | set[str] | dict | None = None,
             *, required: bool = True) -> dict[str, str]:
    """A table of texts (``[entry.field]`` with ``key = "text"``); keys limited to ``keys`` if given."""
    value = entry.get(field)
    if value is None and not required:
        return {}
    if not isinstance(value, dict) or not value:
        raise DataError(f"{where}: field '{field}' must be a table of texts.")
    out = {}
    for key, item in value.items():
        if keys is not None and key not in keys:
            raise DataError(f"{where}: '{field}.{key}' is not known; use one of {', '.join(keys)}.")
        out[key] = text(value, key, f"{where}, {field}")
    return out


def quotation(value: object, where: str, registry: dict[str, dict] | None = None) -> Quotation:
    """One quotation: a registry id, ``{ id, label }`` (an id with its attribution), or an inline
    ``{ source, text, para }`` of under 8 words."""
    registry = registry if registry is not None else quotes()
    label = ""
    if isinstance(value, dict) and "id" in value:
        label = text(value, "label", where, required=False)
        value = value["id"]
    if isinstance(value, str):
        entry = registry.get(value.strip())
        if entry is None:
            raise DataError(f"{where}: {value!r} is not an id in readings/quotes.csv.")
        return Quotation(entry["reading"], entry["text"], int(entry["paragraph"]), label)
    if not isinstance(value, dict):
        raise DataError(f"{where}: a quotation is a registry id or a table {{ source, text, para }}.")
    source = text(value, "source", where)
    known = {row["id"] for row in load("sources.csv")}
    if source not in known:
        raise DataError(f"{where}: source {source!r} is not in readings/sources.csv.")
    words = text(value, "text", where)
    if len(words.split()) > _MAX_INLINE_WORDS:
        raise DataError(f"{where}: the quotation {words[:40]!r}... has more than {_MAX_INLINE_WORDS} words; store it "
                        "once in readings/quotes.csv and give its id here.")
    para = value.get("para")
    if para is not None and not (isinstance(para, int) and para > 0):
        raise DataError(f"{where}: 'para' must be a paragraph number (1, 2, ...), not {para!r}.")
    return Quotation(source, words, para)


def quotations(entry: dict, field: str, where: str, *, required: bool = True) -> tuple[Quotation, ...]:
    """The list field ``field`` of quotations (see :func:`quotation`)."""
    value = entry.get(field)
    if value is None and not required:
        return ()
    if not isinstance(value, list) or (required and not value):
        raise DataError(f"{where}: field '{field}' must be a list of quotations (registry ids).")
    registry = quotes()
    return tuple(quotation(v, f"{where}, {field} number {n}", registry) for n, v in enumerate(value, start=1))
