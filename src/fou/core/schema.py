"""The tidy long table of key-figure values, declared once and checked at every boundary.

One row per key figure (``kpi``), municipality, year and gender::

    kpi  municipality_id  year  gender  value  count  status  source
    str  str (4 digits)   int   T|K|M   float  Int64  str     str

* ``municipality_id`` is always a four-character string: ``"0114"`` stays
  ``"0114"``; Riket is ``"0000"`` and regions are ``"00NN"``.
* ``value`` is missing (NaN) when Kolada has no value or suppressed it; a
  missing value is never 0.
* ``count`` is what Kolada reports with a value (for group means, the number of
  contributing municipalities); it may be missing.
* ``source`` says where the row came from: ``kolada``, ``demo`` or
  ``lokal:<file>``.

Functions here declare and validate; they read and write nothing.
"""

from __future__ import annotations

import pandas as pd
import pandera.pandas as pa

from fou.core.errors import DataValidationError, FouError, ParameterError

VALUE_COLUMNS: tuple[str, ...] = (
    "kpi",
    "municipality_id",
    "year",
    "gender",
    "value",
    "count",
    "status",
    "source",
)
KEY_COLUMNS: tuple[str, ...] = ("kpi", "municipality_id", "year", "gender")
#: Columns the analyses (checks and statistics) need at least.
ANALYSIS_COLUMNS: tuple[str, ...] = (*KEY_COLUMNS, "value")
GENDERS: tuple[str, ...] = ("T", "K", "M")
MUNICIPALITY_ID_PATTERN = r"^\d{4}$"
KPI_ID_PATTERN = r"^[A-Z]\d{5}$"


def require_analysis_columns(values: object, *, error: type[FouError] = ParameterError) -> None:
    """Raise a Swedish error unless *values* is a table with :data:`ANALYSIS_COLUMNS`.

    Parameters
    ----------
    values
        What the caller was given as the values table.
    error
        Exception class for missing columns (a non-table is always a
        :class:`~fou.core.errors.ParameterError`).
    """
    if not isinstance(values, pd.DataFrame):
        raise ParameterError(
            "values måste vara nyckeltalstabellen (pandas.DataFrame), men "
            f"{type(values).__name__} angavs."
        )
    missing = [c for c in ANALYSIS_COLUMNS if c not in values.columns]
    if missing:
        raise error(
            f"Nyckeltalstabellen saknar kolumnerna {', '.join(missing)}; förväntat minst "
            f"{', '.join(ANALYSIS_COLUMNS)} (se fou.core.schema)."
        )


VALUES_SCHEMA = pa.DataFrameSchema(
    {
        "kpi": pa.Column(str, pa.Check.str_matches(KPI_ID_PATTERN), nullable=False),
        "municipality_id": pa.Column(
            str, pa.Check.str_matches(MUNICIPALITY_ID_PATTERN), nullable=False
        ),
        "year": pa.Column("int64", pa.Check.in_range(1990, 2100), nullable=False),
        "gender": pa.Column(str, pa.Check.isin(GENDERS), nullable=False),
        "value": pa.Column("float64", nullable=True),
        "count": pa.Column("Int64", nullable=True),
        "status": pa.Column(str, nullable=True),
        "source": pa.Column(str, nullable=False),
    },
    strict=True,
    ordered=True,
    coerce=False,
    name="nyckeltalsvärden",
)


def empty_values() -> pd.DataFrame:
    """Return an empty, valid values table.

    Returns
    -------
    pandas.DataFrame
        Zero rows, the columns and dtypes of :data:`VALUES_SCHEMA`.
    """
    return coerce_values(pd.DataFrame({c: [] for c in VALUE_COLUMNS}))


def coerce_values(df: pd.DataFrame) -> pd.DataFrame:
    """Bring a table with the value columns to the schema's dtypes.

    Ids are kept as strings: an integer ``municipality_id`` is rejected by
    :func:`validate_values` rather than padded, because ``114`` may be a typo.

    Parameters
    ----------
    df
        Table with (at least) the columns in :data:`VALUE_COLUMNS`.

    Returns
    -------
    pandas.DataFrame
        A copy with exactly the schema columns, in order.
    """
    # pandas ≥ 3 copies on write: the selection shares no state with *df* once
    # changed, and a column already of the right dtype is never copied (a
    # values table of 500 000 rows is 40 MB).
    out = df.loc[:, list(VALUE_COLUMNS)]
    for col in ("kpi", "municipality_id", "gender", "source"):
        out[col] = out[col].astype(str)
    out["status"] = out["status"].where(out["status"].notna(), "").astype(str)
    out["year"] = pd.to_numeric(out["year"], errors="raise").astype("int64")
    out["value"] = pd.to_numeric(out["value"], errors="raise").astype("float64")
    out["count"] = pd.to_numeric(out["count"], errors="raise").astype("Int64")
    return out.reset_index(drop=True)


def validate_values(df: pd.DataFrame, *, origin: str = "tabell") -> pd.DataFrame:
    """Validate a values table against :data:`VALUES_SCHEMA` and check its keys are unique.

    Parameters
    ----------
    df
        The table.
    origin
        Where the table came from (file name, snapshot id), used in messages.

    Returns
    -------
    pandas.DataFrame
        *df*, unchanged, if it is valid.

    Raises
    ------
    DataValidationError
        With a Swedish summary and ``failure_cases`` (``origin, row, column,
        check, value``) listing every failing cell.
    """
    try:
        VALUES_SCHEMA.validate(df, lazy=True)
    except (pa.errors.SchemaErrors, pa.errors.SchemaError) as exc:
        cases = getattr(exc, "failure_cases", None)
        table = _failure_table(cases, origin)
        raise DataValidationError(_summarise(table, origin), table) from None
    dup = df.duplicated(list(KEY_COLUMNS), keep=False)
    if dup.any():
        rows = df.index[dup]
        table = pd.DataFrame(
            {
                "origin": origin,
                "row": rows,
                "column": ", ".join(KEY_COLUMNS),
                "check": "unik nyckel",
                "value": df.loc[dup, list(KEY_COLUMNS)]
                .astype(str)
                .agg("/".join, axis=1)
                .to_numpy(),
            }
        )
        raise DataValidationError(_summarise(table, origin), table)
    return df


def _failure_table(cases: pd.DataFrame | None, origin: str) -> pd.DataFrame:
    if cases is None or len(cases) == 0:
        return pd.DataFrame(columns=["origin", "row", "column", "check", "value"])
    return pd.DataFrame(
        {
            "origin": origin,
            "row": cases["index"].to_numpy() if "index" in cases else None,
            "column": cases["column"].astype(str).to_numpy(),
            "check": cases["check"].astype(str).to_numpy(),
            "value": cases["failure_case"].astype(str).to_numpy(),
        }
    )


def _summarise(table: pd.DataFrame, origin: str, limit: int = 10) -> str:
    lines = [f"Ogiltig nyckeltalstabell ({origin}): {len(table)} fel."]
    for rec in table.head(limit).itertuples(index=False):
        where = f"rad {rec.row}" if rec.row is not None and pd.notna(rec.row) else "hela tabellen"
        lines.append(f"  {where}, kolumn {rec.column}: {rec.check} (värde: {rec.value})")
    if len(table) > limit:
        lines.append(f"  … och {len(table) - limit} fel till.")
    lines.append(
        "Förväntat: kolumnerna " + ", ".join(VALUE_COLUMNS) + "; municipality_id som fyrsiffrig "
        "text (t.ex. '0114'), gender T/K/M, value tal eller tomt."
    )
    return "\n".join(lines)
