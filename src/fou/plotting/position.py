"""Overview figures of a domain: a municipality on every key figure, and the 13 × key figures.

Both draw a position table (:func:`fou.stats.position.position_table`:
``kpi, municipality_id, value, gr_mean, gr_sd, riket, score, position,
verdict``); they compute nothing but the drawing coordinates.

* :func:`position_plot` – one row per key figure: the 13 GR municipalities as
  grey dots, the focus municipality coloured by its verdict (better, worse,
  within the uncertainty), Riket as an open diamond, all on a common scale
  (standard deviations from the GR mean, turned so that right is better where
  a direction is known and higher where it is not).
* :func:`position_matrix` – key figures × the 13 municipalities, each cell
  coloured by the verdict and showing the value.

A missing value is written as missing ("saknas", "–"), never drawn at zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes
from matplotlib.lines import Line2D
from matplotlib.patches import Patch, Rectangle
from matplotlib.transforms import ScaledTranslation

from fou.core import sv
from fou.core.catalog import Catalog
from fou.core.errors import ParameterError
from fou.core.registry import GR_MUNICIPALITIES
from fou.plotting._base import (
    MISSING_GID,
    PALETTE,
    add_source,
    check_data,
    get_catalog,
    name_of,
    new_axes,
    style_axes,
    themed,
    wrap,
)

#: Colours of the verdicts (Okabe–Ito blue and vermillion; grey within the uncertainty).
VERDICT_COLORS: Mapping[str, str] = {
    "bättre": "#0072B2",
    "sämre": "#D55E00",
    "avviker": "#CC79A7",
    "neutral": "#7A7A7A",
    "saknas": "#FFFFFF",
}
#: Light fills of the verdicts for matrix cells.
VERDICT_FILLS: Mapping[str, str] = {
    "bättre": "#BFD9EC",
    "sämre": "#F6CDB5",
    "avviker": "#EBCFE0",
    "neutral": "#F2F2F2",
    "saknas": "#FFFFFF",
}
VERDICT_LABELS: Mapping[str, str] = {
    "bättre": "Bättre än GR-snittet",
    "sämre": "Sämre än GR-snittet",
    "avviker": "Avviker (inget håll är bättre)",
    "neutral": "Inom osäkerheten",
    "saknas": "Värde saknas",
}
_COLUMNS = ["kpi", "municipality_id", "value", "gr_mean", "gr_sd", "verdict"]
_CLIP = 3.0  # standard deviations shown; further out is drawn at the edge with an arrow


def _oriented(df: pd.DataFrame, catalog: Catalog) -> pd.Series:
    """Standard deviations from the GR mean, right = better (or higher where neither is better)."""
    better = df["kpi"].map({k: catalog.better(k) for k in df["kpi"].unique()})
    sign = np.where(better == "lower", -1.0, 1.0)
    with np.errstate(divide="ignore", invalid="ignore"):
        z = (df["value"] - df["gr_mean"]) / df["gr_sd"].where(df["gr_sd"] > 0)
    return pd.Series(sign * z, index=df.index)


def _legend_below(ax: Axes, handles: list[Any], *, ncol: int, inches: float) -> None:
    """A legend a fixed distance (in inches) below the axes, clear of tick labels and x label."""
    shift = ScaledTranslation(0, -inches, ax.figure.dpi_scale_trans)
    ax.legend(
        handles=handles,
        loc="upper center",
        bbox_to_anchor=(0.5, 0.0),
        bbox_transform=ax.transAxes + shift,
        ncol=ncol,
        fontsize=8,
        frameon=False,
    )


def _labels(kpis: Sequence[str], catalog: Catalog, labels: Mapping[str, str] | None) -> list[str]:
    out = []
    for k in kpis:
        text = (labels or {}).get(k) or catalog.label(k)
        out.append(wrap(text, 34))
    return out


def _dot(color: str, label: str, *, size: float = 8) -> Line2D:
    """A round legend marker."""
    return Line2D([], [], marker="o", linestyle="", color=color, markersize=size, label=label)


@themed
def position_plot(
    data: pd.DataFrame,
    *,
    focus: str,
    labels: Mapping[str, str] | None = None,
    values: Mapping[str, str] | None = None,
    title: str | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
) -> Axes:
    """A municipality's position on every key figure of a domain, among the 13 and against Riket.

    Parameters
    ----------
    data
        Position table of the 13 for the domain's key figures.
    focus
        The municipality (id) to highlight.
    labels
        Row labels by key figure (default: the catalogue's short labels).
    values
        The focus municipality's value as text, by key figure (written next to its marker).
    title
        Title.
    catalog
        Catalogue (labels and directions).
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> d = pd.DataFrame({"kpi": "N20403", "municipality_id": list(GR_MUNICIPALITIES),
    ...                   "value": range(13), "gr_mean": 6.0, "gr_sd": 3.9, "riket": 5.0,
    ...                   "verdict": "neutral"})
    >>> ax = position_plot(d, focus="1440")
    >>> [t.get_text().replace(chr(10), " ") for t in ax.get_yticklabels()]
    ['Medelvårdtid som utskrivningsklar (dagar)']
    >>> plt.close(ax.figure)
    """
    func = "position_plot"
    cat = get_catalog(catalog)
    df = check_data(data, _COLUMNS, func=func).copy()
    kpis = list(dict.fromkeys(df["kpi"].astype(str)))
    if not kpis:
        raise ParameterError(f"{func}: tabellen har inga nyckeltal.")
    df["x"] = _oriented(df, cat)
    n = len(kpis)
    ax = new_axes(ax, (8.0, 0.55 * n + 1.6), func=func)
    style_axes(ax, grid="x")
    ax.axvline(0, color=PALETTE["line"], linewidth=1.0, zorder=1)
    # One collection per kind of marker (not one per row): rows are drawn in
    # order within each, as the separate rows were, at a fraction of the cost.
    df["y"] = df["kpi"].map({k: i for i, k in enumerate(kpis)})
    df = df.sort_values("y", kind="stable")
    finite = df[np.isfinite(df["x"])]
    others = finite[finite["municipality_id"] != focus]
    ax.scatter(
        np.clip(others["x"], -_CLIP, _CLIP),
        others["y"],
        s=22,
        color=PALETTE["other"],
        zorder=2,
        linewidths=0,
        gid="kommuner",
    )
    riket_x = []
    for yi, row in df.drop_duplicates("y").set_index("y").iterrows():
        riket, gr_mean, gr_sd = row.get("riket", np.nan), row["gr_mean"], row["gr_sd"]
        if np.isfinite(riket) and np.isfinite(gr_mean) and gr_sd and np.isfinite(gr_sd):
            sign = -1.0 if cat.better(str(row["kpi"])) == "lower" else 1.0
            riket_x.append((np.clip((riket - gr_mean) / gr_sd * sign, -_CLIP, _CLIP), yi))
    if riket_x:
        ax.scatter(
            [x for x, _ in riket_x],
            [y for _, y in riket_x],
            marker="D",
            s=42,
            facecolors="none",
            edgecolors=PALETTE["text"],
            linewidths=1.1,
            zorder=3,
            gid="riket",
        )
    has_finite = set(finite["y"])
    mine = df[df["municipality_id"] == focus].drop_duplicates("y").set_index("y")
    shown: dict[str, list[tuple[float, int]]] = {}
    for yi, kpi in enumerate(kpis):
        me_x = float(mine.at[yi, "x"]) if yi in mine.index else np.nan
        if yi not in has_finite or not np.isfinite(me_x):
            ax.text(
                0.05,
                yi,
                "inga värden" if yi not in has_finite else f"{name_of(focus)}: saknas",
                va="center",
                ha="left",
                fontsize=8.5,
                style="italic",
                color=PALETTE["muted"],
                gid=MISSING_GID,
            )
            continue
        x = float(np.clip(me_x, -_CLIP, _CLIP))
        shown.setdefault(str(mine.at[yi, "verdict"]), []).append((x, yi))
        text = (values or {}).get(kpi)
        if text:
            ax.annotate(
                text,
                (x, yi),
                xytext=(0, 7),
                textcoords="offset points",
                ha="center",
                va="bottom",
                fontsize=7.5,
                color=PALETTE["text"],
                gid="värde",
            )
    for verdict, points in shown.items():
        ax.scatter(
            [x for x, _ in points],
            [y for _, y in points],
            s=90,
            color=VERDICT_COLORS.get(verdict, PALETTE["focus"]),
            edgecolors="white",
            linewidths=0.8,
            zorder=4,
            gid=f"fokus:{verdict}",
        )
    ax.set_yticks(range(n), _labels(kpis, cat, labels))
    ax.set_ylim(n - 0.5, -0.7)
    ax.set_xlim(-_CLIP - 0.3, _CLIP + 0.3)
    ax.set_xticks([-2, -1, 0, 1, 2], ["−2", "−1", "GR-snitt", "+1", "+2"])
    ax.tick_params(axis="y", length=0)
    ax.set_xlabel(
        "Standardavvikelser från GR-snittet; till höger = bättre "
        "(eller högre där inget håll är bättre)"
    )
    who = name_of(focus)
    handles = [
        *(
            _dot(VERDICT_COLORS[verdict], f"{who}: {words}")
            for verdict, words in (
                ("bättre", "bättre"),
                ("sämre", "sämre"),
                ("avviker", "avviker (inget håll är bättre)"),
                ("neutral", "inom osäkerheten"),
            )
        ),
        _dot(PALETTE["other"], "Övriga GR-kommuner", size=6),
        Line2D([], [], marker="D", linestyle="", markerfacecolor="none",
               markeredgecolor=PALETTE["text"], markersize=6, label="Riket"),
    ]  # fmt: skip
    _legend_below(ax, handles, ncol=3, inches=0.62)
    if title:
        ax.set_title(wrap(title, 80))
    add_source(ax, source)
    return ax


@themed
def position_matrix(
    data: pd.DataFrame,
    *,
    text: pd.DataFrame | None = None,
    labels: Mapping[str, str] | None = None,
    title: str | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Key figures × the 13 GR municipalities, each cell coloured by its verdict against GR-snittet.

    Parameters
    ----------
    data
        Position table of the 13 for the domain's key figures.
    text
        Cell texts (rows: key figures, columns: municipality ids), e.g. the
        values formatted with their decimals; default: the value with one decimal.
    labels
        Row labels by key figure (default: the catalogue's short labels).
    title
        Title.
    catalog
        Catalogue (labels).
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure.
    **kwargs
        Passed to the cell rectangles.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd, matplotlib.pyplot as plt
    >>> from fou.core.registry import GR_MUNICIPALITIES
    >>> d = pd.DataFrame({"kpi": "N20403", "municipality_id": list(GR_MUNICIPALITIES),
    ...                   "value": [float(i) for i in range(12)] + [float("nan")],
    ...                   "gr_mean": 5.5, "gr_sd": 3.6,
    ...                   "verdict": ["bättre"] + ["neutral"] * 11 + ["saknas"]})
    >>> ax = position_matrix(d)
    >>> sorted({t.get_text() for t in ax.texts if t.get_gid() == "saknas"})
    ['–']
    >>> plt.close(ax.figure)
    """
    func = "position_matrix"
    cat = get_catalog(catalog)
    df = check_data(data, _COLUMNS, func=func)
    kpis = list(dict.fromkeys(df["kpi"].astype(str)))
    present = set(df["municipality_id"])
    # Columns in Swedish alphabetical order, so a reader finds a municipality at once.
    mids = sorted(
        (m for m in GR_MUNICIPALITIES if m in present), key=lambda m: sv.sort_key(name_of(m))
    )
    n_rows, n_cols = len(kpis), len(mids)
    ax = new_axes(ax, (10.5, 0.5 * n_rows + 2.2), func=func)
    verdict = df.pivot_table(
        index="kpi", columns="municipality_id", values="verdict", aggfunc="first"
    ).reindex(index=kpis, columns=mids)
    value = df.pivot_table(
        index="kpi", columns="municipality_id", values="value", aggfunc="first", dropna=False
    ).reindex(index=kpis, columns=mids)
    for i, kpi in enumerate(kpis):
        for j, mid in enumerate(mids):
            v = verdict.at[kpi, mid]
            v = "saknas" if not isinstance(v, str) else v
            ax.add_patch(
                Rectangle(
                    (j, i),
                    1,
                    1,
                    facecolor=VERDICT_FILLS.get(v, "#FFFFFF"),
                    edgecolor="#D0D0D0" if v == "saknas" else "white",  # also the hatch colour
                    linewidth=1.5 if v != "saknas" else 0.5,
                    hatch="///" if v == "saknas" else None,
                    gid=f"cell:{v}",
                    **kwargs,
                )
            )
            if v == "saknas" or not np.isfinite(value.at[kpi, mid]):
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    sv.MISSING,
                    ha="center",
                    va="center",
                    fontsize=9,
                    color=PALETTE["muted"],
                    gid=MISSING_GID,
                )
            else:
                cell = text.at[kpi, mid] if text is not None else sv.number(value.at[kpi, mid], 1)
                ax.text(
                    j + 0.5,
                    i + 0.5,
                    cell,
                    ha="center",
                    va="center",
                    fontsize=9,
                    color=PALETTE["text"],
                    gid="värde",
                )
    ax.set_xlim(0, n_cols)
    ax.set_ylim(n_rows, 0)
    ax.set_xticks(np.arange(n_cols) + 0.5, [name_of(m) for m in mids], rotation=40, ha="right")
    ax.set_yticks(np.arange(n_rows) + 0.5, _labels(kpis, cat, labels))
    ax.tick_params(length=0, labelsize=9)
    for side in ("top", "right", "left", "bottom"):
        ax.spines[side].set_visible(False)
    handles = [
        Patch(
            facecolor=VERDICT_FILLS[k],
            edgecolor="#BBBBBB",
            hatch="///" if k == "saknas" else None,
            label=VERDICT_LABELS[k],
        )
        for k in ("bättre", "sämre", "avviker", "neutral", "saknas")
    ]
    _legend_below(ax, handles, ncol=3, inches=1.0)
    if title:
        ax.set_title(wrap(title, 90))
    add_source(ax, source)
    return ax
