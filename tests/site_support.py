"""The built web edition for the tests: built once per test session, served on 127.0.0.1.

The lessons are not re-executed here (their stored outputs are what nbval checks); ``make site``
executes them. Everything else is the real build: release, reading pages, the browser app.
"""

from __future__ import annotations

import functools
import http.server
import shutil
import socketserver
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MIME = {".wasm": "application/wasm", ".mjs": "text/javascript", ".js": "text/javascript",
        ".json": "application/json", ".whl": "application/zip", ".ipynb": "application/json"}
BUILD_SECONDS: dict[str, float] = {}


def missing_tools() -> str | None:
    """Why the site cannot be built here (npm or the site extra missing), or None."""
    if shutil.which("npm") is None:
        return "npm is needed to fetch Pyodide's core (apt-get install npm)"
    try:
        import jupyterlite_core  # noqa: F401
        import jupyterlite_pyodide_kernel  # noqa: F401
    except ImportError:
        return "the site extra is missing: pip install -e '.[site]'"
    return None


@functools.lru_cache(maxsize=1)
def built_site() -> Path:
    """``_site`` built into a temporary folder, once per session (lessons not re-executed)."""
    from nkhr.site import build

    out = Path(tempfile.mkdtemp(prefix="nkhr-site-test-")) / "_site"
    t0 = time.perf_counter()
    BUILD_SECONDS.update(build(out, run=False))
    BUILD_SECONDS["total"] = time.perf_counter() - t0
    print(f"\n[site build: {', '.join(f'{k} {v:.1f} s' for k, v in BUILD_SECONDS.items())}]")
    return out


class _Quiet(http.server.SimpleHTTPRequestHandler):
    extensions_map = {**http.server.SimpleHTTPRequestHandler.extensions_map, **MIME}

    def log_message(self, *args) -> None:  # keep the test output readable
        pass


class SiteServer:
    """A static server for a folder on 127.0.0.1 (a free port), in a thread."""

    def __init__(self, folder: Path):
        handler = functools.partial(_Quiet, directory=str(folder))
        self.httpd = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.port = self.httpd.server_address[1]
        self.thread = threading.Thread(target=self.httpd.serve_forever, daemon=True)

    def __enter__(self) -> "SiteServer":
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def url(self, path: str = "") -> str:
        return f"http://127.0.0.1:{self.port}/{path}"
