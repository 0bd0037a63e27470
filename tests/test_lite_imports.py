"""The lesson modules import without matplotlib, as in the JupyterLite app (issue 19)."""
from __future__ import annotations

import subprocess
import sys

BLOCK = """
import importlib.abc, sys
class Block(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name == "matplotlib" or name.startswith("matplotlib."):
            raise ImportError("matplotlib is blocked, as in the Lite app")
sys.meta_path.insert(0, Block())
import nkhr.charts, nkhr.china, nkhr.dialogue, nkhr.positions, nkhr.mechanisms
"""


def test_lesson_modules_import_without_matplotlib() -> None:
    """Importing every module a lesson uses works when matplotlib cannot be imported."""
    done = subprocess.run([sys.executable, "-c", BLOCK], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
