"""Scatter plot of two key figures: every municipality in grey, GR-13 coloured and named."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from fou.core.catalog import Catalog
from fou.core.errors import ParameterError, check_choice
from fou.core.registry import GR_MUNICIPALITIES
from fou.plotting._base import (
    ANNOTATION_GID,
    CORNERS,
    MISSING_GID,
    PALETTE,
    add_source,
    as_ids,
    best_corner,
    check_data,
    corner_text,
    ids_column,
    kpi_label,
    missing_note,
    municipality_layers,
    name_of,
    new_axes,
    no_data,
    numeric,
    style_axes,
    swedish_ticks,
    themed,
    wrap,
)
from fou.plotting._labels import place_labels

__all__ = ["scatter_labelled"]


@themed
def scatter_labelled(
    data: pd.DataFrame,
    *,
    x: str,
    y: str,
    highlight: str | Iterable[str] | None = GR_MUNICIPALITIES,
    focus: str | None = None,
    label: bool = True,
    x_label: str | None = None,
    y_label: str | None = None,
    title: str | None = None,
    annotation: str | None = None,
    annotation_loc: str = "best",
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Scatter plot of key figure *y* against *x*, one point per municipality.

    All municipalities are drawn in light grey (the national picture), the
    *highlight* group (by default the 13 GR municipalities) in colour with
    their names, and an optional *focus* municipality in a second colour.
    Municipalities without a value for *x* or *y* are not drawn; missing
    highlighted ones are listed in a note ("Värde saknas för: …").

    Parameters
    ----------
    data
        Wide table, one row per municipality: ``municipality_id`` and the
        columns *x* and *y* (values; missing = NaN). Extra columns are fine.
    x, y
        Column names, usually key-figure ids (their catalogue titles become
        the axis labels).
    highlight
        Municipalities (ids or names) to colour and label; None for none.
    focus
        One municipality to emphasise (e.g. the report's municipality).
    label
        Write the names of the highlighted municipalities.
    x_label, y_label
        Axis labels (default: the wrapped catalogue titles).
    title
        Title (default none).
    annotation
        Text computed elsewhere, e.g. ``"r = 0,42 [−0,15; 0,78], n = 13 (GR)"``.
    annotation_loc
        ``"best"`` (the emptiest corner) or ``"upper left"``, ``"upper right"``,
        ``"lower left"``, ``"lower right"``.
    catalog
        Catalogue for the titles (None: the packaged one).
    source
        Source line for the figure (see :func:`finish_figure`).
    ax
        Axes to draw on; None creates a new figure.
    **kwargs
        Passed to every ``Axes.scatter`` call (e.g. ``s``, ``marker``).

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> wide = pd.DataFrame({"municipality_id": ["1480", "1440", "0180"],
    ...                      "U21468": [80.0, 85.0, 88.0], "U21467": [50.0, 55.0, 60.0]})
    >>> ax = scatter_labelled(wide, x="U21468", y="U21467", annotation="n = 2 (GR)")
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "etikett"]
    ['Göteborg', 'Ale']
    >>> plt.close(ax.figure)
    """
    func = "scatter_labelled"
    if not isinstance(x, str) or not isinstance(y, str):
        raise ParameterError(f"{func}: x och y måste vara kolumnnamn (text), t.ex. x='U21468'.")
    df = check_data(data, ["municipality_id", x, y], func=func)
    check_choice(annotation_loc, CORNERS, "annotation_loc", where=func)
    hl = as_ids(highlight, parameter="highlight")
    fc = as_ids(focus, parameter="focus")
    if len(fc) > 1:
        raise ParameterError(f"{func}: focus är en enda kommun, men {len(fc)} angavs.")
    ax = new_axes(ax, (7.0, 5.6), func=func)
    style_axes(ax, grid="both")

    xs = numeric(df, x, func=func)
    ys = numeric(df, y, func=func)
    ids = ids_column(df)
    ok = np.isfinite(xs) & np.isfinite(ys)
    is_focus = np.isin(ids, fc)
    is_hl = np.isin(ids, hl) & ~is_focus
    rest = ok & ~is_hl & ~is_focus

    municipality_layers(
        ax, xs, ys, rest=rest, group=ok & is_hl, focus=ok & is_focus, group_ids=hl,
        focus_id=fc[0] if fc else None, **kwargs,
    )  # fmt: skip

    ax.set_xlabel(x_label if x_label is not None else kpi_label(x, catalog=catalog, width=55))
    ax.set_ylabel(y_label if y_label is not None else kpi_label(y, catalog=catalog, width=50))
    if title:
        ax.set_title(wrap(title, 70))
    swedish_ticks(ax)

    if not ok.any():
        no_data(ax)
    else:
        ax.margins(0.08)
        if label:
            lab = ok & (is_hl | is_focus)
            idx = np.flatnonzero(lab)
            place_labels(
                ax,
                xs[idx],
                ys[idx],
                [name_of(ids[i]) for i in idx],
                obstacles=(xs[rest], ys[rest]),
                color=[PALETTE["focus"] if is_focus[i] else PALETTE["text"] for i in idx],
                fontweight=["bold" if is_focus[i] else "normal" for i in idx],
            )

    taken: list[str] = []
    if annotation:
        loc = annotation_loc if annotation_loc != "best" else best_corner(ax, xs, ys)
        corner_text(ax, annotation, loc=loc, gid=ANNOTATION_GID)
        taken.append(loc)
    wanted = [m for m in [*fc, *hl] if m not in set(ids[ok])]
    note = missing_note([name_of(m) for m in dict.fromkeys(wanted)])
    if note:
        loc = best_corner(ax, xs, ys, avoid=taken)
        corner_text(ax, note, loc=loc, gid=MISSING_GID, color=PALETTE["muted"], fontsize=8)
        taken.append(loc)
    if rest.any() or (ok & is_focus).any():
        # best_corner gives one of the corner names as a str; the stub's loc wants the Literal.
        ax.legend(loc=best_corner(ax, xs, ys, avoid=taken), fontsize=8)  # type: ignore[call-overload]
    return _finish(ax, source)


def _finish(ax: Axes, source: str | None) -> Axes:
    add_source(ax, source)
    return ax
