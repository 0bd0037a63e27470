"""environment.yml (conda/Binder) and pyproject.toml must pin the same packages at the same versions."""

from __future__ import annotations

import re
import tomllib


def _norm(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def pyproject_pins(root) -> dict[str, str]:
    data = tomllib.loads((root / "pyproject.toml").read_text())
    specs = data["project"]["dependencies"] + [s for group in data["project"]["optional-dependencies"].values() for s in group]
    pins = {}
    for spec in specs:
        name, sep, version = spec.partition("==")
        assert sep, f"pyproject.toml: {spec!r} is not pinned with =="
        pins[_norm(name)] = version
    return pins


def conda_pins(root) -> dict[str, str]:
    pins = {}
    for line in (root / "environment.yml").read_text().splitlines():
        m = re.match(r"^\s*-\s+([A-Za-z0-9_.-]+)=([0-9][^\s#]*)\s*$", line)
        if m and _norm(m.group(1)) != "python":
            pins[_norm(m.group(1))] = m.group(2)
    return pins


def test_environment_matches_pyproject(root) -> None:
    py, conda = pyproject_pins(root), conda_pins(root)
    assert py, "no pins found in pyproject.toml"
    only_py = sorted(set(py) - set(conda))
    only_conda = sorted(set(conda) - set(py))
    differ = {n: (py[n], conda[n]) for n in set(py) & set(conda) if py[n] != conda[n]}
    assert not only_py and not only_conda and not differ, (
        f"only in pyproject: {only_py}; only in environment.yml: {only_conda}; versions differ: {differ}"
    )


def test_environment_installs_the_package(root) -> None:
    assert re.search(r"^\s*-\s+-e\s+\.\s*$", (root / "environment.yml").read_text(), re.M)
