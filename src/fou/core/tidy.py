"""Small pure helpers to select from and reshape the tidy values table.

Every analysis starts from the long table of :mod:`fou.core.schema`; these helpers
filter it and pivot it to the wide shape (one row per municipality, one column
per key figure) that correlation and index functions need.
"""

from __future__ import annotations

from collections.abc import Iterable
from itertools import pairwise

import numpy as np
import pandas as pd

from fou.core.errors import ParameterError, one_of_message
from fou.core.schema import GENDERS


def _as_list(x: str | int | Iterable[str] | Iterable[int] | None) -> list | None:
    if x is None:
        return None
    if isinstance(x, (str, int)):
        return [x]
    return list(x)


def select(
    values: pd.DataFrame,
    *,
    kpis: str | Iterable[str] | None = None,
    municipalities: str | Iterable[str] | None = None,
    years: int | Iterable[int] | None = None,
    gender: str | None = "T",
    municipalities_only: bool = False,
) -> pd.DataFrame:
    """Filter the values table.

    Parameters
    ----------
    values
        Tidy values table.
    kpis, municipalities, years
        Keep only these (None keeps all).
    gender
        ``T``, ``K`` or ``M``; None keeps all genders.
    municipalities_only
        Drop Riket and the regions (ids starting with ``00``).

    Returns
    -------
    pandas.DataFrame
        A filtered copy with a fresh index.

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": ["A", "A"], "municipality_id": ["0000", "1480"],
    ...                   "year": [2020, 2020], "gender": ["T", "T"], "value": [1.0, 2.0]})
    >>> select(v, municipalities_only=True)["municipality_id"].tolist()
    ['1480']
    """
    mask = pd.Series(True, index=values.index)
    if (k := _as_list(kpis)) is not None:
        mask &= values["kpi"].isin(k)
    if (m := _as_list(municipalities)) is not None:
        mask &= values["municipality_id"].isin(m)
    if (y := _as_list(years)) is not None:
        mask &= values["year"].isin([int(v) for v in y])
    if gender is not None:
        if gender not in GENDERS:
            raise ParameterError(one_of_message("kön", GENDERS, gender))
        mask &= values["gender"] == gender
    if municipalities_only:
        mask &= ~values["municipality_id"].str.startswith("00")
    return values.loc[mask].reset_index(drop=True)


def to_wide(
    values: pd.DataFrame,
    *,
    index: str | list[str] = "municipality_id",
    columns: str = "kpi",
    value: str = "value",
) -> pd.DataFrame:
    """Pivot a (filtered) long table to wide form, keeping missing values missing.

    Parameters
    ----------
    values
        Long table, already filtered so that *index* × *columns* is unique
        (e.g. one year and one gender).
    index, columns, value
        Column names.

    Returns
    -------
    pandas.DataFrame
        One row per *index*, one column per *columns* value (sorted).

    Raises
    ------
    ParameterError
        If *index* × *columns* is not unique (filter on year and gender first).
    """
    keys = ([index] if isinstance(index, str) else list(index)) + [columns]
    if values.duplicated(keys).any():
        raise ParameterError(
            f"Tabellen har flera rader per {', '.join(keys)}: filtrera på år, kön och källa först."
        )
    wide = values.pivot(index=index, columns=columns, values=value)
    wide.columns.name = None
    return wide.sort_index(axis=1)


def kpi_runs(kpis: pd.Series) -> dict[str, tuple[int, int]] | None:
    """Where each key figure's rows lie, when each lies in one run of rows.

    A values table sorted by key figure (as snapshots and demo data are
    stored) keeps every key figure's rows together; then the rows of one key
    figure are a slice, found without comparing the whole column.

    Parameters
    ----------
    kpis
        The ``kpi`` column of a values table.

    Returns
    -------
    dict or None
        ``{kpi: (start, stop)}`` in row positions (``stop`` exclusive), or
        None when some key figure's rows are split by others (then there is
        no slice to take).

    Examples
    --------
    >>> import pandas as pd
    >>> kpi_runs(pd.Series(["A", "A", "B"]))
    {'A': (0, 2), 'B': (2, 3)}
    >>> kpi_runs(pd.Series(["A", "B", "A"])) is None
    True
    """
    codes, uniques = pd.factorize(kpis, use_na_sentinel=False)
    if not len(codes):
        return {}
    starts = np.flatnonzero(np.diff(codes)) + 1
    bounds = np.concatenate(([0], starts, [len(codes)])).astype(int)
    if len(bounds) - 1 != len(uniques):
        return None
    return {str(uniques[codes[a]]): (int(a), int(b)) for a, b in pairwise(bounds) if b > a}


def rows_of(
    values: pd.DataFrame, kpis: str | Iterable[str], runs: dict[str, tuple[int, int]] | None
) -> pd.DataFrame:
    """The rows of *kpis*: the same rows, order and index as ``values[values.kpi.isin(kpis)]``.

    Parameters
    ----------
    values
        Tidy values table.
    kpis
        One key-figure id or several.
    runs
        :func:`kpi_runs` of ``values["kpi"]``; None filters the whole column.

    Returns
    -------
    pandas.DataFrame
        The key figures' rows (none for ids that are not in the table).
    """
    wanted = list(dict.fromkeys(_as_list(kpis) or []))
    if runs is None:
        return values[values["kpi"].isin(wanted)]
    spans = sorted(runs[k] for k in wanted if k in runs)
    if not spans:
        return values.iloc[0:0]
    if len(spans) == 1:
        return values.iloc[spans[0][0] : spans[0][1]]
    return pd.concat([values.iloc[a:b] for a, b in spans])
