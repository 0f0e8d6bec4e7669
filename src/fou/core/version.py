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
