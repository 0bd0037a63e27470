"""Shared test setup: the workbook root, and the answer journal off so stored outputs never vary."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def pytest_configure(config: pytest.Config) -> None:
    # Kernels started by nbval inherit this: lessons and solutions must not restore a journal.
    os.environ["NKHR_JOURNAL"] = "off"
    os.environ.setdefault("NKHR_ROOT", str(ROOT))
    os.environ.setdefault("MPLBACKEND", "module://matplotlib_inline.backend_inline")


@pytest.fixture
def root() -> Path:
    return ROOT


def require_sources() -> Path:
    """The folder of source texts; skip with the reason when absent, but fail under CI=true."""
    from nkhr import paths

    folder = paths.sources_dir()
    if folder is None:
        where = os.environ.get("NKHR_SOURCES") or str(ROOT.parent / "shared" / "sources")
        reason = f"source texts not found at {where}; set NKHR_SOURCES to check quotations"
        if os.environ.get("CI", "").lower() == "true":
            pytest.fail(reason + " (CI=true: the texts must be present in CI)")
        pytest.skip(reason)
    return folder
