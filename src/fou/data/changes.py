"""What changed in Kolada between two snapshots: new years, revisions, struck values.

Kolada revises and strikes values without announcing it, so each year's
follow-up starts with what is different since the last fetch.
:func:`snapshot_changes` compares the values of two snapshots (each as it was
in use, i.e. a narrow fetch laid over its base) key by key
(``kpi, municipality_id, year, gender``):

========================  ==========================================================
``change``                meaning
========================  ==========================================================
``nytt år``               a value for a year the key figure had no values for before
``nytt värde``            a value where there was none before (an earlier year)
``reviderat``             the value differs (``old`` → ``new``)
``struket``               the value was there and is gone (Kolada removed the row)
``blev saknat``           the value was there and is now published as missing
``nytt nyckeltal``        a key figure with values now and none before (one row)
``borttaget nyckeltal``   a key figure with values before and none now (one row)
========================  ==========================================================

A missing value stays missing: it is never read as 0, and two missing values
are no change.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fou.core.errors import DataNotFoundError, ParameterError
from fou.data.snapshots import ProcessedTables, SnapshotInfo, list_snapshots, tables_from_snapshot

__all__ = [
    "CHANGE_COLUMNS",
    "CHANGE_KINDS",
    "SnapshotPair",
    "choose_pair",
    "snapshot_changes",
]

#: Columns of :func:`snapshot_changes` (and of ``fou changes --format csv``).
CHANGE_COLUMNS: tuple[str, ...] = (
    "change", "kpi", "municipality_id", "year", "gender", "old", "new",
)  # fmt: skip
#: The kinds of change, in the order they are listed.
CHANGE_KINDS: tuple[str, ...] = (
    "nytt nyckeltal", "borttaget nyckeltal", "nytt år", "reviderat", "struket", "blev saknat",
    "nytt värde",
)  # fmt: skip
KEY = ["kpi", "municipality_id", "year", "gender"]
#: Values closer than this are the same (Kolada's values are rounded decimals).
SAME = 1e-9


def snapshot_changes(
    old: pd.DataFrame,
    new: pd.DataFrame,
    *,
    kpis: Sequence[str] | None = None,
    municipalities: Sequence[str] | None = None,
) -> pd.DataFrame:
    """Every change from the values *old* to the values *new*.

    Parameters
    ----------
    old, new
        Tidy values tables (``kpi, municipality_id, year, gender, value``).
    kpis, municipalities
        Only these key figures / municipality ids (None: all).

    Returns
    -------
    pandas.DataFrame
        Columns :data:`CHANGE_COLUMNS`, sorted by kind (:data:`CHANGE_KINDS`),
        key figure, municipality, year and gender; ``old``/``new`` are missing
        where there is no value.

    Examples
    --------
    >>> import pandas as pd
    >>> def t(rows):
    ...     return pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "gender", "value"])
    >>> old = t([("N1", "1440", 2021, "T", 10.0), ("N1", "1480", 2021, "T", 5.0)])
    >>> new = t([("N1", "1440", 2021, "T", 11.0), ("N1", "1440", 2022, "T", 12.0)])
    >>> c = snapshot_changes(old, new)
    >>> for row in c[["change", "municipality_id", "year", "old", "new"]].values.tolist():
    ...     print(row)
    ['nytt år', '1440', 2022, nan, 12.0]
    ['reviderat', '1440', 2021, 10.0, 11.0]
    ['struket', '1480', 2021, 5.0, nan]
    """
    # a key figure is added or removed in the snapshot as a whole, not in one municipality
    whole_a, whole_b = _narrow(old, kpis, None), _narrow(new, kpis, None)
    with_values_a = set(whole_a.loc[whole_a["value"].notna(), "kpi"])
    with_values_b = set(whole_b.loc[whole_b["value"].notna(), "kpi"])
    added = sorted(with_values_b - with_values_a - set(whole_a["kpi"]))
    removed = sorted(with_values_a - set(whole_b["kpi"]))
    a, b = _narrow(old, kpis, municipalities), _narrow(new, kpis, municipalities)
    rows: list[pd.DataFrame] = [
        _kpi_rows("nytt nyckeltal", added),
        _kpi_rows("borttaget nyckeltal", removed),
    ]
    a = a[~a["kpi"].isin(removed)]
    b = b[~b["kpi"].isin(added)]
    both = a.merge(b, on=KEY, how="outer", suffixes=("_old", "_new"), indicator=True)
    v_old, v_new = both["value_old"], both["value_new"]
    last_year = a.loc[a["value"].notna()].groupby("kpi")["year"].max().astype("float64")
    last = pd.to_numeric(both["kpi"].map(last_year), errors="coerce").fillna(-1.0)
    later = pd.to_numeric(both["year"], errors="coerce").to_numpy(dtype=float) > last.to_numpy()
    kind = np.select(
        [
            (both["_merge"] == "right_only") & v_new.notna() & later,
            (both["_merge"] == "right_only") & v_new.notna(),
            (both["_merge"] == "left_only") & v_old.notna(),
            (both["_merge"] == "both") & v_old.notna() & v_new.isna(),
            (both["_merge"] == "both") & v_old.isna() & v_new.notna() & later,
            (both["_merge"] == "both") & v_old.isna() & v_new.notna(),
            (both["_merge"] == "both") & ((v_old - v_new).abs() > SAME),
        ],
        ["nytt år", "nytt värde", "struket", "blev saknat", "nytt år", "nytt värde", "reviderat"],
        default="",
    )
    found = both.assign(change=kind, old=v_old, new=v_new)
    rows.append(found.loc[found["change"] != "", list(CHANGE_COLUMNS)])
    out = pd.concat([r for r in rows if len(r)], ignore_index=True) if any(
        len(r) for r in rows) else pd.DataFrame(columns=list(CHANGE_COLUMNS))  # fmt: skip
    order = {k: i for i, k in enumerate(CHANGE_KINDS)}
    out = out.assign(_k=out["change"].map(order))
    out = out.sort_values(["_k", "kpi", "municipality_id", "year", "gender"], kind="stable",
                          na_position="first")  # fmt: skip
    out = out.drop(columns="_k").reset_index(drop=True)
    out["year"] = out["year"].astype("Int64")
    return out[list(CHANGE_COLUMNS)]


def _narrow(
    values: pd.DataFrame, kpis: Sequence[str] | None, municipalities: Sequence[str] | None
) -> pd.DataFrame:
    v = values[[*KEY, "value"]].copy()
    v["municipality_id"] = v["municipality_id"].astype(str)
    if kpis:
        v = v[v["kpi"].isin(list(kpis))]
    if municipalities:
        v = v[v["municipality_id"].isin(list(municipalities))]
    return v


def _kpi_rows(kind: str, kpis: list[str]) -> pd.DataFrame:
    return pd.DataFrame(
        {"change": kind, "kpi": kpis, "municipality_id": None, "year": pd.NA, "gender": None,
         "old": np.nan, "new": np.nan},
        columns=list(CHANGE_COLUMNS),
    )  # fmt: skip


@dataclass(frozen=True)
class SnapshotPair:
    """Two snapshots to compare: the earlier and the later, with their tables."""

    old: SnapshotInfo
    new: SnapshotInfo
    old_tables: ProcessedTables
    new_tables: ProcessedTables


def choose_pair(
    raw_dir: Path, *, in_use: str | None, old: str | None = None, new: str | None = None
) -> tuple[SnapshotInfo, SnapshotInfo] | None:
    """Which snapshots to compare: by default the one in use and the one before it.

    Parameters
    ----------
    raw_dir
        ``data/raw``.
    in_use
        The snapshot the processed data set was made from (None: the newest).
    old, new
        Snapshot ids given by the user (``--from``, ``--to``).

    Returns
    -------
    tuple of SnapshotInfo, or None
        ``(old, new)``; None when there is only one usable snapshot to compare.

    Raises
    ------
    ParameterError
        An id that is not a snapshot, or *old* not earlier than *new*.
    """
    usable = [s for s in list_snapshots(raw_dir) if not s.problem]
    ids = [s.snapshot_id for s in usable]
    if not usable:
        raise DataNotFoundError(
            f"Det finns inga ögonblicksbilder i {raw_dir}; hämta data med `fou fetch`."
        )

    def find(sid: str, option: str) -> int:
        if sid not in ids:
            raise ParameterError(
                f"{option}: {sid!r} är ingen ögonblicksbild. Finns: {', '.join(ids)} "
                "(se `fou data`)."
            )
        return ids.index(sid)

    j = find(new, "--to") if new else (ids.index(in_use) if in_use in ids else len(ids) - 1)
    i = find(old, "--from") if old else j - 1
    if i < 0:
        return None
    if i >= j:
        raise ParameterError(
            f"--from ({ids[i]}) måste vara en tidigare ögonblicksbild än --to ({ids[j]})."
        )
    return usable[i], usable[j]


def load_pair(pair: tuple[SnapshotInfo, SnapshotInfo]) -> SnapshotPair:
    """The two snapshots' tables, each as it was in use (narrow fetches over their bases)."""
    old, new = pair
    return SnapshotPair(old, new, tables_from_snapshot(old.path)[0],
                        tables_from_snapshot(new.path)[0])  # fmt: skip
