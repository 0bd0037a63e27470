"""The accessibility browser test uses the axe-core version the Makefile installs (one pin)."""

from __future__ import annotations

import re

from test_browser_a11y import AXE_VERSION

from browser_support import ROOT


def test_makefile_pins_the_axe_core_the_test_expects() -> None:
    pinned = re.search(r"^AXE_VERSION := (\S+)$", (ROOT / "Makefile").read_text(encoding="utf-8"), re.M)
    assert pinned, "the Makefile does not pin axe-core (AXE_VERSION := x.y.z)"
    assert pinned.group(1) == AXE_VERSION
