"""Every relative link a reader can click (lessons, exercise sets, guides, README) leads to a file."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest

ROOT = Path(__file__).resolve().parents[1]
LINK = re.compile(r"\]\(([^)\s]+)\)")


def markdown_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        nb = nbformat.read(path, as_version=4)
        return "\n".join(c.source for c in nb.cells if c.cell_type == "markdown")
    return path.read_text(encoding="utf-8")


DOCS = sorted([*ROOT.glob("notebooks/*.ipynb"), *ROOT.glob("exercises/*.ipynb"), *ROOT.glob("readings/*.md"),
               ROOT / "README.md", ROOT / "solutions" / "instructor-guide.md"])


def broken_links(path: Path) -> list[str]:
    bad = []
    for target in LINK.findall(markdown_of(path)):
        if re.match(r"^[a-z]+:", target) or target.startswith("#"):
            continue  # a web address, or an anchor in the same page
        if not (path.parent / target.split("#")[0]).exists():
            bad.append(target)
    return bad


@pytest.mark.parametrize("path", DOCS, ids=lambda p: str(p.relative_to(ROOT)))
def test_relative_links_lead_to_files(path: Path) -> None:
    assert broken_links(path) == []


def test_a_broken_link_is_found(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    (tmp_path / "there.md").write_text("x")
    page.write_text("[ok](there.md#a) [web](https://example.org) [gone](../exercises/03-un-mechanisms.ipynb)")
    assert broken_links(page) == ["../exercises/03-un-mechanisms.ipynb"]
