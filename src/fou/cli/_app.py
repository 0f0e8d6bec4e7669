"""The typer application and its shared helpers (console, error handling)."""

from __future__ import annotations

import contextlib
import errno
import functools
import signal
import sys
import threading
from collections.abc import Callable, Iterator
from typing import Any, TypeVar

import typer
from rich.console import Console
from rich.markup import escape

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


def os_error_message(exc: OSError) -> str:
    """A Swedish sentence for a file-system error: which file, what is wrong, what to do.

    Examples
    --------
    >>> os_error_message(PermissionError(13, "Permission denied", "outputs/.lock"))[:46]
    'Ingen behörighet till outputs/.lock. Kontrolle'
    >>> os_error_message(IsADirectoryError(21, "Is a directory", "x.csv"))
    'x.csv är en mapp, inte en fil. Ange en fil.'
    """
    name = exc.filename if exc.filename is not None else "en fil"
    if isinstance(exc, PermissionError):
        return (
            f"Ingen behörighet till {name}. Kontrollera att du får skriva i mappen "
            "(eller välj en annan med FOU_HOME)."
        )
    if isinstance(exc, IsADirectoryError):
        return f"{name} är en mapp, inte en fil. Ange en fil."
    if isinstance(exc, NotADirectoryError):
        return f"{name} är en fil, men en mapp behövs här."
    if isinstance(exc, FileNotFoundError):
        return f"{name} finns inte. Kontrollera sökvägen."
    if exc.errno == errno.ENOSPC:
        return f"Disken är full: {name} kunde inte skrivas. Frigör utrymme och försök igen."
    return f"{name}: {exc.strerror or exc}. Kontrollera filen och försök igen."


@contextlib.contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM (``kill``, a stopped CI job) ends a command like Ctrl-C: cleanly, with a message."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: Any) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def friendly_errors(func: F) -> F:
    """Turn errors into a Swedish message and a non-zero exit code, never a traceback.

    :class:`fou.core.errors.FouError` (bad input, data problems) exits with 2,
    :class:`~fou.core.errors.FetchError` with 3, file-system errors with 2 and
    a sentence naming the file, text that is not UTF-8 with 2, Ctrl-C and
    SIGTERM with 130. User text in the message is escaped, so ``[red]`` in a
    name is shown as typed.
    """

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        from fou.core.errors import FetchError

        try:
            with _sigterm_as_interrupt():
                return func(*args, **kwargs)
        except FetchError as exc:
            err_console.print(f"[bold red]Fel vid hämtning:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_FETCH) from None
        except FouError as exc:
            err_console.print(f"[bold red]Fel:[/] {escape(str(exc))}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except OSError as exc:
            err_console.print(f"[bold red]Fel:[/] {escape(os_error_message(exc))}", highlight=False)
            raise typer.Exit(EXIT_INPUT) from None
        except UnicodeDecodeError as exc:
            err_console.print(
                f"[bold red]Fel:[/] en fil är inte sparad som UTF-8 ({escape(str(exc))}). "
                "Spara om den som UTF-8 och försök igen.",
                highlight=False,
            )
            raise typer.Exit(EXIT_INPUT) from None
        except KeyboardInterrupt:
            err_console.print("[yellow]Avbrutet.[/] Inget halvfärdigt har skrivits.")
            raise typer.Exit(130) from None

    return wrapper  # type: ignore[return-value]


def stdout_is_terminal() -> bool:
    """True when progress bars make sense."""
    return sys.stderr.isatty()
