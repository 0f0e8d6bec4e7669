"""The installed version of ``fou``, as reports, manifests and the Kolada client name it."""

from __future__ import annotations

from functools import lru_cache
from importlib.metadata import PackageNotFoundError, version


@lru_cache(maxsize=1)
def package_version() -> str:
    """Installed version of the ``fou`` package (``"0+unknown"`` from a bare source tree)."""
    try:
        return version("fou")
    except PackageNotFoundError:  # pragma: no cover - the package is installed editable
        return "0+unknown"


#: Files of the package whose content decides what a report shows.
_CODE_SUFFIXES = (".py", ".yaml", ".csv", ".j2", ".css", ".json")


@lru_cache(maxsize=1)
def code_fingerprint() -> str:
    """sha256 of the package's own files (code, catalogue, templates), computed once.

    The version number does not change with every edit of an editable install,
    so a batch that skips unchanged jobs keys them on this too: new code never
    serves a report made by old code.
    """
    import hashlib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    h = hashlib.sha256()
    for path in sorted(p for p in root.rglob("*") if p.suffix in _CODE_SUFFIXES and p.is_file()):
        if "__pycache__" in path.parts:
            continue
        h.update(path.relative_to(root).as_posix().encode())
        h.update(path.read_bytes())
    return h.hexdigest()
