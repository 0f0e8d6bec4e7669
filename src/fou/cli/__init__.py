"""Command-line interface: ``fou fetch | rebuild | changes | import | data | catalog |
municipalities | check | run | slides``.

Each topic registers its commands on :data:`fou.cli._app.app` in its own module;
importing them here is what registers them.
"""

from __future__ import annotations

from fou.cli import changes, check, data, fetch, imports, run, slides  # noqa: F401  (register)
from fou.cli._app import app


def main() -> None:
    """Entry point of the ``fou`` command."""
    app()


__all__ = ["app", "main"]
