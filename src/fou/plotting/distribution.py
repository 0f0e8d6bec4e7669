"""Where the GR municipalities lie among all municipalities: a stacked dot plot of one measure."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes

from fou.core import sv
from fou.core.registry import GR_MUNICIPALITIES
from fou.plotting._base import (
    PALETTE,
    add_source,
    as_ids,
    check_data,
    ids_column,
    municipality_layers,
    new_axes,
    no_data,
    numeric,
    style_axes,
    themed,
)

__all__ = ["dot_distribution", "stack_heights"]

_REFERENCE_STYLES: tuple[dict[str, Any], ...] = (
    {"color": "#333333", "linestyle": (0, (1.5, 1.5))},
    {"color": "#E69F00", "linestyle": (0, (5, 2))},
)


def stack_heights(values: np.ndarray, *, width: float, first: np.ndarray) -> np.ndarray:
    """Height (1, 2, …) of each dot in its stack: dots binned by *width*, *first* at the bottom.

    Within a bin the dots marked *first* come first (lowest), then the
    others, each group in the order given, so the plot is the same every
    time (no random jitter).

    Examples
    --------
    >>> stack_heights(np.array([1.0, 1.0, 2.0, 1.0]), width=1.0,
    ...               first=np.array([False, True, False, False])).tolist()
    [2.0, 1.0, 1.0, 3.0]
    """
    bins = np.round(values / width)
    heights = np.full(len(values), np.nan)
    finite = np.isfinite(values)
    order = np.lexsort((np.arange(len(values)), ~first))  # first-marked, then input order
    seen: dict[float, int] = {}
    for i in order:
        if not finite[i]:
            continue
        seen[bins[i]] = seen.get(bins[i], 0) + 1
        heights[i] = seen[bins[i]]
    return heights


@themed
def dot_distribution(
    data: pd.DataFrame,
    *,
    value: str = "change",
    highlight: str | None = None,
    group: Sequence[str] = GR_MUNICIPALITIES,
    reference: Mapping[str, float] | None = None,
    width: float = 1.0,
    decimals: int = 0,
    title: str | None = None,
    x_label: str | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Every municipality as a dot, stacked by its value; the group in blue, one in black.

    Parameters
    ----------
    data
        One row per municipality: ``municipality_id`` and the *value* column
        (e.g. a change in percentage points from
        :func:`fou.stats.survey_change.survey_changes`). Missing values are
        left out and counted in the legend's note.
    value
        Column to draw.
    highlight
        One municipality (id) drawn in black on top.
    group
        Municipalities drawn in blue (default: GR's 13).
    reference
        Vertical lines, e.g. ``{"Riket": -2.0, "GR (alla svarande)": -3.1}``.
    width
        Bin width of the stacks (1 for changes of whole per cent).
    decimals
        Decimals of the reference values in the legend.
    title, x_label
        Title and x-axis label.
    source
        Source line under the plot.
    ax
        Axes to draw on (None: a new figure).

    Returns
    -------
    matplotlib.axes.Axes
    """
    check_data(data, ["municipality_id", value], func="dot_distribution")
    ax = new_axes(ax, (8, 3.6), func="dot_distribution")
    x = numeric(data, value, func="dot_distribution")
    ids = ids_column(data)
    group_ids = as_ids(list(group), parameter="group")
    in_group = np.isin(ids, group_ids)
    focus = (ids == highlight) if highlight else np.zeros(len(ids), dtype=bool)
    ok = np.isfinite(x)
    if not ok.any():
        no_data(ax)
        return ax
    y = stack_heights(x, width=width, first=in_group | focus)
    municipality_layers(
        ax,
        x[ok],
        y[ok],
        rest=(~in_group & ~focus)[ok],
        group=(in_group & ~focus)[ok],
        focus=focus[ok],
        group_ids=group_ids,
        focus_id=highlight,
        sizes=(14, 30, 52),
        **kwargs,
    )
    for (name, ref), style in zip((reference or {}).items(), _REFERENCE_STYLES, strict=False):
        if ref is None or not np.isfinite(ref):
            continue
        ax.axvline(
            ref,
            lw=1.2,
            label=f"{name}: {sv.signed(ref, decimals)}",
            gid="referens",
            zorder=1,
            **style,
        )  # fmt: skip  (behind the dots)
    ax.axvline(0, color=PALETTE["muted"], lw=0.6, zorder=0.5)
    ax.set_ylim(0, float(np.nanmax(y)) + 1)
    ax.set_yticks([])
    ax.spines["left"].set_visible(False)
    ax.xaxis.set_major_formatter(
        ticker.FuncFormatter(lambda v, _pos: sv.signed(v, 0) if round(v) else "0")
    )
    style_axes(ax, grid="x")
    if x_label:
        ax.set_xlabel(x_label)
    if title:
        ax.set_title(title, loc="left")
    missing = int((~ok).sum())
    if missing:
        ax.text(0.99, 0.97, f"{sv.quantity(missing, 'kommun', 'kommuner')} utan värde",
                transform=ax.transAxes, ha="right", va="top", fontsize=7.5,
                color=PALETTE["muted"])  # fmt: skip
    ax.legend(loc="upper left", fontsize=7.5, frameon=False)
    add_source(ax, source)
    return ax
