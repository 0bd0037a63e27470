"""``workbook link``: links that open a lesson or exercise set with nothing installed.

- **nbgitpuller** (your JupyterHub): pulls the workbook into the student's home folder and opens the
  file; later clicks update it without overwriting the student's own changes.
- **Binder** (mybinder.org): builds the student environment in ``binder/`` and opens the file.
- **Browser app** (the static site from ``workbook site``): opens the file in JupyterLite.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import quote, urlencode

from .paths import exercise_notebook, project_root

BINDER = "https://mybinder.org"


class LinkError(Exception):
    """The lesson or set is unknown, or the repository address is missing."""


def resolve(target: str, root: Path | None = None) -> dict[str, str]:
    """Paths (relative to the workbook) of the lesson and exercise set a target names, e.g. ``03``."""
    root = root or project_root()
    number = re.match(r"\d\d", target.strip())
    if not number:
        raise LinkError(f"{target!r} is not a lesson or set id: use its number, e.g. 03 or 03-un-mechanisms.")
    lessons = sorted((root / "notebooks").glob(f"{number.group(0)}-*.ipynb"))
    if not lessons:
        known = ", ".join(p.stem for p in sorted((root / "notebooks").glob("[0-9][0-9]-*.ipynb")))
        raise LinkError(f"no lesson {number.group(0)}; the lessons are: {known}.")
    stem = lessons[0].stem
    found = {"lesson": f"notebooks/{lessons[0].name}"}
    if exercise_notebook(stem, root / "exercises").is_file():
        found["set"] = f"exercises/{exercise_notebook(stem, root / 'exercises').name}"
    return found


def repo_name(repo: str) -> str:
    """The folder nbgitpuller clones ``repo`` into (its last path part, without ``.git``)."""
    return repo.rstrip("/").rsplit("/", 1)[-1].removesuffix(".git")


def nbgitpuller(hub: str, repo: str, branch: str, path: str) -> str:
    """An nbgitpuller link for a JupyterHub that opens ``path`` in JupyterLab."""
    query = urlencode({"repo": repo, "branch": branch, "urlpath": f"lab/tree/{repo_name(repo)}/{path}"})
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def binder(repo: str, branch: str, path: str) -> str:
    """A mybinder.org link (GitHub repositories get the short form)."""
    gh = re.match(r"https://github\.com/([^/]+)/([^/]+?)(?:\.git)?/?$", repo)
    spec = f"gh/{gh.group(1)}/{gh.group(2)}/{branch}" if gh else f"git/{quote(repo, safe='')}/{branch}"
    return f"{BINDER}/v2/{spec}?{urlencode({'urlpath': f'lab/tree/{path}'})}"


def lite(site: str, path: str) -> str:
    """A link into the browser app of a published site."""
    return f"{site.rstrip('/')}/lite/lab/index.html?path={path}"


def links(target: str, *, repo: str | None, branch: str = "main", hub: str | None = None,
          site: str | None = None, root: Path | None = None) -> dict[str, str]:
    """Every link for a lesson and its set, by name (``set: Binder`` …), in a fixed order."""
    paths = resolve(target, root)
    out = {}
    for kind, path in paths.items():
        if hub:
            if not repo:
                raise LinkError("nbgitpuller needs the workbook's public git address: add --repo URL.")
            out[f"{kind}: JupyterHub (nbgitpuller)"] = nbgitpuller(hub, repo, branch, path)
        if repo:
            out[f"{kind}: Binder"] = binder(repo, branch, path)
        out[f"{kind}: browser app"] = lite(site or "<where _site is published>", path)
    return out
