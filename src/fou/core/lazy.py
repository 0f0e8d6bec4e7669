"""Public names of a package that load their module on first use (SPEC 1 style).

A package lists which of its modules defines which public name; importing the
package then imports none of them, and ``from package import name`` imports
the one module that defines *name*.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Mapping
from typing import Any


def lazy_exports(
    package: str, exports: Mapping[str, tuple[str, ...]], namespace: dict[str, Any]
) -> tuple[Callable[[str], Any], Callable[[], list[str]], list[str]]:
    """The ``__getattr__``, ``__dir__`` and sorted names of a package with lazy public names.

    Parameters
    ----------
    package
        The package's name (for the error message).
    exports
        Module → the public names it defines.
    namespace
        The package's ``globals()``; a loaded name is stored there.

    Examples
    --------
    >>> ns: dict = {}
    >>> get, names, public = lazy_exports("p", {"math": ("pi",)}, ns)
    >>> round(get("pi"), 2), "pi" in ns, public
    (3.14, True, ['pi'])
    """
    location = {name: module for module, names in exports.items() for name in names}

    def __getattr__(name: str) -> Any:
        module = location.get(name)
        if module is None:
            raise AttributeError(f"module {package!r} has no attribute {name!r}")
        value = getattr(importlib.import_module(module), name)
        namespace[name] = value
        return value

    def __dir__() -> list[str]:
        return sorted([*namespace, *location])

    return __getattr__, __dir__, sorted(location)
