"""environment.yml (conda) and pyproject.toml (pip) must declare the same dependencies."""

from __future__ import annotations

import re
import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

REPO = Path(__file__).resolve().parent.parent

#: pip name -> conda-forge name, where they differ.
CONDA_NAMES: dict[str, str] = {}


def _pip_requirements() -> dict[str, str]:
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    reqs = list(project["dependencies"]) + list(project["optional-dependencies"]["dev"])
    out = {}
    for line in reqs:
        req = Requirement(line)
        name = CONDA_NAMES.get(req.name.lower(), req.name.lower())
        out[name] = str(req.specifier)
    return out


def _conda_requirements() -> dict[str, str]:
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    out = {}
    for dep in env["dependencies"]:
        if not isinstance(dep, str) or dep == "pip":
            continue
        m = re.match(r"^([A-Za-z0-9_.\-]+)\s*(.*)$", dep)
        assert m, dep
        if m.group(1) == "python":
            continue
        out[m.group(1).lower()] = str(Requirement("x" + m.group(2).replace(" ", "")).specifier)
    return out


def test_same_packages_and_versions():
    pip, conda = _pip_requirements(), _conda_requirements()
    assert set(pip) - set(conda) == set(), "i pyproject.toml men inte i environment.yml"
    assert set(conda) - set(pip) == set(), "i environment.yml men inte i pyproject.toml"
    differing = {k: (pip[k], conda[k]) for k in pip if pip[k] != conda[k]}
    assert differing == {}


def test_environment_uses_conda_forge_and_installs_the_package():
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    assert env["channels"] == ["conda-forge"]
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    assert "-e ." in pip_section


def test_python_version_agrees():
    project = tomllib.loads((REPO / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    env = yaml.safe_load((REPO / "environment.yml").read_text(encoding="utf-8"))
    py = next(d for d in env["dependencies"] if isinstance(d, str) and re.match(r"python[<>=]", d))
    assert py.removeprefix("python") == project["requires-python"]


def test_constraints_pin_every_direct_dependency():
    pins = {}
    for line in (REPO / "constraints.txt").read_text(encoding="utf-8").splitlines():
        if "==" in line:
            name, version = line.split("==", 1)
            pins[name.strip().lower().replace("_", "-")] = version.strip()
    for name, spec in _pip_requirements().items():
        assert name in pins, f"{name} saknar exakt version i constraints.txt"
        assert Requirement(f"{name}{spec}").specifier.contains(pins[name]), (name, spec, pins[name])


def test_no_download_urls_in_lock_or_env_files():
    for fname in ("constraints.txt", "environment.yml", "pyproject.toml"):
        text = (REPO / fname).read_text(encoding="utf-8")
        assert "://" not in text, fname
