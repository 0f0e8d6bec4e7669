"""Position of a municipality: against GR, similar municipalities, Riket and its region.

These functions feed the municipality profiles, the regional report and the
slide deck. They answer "where does the municipality stand this year, and how
has it moved?" with the comparison levels municipalities use each autumn:

* **GR-snitt**: the *unweighted* mean of the 13 GR municipalities' values, the
  way Kolada computes group means (group ``G96190``); ``n_gr`` is the number of
  members that contributed, like Kolada's ``count`` for group values;
* **Liknande kommuner**: the unweighted mean of the municipality's "Liknande
  kommuner äldreomsorg" group (members from the data set's group table, see
  :func:`fou.core.registry.similar_group`; Kolada's groups do not contain the
  municipality itself);
* **Riket** (``0000``) and the municipality's **region** (``00NN``): the
  values Kolada publishes for them (not means of municipalities).

Ranks are "1 = best" according to the catalogue's ``better`` column, with ties
sharing the best rank (``1, 2, 2, 4``). Key figures where neither direction is
better (costs, structure) are not ranked: their rank is missing, because a
league table of costs invites a judgement the figure does not support.

A missing value stays missing: the ``status`` column says ``saknas`` and
``note`` gives the most likely reason (survey not run that year, not published
for the municipality, key figure not measured that year, definition break).

All functions are pure: they take the tidy values table (at least the columns
``kpi, municipality_id, year, gender, value``) and return new tables.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

import numpy as np
import pandas as pd

from fou.core import sv
from fou.core.catalog import Catalog, is_ending
from fou.core.errors import ParameterError, one_of_message
from fou.core.registry import (
    GR_MUNICIPALITIES,
    RIKET,
    municipality_name,
    region_of,
    resolve_municipality,
    similar_group,
)
from fou.stats._input import _check_year, _check_years, _values_table

__all__ = [
    "comparison_table",
    "gr_overview",
    "group_mean",
    "rank_best_first",
    "trend_table",
]

#: Columns the functions need from the values table.

#: Series labels of :func:`trend_table`, by kind.
SERIES_LABELS: dict[str, str] = {
    "gr": "GR-snitt",
    "liknande": "Liknande kommuner",
    "riket": "Riket",
}
OVERVIEW_SORTS: tuple[str, ...] = ("rank", "value", "gr")

STATUS_OK = "ok"
STATUS_MISSING = "saknas"


# --------------------------------------------------------------------------- helpers


def _kpi_list(kpis: str | Iterable[str] | None, catalog: Catalog) -> list[str]:
    if kpis is None:
        return catalog.ids()
    items = [kpis] if isinstance(kpis, str) else list(kpis)
    if not items:
        raise ParameterError("kpis är tom: ange minst ett nyckeltal (t.ex. 'U21463').")
    for k in items:
        catalog.row(k)  # raises ParameterError for unknown ids
    return list(dict.fromkeys(items))


def _municipality(value: str, *, parameter: str = "municipality") -> str:
    mid = resolve_municipality(value, parameter=parameter)
    if mid.startswith("00"):
        raise ParameterError(
            f"{parameter}: {mid} ({municipality_name(mid)}) är riket eller en region; "
            "ange en kommun (t.ex. '1480' eller 'Göteborg')."
        )
    return mid


def _year_slice(df: pd.DataFrame, year: int, kpis: list[str]) -> pd.DataFrame:
    """Wide table for one year: index municipality_id, one column per kpi (in *kpis* order)."""
    part = df[df["year"] == year]
    wide = part.pivot(index="municipality_id", columns="kpi", values="value")
    wide.columns.name = None
    return wide.reindex(columns=kpis)


def _row_or_nan(wide: pd.DataFrame, mid: str) -> pd.Series:
    if mid in wide.index:
        return wide.loc[mid]
    return pd.Series(np.nan, index=wide.columns)


def rank_best_first(values: pd.Series, *, better: str) -> pd.Series:
    """Rank values so that 1 is the best, ties sharing the best rank.

    Parameters
    ----------
    values
        Values to rank (missing values get no rank).
    better
        ``"higher"``, ``"lower"`` or ``"neither"`` (catalogue column
        ``better``). With ``"neither"`` every rank is missing: a direction-free
        key figure is not put in a league table.

    Returns
    -------
    pandas.Series
        Float ranks (``method="min"``: 1, 2, 2, 4), NaN where the value is
        missing or *better* is ``"neither"``.

    Examples
    --------
    >>> import pandas as pd
    >>> rank_best_first(pd.Series([80.0, 90.0, 90.0, None]), better="higher").tolist()
    [3.0, 1.0, 1.0, nan]
    >>> rank_best_first(pd.Series([80.0, 90.0]), better="lower").tolist()
    [1.0, 2.0]
    """
    if better not in ("higher", "lower", "neither"):
        raise ParameterError(one_of_message("better", ("higher", "lower", "neither"), better))
    s = pd.to_numeric(values, errors="raise").astype("float64")
    if better == "neither":
        return pd.Series(np.nan, index=s.index)
    return s.rank(method="min", ascending=(better == "lower"), na_option="keep")


def _catalog_phrase(text: object) -> str:
    """A catalogue text made fit to follow a colon or semicolon inside a note.

    The trailing full stop goes (no ``".;"``), the first letter is lower-cased
    unless the first word is an abbreviation (``SCB``), and straight quotes
    around words become Swedish quotes.

    Examples
    --------
    >>> _catalog_phrase("Nyckeltalet upphörde efter 2024.")
    'nyckeltalet upphörde efter 2024'
    >>> _catalog_phrase("Från 2024 ingår inte 'annat boende' i kostnaden.")
    'från 2024 ingår inte ”annat boende” i kostnaden'
    >>> _catalog_phrase("SCB:s nya definition.")
    'SCB:s nya definition'
    """
    phrase = str(text).strip().rstrip(".").strip()
    phrase = re.sub(r"['\"]([^'\"]+)['\"]", "”\\1”", phrase)
    first = re.split(r"[\s:]", phrase, maxsplit=1)[0]
    if not (len(first) > 1 and first[:2].isupper()):
        phrase = phrase[:1].lower() + phrase[1:]
    return phrase


def _is_ended(change: object) -> bool:
    """True when a catalogue break says the key figure ended (``"upphörde"``)."""
    return is_ending(change)


def _missing_note(
    df: pd.DataFrame, catalog: Catalog, kpi: str, year: int, *, previous: bool = False
) -> str:
    """Most likely reason why *kpi* has no value for a municipality in *year*."""
    row = catalog.row(kpi)
    what = "föregående år" if previous else "värde"
    when = sv.year(year)
    if bool(row["survey"]) and year in catalog.survey_not_run:
        return f"{what} saknas: brukarundersökningen genomfördes inte {when}"
    kpi_rows = df[(df["kpi"] == kpi) & df["value"].notna()]
    if kpi_rows.empty:
        return f"{what} saknas: nyckeltalet har inga värden i datamängden"
    if not (kpi_rows["year"] == year).any():
        brk = catalog.breaks[(catalog.breaks["kpi"] == kpi) & (catalog.breaks["year"] <= year)]
        change = None if brk.empty else brk.iloc[-1]["change"]
        if change is not None and _is_ended(change):
            return f"{what} saknas: {_catalog_phrase(change)}"
        span = sv.year_span(kpi_rows["year"].min(), kpi_rows["year"].max())
        note = f"{what} saknas: inga värden för {when} (nyckeltalet finns {span})"
        if change is not None:
            note += "; " + _catalog_phrase(change)
        return note
    if bool(row["survey"]):
        return (
            f"{what} saknas: ej publicerat för kommunen {when} "
            f"(t.ex. färre än {sv.integer(catalog.min_respondents)} svarande) "
            "eller ej inrapporterat"
        )
    return f"{what} saknas: ej publicerat eller ej inrapporterat för kommunen {when}"


def _notes_and_status(
    df: pd.DataFrame,
    catalog: Catalog,
    kpi: str,
    year: int,
    *,
    value: float,
    previous_value: float,
    n_gr: int,
) -> tuple[str, str, bool]:
    """Return ``(status, note, change_comparable)`` for one key figure of one municipality.

    A catalogue break that says the key figure ended gets no "definitionsbyte"
    note: the missing-value note already says it ended.
    """
    notes: list[str] = []
    status = STATUS_OK
    if np.isnan(value):
        status = STATUS_MISSING
        notes.append(_missing_note(df, catalog, kpi, year))
    elif np.isnan(previous_value):
        notes.append(_missing_note(df, catalog, kpi, year - 1, previous=True))
    brk = catalog.break_in(kpi, year)
    comparable = brk is None
    if brk is not None and not _is_ended(brk):
        notes.append(
            f"definitionsbyte {sv.year(year)}: ingen förändring mot {sv.year(year - 1)} "
            f"redovisas ({_catalog_phrase(brk)})"
        )
    n_all = len(GR_MUNICIPALITIES)
    if 0 < n_gr < n_all:
        notes.append(f"GR-snittet bygger på {sv.integer(n_gr)} av {sv.integer(n_all)} kommuner")
    return status, "; ".join(notes), comparable


def _add_status(
    out: pd.DataFrame,
    df: pd.DataFrame,
    catalog: Catalog,
    kpis: list[str],
    year: int,
    *,
    in_gr: bool = True,
) -> None:
    """Fill ``status`` and ``note`` of *out* in place; no ``change`` across a definition break.

    Parameters
    ----------
    out
        Result rows with ``value, previous_value, change, n_gr`` and a
        ``0 … n − 1`` index.
    df
        The narrowed values table (see :func:`fou.stats._input._values_table`).
    catalog
        The key-figure catalogue.
    kpis
        The key figure of each row of *out*.
    year
        The year described.
    in_gr
        False when the municipality is not in GR: ranked key figures get the
        note that it is not ranked.
    """
    status, notes = [], []
    for i, kpi in enumerate(kpis):
        s, note, comparable = _notes_and_status(
            df,
            catalog,
            kpi,
            year,
            value=float(out.at[i, "value"]),
            previous_value=float(out.at[i, "previous_value"]),
            n_gr=int(out.at[i, "n_gr"]),
        )
        if not comparable:
            out.at[i, "change"] = np.nan
        if not in_gr and catalog.row(kpi)["better"] != "neither":
            note = "; ".join(filter(None, [note, "rangordnas inte: kommunen ingår inte i GR"]))
        status.append(s)
        notes.append(note)
    out["status"] = status
    out["note"] = notes


# --------------------------------------------------------------------------- public API


def comparison_table(
    values: pd.DataFrame,
    *,
    municipality: str,
    year: int,
    kpis: str | Iterable[str] | None,
    catalog: Catalog,
    groups: pd.DataFrame | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Compare one municipality with GR, similar municipalities, Riket and its region.

    Parameters
    ----------
    values
        Tidy values table (at least ``kpi, municipality_id, year, gender, value``).
    municipality
        Municipality id (``"1480"``) or name (``"Göteborg"``).
    year
        The year to describe; the previous year (``year - 1``) gives the change.
    kpis
        Key-figure ids (in the order wanted in the table); None for every key
        figure in the catalogue. Each must be in *catalog*.
    catalog
        The key-figure catalogue (titles, domain, unit, which direction is better).
    groups
        Group membership table of the data set (``group_id, title,
        municipality_id``) for the similar municipalities; None leaves
        ``similar_mean`` missing.
    gender
        ``"T"`` (total), ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per key figure, columns:

        ``kpi, title, domain, unit, better, municipality_id, year, value,
        previous_value, change`` (``value - previous_value``; missing across a
        definition break), ``gr_mean, n_gr`` (unweighted mean of the 13 GR
        municipalities and how many contributed), ``similar_group_id,
        similar_mean, n_similar``, ``riket``, ``region_id, region``,
        ``diff_gr, diff_riket`` (in the key figure's unit, e.g. percentage
        points), ``rank_gr`` (1 = best among the GR municipalities with a
        value; missing when ``better`` is ``"neither"``, the value is missing,
        or the municipality is not in GR), ``n_ranked`` (how many were ranked),
        ``status`` (``"ok"`` or ``"saknas"``) and ``note`` (Swedish: why a
        value is missing, definition breaks, incomplete GR mean).

    Raises
    ------
    ParameterError
        Unknown municipality or key figure, a region instead of a
        municipality, bad year or gender, or a values table without the
        needed columns.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> rows = [("U21463", m, 2022, 80.0 + i) for i, m in enumerate(GR_MUNICIPALITIES)]
    >>> rows += [("U21463", "0000", 2022, 84.0), ("U21463", "1480", 2020, 81.0)]
    >>> cols = ["kpi", "municipality_id", "year", "value"]
    >>> v = pd.DataFrame(rows, columns=cols).assign(gender="T")
    >>> t = comparison_table(
    ...     v, municipality="Göteborg", year=2022, kpis=["U21463"], catalog=load_catalog()
    ... )
    >>> shown = ["value", "gr_mean", "n_gr", "riket", "rank_gr", "n_ranked"]
    >>> print(t[shown].to_string(index=False))
     value  gr_mean  n_gr  riket  rank_gr  n_ranked
      89.0     86.0    13   84.0      4.0        13
    >>> t["note"].iloc[0]
    'föregående år saknas: brukarundersökningen genomfördes inte 2021'
    """
    mid = _municipality(municipality)
    year = _check_year(year)
    kpi_list = _kpi_list(kpis, catalog)
    df = _values_table(values, kpis=kpi_list, gender=gender)
    region_id = region_of(mid)
    similar_id, _, similar = similar_group(mid, groups)
    in_gr = mid in GR_MUNICIPALITIES

    cur = _year_slice(df, year, kpi_list)
    prev = _year_slice(df, year - 1, kpi_list)
    meta = catalog.kpis.set_index("kpi").loc[kpi_list]
    gr = cur.reindex(list(GR_MUNICIPALITIES))
    sim = cur.reindex(similar)

    out = pd.DataFrame(
        {
            "kpi": kpi_list,
            "title": meta["title"].to_numpy(),
            "domain": meta["domain"].to_numpy(),
            "unit": meta["unit"].to_numpy(),
            "better": meta["better"].to_numpy(),
            "municipality_id": mid,
            "year": year,
            "value": _row_or_nan(cur, mid).to_numpy(dtype=float),
            "previous_value": _row_or_nan(prev, mid).to_numpy(dtype=float),
        }
    )
    out["change"] = out["value"] - out["previous_value"]
    out["gr_mean"] = gr.mean(axis=0).to_numpy(dtype=float)
    out["n_gr"] = gr.count(axis=0).to_numpy(dtype="int64")
    out["similar_group_id"] = similar_id
    out["similar_mean"] = sim.mean(axis=0).to_numpy(dtype=float) if similar else np.nan
    out["n_similar"] = sim.count(axis=0).to_numpy(dtype="int64") if similar else 0
    out["riket"] = _row_or_nan(cur, RIKET).to_numpy(dtype=float)
    out["region_id"] = region_id
    out["region"] = _row_or_nan(cur, region_id).to_numpy(dtype=float)
    out["diff_gr"] = out["value"] - out["gr_mean"]
    out["diff_riket"] = out["value"] - out["riket"]

    ranks, n_ranked = [], []
    for kpi, better in zip(kpi_list, out["better"], strict=True):
        r = rank_best_first(gr[kpi], better=better)
        ok = in_gr and better != "neither"
        ranks.append(float(r.get(mid, np.nan)) if ok else np.nan)
        n_ranked.append(int(r.notna().sum()) if ok else pd.NA)
    out["rank_gr"] = np.array(ranks, dtype=float)
    out["n_ranked"] = pd.array(n_ranked, dtype="Int64")

    _add_status(out, df, catalog, kpi_list, year, in_gr=in_gr)
    return out


def trend_table(
    values: pd.DataFrame,
    *,
    municipality: str,
    kpi: str,
    years: int | Iterable[int] | None = None,
    groups: pd.DataFrame | None = None,
    gender: str = "T",
) -> pd.DataFrame:
    """Long table of a key figure over time: municipality, GR-snitt, similar municipalities, Riket.

    Parameters
    ----------
    values
        Tidy values table.
    municipality
        Municipality id or name.
    kpi
        One key-figure id.
    years
        Years to include; None for every year the key figure has values
        (for any municipality). Requested years without values get rows with
        a missing value, so gaps (e.g. 2021 for the user survey) show as
        breaks in a line plot rather than being bridged.
    groups
        Group membership table for the similar municipalities. Without it (or
        when the group has no members in the table) the ``"Liknande
        kommuner"`` series is left out rather than drawn empty.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        Columns ``kpi, year, series, series_kind, value, n``; ``series`` is the
        municipality's name, ``"GR-snitt"``, ``"Liknande kommuner"`` or
        ``"Riket"`` (``series_kind``: ``kommun, gr, liknande, riket``);
        ``n`` is the number of municipalities behind the value (1 or 0 for the
        municipality and Riket, the number of contributing members for the
        means). Sorted by series, then year.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> rows = [
    ...     ("N20403", m, y, 5.0 + (m == "1480")) for m in GR_MUNICIPALITIES for y in (2021, 2022)
    ... ]
    >>> cols = ["kpi", "municipality_id", "year", "value"]
    >>> v = pd.DataFrame(rows, columns=cols).assign(gender="T")
    >>> t = trend_table(v, municipality="1480", kpi="N20403")
    >>> print(t[t["year"] == 2022][["series", "value", "n"]].round(3).to_string(index=False))
      series  value  n
    Göteborg  6.000  1
    GR-snitt  5.077 13
       Riket    NaN  0
    """
    mid = _municipality(municipality)
    if not isinstance(kpi, str):
        raise ParameterError(f"kpi måste vara ett nyckeltals-id (text), men {kpi!r} angavs.")
    df = _values_table(values, kpis=[kpi], gender=gender)
    year_list = _check_years(years)
    if year_list is None:
        year_list = sorted(int(y) for y in df.loc[df["value"].notna(), "year"].unique())
    _, _, similar = similar_group(mid, groups)
    wide = df.pivot(index="year", columns="municipality_id", values="value")
    wide = wide.reindex(index=year_list)

    def block(kind: str, label: str, members: list[str]) -> pd.DataFrame:
        part = wide.reindex(columns=members)
        return pd.DataFrame(
            {
                "kpi": kpi,
                "year": np.asarray(year_list, dtype="int64"),
                "series": label,
                "series_kind": kind,
                "value": part.mean(axis=1).to_numpy(dtype=float),
                "n": part.count(axis=1).to_numpy(dtype="int64"),
            }
        )

    blocks = [
        block("kommun", municipality_name(mid), [mid]),
        block("gr", SERIES_LABELS["gr"], list(GR_MUNICIPALITIES)),
    ]
    if similar:
        blocks.append(block("liknande", SERIES_LABELS["liknande"], similar))
    blocks.append(block("riket", SERIES_LABELS["riket"], [RIKET]))
    return pd.concat(blocks, ignore_index=True)


def gr_overview(
    values: pd.DataFrame,
    *,
    kpi: str,
    year: int,
    catalog: Catalog,
    gender: str = "T",
    sort: str = "rank",
) -> pd.DataFrame:
    """The 13 GR municipalities side by side for one key figure and year.

    Parameters
    ----------
    values
        Tidy values table.
    kpi
        One key-figure id (must be in *catalog*).
    year
        The year; ``year - 1`` gives the change.
    catalog
        The key-figure catalogue (``better`` decides the ranking).
    gender
        ``"T"``, ``"K"`` or ``"M"``.
    sort
        ``"rank"`` (best first; for key figures where neither direction is
        better, by value, highest first), ``"value"`` (highest first) or
        ``"gr"`` (GR's own order). Missing values always come last.

    Returns
    -------
    pandas.DataFrame
        13 rows, columns ``kpi, year, municipality_id, municipality, value,
        previous_value, change, gr_mean, n_gr, riket, diff_gr, diff_riket,
        rank, n_ranked, status, note``. ``gr_mean`` is the unweighted mean
        of the municipalities with a value (``n_gr`` of them), as in Kolada's
        group G96190; ``rank`` is 1 for the best (ties share the best rank)
        and missing for ``better == "neither"``.

    Examples
    --------
    >>> import pandas as pd
    >>> from fou.core.catalog import load_catalog
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> rows = [("N20403", m, 2022, float(i)) for i, m in enumerate(GR_MUNICIPALITIES)]
    >>> cols = ["kpi", "municipality_id", "year", "value"]
    >>> v = pd.DataFrame(rows, columns=cols).assign(gender="T")
    >>> o = gr_overview(v, kpi="N20403", year=2022, catalog=load_catalog())
    >>> print(o[["municipality", "value", "rank"]].head(2).to_string(index=False))
    municipality  value  rank
      Kungsbacka    0.0   1.0
         Härryda    1.0   2.0
    """
    if sort not in OVERVIEW_SORTS:
        raise ParameterError(one_of_message("sort", OVERVIEW_SORTS, sort))
    year = _check_year(year)
    if not isinstance(kpi, str):
        raise ParameterError(f"kpi måste vara ett nyckeltals-id (text), men {kpi!r} angavs.")
    better = str(catalog.row(kpi)["better"])
    df = _values_table(values, kpis=[kpi], gender=gender)
    members = list(GR_MUNICIPALITIES)
    cur = _year_slice(df, year, [kpi])[kpi]
    prev = _year_slice(df, year - 1, [kpi])[kpi]
    value = cur.reindex(members).to_numpy(dtype=float)
    previous = prev.reindex(members).to_numpy(dtype=float)
    riket = float(cur.get(RIKET, np.nan))
    out = pd.DataFrame(
        {
            "kpi": kpi,
            "year": year,
            "municipality_id": members,
            "municipality": [municipality_name(m) for m in members],
            "value": value,
            "previous_value": previous,
        }
    )
    out["change"] = out["value"] - out["previous_value"]
    out["gr_mean"] = float(np.nanmean(value)) if np.isfinite(value).any() else np.nan
    out["n_gr"] = int(np.isfinite(value).sum())
    out["riket"] = riket
    out["diff_gr"] = out["value"] - out["gr_mean"]
    out["diff_riket"] = out["value"] - out["riket"]
    out["rank"] = rank_best_first(out["value"], better=better).to_numpy()
    n_ranked = int(out["rank"].notna().sum()) if better != "neither" else pd.NA
    out["n_ranked"] = pd.array([n_ranked] * len(out), dtype="Int64")

    _add_status(out, df, catalog, [kpi] * len(out), year)
    return _sort_overview(out, sort=sort, better=better)


def _sort_overview(out: pd.DataFrame, *, sort: str, better: str) -> pd.DataFrame:
    if sort == "gr":
        return out.reset_index(drop=True)
    if sort == "rank" and better != "neither":
        key, ascending = "rank", True
    else:
        key, ascending = "value", False
    order = out.assign(_gr=np.arange(len(out))).sort_values(
        [key, "_gr"], ascending=[ascending, True], na_position="last", kind="mergesort"
    )
    return order.drop(columns="_gr").reset_index(drop=True)


def group_mean(
    values: pd.DataFrame,
    *,
    kpis: Iterable[str],
    year: int,
    members: Sequence[str],
    gender: str = "T",
) -> pd.DataFrame:
    """A group's value as Kolada computes it: the unweighted mean of the members with a value.

    Parameters
    ----------
    values
        Tidy values table.
    kpis
        Key figures.
    year
        The year.
    members
        The group's municipality ids.
    gender
        ``"T"``, ``"K"`` or ``"M"``.

    Returns
    -------
    pandas.DataFrame
        One row per key figure: ``kpi, year, mean, n`` (members that
        contributed), ``n_members`` and ``missing_members`` (ids without a
        value, in the group's order).

    Examples
    --------
    >>> import pandas as pd
    >>> v = pd.DataFrame({"kpi": "N20900", "municipality_id": ["1440", "1441"], "year": 2022,
    ...                   "gender": "T", "value": [2.0, 4.0]})
    >>> g = group_mean(v, kpis=["N20900"], year=2022, members=["1440", "1441", "1442"])
    >>> g[["mean", "n", "n_members", "missing_members"]].values.tolist()
    [[3.0, 2, 3, ('1442',)]]
    """
    year = _check_year(year)
    kpi_list = list(dict.fromkeys(kpis))
    ids = list(dict.fromkeys(members))
    df = _values_table(values, kpis=kpi_list, gender=gender)
    cur = df[df["year"] == year]
    rows = []
    for kpi in kpi_list:
        own = cur[cur["kpi"] == kpi].set_index("municipality_id")["value"].reindex(ids)
        have = own.notna()
        rows.append(
            {
                "kpi": kpi,
                "year": year,
                "mean": float(own.mean()) if have.any() else np.nan,
                "n": int(have.sum()),
                "n_members": len(ids),
                "missing_members": tuple(m for m, ok in zip(ids, have, strict=True) if not ok),
            }
        )
    return pd.DataFrame(rows, columns=["kpi", "year", "mean", "n", "n_members", "missing_members"])
