"""``workbook release DIR``: exactly what students get, and nothing they should not.

Lessons, exercise sets with their hashed keys, readings, the helper package and the files that set
it up. No ``solutions/`` (plain answers, explanations, sample answers, the instructor guide), no
tests, no benchmarks. The copy is checked for any explanation or sample answer before it is kept.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from .bank import list_sets, load_bank
from .paths import project_root

FOLDERS = ("notebooks", "exercises", "readings", "src", "jupyter-config", "binder")
FILES = ("pyproject.toml", "environment.yml", "Makefile", "postBuild")
IGNORE = shutil.ignore_patterns("__pycache__", "*.pyc", ".ipynb_checkpoints", "*.egg-info", ".nkhr-journal")
TEXT_SUFFIXES = {".ipynb", ".json", ".md", ".csv", ".py", ".toml", ".yml", ".txt", ""}

README = """# {title}: student edition

Lessons and exercise sets on how the world should respond to North Korea's human-rights record.

## Start

You need Python 3.11 or newer and `make` (Linux, macOS, or WSL on Windows):

```bash
make lab    # first time: sets up .venv (a few minutes), then opens Lesson 00 in JupyterLab
```

With conda instead: `conda env create -f environment.yml`, `conda activate nkhr-workbook`, `bash postBuild`,
then `jupyter lab notebooks/00-start-here.ipynb`.

## Working through the unit

Start with `notebooks/00-start-here.ipynb`; each lesson ends with a link to its exercise set in
`exercises/`. Answer each question in its form and press **Submit answer**; save the notebook
(Ctrl+S) and hand in the `.ipynb` file. Your answers live in that file: open it anywhere and run the
cells, and they come back.
"""


class ReleaseError(Exception):
    """The release cannot be written (the folder is not empty, or an answer leaked into it)."""


def secrets() -> list[str]:
    """Texts students must not get: every explanation and sample answer in the question banks."""
    found = []
    for set_id in list_sets():
        bank = load_bank(set_id)
        for extra in bank.solutions.values():
            found += [t.strip() for t in (extra.get("explanation"), extra.get("sample_answer"))
                      if isinstance(t, str) and len(t.strip()) > 20]
    return found


def leaks(folder: Path, texts: list[str]) -> list[str]:
    """Files in ``folder`` that contain any of ``texts`` (compared with whitespace folded)."""
    wanted = [" ".join(t.split()) for t in texts]
    bad = []
    for path in sorted(p for p in folder.rglob("*") if p.is_file() and p.suffix in TEXT_SUFFIXES):
        try:
            body = " ".join(path.read_text(encoding="utf-8").split())
        except (OSError, UnicodeDecodeError):
            continue
        if any(t in body for t in wanted):
            bad.append(str(path.relative_to(folder)))
    return bad


def release(dest: Path | str, *, root: Path | None = None) -> Path:
    """Write the student release into ``dest`` (new or empty); return it."""
    root = root or project_root()
    dest = Path(dest).resolve()
    if dest == root or root in dest.parents:
        raise ReleaseError(f"{dest} is inside the workbook: choose a folder outside it.")
    if dest.exists() and any(dest.iterdir()):
        raise ReleaseError(f"{dest} is not empty: choose a new folder.")
    dest.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        if (root / folder).is_dir():
            shutil.copytree(root / folder, dest / folder, ignore=IGNORE, dirs_exist_ok=True)
    for name in FILES:
        if (root / name).is_file():
            shutil.copy2(root / name, dest / name)
    (dest / "README.md").write_text(README.format(title="Engagement or pressure?"), encoding="utf-8")
    bad = leaks(dest, secrets())
    if bad:
        shutil.rmtree(dest)
        raise ReleaseError("an explanation or sample answer was found in " + ", ".join(bad) + "; nothing was written.")
    return dest
