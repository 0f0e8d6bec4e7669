"""Input checks shared by the statistics modules (private).

Every public statistic takes the tidy values table; these helpers check it,
narrow it to one gender and validate year and municipality arguments, with
Swedish messages.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np
import pandas as pd

from fou.core.errors import ParameterError, one_of_message
from fou.core.registry import GR_MUNICIPALITIES, resolve_municipalities
from fou.core.schema import GENDERS, require_analysis_columns

KEY: list[str] = ["kpi", "municipality_id", "year"]


def _values_table(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str] | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Check and narrow the values table to one gender: ``kpi, municipality_id, year, value``.

    Rows that repeat a key with the same value (or with a missing value next to
    a non-missing one, e.g. a Kolada null next to a local submission) are
    collapsed; different non-missing values for one key raise, because the
    statistics cannot choose between sources on their own.
    """
    require_analysis_columns(values)
    if gender not in GENDERS:
        raise ParameterError(one_of_message("kön", GENDERS, gender))
    if pd.api.types.is_numeric_dtype(values["municipality_id"]):
        raise ParameterError(
            "municipality_id måste vara text med fyra tecken (t.ex. '0114'), men kolumnen är "
            "numerisk: läs in filen med dtype={'municipality_id': str}."
        )
    mask = values["gender"] == gender
    if kpis is not None:
        mask &= values["kpi"].isin(list(kpis))
    df = values.loc[mask, ["kpi", "municipality_id", "year", "value"]].copy()
    df["kpi"] = df["kpi"].astype(str)
    df["municipality_id"] = df["municipality_id"].astype(str)
    df["year"] = pd.to_numeric(df["year"], errors="raise").astype("int64")
    df["value"] = pd.to_numeric(df["value"], errors="raise").astype("float64")
    dup = df.duplicated(KEY, keep=False)
    if dup.any():
        df = df[~(dup & df["value"].isna())]  # a null next to a value: keep the value
        df = df.drop_duplicates([*KEY, "value"])
        clash = df[df.duplicated(KEY, keep=False)]
        if not clash.empty:
            first = clash.iloc[0]
            raise ParameterError(
                f"Värdetabellen har olika värden för samma nyckeltal, kommun och år "
                f"({len(clash)} rader, t.ex. {first['kpi']}, {first['municipality_id']}, "
                f"{first['year']}): välj en källa (kolumnen source) innan jämförelsen."
            )
    return df.reset_index(drop=True)


def _check_year(year: int | str, *, parameter: str = "year") -> int:
    if isinstance(year, bool):
        raise ParameterError(f"{parameter} måste vara ett årtal, men {year!r} angavs.")
    try:
        y = int(year)
    except (TypeError, ValueError):
        raise ParameterError(f"{parameter} måste vara ett årtal, men {year!r} angavs.") from None
    if not 1990 <= y <= 2100 or (isinstance(year, float) and year != y):
        raise ParameterError(f"{parameter} måste vara ett årtal (1990–2100), men {year!r} angavs.")
    return y


def _check_years(
    years: int | Iterable[int] | None, *, parameter: str = "years"
) -> list[int] | None:
    if years is None:
        return None
    if isinstance(years, (int, np.integer, str)):
        return [_check_year(years, parameter=parameter)]
    out = sorted({_check_year(y, parameter=parameter) for y in years})
    if not out:
        raise ParameterError(f"{parameter} är tom: ange minst ett år.")
    return out


def _select_municipalities(
    municipalities: str | Iterable[str],
    present: Iterable[str],
    *,
    empty: str,
    with_present: bool = False,
) -> list[str]:
    """Resolve a municipality selection to ids.

    Parameters
    ----------
    municipalities
        ``"all"`` (every municipality in *present*; Riket and regions left
        out), ``"gr"`` (the 13 GR municipalities), ``"present"`` (every id in
        *present*, if *with_present*), one id or name, or a list of them
        (duplicates dropped, order kept).
    present
        The ids in the data.
    empty
        Message of the error raised for an empty list.
    with_present
        Accept the keyword ``"present"``; otherwise it is read as a name.

    Returns
    -------
    list of str
        Municipality ids (sorted for ``"all"`` and ``"present"``).

    Examples
    --------
    >>> _select_municipalities("all", ["1480", "0000", "1401"], empty="tom")
    ['1401', '1480']
    >>> _select_municipalities(["Göteborg", "1480"], [], empty="tom")
    ['1480']
    """
    if isinstance(municipalities, str):
        if municipalities == "all":
            return sorted({m for m in present if not m.startswith("00")})
        if municipalities == "present" and with_present:
            return sorted(set(present))
        if municipalities == "gr":
            return list(GR_MUNICIPALITIES)
        return resolve_municipalities([municipalities], parameter="municipalities")
    ids = resolve_municipalities(municipalities, parameter="municipalities")
    if not ids:
        raise ParameterError(empty)
    return list(dict.fromkeys(ids))
