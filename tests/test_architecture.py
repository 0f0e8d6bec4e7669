"""The direction of dependencies: the table in docs/architecture.md, enforced.

Every import in ``src/fou`` (at module level, inside functions and under
``TYPE_CHECKING`` alike) is an arrow from its package to another. An arrow the
table does not allow fails, and so does any cycle of imports between modules.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from support import REPO

import fou

SRC = Path(fou.__file__).resolve().parent
DOC = REPO / "docs" / "architecture.md"


def allowed_imports(doc: str) -> dict[str, set[str]]:
    """The table ``| `package` | may import |`` of the architecture document."""
    section = doc.split("## Which package may import which", 1)[1].split("\n## ", 1)[0]
    table: dict[str, set[str]] = {}
    for line in section.splitlines():
        m = re.match(r"^\|\s*`(\w+)`\s*\|(.*)\|\s*$", line)
        if m:
            table[m.group(1)] = set(re.findall(r"`(\w+)`", m.group(2)))
    return table


def modules() -> dict[str, Path]:
    """Every module of the package: ``fou.core.sv`` → its file."""
    out = {}
    for path in sorted(SRC.rglob("*.py")):
        parts = path.relative_to(SRC.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


MODULES = modules()


def imported(path: Path) -> set[str]:
    """Modules (or packages) of ``fou`` that *path* imports, resolved to module names."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.split(".")[0] == "fou")
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.split(".")[0] != "fou":
                continue
            for alias in node.names:
                sub = f"{node.module}.{alias.name}"
                found.add(sub if sub in MODULES else node.module)
    return found


def package_of(module: str) -> str:
    """``fou.core.sv`` → ``core``; the top-level ``fou`` → ``fou``."""
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else "fou"


def test_the_table_names_every_package():
    table = allowed_imports(DOC.read_text(encoding="utf-8"))
    packages = {package_of(m) for m in MODULES} - {"fou"}
    assert set(table) == packages
    for pkg, targets in table.items():
        assert targets <= packages, f"{pkg}: {targets - packages}"


def _arrows() -> list[tuple[str, str, str, str]]:
    """(module, its package, imported module, its package) for every import between packages."""
    out = []
    for mod, path in MODULES.items():
        for target in imported(path):
            out.append((mod, package_of(mod), target, package_of(target)))
    return out


@pytest.mark.parametrize("module", sorted(MODULES), ids=lambda m: m)
def test_every_import_is_allowed(module):
    table = allowed_imports(DOC.read_text(encoding="utf-8"))
    pkg = package_of(module)
    bad = []
    for target in sorted(imported(MODULES[module])):
        tpkg = package_of(target)
        if module == "fou":
            ok = target in ("fou.core.version", "fou.core.lazy")
        else:
            ok = tpkg == pkg or tpkg in table.get(pkg, set())
        if not ok:
            bad.append(f"{module} → {target} ({pkg} may import {sorted(table.get(pkg, []))})")
    assert not bad, "\n".join(bad)


def test_the_dependency_test_sees_a_forbidden_arrow(tmp_path):
    """A stats module that imported plotting would be caught (the check can fail)."""
    table = allowed_imports(DOC.read_text(encoding="utf-8"))
    assert "plotting" not in table["stats"] and "batch" not in table["reports"]
    probe = tmp_path / "probe.py"
    probe.write_text("def f():\n    from fou.plotting import trend_plot\n", encoding="utf-8")
    assert imported(probe) == {"fou.plotting"}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle in *graph* (a list of nodes that returns to its first), or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_no_import_cycles():
    graph = {m: {t for t in imported(p) if t != m} for m, p in MODULES.items()}
    cycle = find_cycle(graph)
    assert cycle is None, " → ".join(cycle or [])


def test_cycle_finder_finds_a_cycle():
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": set()}) is None
