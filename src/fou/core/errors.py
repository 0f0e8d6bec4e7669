"""Exceptions and the helpers that word user-facing error messages.

Every error a researcher can cause (bad parameter, bad file, unknown id) is a
:class:`FouError` with a Swedish message that says what is wrong, where, and
what is accepted. The CLI prints the message without a traceback and exits
non-zero.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any


class FouError(Exception):
    """Base class for errors caused by input, shown to users without traceback."""


class ParameterError(FouError, ValueError):
    """A parameter (function argument, notebook parameter, CLI option) is invalid."""


class DataValidationError(FouError, ValueError):
    """A table does not follow its schema.

    Parameters
    ----------
    message
        Summary in Swedish.
    failure_cases
        Tidy table of the failing rows (``origin, row, column, check, value``).
    """

    def __init__(self, message: str, failure_cases: Any | None = None) -> None:
        super().__init__(message)
        self.failure_cases = failure_cases


class FetchError(FouError, RuntimeError):
    """Data could not be fetched from Kolada (network, HTTP error, bad answer)."""


class DataNotFoundError(FouError, LookupError):
    """The requested data (year, key figure, municipality) is not in the data set."""


def _quote(value: Any) -> str:
    return repr(value) if isinstance(value, str) else str(value)


def one_of_message(name: str, accepted: Iterable[Any], passed: Any, *, limit: int = 20) -> str:
    """Word the message for a value outside an accepted set.

    Parameters
    ----------
    name
        Name of the parameter or column, as the user wrote it.
    accepted
        The accepted values.
    passed
        What was passed.
    limit
        At most this many accepted values are listed.

    Returns
    -------
    str
        ``"<name> måste vara ett av …, men … angavs."``

    Examples
    --------
    >>> one_of_message("kön", ["T", "K", "M"], "X")
    "kön måste vara ett av 'T', 'K', 'M', men 'X' angavs."
    """
    values = list(accepted)
    shown = ", ".join(_quote(v) for v in values[:limit])
    if len(values) > limit:
        shown += f" … ({len(values)} möjliga)"
    return f"{name} måste vara ett av {shown}, men {_quote(passed)} angavs."


def check_choice(
    value: Any,
    accepted: Iterable[Any],
    name: str,
    *,
    where: str | None = None,
    error: type[FouError] = ParameterError,
) -> Any:
    """Return *value* if it is one of *accepted*, else raise *error* with :func:`one_of_message`.

    Parameters
    ----------
    value
        What was passed.
    accepted
        The accepted values.
    name
        The parameter, option or field as the user wrote it.
    where
        Prefix of the message (a file and line, or a function name).
    error
        The exception class (a :class:`FouError`).

    Examples
    --------
    >>> check_choice("T", ["T", "K", "M"], "kön")
    'T'
    """
    choices = list(accepted)
    try:
        ok = value in choices
    except TypeError:  # unhashable or incomparable: not one of them
        ok = False
    if not ok:
        message = one_of_message(name, choices, value)
        raise error(f"{where}: {message}" if where else message)
    return value
