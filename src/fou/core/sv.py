"""Numbers and lists as a Swedish reader expects them: the one formatting module.

Report tables, figure labels, slides, talmanus, quality messages and the CLI
all format through these functions, so a number looks the same everywhere:

* decimal comma and a (non-breaking) space between thousands, from the
  Swedish locale data of :mod:`babel` (CLDR);
* a true minus sign (U+2212), never a hyphen;
* rounding half away from zero on the decimal value as written (15,25 → 15,3,
  −15,25 → −15,3), not Python's half-to-even on the binary float;
* years and ids are text, never grouped (``2022``, not ``2 022``); counts are
  whole numbers; p-values below 0,001 read ``<0,001``;
* a missing value is a dash (``–``), never ``0`` and never ``nan``.

Examples
--------
>>> number(15.25)
'15,3'
>>> number(-1234.5, 0).replace("\\u00a0", " ")
'−1 235'
>>> pvalue(0.00002), pvalue(0.0194)
('<0,001', '0,019')
>>> year(2022.0)
'2022'
"""

from __future__ import annotations

import math
import sys
from collections.abc import Iterable, Sequence
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import lru_cache
from typing import Any

#: Locale of every number shown to a reader.
LOCALE = "sv_SE"
#: What a missing value looks like in a table.
MISSING = "–"
#: A dash between two years or numbers of a span.
EN_DASH = "–"
NBSP = "\u00a0"


@lru_cache(maxsize=1)
def _symbols() -> tuple[str, str, str]:
    """(decimal, group, minus) symbols of :data:`LOCALE` from the CLDR data in babel."""
    from babel.numbers import get_decimal_symbol, get_group_symbol, get_minus_sign_symbol

    return (
        get_decimal_symbol(LOCALE),
        get_group_symbol(LOCALE),
        get_minus_sign_symbol(LOCALE),
    )


def minus_sign() -> str:
    """The Swedish minus sign (U+2212)."""
    return _symbols()[2]


def is_missing(x: Any) -> bool:
    """True for None, NaN, ``pd.NA`` and ``NaT`` (what a table shows as a dash).

    Examples
    --------
    >>> is_missing(float("nan")), is_missing(0), is_missing(None)
    (True, False, True)
    """
    if x is None:
        return True
    if isinstance(x, float):
        return math.isnan(x)
    pd = sys.modules.get("pandas")
    try:
        if pd is None:  # no pd.NA or NaT exists yet; NaN-like values are unequal to themselves
            return bool(x != x)
        return bool(pd.isna(x))
    except (TypeError, ValueError):  # a sequence is not a missing scalar
        return False


def _decimal(x: Any) -> Decimal:
    """The number as written: ``Decimal(repr(float))`` keeps 2.675 as 2.675."""
    if isinstance(x, Decimal):
        return x
    if isinstance(x, bool):
        raise TypeError("a truth value is not a number")
    if isinstance(x, int):
        return Decimal(x)
    value = float(x)
    return Decimal(repr(value))


def round_half_away(x: float | Decimal, decimals: int = 0) -> Decimal:
    """Round half away from zero to *decimals* digits, on the decimal value as written.

    Examples
    --------
    >>> str(round_half_away(15.25, 1)), str(round_half_away(-15.25, 1)), str(round_half_away(2.5))
    ('15.3', '-15.3', '3')
    """
    quantum = Decimal(1).scaleb(-int(decimals))
    return _decimal(x).quantize(quantum, rounding=ROUND_HALF_UP)


def _check_decimals(decimals: Any) -> int:
    if isinstance(decimals, bool) or not isinstance(decimals, int) or decimals < 0:
        from fou.core.errors import ParameterError

        raise ParameterError(f"decimals måste vara ett heltal ≥ 0, men {decimals!r} angavs.")
    return decimals


def number(
    x: Any,
    decimals: int = 1,
    *,
    sign: bool = False,
    grouping: bool = True,
    missing: str = MISSING,
) -> str:
    """A number in Swedish: decimal comma, grouped thousands, true minus.

    Parameters
    ----------
    x
        The number; None, NaN and ``pd.NA`` give *missing*.
    decimals
        Digits after the comma (rounded half away from zero).
    sign
        Write ``+`` before a positive number (for changes and differences).
    grouping
        Group thousands with a non-breaking space.
    missing
        Text for a missing value.

    Returns
    -------
    str

    Examples
    --------
    >>> number(0.4213, 2), number(-0.15, 2), number(0.4, sign=True), number(-0.04)
    ('0,42', '−0,15', '+0,4', '0,0')
    >>> number(250000, 0).replace(NBSP, " "), number(None)
    ('250 000', '–')
    """
    decimals = _check_decimals(decimals)
    if is_missing(x):
        return missing
    try:
        value = _decimal(x)
    except (TypeError, ValueError, InvalidOperation):
        from fou.core.errors import ParameterError

        raise ParameterError(f"{x!r} är inte ett tal.") from None
    if not value.is_finite():
        return ("" if value > 0 else minus_sign()) + "∞"
    rounded = round_half_away(value, decimals)
    if rounded == 0:
        rounded = abs(rounded)  # no "−0,0"
    from babel.numbers import format_decimal

    pattern = ("#,##0" if grouping else "0") + ("." + "0" * decimals if decimals else "")
    body = format_decimal(abs(rounded), format=pattern, locale=LOCALE, decimal_quantization=False)
    if rounded < 0:
        return minus_sign() + body
    return ("+" if sign and rounded > 0 else "") + body


def rounds_to_zero(x: Any, decimals: int = 1) -> bool:
    """True when *x* is shown as zero with *decimals* digits (a change too small to report).

    Examples
    --------
    >>> rounds_to_zero(0.04), rounds_to_zero(-0.05), rounds_to_zero(0.04, 2)
    (True, False, False)
    """
    if is_missing(x):
        return False
    value = _decimal(x)
    return bool(value.is_finite() and round_half_away(value, _check_decimals(decimals)) == 0)


def prose(x: Any, decimals: int = 1, *, sign: bool = False, missing: str = "saknas") -> str:
    """A number inside a sentence: at most *decimals* digits, none for whole numbers or from 1 000.

    Examples
    --------
    >>> prose(12.34), prose(1234.56).replace(NBSP, " "), prose(0.25, 2, sign=True)
    ('12,3', '1 235', '+0,25')
    >>> prose(float("nan"))
    'saknas'
    """
    if is_missing(x):
        return missing
    value = _decimal(x)
    d = 0 if value.is_finite() and abs(value) >= 1000 else decimals
    if value.is_finite() and round_half_away(value, d) == round_half_away(value, 0):
        d = 0
    return number(value, d, sign=sign, missing=missing)


def signed(x: Any, decimals: int = 1, *, missing: str = MISSING) -> str:
    """A change or difference with its sign: ``+0,4``, ``−1,2``, ``0,0``."""
    return number(x, decimals, sign=True, missing=missing)


def integer(x: Any, *, sign: bool = False, missing: str = MISSING) -> str:
    """A count as a whole number: ``566``, ``12 345`` (never ``566,0``).

    Examples
    --------
    >>> integer(566.0), integer(12345).replace(NBSP, " "), integer(float("nan"))
    ('566', '12 345', '–')
    """
    return number(x, 0, sign=sign, missing=missing)


def percent(x: Any, decimals: int = 0, *, sign: bool = False, missing: str = MISSING) -> str:
    """A share in per cent, Swedish style with a space: ``54 %``.

    Examples
    --------
    >>> percent(54.2).replace(NBSP, " ")
    '54 %'
    """
    text = number(x, decimals, sign=sign, missing=missing)
    return text if is_missing(x) else f"{text}{NBSP}%"


def pvalue(p: Any, *, decimals: int = 3, missing: str = MISSING) -> str:
    """A p-value: three decimals, and ``<0,001`` below that (never ``0,000000``).

    Examples
    --------
    >>> pvalue(0.0004), pvalue(0.04999), pvalue(1.0)
    ('<0,001', '0,050', '1,000')
    """
    if is_missing(p):
        return missing
    threshold = Decimal(1).scaleb(-decimals)
    if _decimal(p) < threshold:
        return "<" + number(float(threshold), decimals)
    return number(p, decimals)


def p_phrase(p: Any, *, decimals: int = 3) -> str:
    """A p-value in running text: ``p = 0,059``, or ``p < 0,001``.

    Examples
    --------
    >>> p_phrase(0.0591), p_phrase(0.0004)
    ('p = 0,059', 'p < 0,001')
    """
    text = pvalue(p, decimals=decimals)
    return f"p {text[0]} {text[1:]}" if text.startswith("<") else f"p = {text}"


def year(y: Any, *, missing: str = MISSING) -> str:
    """A year as text, never grouped: ``2022``.

    Examples
    --------
    >>> year(2022), year(2022.0), year(None)
    ('2022', '2022', '–')
    """
    if is_missing(y):
        return missing
    return str(int(y))


def year_span(first: Any, last: Any) -> str:
    """``2019–2022`` (or one year when both are the same)."""
    a, b = year(first), year(last)
    return a if a == b else f"{a}{EN_DASH}{b}"


def year_ranges(years: Iterable[Any]) -> str:
    """Years as runs: ``2014–2020, 2022–2025`` (a gap, e.g. a survey not run, shows).

    Examples
    --------
    >>> year_ranges([2014, 2015, 2016, 2018, 2020, 2021])
    '2014–2016, 2018, 2020–2021'
    """
    ys = sorted({int(y) for y in years})
    runs: list[list[int]] = []
    for y in ys:
        if runs and y == runs[-1][-1] + 1:
            runs[-1].append(y)
        else:
            runs.append([y])
    return ", ".join(year_span(r[0], r[-1]) for r in runs)


def interval(low: Any, high: Any, decimals: int = 2, *, missing: str = MISSING) -> str:
    """A confidence interval in brackets with a semicolon: ``[−0,07; 0,82]``.

    The space after the semicolon does not break: an interval stays on one line.
    """
    if is_missing(low) or is_missing(high):
        return missing
    return f"[{number(low, decimals)};{NBSP}{number(high, decimals)}]"


def quantity(n: Any, singular: str, plural: str, decimals: int = 0) -> str:
    """A number with its noun in the right form: ``1 procentenhet``, ``2,5 procentenheter``.

    Only exactly one (as shown) takes the singular.

    Examples
    --------
    >>> quantity(1, "kommun", "kommuner"), quantity(3, "kommun", "kommuner")
    ('1 kommun', '3 kommuner')
    >>> quantity(1.04, "procentenhet", "procentenheter", 1)
    '1,0 procentenheter'
    """
    text = number(n, decimals)
    word = singular if text in ("1", minus_sign() + "1") else plural
    return f"{text} {word}"


#: Swedish alphabetical order: å, ä, ö after z (mapped to the characters after "z").
_SWEDISH_ORDER = str.maketrans(
    {"å": "{", "ä": "|", "ö": "}", "æ": "|", "ø": "}", "é": "e", "è": "e", "ü": "y"}
)


def sort_key(name: str) -> str:
    """A key that sorts names in Swedish alphabetical order (… x y z å ä ö).

    Examples
    --------
    >>> sorted(["Öckerö", "Ale", "Kungälv", "Kungsbacka", "Ärla"], key=sort_key)
    ['Ale', 'Kungsbacka', 'Kungälv', 'Ärla', 'Öckerö']
    """
    return str(name).casefold().translate(_SWEDISH_ORDER)


def join(items: Iterable[str], *, last: str = "och") -> str:
    """Join phrases with commas and a final ``och``.

    Examples
    --------
    >>> join(["a", "b", "c"]), join(["a"]), join([])
    ('a, b och c', 'a', '')
    """
    parts = [i for i in items if i]
    if len(parts) <= 1:
        return "".join(parts)
    return ", ".join(parts[:-1]) + f" {last} " + parts[-1]


def genitive(name: str) -> str:
    """Swedish genitive: ``Ale`` → ``Ales``, ``Alingsås`` → ``Alingsås`` (no s after s, x, z).

    Examples
    --------
    >>> genitive("Ale"), genitive("Alingsås"), genitive("GR")
    ('Ales', 'Alingsås', 'GR:s')
    """
    if name[-1:].lower() in ("s", "x", "z"):
        return name
    if name.isupper():
        return f"{name}:s"
    return f"{name}s"


def capitalise(text: str) -> str:
    """First letter upper case, the rest as written: ``kvalitet och säkerhet`` → ``Kvalitet …``."""
    return text[:1].upper() + text[1:]


def keep_together(text: str) -> str:
    """Non-breaking spaces where a line must not break: ``100 000``, ``(3 år)``, ``95 %``.

    Examples
    --------
    >>> keep_together("Fallskador per 100 000 inv. (3 år), 95 %") == (
    ...     "Fallskador per 100\u00a0000 inv. (3\u00a0år), 95\u00a0%")
    True
    """
    import re

    text = re.sub(r"(?<=\d) (?=\d{3}\b)", NBSP, text)
    text = re.sub(r"\((\d+) (år|dagar|dag)\)", rf"(\1{NBSP}\2)", text)
    return re.sub(r"(?<=\d) %", f"{NBSP}%", text)


def slug(text: str) -> str:
    """An ASCII anchor for a heading: ``Går det?`` → ``Gar-det``.

    Examples
    --------
    >>> slug("Kvalitet och säkerhet"), slug("???")
    ('Kvalitet-och-sakerhet', 'avsnitt')
    """
    import re
    import unicodedata

    ascii_text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^A-Za-z0-9_-]+", "-", ascii_text).strip("-") or "avsnitt"


def fewest_decimals(values: Sequence[float], *, most: int = 6) -> int:
    """The fewest decimals that show every value exactly (for axis ticks).

    Examples
    --------
    >>> fewest_decimals([0.0, 0.5, 1.0]), fewest_decimals([1000, 2000])
    (1, 0)
    """
    finite = [float(v) for v in values if v is not None and math.isfinite(float(v))]
    for d in range(most + 1):
        scale = 10.0**d
        if all(abs(v * scale - round(v * scale)) < 1e-6 * max(1.0, abs(v * scale)) for v in finite):
            return d
    return most
