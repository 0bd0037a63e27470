"""Where a student's answers are kept, and where they come back from when a cell runs again.

1. **The notebook file.** Submit writes a payload output (``ANSWER_MIME``) into the notebook, so
   saving the notebook saves the answers: the ``.ipynb`` is the submission. When the set opens, the
   kernel reads its own notebook file (JupyterLab tells it the path in ``JPY_SESSION_NAME``; VS Code in
   ``__vsc_ipynb_file__``) and restores each question's last recorded answer from it. That works on
   any computer, because the answers travel with the file.
2. **This session.** Answers submitted since the kernel started (not yet saved) are kept in memory.
3. **The journal** (``.nkhr-journal/``): a crash backup on this computer, one file per notebook,
   keyed by the notebook's identity (an id recorded in the setup cell's output) and its path, so it
   never crosses into another notebook: a blank copy of a set never inherits anyone's answers.

Of the three, the newest answer (by ``submitted_at``) wins. Nothing here raises for a missing,
corrupt or unreadable file: problems come back as one sentence for the notebook to show.
"""

from __future__ import annotations

import json
import os
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Iterator

from . import ANSWER_MIME
from .paths import project_root

NOTEBOOK_MIME = "application/vnd.nkhr.notebook+json"  # the notebook's identity, in the setup cell
PAYLOAD_FORMAT = 1
STUDENT_QID = "_student"  # the pseudo-question that records the student's name or id
MAX_NOTEBOOK_BYTES = 50 * 1024 * 1024  # a bigger file is not read (a set is ~100 kB with outputs)

FROM_FILE = "the saved notebook"
FROM_JOURNAL = "this computer's backup"
FROM_SESSION = "this session"


def now_iso() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="milliseconds")


def payload(set_id: str, qid: str, qtype: str, answer: Any, *, submitted: bool, attempts: int) -> dict:
    """The record written into the notebook for one answer."""
    return {
        "format": PAYLOAD_FORMAT, "set": set_id, "question": qid, "type": qtype, "answer": answer,
        "submitted_at": now_iso() if submitted else None, "attempts": attempts,
    }


# ---------------------------------------------------------------- reading a notebook's payloads

def _data_items(nb: Any) -> Iterator[dict]:
    """The ``data`` dict of every output of every code cell, in cell order."""
    cells = nb.get("cells") if isinstance(nb, dict) else None
    for cell in cells if isinstance(cells, list) else []:
        outputs = cell.get("outputs") if isinstance(cell, dict) and cell.get("cell_type") == "code" else None
        for output in outputs if isinstance(outputs, list) else []:
            data = output.get("data") if isinstance(output, dict) else None
            if isinstance(data, dict):
                yield data


def _json_value(value: Any) -> Any:
    """A MIME value as stored: JSON outputs are objects, but some writers store them as strings."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value


def recorded_payloads(nb: Any) -> Iterator[dict]:
    """Every well-formed answer payload in a notebook (as a dict), in cell order."""
    for data in _data_items(nb):
        p = _json_value(data.get(ANSWER_MIME))
        if isinstance(p, dict) and isinstance(p.get("question"), str) and "answer" in p:
            yield p


def notebook_identity(nb: Any) -> str | None:
    """The id the workbook recorded in this notebook's setup cell, or None."""
    for data in _data_items(nb):
        ident = _json_value(data.get(NOTEBOOK_MIME))
        if isinstance(ident, dict) and isinstance(ident.get("id"), str) and ident["id"]:
            return ident["id"]
    return None


# ---------------------------------------------------------------- the notebook this kernel runs

def notebook_path() -> Path | None:
    """The ``.ipynb`` this kernel belongs to, or None where the front end does not say (nbclient)."""
    from IPython import get_ipython

    candidates = [os.environ.get("JPY_SESSION_NAME", "")]
    shell = get_ipython()
    if shell is not None:
        candidates += [shell.user_ns.get("__vsc_ipynb_file__", ""), shell.user_ns.get("__session__", "")]
    for text in candidates:
        if isinstance(text, str) and text.endswith(".ipynb"):
            path = Path(text)
            # JupyterLab gives an absolute path; an older server gives one relative to its root,
            # and the kernel runs in the notebook's own folder
            return path if path.is_absolute() else Path.cwd() / path.name
    return None


@dataclass
class Saved:
    """What the notebook file on disk holds for one set."""

    path: Path | None
    identity: str | None = None
    answers: dict[str, dict] = field(default_factory=dict)
    problem: str | None = None  # one sentence for the student, or None
    stamp: str | None = None  # the file's modification time and size when read (None: no file)


def file_stamp(path: Path | None) -> str | None:
    """The file's modification time and size: a copy or a save over it changes this."""
    try:
        st = path.stat() if path is not None else None
    except OSError:
        return None
    return f"{st.st_mtime_ns}:{st.st_size}" if st else None


def read_saved(path: Path | None, set_id: str) -> Saved:
    """Read the last recorded answer per question from the notebook file; never raises."""
    if path is None:
        return Saved(None)
    stamp = file_stamp(path)
    try:
        if path.stat().st_size > MAX_NOTEBOOK_BYTES:
            return Saved(path, problem=f"{path.name} is too large to read, so no answers were restored from it.")
        nb = json.loads(path.read_bytes().decode("utf-8", errors="replace"))
    except FileNotFoundError:
        return Saved(path, problem=f"the saved notebook was not found at {path} (was it renamed?), "
                                   "so answers come back only from this session.")
    except (OSError, ValueError, RecursionError) as exc:
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "it is not a readable notebook"
        return Saved(path, problem=f"{path.name} could not be read ({reason}), so no answers were restored from it.")
    saved = Saved(path, identity=notebook_identity(nb), stamp=stamp)
    other_sets = set()
    for p in recorded_payloads(nb):
        if p.get("set") not in (None, set_id):
            other_sets.add(str(p.get("set")))
            continue
        saved.answers[p["question"]] = p  # the last one in cell order wins, as in grading
    if other_sets:
        saved.problem = (f"{path.name} also holds answers for another exercise set ({', '.join(sorted(other_sets))}); "
                         "they were left out.")
    return saved


def kernel_id() -> str | None:
    """This kernel's id (kept across restarts of the same JupyterLab session), or None."""
    try:
        from ipykernel import get_connection_file

        name = Path(get_connection_file()).stem
    except Exception:  # not in a kernel (plain Python, tests)
        return None
    return name.removeprefix("kernel-") or None


def new_identity() -> str:
    return uuid.uuid4().hex


# ---------------------------------------------------------------- the journal (a crash backup)

class Journal:
    """Last payload per question of one notebook, in ``<folder>/<notebook id>.json``."""

    _warned = False

    def __init__(self, folder: Path | None):
        self.folder = folder

    @classmethod
    def default(cls) -> "Journal":
        """``.nkhr-journal/`` in the workbook; ``NKHR_JOURNAL=off`` turns it off, a path moves it."""
        setting = os.environ.get("NKHR_JOURNAL", "")
        if setting.lower() in ("off", "0", "no", "false"):
            return cls(None)
        if setting:
            return cls(Path(setting))
        try:
            return cls(project_root() / ".nkhr-journal")
        except FileNotFoundError:
            return cls(None)

    def _file(self, identity: str) -> Path:
        safe = "".join(ch for ch in identity if ch.isalnum())[:64] or "unknown"
        return self.folder / f"{safe}.json"

    def _read(self, file: Path) -> dict:
        try:
            data = json.loads(file.read_text(encoding="utf-8"))
        except (OSError, ValueError, RecursionError):
            return {}
        return data if isinstance(data, dict) and isinstance(data.get("answers"), dict) else {}

    def answers(self, identity: str, path: Path | None) -> dict[str, dict]:
        """The backed-up payloads of this notebook (same identity and same path), else {}."""
        if self.folder is None:
            return {}
        data = self._read(self._file(identity))
        if data.get("id") != identity or data.get("path") != str(path):
            return {}
        return {q: p for q, p in data["answers"].items() if isinstance(p, dict) and "answer" in p}

    def adopt(self, path: Path | None, kernel: str | None, stamp: str | None) -> str | None:
        """The identity of an unsaved notebook at ``path`` started in this same kernel session.

        A notebook that was answered but never saved has no identity in its file yet; after a
        kernel restart its backup is found by path, kernel id *and* the file's stamp (the file has
        not been saved or replaced since). A new student's blank copy at the same path is a new
        file (another stamp), usually in another kernel, so it never matches.
        """
        if self.folder is None or path is None or kernel is None or not self.folder.is_dir():
            return None
        for file in sorted(self.folder.glob("*.json")):
            data = self._read(file)
            if (data.get("path") == str(path) and data.get("kernel") == kernel and data.get("stamp") == stamp
                    and isinstance(data.get("id"), str)):
                return data["id"]
        return None

    def put(self, identity: str, path: Path | None, qid: str, p: dict, *, stamp: str | None = None) -> None:
        """Back up one payload; on failure warn once and carry on (the notebook still has it)."""
        if self.folder is None:
            return
        try:
            self.folder.mkdir(parents=True, exist_ok=True)
            file = self._file(identity)
            data = self._read(file)
            if data.get("id") != identity or data.get("path") != str(path):
                data = {"id": identity, "path": str(path), "answers": {}}
            data["kernel"] = kernel_id()
            data.setdefault("stamp", stamp)  # the file as it was when this notebook got its identity
            data["answers"][qid] = p
            tmp = file.with_suffix(".tmp")
            tmp.write_text(json.dumps(data, ensure_ascii=False, indent=1), encoding="utf-8")
            tmp.replace(file)
        except OSError as exc:
            if not Journal._warned:
                Journal._warned = True
                print(f"Note: answers cannot be backed up to {self.folder} ({exc.strerror or exc}). "
                      "Your answers are still kept in this notebook when you save it.")


def newest(candidates: list[tuple[str, dict | None]]) -> tuple[str, dict] | None:
    """The candidate payload with the latest ``submitted_at`` (earlier in the list wins ties)."""
    best: tuple[str, dict] | None = None
    for where, p in candidates:
        if p is None:
            continue
        stamp = p.get("submitted_at") if isinstance(p.get("submitted_at"), str) else ""
        if best is None or stamp > (best[1].get("submitted_at") or ""):
            best = (where, p)
    return best
