"""The web edition (``make site``): reading pages, the browser app's parts, the package split,
the Binder/JupyterHub environment and ``workbook link``. The browser half is test_browser_site.py."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
import subprocess
import sys
import tomllib
from html.parser import HTMLParser
from pathlib import Path

import pytest

from nkhr import links, lite, site
from site_support import built_site, missing_tools

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------- pieces, no build

def test_widgets_become_a_link_to_the_app_and_charts_get_their_description_as_alt() -> None:
    nb = {"cells": [{"cell_type": "code", "source": "", "outputs": [
        {"output_type": "display_data", "metadata": {}, "data": {"image/png": "iVBOR", "text/plain": "<Figure>"}},
        {"output_type": "display_data", "metadata": {}, "data": {"text/markdown": "**Text description.** Bars: 3 and 4."}},
        {"output_type": "display_data", "metadata": {}, "data": {site.WIDGET_MIME: {"model_id": "a"}}},
        {"output_type": "display_data", "metadata": {}, "data": {site.WIDGET_MIME: {"model_id": "b"}}},
    ]}], "metadata": {"widgets": {"state": {}}}}
    out = site.prepare(nb, "01-x.ipynb")
    outs = out["cells"][0]["outputs"]
    assert outs[0]["metadata"]["image/png"]["alt"] == "Bars: 3 and 4."
    assert [site.WIDGET_MIME in o["data"] for o in outs] == [False, False, False]
    assert "lite/lab/index.html?path=notebooks/01-x.ipynb" in outs[2]["data"]["text/html"]
    assert len(outs) == 3, "one box per cell, however many widgets it shows"
    assert "widgets" not in out["metadata"]


def test_links_point_at_site_pages_and_the_app() -> None:
    text = ('<a href="../readings/glossary.md#upr">g</a> <a href="../exercises/03-un-mechanisms-exercises.ipynb">s</a> '
            '<a href="04-chinas-role.ipynb#top">l</a> <a href="https://example.org/a.md">x</a>')
    out = site.rewrite_links(text, depth=1)
    assert 'href="../readings/glossary.html#upr"' in out
    assert 'href="../lite/lab/index.html?path=exercises/03-un-mechanisms-exercises.ipynb"' in out
    assert 'href="../lessons/04-chinas-role.html#top"' in out
    assert 'href="https://example.org/a.md"' in out


def test_the_workbook_wheel_and_its_lock_entry(tmp_path: Path) -> None:
    wheel = lite.own_wheel(ROOT, tmp_path)
    name, version, imports, deps = lite.wheel_meta(wheel)
    assert (name, imports, deps) == ("nkhr-workbook", ["nkhr"], ["ipywidgets"])
    entry = lite.lock({"info": {}}, [wheel])["packages"]["nkhr-workbook"]
    assert entry["sha256"] == hashlib.sha256(wheel.read_bytes()).hexdigest()
    assert entry["depends"] == [], "ipywidgets is not in this lock, so the entry must not depend on it"
    import zipfile
    with zipfile.ZipFile(wheel) as z:
        assert "nkhr/exercises.py" in z.namelist()


def test_the_student_core_needs_only_ipywidgets(tmp_path: Path) -> None:
    """What runs in the browser: an exercise set imports and shows its forms without matplotlib,
    nbformat or JupyterLab (none of which installs in Pyodide; the browser kernel brings its own ipykernel)."""
    deps = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert [d.split("==")[0] for d in deps] == ["ipywidgets"]
    code = (
        "import sys\n"
        "for m in ('matplotlib', 'nbformat', 'jupyterlab', 'nbclient', 'jsonschema'):\n"
        "    sys.modules[m] = None\n"
        "from nkhr.exercises import open_set\n"
        "ex = open_set('00-start-here', key='student')\n"
        "ex.student(); ex.ask('newest-reading')\n"
        "print('ok', type(ex).__name__)\n")
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT / "exercises",
                            env={"PATH": "/usr/bin:/bin", "NKHR_JOURNAL": "off", "PYTHONPATH": str(ROOT / "src")})
    assert result.returncode == 0 and "ok ExerciseSet" in result.stdout, (result.stdout + result.stderr)[-2000:]


def test_lite_notebook_tells_how_to_hand_in_and_uses_the_browser_kernel(tmp_path: Path) -> None:
    src = next((ROOT / "exercises").glob("*-exercises.ipynb"))
    copy = tmp_path / src.name
    shutil.copy2(src, copy)
    lite.lite_notebook(copy, exercise=True)
    nb = json.loads(copy.read_text())
    assert nb["metadata"]["kernelspec"]["name"] == "python"
    assert "File → Download" in nb["cells"][0]["source"]
    assert len(nb["cells"]) == len(json.loads(src.read_text())["cells"]) + 1


def test_lite_pins_are_exact() -> None:
    cfg = lite.config()
    assert re.fullmatch(r"\d+\.\d+\.\d+", cfg["pyodide"]["version"])
    assert all(re.fullmatch(r"[A-Za-z0-9_.-]+==[0-9][0-9A-Za-z.]*", p) for p in cfg["wheels"]["pins"])


# ---------------------------------------------------------------- Binder / JupyterHub

def _conda(path: Path) -> dict[str, str]:
    pins = {}
    for line in path.read_text().splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.-]+)=([0-9][^\s#]*)\s*$", line)
        if m:
            pins[m.group(1).lower().replace("_", "-")] = m.group(2)
    return pins


def test_binder_environment_is_student_only_and_agrees_with_pyproject() -> None:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    pins = {s.split("==")[0].lower().replace("_", "-"): s.split("==")[1]
            for s in data["dependencies"] + sum(data["optional-dependencies"].values(), [])}
    binder = _conda(ROOT / "binder" / "environment.yml")
    binder.pop("python")
    wrong = {n: (v, pins.get(n)) for n, v in binder.items() if pins.get(n) != v}
    assert not wrong, f"binder/environment.yml disagrees with pyproject.toml: {wrong}"
    tools = {s.split("==")[0].lower() for s in data["optional-dependencies"]["test"] + data["optional-dependencies"]["site"]}
    assert not tools & set(binder), f"test or build tools in the student image: {tools & set(binder)}"
    assert "nbgitpuller" in binder


def test_repo2docker_would_install_the_workbook(tmp_path: Path) -> None:
    """``repo2docker --no-build`` on a student release: the image uses binder/ and installs the package."""
    r2d = Path(sys.executable).parent / "repo2docker"
    if not r2d.exists():
        pytest.fail("jupyter-repo2docker is missing: pip install -e '.[test]'")
    from nkhr.release import release

    student = release(tmp_path / "student")
    result = subprocess.run([str(r2d), "--no-build", "--no-run", "--debug", "--user-id", "1000",
                             "--user-name", "jovyan", str(student)], capture_output=True, text=True, timeout=120)
    log = result.stdout + result.stderr
    assert result.returncode == 0, log[-3000:]
    assert "binder/environment.yml" in log, "repo2docker did not pick the student environment"
    assert re.search(r"binder/postBuild", log), "repo2docker would not run binder/postBuild"
    post = (student / "binder" / "postBuild").read_text()
    assert re.search(r"pip install .*-e \.", post), "binder/postBuild does not install the workbook"


# ---------------------------------------------------------------- workbook link

def test_links_for_a_set() -> None:
    found = links.links("03", repo="https://github.com/ex/nkhr-workbook", hub="https://hub.ex.edu",
                        site="https://ex.org/nkhr", root=ROOT)
    assert found["set: browser app"] == "https://ex.org/nkhr/lite/lab/index.html?path=exercises/03-un-mechanisms-exercises.ipynb"
    assert found["set: Binder"].startswith("https://mybinder.org/v2/gh/ex/nkhr-workbook/main?urlpath=lab%2Ftree%2Fexercises%2F03-")
    pull = found["set: JupyterHub (nbgitpuller)"]
    assert pull.startswith("https://hub.ex.edu/hub/user-redirect/git-pull?repo=https%3A%2F%2Fgithub.com%2Fex%2Fnkhr-workbook")
    assert "urlpath=lab%2Ftree%2Fnkhr-workbook%2Fexercises%2F03-un-mechanisms-exercises.ipynb" in pull


def test_link_errors_are_plain(capsys) -> None:
    from nkhr.cli import main

    assert main(["link", "42"]) == 2
    assert main(["link", "03", "--hub", "https://hub.ex.edu"]) == 2
    err = capsys.readouterr().err
    assert "no lesson 42" in err and "--repo" in err and "Traceback" not in err


# ---------------------------------------------------------------- the built site

@pytest.fixture(scope="session")
def built() -> Path:
    why = missing_tools()
    if why:
        pytest.fail(why)
    return built_site()


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.hrefs: list[str] = []
        self.loads: list[str] = []
        self.imgs: list[dict] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        a = dict(attrs)
        if tag == "a" and a.get("href"):
            self.hrefs.append(a["href"])
        if tag in ("script", "img", "iframe", "source") and a.get("src"):
            self.loads.append(a["src"])
        if tag == "link" and a.get("href"):
            self.loads.append(a["href"])
        if tag == "img":
            self.imgs.append(a)


def _parse(path: Path) -> _Links:
    p = _Links()
    p.feed(path.read_text(encoding="utf-8"))
    return p


def test_every_lesson_page_is_reachable_from_the_index_in_order(built: Path) -> None:
    index = _parse(built / "index.html")
    lesson_links = [h for h in index.hrefs if h.startswith("lessons/")]
    pages = sorted(p.relative_to(built).as_posix() for p in (built / "lessons").glob("*.html"))
    assert lesson_links == pages and len(pages) == len(list((ROOT / "notebooks").glob("[0-9][0-9]-*.ipynb")))
    for stem in (p.stem for p in (ROOT / "exercises").glob("*-exercises.ipynb")):
        assert f"lite/lab/index.html?path=exercises/{stem}.ipynb" in index.hrefs
        assert (built / "lite" / "files" / "exercises" / f"{stem}.ipynb").is_file()
    assert "readings/glossary.html" in index.hrefs


def test_every_page_link_resolves_and_nothing_loads_from_another_host(built: Path) -> None:
    for page in built.glob("**/*.html"):
        if "lite" in page.relative_to(built).parts:
            continue
        parsed = _parse(page)
        assert not [u for u in parsed.loads if not u.startswith("data:")], f"{page.name} loads {parsed.loads}"
        for href in parsed.hrefs:
            if re.match(r"[a-z]+:|#", href) or "lite/lab/index.html" in href:
                continue
            target = (page.parent / href.split("#")[0]).resolve()
            assert target.is_file(), f"{page.relative_to(built)}: broken link {href}"


def test_every_chart_image_has_alt_text(built: Path) -> None:
    imgs = [(p.name, i) for p in (built / "lessons").glob("*.html") for i in _parse(p).imgs]
    assert imgs, "no chart images on the lesson pages"
    # nbconvert's own fallback ("No description has been provided…") is not a description
    bare = [n for n, i in imgs if len((i.get("alt") or "").strip()) < 10 or "No description" in i.get("alt", "")]
    assert not bare, f"images without a text description: {bare}"


def test_instructor_material_stays_out(built: Path) -> None:
    from nkhr.release import leaks, secrets

    # question banks are TOML; the lesson activities' own data (readings/activities/*.toml) is student content
    banks = {p.name for p in built.rglob("*.toml") if "activities" not in p.parts}
    assert not banks and not {p.name for p in built.rglob("*") if "instructor" in p.name}
    assert not (built / "lite" / "files" / "solutions").exists()
    assert leaks(built, secrets()) == []


def test_the_browser_app_is_self_hosted(built: Path) -> None:
    cfg = json.loads((built / "lite" / "jupyter-lite.json").read_text())["jupyter-config-data"]
    kernel = cfg["litePluginSettings"][lite.KERNEL_PLUGIN]
    assert kernel["disablePyPIFallback"] is True
    assert not re.search(r"https?://", kernel["pyodideUrl"])
    pyodide = built / "lite" / "static" / "pyodide"
    lock = json.loads((pyodide / "pyodide-lock.json").read_text())["packages"]
    for name in kernel["loadPyodideOptions"]["packages"]:
        assert name in lock, f"{name} is preloaded but not in the lock"
    for entry in lock.values():
        wheel = pyodide / entry["file_name"]
        assert hashlib.sha256(wheel.read_bytes()).hexdigest() == entry["sha256"], entry["name"]


def test_app_lessons_show_the_same_charts_as_the_reading_site(built: Path) -> None:
    """The browser app cannot draw charts: its lessons carry the images drawn at build time. They must
    be the very images on the reading pages (one build, one set of data files), and say so."""
    for page in sorted((built / "lessons").glob("*.html")):
        nb = json.loads((built / "lite" / "files" / "notebooks" / f"{page.stem}.ipynb").read_text())
        assert nb["cells"][0]["source"] == lite.LESSON_NOTE
        in_app = ["".join(o["data"]["image/png"]).replace("\n", "") for c in nb["cells"] for o in c.get("outputs", [])
                  if "image/png" in o.get("data", {})]
        on_page = re.findall(r'<img[^>]*src="data:image/png;base64,([^"]+)"', page.read_text())
        assert in_app == on_page, f"{page.stem}: the app's charts differ from the reading page's"
