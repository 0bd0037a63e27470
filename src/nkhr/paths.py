"""The one place that resolves the workbook's folders (no ``../../data`` in lessons)."""

from __future__ import annotations

import os
from pathlib import Path

# A workbook folder has readings/ and at least one of these (a student release has no solutions/).
_MARKER = "readings"
_ANY_OF = ("exercises", "notebooks", "solutions")


def project_root() -> Path:
    """Return the workbook's top folder.

    ``NKHR_ROOT`` wins; otherwise the nearest folder above the working directory (a lesson runs
    in ``notebooks/``) that has ``readings/`` and one of ``exercises/``, ``notebooks/`` or
    ``solutions/`` (a student release has no ``solutions/``); otherwise the checkout that holds
    this package (an editable install).
    """
    env = os.environ.get("NKHR_ROOT")
    if env:
        return Path(env).resolve()
    for start in (Path.cwd(), Path(__file__).resolve()):
        for folder in (start, *start.parents):
            if (folder / _MARKER).is_dir() and any((folder / m).is_dir() for m in _ANY_OF):
                return folder
    raise FileNotFoundError(
        "Could not find the workbook folder (one with readings/ and exercises/ or notebooks/). "
        "Open the lesson from inside the workbook, or set NKHR_ROOT to its path."
    )


def readings_dir() -> Path:
    """Folder with the reading guides and the CSV data."""
    return project_root() / "readings"


def solutions_dir() -> Path:
    """Folder with the instructor's question banks and solution notebooks."""
    return project_root() / "solutions"


def exercises_dir() -> Path:
    """Folder with the generated student notebooks and their public keys."""
    return project_root() / "exercises"


def exercise_notebook(set_id: str, folder: Path | None = None) -> Path:
    """The student notebook of a set. Named apart from its lesson so the two tabs differ."""
    return (folder or exercises_dir()) / f"{set_id}-exercises.ipynb"


def sources_dir() -> Path | None:
    """Folder with the five source texts, or None where they are not on this machine.

    ``NKHR_SOURCES`` wins; otherwise ``../shared/sources`` beside the workbook.
    """
    env = os.environ.get("NKHR_SOURCES")
    candidate = Path(env) if env else project_root().parent / "shared" / "sources"
    return candidate if candidate.is_dir() else None
