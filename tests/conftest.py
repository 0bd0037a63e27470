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
