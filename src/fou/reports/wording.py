"""Numbers with their units, as a sentence or a speaker says them.

A report's sentences ("Ale 80 %, GR-snittet 86 %"), the summary's findings
and the slides' talmanus write a key figure's value and a difference through
these functions, so "procentenheter" and "kr" are always where they belong,
with the catalogue's decimals and correct singular and plural.
"""

from __future__ import annotations

from typing import Any

from fou.core import sv
from fou.core.catalog import Catalog

#: How a value of each unit is written after the number (empty: no unit word).
VALUE_UNITS: dict[str, str] = {
    "percent": "%",
    "index": "",
    "days": "dagar",
    "days_per_inhabitant": "dagar per invånare 65+",
    "per_inhabitant": "per invånare 65+",
    "per_100k": "per 100 000 invånare",
    "count": "",
    "sek": "kr",
    "msek": "mnkr",
    "percent_deviation": "%",
    "flag": "",
    "level": "",
}
#: Singular and plural of a difference in each unit.
DIFFERENCE_UNITS: dict[str, tuple[str, str]] = {
    "percent": ("procentenhet", "procentenheter"),
    "percent_deviation": ("procentenhet", "procentenheter"),
    "days": ("dag", "dagar"),
    "sek": ("kr", "kr"),
    "msek": ("mnkr", "mnkr"),
}


def _unit(catalog: Catalog, kpi: str) -> str:
    match = catalog.kpis.loc[catalog.kpis["kpi"] == kpi, "unit"]
    return str(match.iloc[0]) if len(match) else ""


def amount(value: Any, kpi: str, catalog: Catalog, *, decimals: int | None = None) -> str:
    """A key figure's value with its unit: ``80 %``, ``2,3 dagar``, ``45 000 kr``.

    Examples
    --------
    >>> from fou.core.catalog import load_catalog
    >>> cat = load_catalog()
    >>> texts = [amount(80.0, "U21463", cat), amount(2.34, "N20403", cat)]
    >>> texts.append(amount(45210.4, "N20007", cat))
    >>> [t.replace(sv.NBSP, " ") for t in texts]
    ['80 %', '2,3 dagar', '45 210 kr']
    """
    d = catalog.decimals(kpi) if decimals is None else decimals
    text = sv.number(value, d)
    return text if sv.is_missing(value) else _with_unit(text, kpi, catalog)


def _with_unit(text: str, kpi: str, catalog: Catalog) -> str:
    """A number already written, with the key figure's unit after it."""
    unit = VALUE_UNITS.get(_unit(catalog, kpi), "")
    return f"{text}{sv.NBSP}{unit}" if unit == "%" else (f"{text} {unit}" if unit else text)


def amount_range(low: Any, high: Any, kpi: str, catalog: Catalog) -> str:
    """An interval with its unit once: ``2 448–2 963 per 100 000 invånare``, ``38–59 %``.

    Examples
    --------
    >>> from fou.core.catalog import load_catalog
    >>> amount_range(38.3, 59.0, "U21463", load_catalog()).replace(sv.NBSP, " ")
    '38–59 %'
    """
    d = catalog.decimals(kpi)
    return _with_unit(f"{sv.number(low, d)}{sv.EN_DASH}{sv.number(high, d)}", kpi, catalog)


def difference(diff: Any, kpi: str, catalog: Catalog, *, signed: bool = False) -> str:
    """A difference or change in the key figure's unit: ``6 procentenheter``, ``1 procentenhet``.

    Parameters
    ----------
    diff
        The difference.
    kpi
        Its key figure (unit and decimals from the catalogue).
    catalog
        The catalogue.
    signed
        Write ``+``/``−`` (else the absolute value, for sentences that say
        "högre"/"lägre" themselves).

    Examples
    --------
    >>> from fou.core.catalog import load_catalog
    >>> cat = load_catalog()
    >>> difference(-6.2, "U21463", cat), difference(1.0, "U21463", cat)
    ('6 procentenheter', '1 procentenhet')
    >>> difference(0.4, "N20403", cat), difference(0.04, "N20403", cat, signed=True)
    ('0,4 dagar', '0,0 dagar')
    """
    if sv.is_missing(diff):
        return sv.MISSING
    d = catalog.decimals(kpi)
    value = float(diff) if signed else abs(float(diff))
    unit = _unit(catalog, kpi)
    words = DIFFERENCE_UNITS.get(unit)
    if words is None:
        plain = VALUE_UNITS.get(unit, "")
        text = sv.number(value, d, sign=signed)
        return f"{text} {plain}" if plain else text
    text = sv.quantity(value, words[0], words[1], d)
    if signed and value > 0 and not sv.rounds_to_zero(value, d):
        text = "+" + text
    return text


#: Units of amounts in kronor: their changes include general price and wage changes.
PRICE_UNITS: tuple[str, ...] = ("sek", "msek")


def prices_note(kpi: str, catalog: Catalog) -> str:
    """`` i löpande priser`` after a change in kronor (prices rise every year), else nothing.

    Examples
    --------
    >>> from fou.core.catalog import load_catalog
    >>> prices_note("N20007", load_catalog()), prices_note("U21463", load_catalog())
    (' i löpande priser', '')
    """
    return " i löpande priser" if _unit(catalog, kpi) in PRICE_UNITS else ""


def higher_lower(diff: float) -> str:
    """``högre`` or ``lägre`` for the sign of a difference."""
    return "högre" if diff > 0 else "lägre"


def count_phrase(n: int, singular: str, plural: str) -> str:
    """``1 kommun``, ``12 kommuner`` (whole numbers)."""
    return sv.quantity(int(n), singular, plural)
