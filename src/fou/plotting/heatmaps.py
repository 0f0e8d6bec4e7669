"""Heatmaps: a correlation screen (lower triangle) and the share of usable key figures."""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd
import seaborn as sns
from matplotlib.axes import Axes
from matplotlib.patches import Rectangle

from fou.core import sv
from fou.core.catalog import DOMAINS, Catalog
from fou.core.errors import ParameterError, check_choice
from fou.plotting._base import (
    CMAP_DIVERGING,
    CMAP_SEQUENTIAL,
    MISSING_GID,
    PALETTE,
    SwedishFormatter,
    add_source,
    as_ids,
    check_data,
    ids_column,
    kpi_label,
    name_of,
    new_axes,
    no_data,
    numeric,
    single_value,
    themed,
    wrap,
)

__all__ = ["correlation_heatmap", "quality_heatmap"]

_SCOPE_SHORT = {
    "gr": "GR:s 13 kommuner",
    "riket": "alla kommuner",
    "all": "alla kommuner",
    "urval": "eget urval",
}
SIGNIFICANT_MARK = "*"


def _hatch_missing(ax: Axes, mask_missing: np.ndarray) -> int:
    """Grey hatched cells where a value is missing (not masked by design); return how many."""
    count = 0
    for i, j in zip(*np.nonzero(mask_missing), strict=True):
        ax.add_patch(
            Rectangle(
                (j, i), 1, 1, facecolor=PALETTE["missing"], edgecolor="#C8C8C8",
                hatch="////", linewidth=0.0, gid=MISSING_GID, zorder=1.5,
            )
        )  # fmt: skip
        count += 1
    return count


def _heatmap(frame: pd.DataFrame, **kwargs: Any) -> Axes:
    """seaborn.heatmap without its matplotlib-3.11 deprecation noise in reviewers' reports."""
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message=".*set_bad.*", category=PendingDeprecationWarning)
        return sns.heatmap(frame, **kwargs)


def _annot_size(n_cells_side: int) -> float:
    if n_cells_side <= 8:
        return 8.5
    if n_cells_side <= 14:
        return 7.5
    return 6.5


@themed
def correlation_heatmap(
    data: pd.DataFrame,
    *,
    annotate: bool = True,
    alpha: float = 0.05,
    labels: str = "id",
    title: str | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Lower-triangle heatmap of correlations from an association screen.

    Colour is *r* on a diverging scale from −1 to 1; a star marks pairs with
    ``p_adj < alpha`` and the caption names the correction (e.g.
    ``"* = p < 0,05 efter Holm-justering"``). Pairs that could not be
    estimated (``r`` missing) are grey and hatched.

    Parameters
    ----------
    data
        Screen table with one row per pair: ``x, y, r, p_adj, adjust``
        (as from :func:`fou.stats.association_screen`, filtered to one year,
        method and scope). Extra columns are fine; ``method``, ``scope``,
        ``year`` and ``n`` go into the title when they have one value.
    annotate
        Write r in each cell (with the star); False writes only the stars.
    alpha
        Significance level for the star, applied to ``p_adj``.
    labels
        Tick labels: ``"id"`` (key-figure ids) or ``"title"``: rows numbered
        with the short catalogue titles, columns and the diagonal with the
        same numbers (long titles fit once, not twice).
    title
        Title (default: "Samband mellan nyckeltal" and method, scope, year).
    catalog
        Catalogue for ``labels="title"``.
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure sized to the number of key figures.
    **kwargs
        Passed to :func:`seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes

    Raises
    ------
    ParameterError
        Missing columns, several rows per pair (filter on year, method and
        scope first), several adjustment methods.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> screen = pd.DataFrame({"x": ["U21468", "U21468", "U21467"],
    ...                        "y": ["U21467", "N20900", "N20900"],
    ...                        "r": [0.72, -0.1, 0.05], "p_adj": [0.01, 0.9, 0.9],
    ...                        "adjust": "Holm"})
    >>> ax = correlation_heatmap(screen)
    >>> ax.get_xlabel()
    '* = p < 0,05 efter Holm-justering'
    >>> plt.close(ax.figure)
    """
    func = "correlation_heatmap"
    df = check_data(data, ["x", "y", "r", "p_adj", "adjust"], func=func)
    check_choice(labels, ("id", "title"), "labels", where=func)
    if not isinstance(alpha, (int, float)) or isinstance(alpha, bool) or not 0 < alpha < 1:
        raise ParameterError(
            f"{func}: alpha måste vara ett tal mellan 0 och 1, men {alpha!r} angavs."
        )
    xs = df["x"].astype(str).to_numpy()
    ys = df["y"].astype(str).to_numpy()
    if np.any(xs == ys):
        raise ParameterError(f"{func}: en rad har samma nyckeltal i x och y ({xs[xs == ys][0]}).")
    pair = pd.Series([tuple(sorted(p)) for p in zip(xs, ys, strict=True)], index=df.index)
    if pair.duplicated().any():
        varying = [
            c
            for c in ("year", "method", "scope", "level")
            if c in df.columns and df[c].nunique() > 1
        ]
        hint = "; tabellen har flera värden i " + ", ".join(varying) if varying else ""
        raise ParameterError(
            f"{func}: flera rader för samma par (x, y){hint}. Filtrera till ett år, en metod "
            "och ett omfång (scope) först, "
            "t.ex. screen.query(\"year == 2022 and method == 'Spearman'\")."
        )
    methods = df["adjust"].dropna().astype(str).unique()
    if len(methods) > 1:
        raise ParameterError(
            f"{func}: tabellen blandar justeringsmetoder ({', '.join(methods)}); välj en."
        )
    adjust = methods[0] if len(methods) else None
    r = numeric(df, "r", func=func)
    p = numeric(df, "p_adj", func=func)

    kpis = list(dict.fromkeys(k for pr in zip(xs, ys, strict=True) for k in pr))
    n = len(kpis)
    side = max(n - 1, 1)
    extra_w = 3.2 if labels == "title" else 0.0
    ax = new_axes(
        ax, (max(4.8, 0.55 * side + 2.6 + extra_w), max(4.0, 0.5 * side + 2.0)), func=func
    )
    if n < 2:
        no_data(ax)
        add_source(ax, source)
        return ax
    pos = {k: i for i, k in enumerate(kpis)}
    rmat = np.full((n, n), np.nan)
    pmat = np.full((n, n), np.nan)
    for a, b, rv, pv in zip(xs, ys, r, p, strict=True):
        i, j = pos[a], pos[b]
        rmat[i, j] = rmat[j, i] = rv
        pmat[i, j] = pmat[j, i] = pv
    if labels == "title":
        # Full lower triangle with the diagonal, which names each column's key figure.
        sub_r, sub_p = rmat, pmat
        row_k, col_k = kpis, kpis
        diagonal = np.eye(n, dtype=bool)
    else:
        sub_r, sub_p = rmat[1:, :-1], pmat[1:, :-1]
        row_k, col_k = kpis[1:], kpis[:-1]
        diagonal = np.zeros_like(sub_r, dtype=bool)
    upper = np.triu(np.ones_like(sub_r, dtype=bool), k=1)
    missing = ~upper & ~diagonal & ~np.isfinite(sub_r)
    sig = np.isfinite(sub_p) & (sub_p < alpha) & np.isfinite(sub_r)

    if annotate:
        text = np.array(
            [
                [
                    (sv.number(v, 2) + (SIGNIFICANT_MARK if s else "")) if np.isfinite(v) else ""
                    for v, s in zip(row_r, row_s, strict=True)
                ]
                for row_r, row_s in zip(sub_r, sig, strict=True)
            ],
            dtype=object,
        )
    else:
        text = np.where(sig, SIGNIFICANT_MARK, "").astype(object)

    if labels == "title":
        # Rows carry the number and the label; columns and the diagonal only the number.
        row_labels = [
            f"{i + 1}. " + kpi_label(k, catalog=catalog, width=38, max_lines=2)
            for i, k in enumerate(row_k)
        ]
        col_labels = [str(i + 1) for i in range(len(col_k))]
    else:
        row_labels = list(row_k)
        col_labels = list(col_k)
    frame = pd.DataFrame(np.where(diagonal, np.nan, sub_r), index=row_labels, columns=col_labels)
    style: dict[str, Any] = {
        "cmap": CMAP_DIVERGING,
        "vmin": -1.0,
        "vmax": 1.0,
        "center": 0.0,
        "square": True,
        "linewidths": 0.8,
        "linecolor": "white",
        "annot": text,
        "fmt": "",
        "annot_kws": {"fontsize": _annot_size(side)},
        "cbar_kws": {"label": "Korrelation (r)", "shrink": 0.75, "ticks": [-1, -0.5, 0, 0.5, 1]},
    }
    style.update(kwargs)
    _heatmap(frame, mask=upper | missing | diagonal, ax=ax, **style)
    n_missing = _hatch_missing(ax, missing)
    for i in np.flatnonzero(np.diag(diagonal)).tolist():
        ax.add_patch(
            Rectangle(
                (i, i),
                1,
                1,
                facecolor="#F4F4F4",
                edgecolor="white",
                linewidth=0.8,
                zorder=1.5,
                gid="diagonal",
            )
        )
        ax.text(
            i + 0.5, i + 0.5, col_labels[i], ha="center", va="center", gid="diagonal",
            fontsize=_annot_size(side) - 0.5, color=PALETTE["muted"], zorder=2,
        )  # fmt: skip
    cbar = getattr(ax.collections[0], "colorbar", None) if ax.collections else None
    if cbar is not None:
        cbar.ax.yaxis.set_major_formatter(SwedishFormatter())
    ax.tick_params(axis="both", length=0)
    if labels == "title":
        ax.set_xticklabels(ax.get_xticklabels(), rotation=0, ha="center")
    else:
        ax.set_xticklabels(ax.get_xticklabels(), rotation=45, ha="right")
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    for spine in ax.spines.values():
        spine.set_visible(False)

    if title is None:
        details = []
        method = single_value(df, "method")
        if method is not None:
            details.append(str(method))
        scope = single_value(df, "scope")
        if scope is not None:
            details.append(_SCOPE_SHORT.get(str(scope), str(scope)))
        year = single_value(df, "year")
        if year is not None and not (isinstance(year, float) and np.isnan(year)):
            details.append(str(year))
        title = "Samband mellan nyckeltal" + (f" – {', '.join(details)}" if details else "")
    ax.set_title(wrap(title, 60))
    caption = f"{SIGNIFICANT_MARK} = p < {sv.number(alpha, 3).rstrip('0').rstrip(',')}"
    caption += f" efter {adjust}-justering" if adjust else " (ojusterat)"
    n_pairs = single_value(df, "n")
    if n_pairs is not None:
        caption += f" (n = {int(n_pairs)})"
    if n_missing:
        caption += "\nStreckad ruta: sambandet kan inte skattas (för få värden)."
    ax.set_xlabel(caption, fontsize=8.5, color=PALETTE["muted"], labelpad=8)
    ax.set_ylabel("")
    add_source(ax, source)
    return ax


QUALITY_ROWS: tuple[str, ...] = ("municipality", "domain")


@themed
def quality_heatmap(
    data: pd.DataFrame,
    *,
    rows: str = "municipality",
    domain: str | None = None,
    municipality: str | None = None,
    annotate: bool = True,
    title: str | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Heatmap of the share of usable key figures: municipalities (or domains) × years.

    Parameters
    ----------
    data
        Table like :func:`fou.quality.usable_summary`'s: ``municipality_id,
        year`` and ``share_usable`` (0–1) or ``n_usable, n_kpis``; ``domain``
        as well for ``rows="domain"`` or when filtering on *domain*.
    rows
        ``"municipality"`` (municipality names × years) or ``"domain"``
        (domains × years).
    domain
        Keep only this domain.
    municipality
        Keep only this municipality (id or name), e.g. with ``rows="domain"``.
    annotate
        Write the share (per cent) in each cell.
    title
        Title (default from *rows*, *domain*, *municipality*).
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure.
    **kwargs
        Passed to :func:`seaborn.heatmap`.

    Returns
    -------
    matplotlib.axes.Axes

    Notes
    -----
    When a cell has several rows (e.g. one per domain with
    ``rows="municipality"``), ``n_usable`` and ``n_kpis`` are summed, so the
    share is that of all the cell's key figures together; without those
    columns that is an error.

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> s = pd.DataFrame({"municipality_id": ["1480", "1480", "1440", "1440"],
    ...                   "year": [2021, 2022, 2021, 2022],
    ...                   "share_usable": [0.5, 0.9, 1.0, None]})
    >>> ax = quality_heatmap(s)
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Ale', 'Göteborg']
    >>> plt.close(ax.figure)
    """
    func = "quality_heatmap"
    check_choice(rows, QUALITY_ROWS, "rows", where=func)
    if not isinstance(data, pd.DataFrame):
        check_data(data, ["municipality_id", "year", "share_usable"], func=func)
    has_share = "share_usable" in data.columns
    has_counts = {"n_usable", "n_kpis"} <= set(data.columns)
    base = ["municipality_id", "year"] + (["domain"] if rows == "domain" or domain else [])
    alt = " samt share_usable eller n_usable och n_kpis"
    check_data(data, base, func=func, alternatives=alt)
    if not (has_share or has_counts):
        check_data(
            data,
            [*base, "share_usable"],
            func=func,
            alternatives=" (eller n_usable och n_kpis i stället för share_usable)",
        )
    df = data.copy()
    df["municipality_id"] = ids_column(df)
    if domain is not None:
        known = list(dict.fromkeys(df["domain"].dropna().astype(str)))
        check_choice(domain, known, "domain", where=func)
        df = df[df["domain"] == domain]
    mids = as_ids(municipality, parameter="municipality")
    if mids:
        if mids[0] not in set(df["municipality_id"]):
            raise ParameterError(f"{func}: {name_of(mids[0])} ({mids[0]}) finns inte i data.")
        df = df[df["municipality_id"] == mids[0]]
    key = "municipality_id" if rows == "municipality" else "domain"
    df = df.assign(year=numeric(df, "year", func=func))
    df = df[np.isfinite(df["year"].to_numpy(dtype=float))]
    df["year"] = df["year"].astype("int64")

    if df.duplicated([key, "year"]).any():
        if not has_counts:
            raise ParameterError(
                f"{func}: flera rader per {'kommun' if key == 'municipality_id' else 'område'} "
                "och år "
                "(t.ex. en per område eller kommun). Ange domain=… eller municipality=…, eller ta "
                "med kolumnerna n_usable och n_kpis så att andelen räknas för alla nyckeltal "
                "tillsammans."
            )
        df = df.groupby([key, "year"], as_index=False)[["n_usable", "n_kpis"]].sum(min_count=1)
        with np.errstate(divide="ignore", invalid="ignore"):
            df["share_usable"] = numeric(df, "n_usable", func=func) / numeric(
                df, "n_kpis", func=func
            )
    elif not has_share:
        with np.errstate(divide="ignore", invalid="ignore"):
            df["share_usable"] = numeric(df, "n_usable", func=func) / numeric(
                df, "n_kpis", func=func
            )
    share = numeric(df, "share_usable", func=func)
    finite = share[np.isfinite(share)]
    if finite.size and (finite.min() < 0 or finite.max() > 1):
        raise ParameterError(
            f"{func}: share_usable ska vara en andel mellan 0 och 1, men har värden från "
            f"{sv.number(finite.min(), 2)} till {sv.number(finite.max(), 2)}."
        )
    df = df.assign(share_usable=share)

    if key == "municipality_id":
        # Alphabetical (Swedish order) reads best in a table-like heatmap.
        order = sorted(dict.fromkeys(df["municipality_id"]), key=lambda m: sv.sort_key(name_of(m)))
        row_labels = [name_of(m) for m in order]
    else:
        present = list(dict.fromkeys(df["domain"].astype(str)))
        order = [d for d in DOMAINS if d in present] + [d for d in present if d not in DOMAINS]
        row_labels = [d[:1].upper() + d[1:] for d in order]
    years = sorted(df["year"].unique().tolist())
    mat = (
        df.pivot(index=key, columns="year", values="share_usable")
        .reindex(index=order, columns=years)
        .to_numpy(dtype=float)
        * 100.0
    )
    n_rows, n_cols = mat.shape
    ax = new_axes(ax, (max(5.0, 0.62 * n_cols + 3.2), max(2.8, 0.38 * n_rows + 1.6)), func=func)
    if mat.size == 0:
        no_data(ax)
        add_source(ax, source)
        return ax
    missing = ~np.isfinite(mat)
    text = np.array([[sv.number(v, 0, missing="") for v in row] for row in mat], dtype=object)
    frame = pd.DataFrame(mat, index=row_labels, columns=[str(y) for y in years])
    style: dict[str, Any] = {
        "cmap": CMAP_SEQUENTIAL,
        "vmin": 0.0,
        "vmax": 100.0,
        "linewidths": 0.8,
        "linecolor": "white",
        "annot": text if annotate else False,
        "fmt": "",
        "annot_kws": {"fontsize": 8 if n_cols <= 12 else 7},
        "cbar_kws": {
            "label": "Användbara nyckeltal (%)",
            "shrink": 0.8,
            "ticks": [0, 25, 50, 75, 100],
        },
    }
    style.update(kwargs)
    _heatmap(frame, mask=missing, ax=ax, **style)
    n_missing = _hatch_missing(ax, missing)
    cbar = getattr(ax.collections[0], "colorbar", None) if ax.collections else None
    if cbar is not None:
        cbar.ax.yaxis.set_major_formatter(SwedishFormatter())
    ax.tick_params(axis="both", length=0)
    ax.set_yticklabels(ax.get_yticklabels(), rotation=0)
    ax.set_xticklabels(ax.get_xticklabels(), rotation=0 if n_cols <= 12 else 90)
    for spine in ax.spines.values():
        spine.set_visible(False)
    if title is None:
        title = (
            "Andel användbara nyckeltal per "
            + ("kommun" if key == "municipality_id" else "område")
            + " och år"
        )
        extra = []
        if mids:
            extra.append(name_of(mids[0]))
        if domain is not None:
            extra.append(domain)
        if extra:
            title += " – " + ", ".join(extra)
    ax.set_title(wrap(title, 60))
    caption = "Användbart = värde finns och inget allvarligt kvalitetsfel."
    if n_missing:
        caption += "\nStreckad ruta: inga nyckeltal att bedöma."
    ax.set_xlabel(caption, fontsize=8.5, color=PALETTE["muted"], labelpad=8)
    ax.set_ylabel("")
    add_source(ax, source)
    return ax
