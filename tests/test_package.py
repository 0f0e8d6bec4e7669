"""The package's public surface and the direction of its dependencies."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

import fou

SRC = Path(fou.__file__).resolve().parent


@pytest.mark.parametrize("name", fou.__all__)
def test_public_name_resolves_and_is_documented(name):
    obj = getattr(fou, name)
    if callable(obj) and not isinstance(obj, type):
        doc = obj.__doc__ or ""
        assert "Parameters" in doc or "Examples" in doc, name


def test_unknown_name_raises_attribute_error():
    with pytest.raises(AttributeError):
        fou.does_not_exist  # noqa: B018


def _imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
    return found


FORBIDDEN_FOR_STATS = ("matplotlib", "seaborn", "fou.plotting", "fou.data.dataset", "fou.data.kolada",
                       "fou.data.fetch", "fou.data.snapshots", "httpx", "fou.batch.run", "fou.reports.export")


@pytest.mark.parametrize("path", sorted((SRC / "stats").glob("*.py")), ids=lambda p: p.name)
def test_statistics_never_import_plotting_or_io(path):
    bad = {m for m in _imports(path) if m.startswith(FORBIDDEN_FOR_STATS)}
    assert bad == set()


@pytest.mark.parametrize("path", sorted((SRC / "quality").glob("*.py")), ids=lambda p: p.name)
def test_quality_checks_never_import_plotting_or_io(path):
    bad = {m for m in _imports(path) if m.startswith(FORBIDDEN_FOR_STATS)}
    assert bad == set()
