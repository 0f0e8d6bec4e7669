"""The typer application and its shared helpers (console, error handling)."""

from __future__ import annotations

import functools
import sys
from collections.abc import Callable
from typing import Any, TypeVar

import typer
from rich.console import Console

from fou.core.errors import FouError

app = typer.Typer(
    name="fou",
    help="FoU-verktyg för nyckeltal om äldreomsorg och nära vård i Göteborgsregionen.",
    no_args_is_help=True,
    add_completion=False,
    rich_markup_mode="rich",
)
console = Console()
err_console = Console(stderr=True)

F = TypeVar("F", bound=Callable[..., Any])

#: Exit codes: 1 = a job or check failed, 2 = bad input, 3 = data could not be fetched.
EXIT_FAILED, EXIT_INPUT, EXIT_FETCH = 1, 2, 3


def friendly_errors(func: F) -> F:
    """Turn :class:`fou.core.errors.FouError` into a Swedish message and a non-zero exit."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from fou.core.errors import FetchError

        try:
            return func(*args, **kwargs)
        except FetchError as exc:
            err_console.print(f"[bold red]Fel vid hämtning:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_FETCH) from None
        except FouError as exc:
            err_console.print(f"[bold red]Fel:[/] {exc}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]Avbrutet.[/] Inget halvfärdigt har skrivits.")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def stdout_is_terminal() -> bool:
    """True when progress bars make sense."""
    return sys.stderr.isatty()
