"""Small, careful I/O for the grader: clean text for screens and spreadsheets, atomic writes, safe printing.

Nothing here knows about exercise sets; :mod:`nkhr.grade`, :mod:`nkhr.report` and :mod:`nkhr.lms`
use it so that a hostile file name or answer never crashes a run and a full disk never leaves a
half-written output behind.
"""

from __future__ import annotations

import os
import re
import sys
import tempfile
import unicodedata
from pathlib import Path
from typing import Any, TextIO

# C0/C1 control characters and the bidirectional overrides that can make a name read backwards
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class OutputError(Exception):
    """An output file could not be written; the message names it and says why."""


def unbroken(text: str) -> str:
    """``text`` with lone surrogates (from JSON escapes or undecodable file names) replaced by '?'."""
    if text.isascii():
        return text
    return text.encode("utf-8", "replace").decode("utf-8")


def clean(text: Any) -> str:
    """A name or label safe to print or put in a CSV cell: no control characters, no lone surrogates."""
    text = unbroken(str(text))
    return _CONTROL.sub("", text) if not text.isprintable() else text


def student_key(text: str) -> str:
    """The form in which student ids are compared: NFKC, case-folded, spaces collapsed, cleaned.

    The same on every run, so a manual score never comes loose from its student.
    """
    text = unicodedata.normalize("NFKC", clean(text))
    return " ".join(unicodedata.normalize("NFKC", text.casefold()).split())


def atomic_write(path: Path, data: str | bytes, *, bom: bool = False) -> None:
    """Write ``path`` through a temporary file in the same folder, then rename it into place.

    On any failure (disk full, a read-only file, a folder in the way) the old file is left as it
    was and :class:`OutputError` says which file and why.
    """
    if isinstance(data, str):
        data = data.encode("utf-8-sig" if bom else "utf-8", "replace")
    tmp = None
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name[:40]}.", suffix=".tmp")
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
        os.replace(tmp, path)
        tmp = None
    except OSError as exc:
        raise OutputError(f"Could not write {clean(path)} ({exc.strerror or exc}). The file as it was "
                          "before this run is unchanged; free some space or close the file, then run "
                          "the same command again.") from None
    finally:
        if tmp is not None:
            try:
                os.unlink(tmp)
            except OSError:
                pass


def say(text: str, stream: TextIO | None = None) -> bool:
    """Print ``text`` to a terminal or a pipe without ever crashing; False if the reader has gone.

    Characters the stream's encoding cannot show are replaced; a closed pipe ends output quietly.
    """
    stream = stream or sys.stdout
    try:
        enc = getattr(stream, "encoding", None) or "utf-8"
        stream.write(clean_lines(text).encode(enc, "replace").decode(enc, "replace") + "\n")
        stream.flush()
        return True
    except BrokenPipeError:
        try:  # the reader left (e.g. `| head`): stop writing, and stop Python complaining at exit
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, stream.fileno())
        except (OSError, ValueError, AttributeError):
            pass
        return False
    except (OSError, ValueError):
        return False


def clean_lines(text: str) -> str:
    """Like :func:`clean`, but keeps line breaks (for multi-line terminal output)."""
    return "\n".join(clean(line) for line in unbroken(text).split("\n"))
