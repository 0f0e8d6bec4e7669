"""Command-line interface: ``fou fetch | import | data | catalog | municipalities | check | run |
slides``.

Each topic registers its commands on :data:`fou.cli._app.app` in its own module.
"""

from __future__ import annotations

from fou.cli import data as _data  # noqa: F401  (registers commands)
from fou.cli._app import app

for _name in ("fetch", "imports", "check", "run", "slides"):
    try:  # topics land one at a time; a missing module must not break the others
        __import__(f"fou.cli.{_name}")
    except ModuleNotFoundError as _exc:
        if _exc.name != f"fou.cli.{_name}":
            raise


def main() -> None:
    """Entry point of the ``fou`` command."""
    app()


__all__ = ["app", "main"]
