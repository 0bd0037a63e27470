"""The browser app (``_site/lite/``): JupyterLite with the Pyodide kernel, fully self-hosted.

Parts, all from the package registries and pinned in ``site/lite.toml``:

- Pyodide's core (``pyodide`` on the npm registry);
- the pure-Python wheels the kernel and the workbook need (PyPI), with lock entries written here
  (Pyodide's own lock points at its CDN; ours points at the files beside it, with their sha256);
- the workbook itself as a wheel made from the student copy (core dependency: ipywidgets only).

Students open ``lite/lab/index.html?path=exercises/<set>-exercises.ipynb``, answer, save and
download the ``.ipynb``: that file is the hand-in (browser storage can be cleared; it never counts).
"""

from __future__ import annotations

import base64
import hashlib
import json
import shutil
import subprocess
import sys
import tarfile
import tomllib
import zipfile
from pathlib import Path

CONFIG = Path(__file__).resolve().parents[2] / "site" / "lite.toml"
KERNEL_PLUGIN = "@jupyterlite/pyodide-kernel-extension:kernel"
LITE_KERNEL = {"name": "python", "display_name": "Python (Pyodide)", "language": "python"}
HAND_IN = ("**Browser edition: how to hand in.** Answer each question and press **Submit answer**. Then save "
           "(Ctrl+S or File → Save) and choose **File → Download**: the downloaded `.ipynb` file is what you hand in. "
           "Work kept only in the browser can vanish when the browser clears its storage, so download at the end "
           "of every session. To go on later, drag your downloaded file into the file list and open it.")

LESSON_NOTE = ("**Browser edition.** The charts below were drawn when this site was built, from the same data "
               "files. Python runs in your browser here, but the chart library (matplotlib) does not, so the code "
               "cells of this lesson cannot be re-run in the browser app. Read the lesson and its charts here or "
               "on the reading site; do the exercise set in the app; use `make lab`, Binder or your JupyterHub to "
               "run the explorers.")


def config(path: Path = CONFIG) -> dict:
    """The pinned parts of the browser app."""
    return tomllib.loads(path.read_text(encoding="utf-8"))


def cache_dir(root: Path) -> Path:
    """Downloads kept between builds (ignored by git)."""
    folder = root / "build" / "site-cache"
    folder.mkdir(parents=True, exist_ok=True)
    return folder


def fetch_pyodide(version: str, cache: Path) -> Path:
    """Pyodide's core from the npm registry (``npm pack``), unpacked once into the cache."""
    target = cache / f"pyodide-{version}"
    if not (target / "pyodide.mjs").is_file():
        tgz = cache / f"pyodide-{version}.tgz"
        if not tgz.is_file():
            if shutil.which("npm") is None:
                raise FileNotFoundError("npm is needed to fetch Pyodide's core from the npm registry: install "
                                        "Node.js/npm (Debian: apt-get install npm), or build the reading site "
                                        "alone with `workbook site --no-lite`.")
            subprocess.run(["npm", "pack", f"pyodide@{version}", "--silent"], cwd=cache, check=True,
                           stdout=subprocess.DEVNULL)
        with tarfile.open(tgz) as tar:
            tar.extractall(cache / "npm", filter="data")
        shutil.rmtree(target, ignore_errors=True)
        (cache / "npm" / "package").rename(target)
    return target


def fetch_wheels(pins: list[str], python: str, cache: Path) -> list[Path]:
    """Pure-Python wheels from PyPI at the pinned versions (pip's own cache makes this cheap)."""
    folder = cache / "wheels"
    folder.mkdir(exist_ok=True)
    missing = [p for p in pins if not list(folder.glob(_wheel_glob(p)))]
    if missing:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary=:all:",
                        "--python-version", python, "--implementation", "py", "-d", str(folder), *missing], check=True)
    found = []
    for p in pins:
        hits = sorted(folder.glob(_wheel_glob(p)))
        if not hits:
            raise FileNotFoundError(f"no wheel for {p} in {folder}")
        found.append(hits[0])
    return found


def _norm(name: str) -> str:
    return name.lower().replace("-", "_").replace(".", "_")


def _wheel_glob(pin: str) -> str:
    name, version = pin.split("==")
    return f"{_norm(name)}-{version}-*.whl"


def own_wheel(student: Path, out: Path) -> Path:
    """The workbook's ``nkhr`` package as a pure-Python wheel (written directly: no build step)."""
    meta = tomllib.loads((student / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    name, version = _norm(meta["name"]), meta["version"]
    dist = f"{name}-{version}.dist-info"
    wheel = out / f"{name}-{version}-py3-none-any.whl"
    requires = "".join(f"Requires-Dist: {d}\n" for d in meta.get("dependencies", []))
    files = {f"nkhr/{p.relative_to(student / 'src' / 'nkhr').as_posix()}": p.read_bytes()
             for p in sorted((student / "src" / "nkhr").rglob("*.py"))}
    files[f"{dist}/METADATA"] = (f"Metadata-Version: 2.1\nName: {meta['name']}\nVersion: {version}\n"
                                 f"Requires-Python: {meta.get('requires-python', '')}\n{requires}").encode()
    files[f"{dist}/WHEEL"] = b"Wheel-Version: 1.0\nGenerator: nkhr.lite\nRoot-Is-Purelib: true\nTag: py3-none-any\n"
    record = [f"{n},sha256={_b64(hashlib.sha256(b).digest())},{len(b)}" for n, b in files.items()]
    files[f"{dist}/RECORD"] = ("\n".join(record + [f"{dist}/RECORD,,"]) + "\n").encode()
    with zipfile.ZipFile(wheel, "w", zipfile.ZIP_DEFLATED) as z:
        for n, b in files.items():
            z.writestr(zipfile.ZipInfo(n, date_time=(2026, 1, 1, 0, 0, 0)), b)
    return wheel


def _b64(digest: bytes) -> str:
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def wheel_meta(wheel: Path) -> tuple[str, str, list[str], list[str]]:
    """Name, version, top-level import names and plain dependency names of a wheel."""
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        meta_name = next(n for n in names if n.endswith(".dist-info/METADATA"))
        text = z.read(meta_name).decode("utf-8", "replace")
        top = next((n for n in names if n.endswith(".dist-info/top_level.txt")), None)
        imports = z.read(top).decode().split() if top else []
    head = {}
    deps = []
    for line in text.split("\n\n", 1)[0].splitlines():
        key, _, value = line.partition(": ")
        if key == "Requires-Dist" and "extra ==" not in value:
            deps.append(value.split(";")[0].split("[")[0].split("(")[0].split("<")[0].split(">")[0]
                        .split("=")[0].split("~")[0].split("!")[0].strip().lower())
        head.setdefault(key, value)
    if not imports:
        imports = sorted({n.split("/")[0].removesuffix(".py") for n in names
                          if not n.split("/")[0].endswith((".dist-info", ".data")) and (n.endswith(".py") or "/" in n)})
    return head["Name"].lower(), head["Version"], imports, deps


def lock(core_lock: dict, wheels: list[Path]) -> dict:
    """Pyodide's lock with only our wheels, each entry pointing at the file beside it."""
    entries = {}
    for wheel in wheels:
        name, version, imports, deps = wheel_meta(wheel)
        entries[name.replace("_", "-")] = {
            "name": name.replace("_", "-"), "version": version, "file_name": wheel.name, "install_dir": "site",
            "sha256": hashlib.sha256(wheel.read_bytes()).hexdigest(), "package_type": "package",
            "imports": imports, "depends": deps, "unvendored_tests": False}
    known = set(entries)
    for entry in entries.values():
        # a dependency outside the lock (e.g. an optional one) is dropped rather than fetched
        entry["depends"] = [d.replace("_", "-") for d in entry["depends"] if d.replace("_", "-") in known]
    return {"info": core_lock["info"], "packages": entries}


def lite_notebook(path: Path, *, exercise: bool, executed: dict | None = None) -> None:
    """Point a notebook at the browser kernel; an exercise set also says how to hand in, and a
    lesson (``executed``: its outputs from the build) says what runs in the browser."""
    nb = executed if executed is not None else json.loads(path.read_text(encoding="utf-8"))
    nb.setdefault("metadata", {})["kernelspec"] = dict(LITE_KERNEL)
    note = HAND_IN if exercise else LESSON_NOTE
    nb["cells"].insert(0, {"cell_type": "markdown", "id": "nkhr-lite-note", "metadata": {}, "source": note})
    path.write_text(json.dumps(nb, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")


def build_lite(student: Path, out: Path, *, root: Path | None = None, lessons: dict | None = None) -> Path:
    """Build the JupyterLite app into ``out`` from the student copy ``student``; ``lessons`` are the
    lesson notebooks as executed by the reading build, by file name (else the stored ones)."""
    cfg = config()
    root = root or Path(__file__).resolve().parents[2]
    cache = cache_dir(root)
    work = out.parent / ".lite-work"
    shutil.rmtree(work, ignore_errors=True)
    contents = work / "contents"
    for folder in ("notebooks", "exercises", "readings"):
        shutil.copytree(student / folder, contents / folder)
    for nb in (contents / "notebooks").glob("*.ipynb"):
        lite_notebook(nb, exercise=False, executed=(lessons or {}).get(nb.name))
    for nb in (contents / "exercises").glob("*.ipynb"):
        lite_notebook(nb, exercise=True)

    lite_dir = work / "lite"
    pyodide_dir = lite_dir / "static" / "pyodide"
    core = fetch_pyodide(cfg["pyodide"]["version"], cache)
    pyodide_dir.mkdir(parents=True)
    for name in cfg["pyodide"]["files"]:
        shutil.copy2(core / name, pyodide_dir / name)
    wheels = fetch_wheels(cfg["wheels"]["pins"], cfg["pyodide"]["python"], cache)
    wheels.append(own_wheel(student, work))
    for wheel in wheels:
        shutil.copy2(wheel, pyodide_dir / wheel.name)
    core_lock = json.loads((core / "pyodide-lock.json").read_text(encoding="utf-8"))
    (pyodide_dir / "pyodide-lock.json").write_text(json.dumps(lock(core_lock, wheels), indent=1), encoding="utf-8")

    settings = {"loadPyodideOptions": {"packages": cfg["wheels"]["preload"]}, "disablePyPIFallback": True}
    (lite_dir / "jupyter-lite.json").write_text(json.dumps({
        "jupyter-lite-schema-version": 0,
        "jupyter-config-data": {"appName": "NKHR workbook", "litePluginSettings": {KERNEL_PLUGIN: settings},
                                "disabledExtensions": cfg["lite"].get("disabled", [])}}, indent=1), encoding="utf-8")
    overrides = student / "jupyter-config" / "overrides.json"
    if overrides.is_file():
        shutil.copy2(overrides, lite_dir / "overrides.json")
    jupyter = Path(sys.executable).parent / "jupyter"
    subprocess.run([str(jupyter), "lite", "build", "--lite-dir", str(lite_dir), "--contents", str(contents),
                    "--output-dir", str(out), "--no-sourcemaps"], check=True, cwd=work,
                   stdout=subprocess.DEVNULL)
    shutil.rmtree(work, ignore_errors=True)
    return out
