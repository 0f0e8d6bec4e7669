"""Funnel plot of a survey share against the number of respondents."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

import numpy as np
import pandas as pd
from matplotlib import ticker
from matplotlib.axes import Axes

from fou.core import sv
from fou.core.catalog import Catalog
from fou.core.errors import ParameterError
from fou.core.registry import GR_MUNICIPALITIES
from fou.plotting._base import (
    MISSING_GID,
    PALETTE,
    SwedishFormatter,
    add_source,
    as_ids,
    best_corner,
    check_data,
    corner_text,
    ids_column,
    kpi_label,
    level_label,
    missing_note,
    municipality_layers,
    name_of,
    new_axes,
    no_data,
    numeric,
    single_value,
    style_axes,
    themed,
    title_for,
    wrap,
)
from fou.plotting._labels import place_labels

__all__ = ["funnel_limits_wide", "funnel_plot"]

_LEVEL_COLUMN = re.compile(r"^lower_(\d+)$")
# Line styles of the limits, from the narrowest level outwards.
_LIMIT_STYLES: tuple[dict[str, Any], ...] = (
    {"linestyle": (0, (4, 2.5)), "linewidth": 1.1, "color": "#555555"},
    {"linestyle": "-", "linewidth": 1.0, "color": "#555555"},
    {"linestyle": ":", "linewidth": 1.0, "color": "#555555"},
)


def funnel_limits_wide(limits: pd.DataFrame) -> pd.DataFrame:
    """Bring funnel limits to the wide shape ``n, lower_95, upper_95, lower_998, upper_998``.

    Accepts the wide shape itself or the long one of
    :attr:`fou.stats.FunnelData.limits` (``n, confidence, lower, upper``):
    a reshape, nothing is computed.

    Parameters
    ----------
    limits
        Limits table.

    Returns
    -------
    pandas.DataFrame
        Sorted by ``n``.

    Examples
    --------
    >>> long = pd.DataFrame({"n": [10, 10], "confidence": [0.95, 0.998],
    ...                      "lower": [60.0, 50.0], "upper": [95.0, 99.0]})
    >>> list(funnel_limits_wide(long).columns)
    ['n', 'lower_95', 'upper_95', 'lower_998', 'upper_998']
    """
    func = "funnel_plot"
    if not isinstance(limits, pd.DataFrame):
        raise ParameterError(
            f"{func}: limits måste vara en tabell (n, lower_95, upper_95, lower_998, upper_998), "
            f"men {type(limits).__name__} angavs."
        )
    if {"n", "confidence", "lower", "upper"} <= set(limits.columns):
        conf = numeric(limits, "confidence", func=func)
        if np.any(~np.isfinite(conf) | (conf <= 0) | (conf >= 1)):
            raise ParameterError(f"{func}: limits.confidence måste ligga mellan 0 och 1.")
        suffix = [f"{c:.6f}".split(".")[1].rstrip("0") for c in conf]
        parts = []
        for s in dict.fromkeys(suffix):
            sel = limits[[x == s for x in suffix]]
            part = sel[["n", "lower", "upper"]].rename(
                columns={"lower": f"lower_{s}", "upper": f"upper_{s}"}
            )
            if part["n"].duplicated().any():
                raise ParameterError(f"{func}: limits har flera rader per n för nivån 0.{s}.")
            parts.append(part.set_index("n"))
        wide = pd.concat(parts, axis=1).reset_index()
        if "target" in limits.columns:
            target = single_value(limits, "target")
            if target is not None:
                wide["target"] = target
        return wide.sort_values("n").reset_index(drop=True)
    levels = [m.group(1) for c in limits.columns if (m := _LEVEL_COLUMN.match(str(c)))]
    levels = [lv for lv in levels if f"upper_{lv}" in limits.columns]
    if "n" not in limits.columns or not levels:
        have = ", ".join(str(c) for c in limits.columns) or "(inga kolumner)"
        raise ParameterError(
            f"{func}: limits saknar gränskolumner. Ange kolumnerna n, lower_95, upper_95, "
            "lower_998, upper_998 (fler nivåer som lower_99/upper_99 går bra, liksom target), "
            f"eller FunnelData.limits (n, confidence, lower, upper). limits har: {have}."
        )
    return limits.sort_values("n").reset_index(drop=True)


@themed
def funnel_plot(
    data: Any,
    *,
    limits: pd.DataFrame | None = None,
    highlight: str | None = None,
    group: str | Iterable[str] | None = GR_MUNICIPALITIES,
    target: float | None = None,
    target_label: str | None = None,
    label: bool = True,
    log_x: bool | None = None,
    title: str | None = None,
    x_label: str = "Antal svarande",
    y_label: str | None = None,
    note: str | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Funnel plot: each municipality's share (%) against its number of respondents.

    The funnel lines are control limits around the target computed elsewhere
    (:func:`fou.stats.funnel_data`); the 99,8 % band is shaded. All
    municipalities are grey, the *group* (GR-13) coloured and named, the
    *highlight* municipality emphasised. Municipalities without a value or a
    respondent count are not drawn, and a note says which highlighted ones
    are missing.

    Parameters
    ----------
    data
        One row per municipality: ``municipality_id, respondents, value``
        (per cent). A :class:`fou.stats.FunnelData` is accepted too (its
        ``points``, ``limits``, ``target``, ``target_label`` and ``note`` are
        used).
    limits
        ``n, lower_95, upper_95, lower_998, upper_998`` (per cent; other levels
        like ``lower_99``/``upper_99`` are drawn too), optionally ``target``;
        or the long ``FunnelData.limits`` (``n, confidence, lower, upper``).
    highlight
        One municipality (id or name) to emphasise.
    group
        Municipalities to colour and name (default the 13 GR municipalities).
    target
        Centre line in per cent (default: ``limits.target`` or
        ``data.target`` if present).
    target_label
        Legend text of the centre line.
    label
        Write the names of *group* and *highlight*.
    log_x
        Logarithmic respondent axis; None: when the counts span more than a
        factor 20.
    title, x_label, y_label
        Texts (defaults: catalogue title and year from ``kpi``/``year`` in
        *data*; "Antal svarande"; "Andel (%)").
    note
        Extra caption under the plot (e.g. ``FunnelData.note`` on overdispersion).
    catalog
        Catalogue for the title.
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure.
    **kwargs
        Passed to every ``Axes.scatter`` call.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> pts = pd.DataFrame({"municipality_id": ["1480", "1407"], "respondents": [3725, 93],
    ...                     "value": [81.0, 93.0]})
    >>> lim = pd.DataFrame({"n": [50, 500, 5000], "lower_95": [75.0, 82.0, 84.0],
    ...                     "upper_95": [93.0, 88.0, 86.0], "lower_998": [70.0, 80.0, 83.5],
    ...                     "upper_998": [96.0, 90.0, 86.5], "target": 85.0})
    >>> ax = funnel_plot(pts, limits=lim, highlight="1480")
    >>> sorted(t.get_text() for t in ax.texts if t.get_gid() == "etikett")
    ['Göteborg', 'Öckerö']
    >>> plt.close(ax.figure)
    """
    func = "funnel_plot"
    if not isinstance(data, pd.DataFrame) and hasattr(data, "points") and hasattr(data, "limits"):
        fd = data
        data = fd.points
        limits = fd.limits if limits is None else limits
        target = getattr(fd, "target", None) if target is None else target
        target_label = getattr(fd, "target_label", None) if target_label is None else target_label
        note = (getattr(fd, "note", "") or None) if note is None else note
        chance = getattr(fd, "chance_limits", None)
    else:
        chance = None
    df = check_data(data, ["municipality_id", "respondents", "value"], func=func)
    if limits is None:
        raise ParameterError(
            f"{func}: limits saknas. Ange tabellen med gränserna (n, lower_95, upper_95, "
            "lower_998, upper_998), t.ex. funnel_data(...).limits."
        )
    lim = funnel_limits_wide(limits)
    hl = as_ids(highlight, parameter="highlight")
    if len(hl) > 1:
        raise ParameterError(f"{func}: highlight är en enda kommun, men {len(hl)} angavs.")
    grp = as_ids(group, parameter="group")

    if target is None:
        for table in (lim, df):
            if "target" in table.columns:
                vals = table["target"].dropna().unique()
                if len(vals) > 1:
                    raise ParameterError(f"{func}: kolumnen target har flera olika värden.")
                if len(vals):
                    target = float(vals[0])
                    break
    if target is not None:
        target = float(target)

    n_pts = numeric(df, "respondents", func=func)
    v_pts = numeric(df, "value", func=func)
    ids = ids_column(df)
    ok = np.isfinite(n_pts) & np.isfinite(v_pts) & (n_pts > 0)
    is_hl = np.isin(ids, hl)
    is_grp = np.isin(ids, grp) & ~is_hl
    rest = ok & ~is_hl & ~is_grp

    ax = new_axes(ax, (8.0, 5.6), func=func)
    style_axes(ax, grid="y")
    n_lim = numeric(lim, "n", func=func)
    n_all = np.concatenate([n_lim[np.isfinite(n_lim) & (n_lim > 0)], n_pts[ok]])
    if log_x is None:
        log_x = bool(n_all.size and n_all.max() / max(n_all.min(), 1.0) > 20)

    levels = [m.group(1) for c in lim.columns if (m := _LEVEL_COLUMN.match(str(c)))]
    levels = sorted(
        (lv for lv in levels if f"upper_{lv}" in lim.columns), key=lambda s: float("0." + s)
    )
    widest = levels[-1]
    lo_w = numeric(lim, f"lower_{widest}", func=func)
    hi_w = numeric(lim, f"upper_{widest}", func=func)
    ax.fill_between(
        n_lim, lo_w, hi_w, color=PALETTE["shade"], alpha=0.6, linewidth=0, zorder=0.5, gid="band"
    )
    widened = " (vidgad för överspridning)" if chance is not None else ""
    if chance is not None:  # the limits for chance alone, for comparison: thin and grey
        ch = funnel_limits_wide(chance)
        first = levels[0]
        for side in ("lower", "upper"):
            ax.plot(
                numeric(ch, "n", func=func),
                numeric(ch, f"{side}_{first}", func=func),
                color=PALETTE["muted"], linewidth=0.8, linestyle=":", zorder=0.9,
                gid="gräns_slump", label=f"Gräns {level_label(first)} för enbart slump"
                if side == "lower" else None,
            )  # fmt: skip
    for k, lv in enumerate(levels):
        st = _LIMIT_STYLES[min(k, len(_LIMIT_STYLES) - 1)]
        ax.plot(
            n_lim,
            numeric(lim, f"lower_{lv}", func=func),
            label=f"Gräns {level_label(lv)}{widened}",
            gid=f"gräns_{lv}",
            zorder=1,
            **st,
        )
        ax.plot(n_lim, numeric(lim, f"upper_{lv}", func=func), gid=f"gräns_{lv}", zorder=1, **st)
    if target is not None:
        shown = sv.capitalise(target_label) if target_label else None
        ax.axhline(
            target, color="#222222", linewidth=1.3, zorder=1.2, gid="mål",
            label=shown or f"Jämförelsevärde ({sv.percent(target, 1)})",
        )  # fmt: skip

    municipality_layers(
        ax, n_pts, v_pts, rest=rest, group=ok & is_grp, focus=ok & is_hl, group_ids=grp,
        focus_id=hl[0] if hl else None, sizes=(16, 40, 80), focus_marker="D", **kwargs,
    )  # fmt: skip

    if log_x:
        ax.set_xscale("log")
        ax.xaxis.set_major_locator(ticker.LogLocator(base=10.0, subs=(1.0, 2.0, 5.0)))
        ax.xaxis.set_minor_formatter(ticker.NullFormatter())
    ax.xaxis.set_major_formatter(SwedishFormatter())
    ax.yaxis.set_major_formatter(SwedishFormatter())
    ax.set_xlabel(x_label)
    if y_label is None:
        kpi = single_value(df, "kpi")
        y_label = kpi_label(str(kpi), catalog=catalog, width=40) if kpi is not None else "Andel (%)"
        if kpi is not None and y_label == str(kpi):
            y_label = "Andel (%)"
    ax.set_ylabel(y_label)
    if title is None:
        title = title_for(df, catalog=catalog, width=70)
    if title:
        ax.set_title(wrap(title, 75))

    if not ok.any():
        no_data(ax)
    else:
        finite_band = np.isfinite(lo_w) & np.isfinite(hi_w)
        y_all = np.concatenate([v_pts[ok], lo_w[finite_band], hi_w[finite_band]])
        pad = 0.05 * (y_all.max() - y_all.min() or 1.0)
        ax.set_ylim(max(0.0, y_all.min() - pad), min(100.0, y_all.max() + pad))
        ax.set_xlim(n_all.min() / (1.15 if log_x else 1.0), n_all.max() * 1.05)
        if label:
            idx = np.flatnonzero(ok & (is_grp | is_hl))
            place_labels(
                ax,
                n_pts[idx],
                v_pts[idx],
                [name_of(ids[i]) for i in idx],
                obstacles=(n_pts[rest], v_pts[rest]),
                color=[PALETTE["focus"] if is_hl[i] else PALETTE["text"] for i in idx],
                fontweight=["bold" if is_hl[i] else "normal" for i in idx],
            )
    taken: list[str] = []
    wanted = [m for m in dict.fromkeys([*hl, *grp]) if m not in set(ids[ok])]
    msg = missing_note([name_of(m) for m in wanted])
    if hl and hl[0] in wanted:
        msg = f"{name_of(hl[0])}: värde saknas" + (
            ""
            if len(wanted) == 1
            else "\n" + (missing_note([name_of(m) for m in wanted[1:]]) or "")
        )
    if msg:
        loc = best_corner(ax, n_pts, v_pts)
        corner_text(ax, msg, loc=loc, gid=MISSING_GID, color=PALETTE["muted"], fontsize=8)
        taken.append(loc)
    # best_corner gives one of the corner names as a str; the stub's loc wants the Literal.
    ax.legend(loc=best_corner(ax, n_pts, v_pts, avoid=taken), fontsize=8)  # type: ignore[call-overload]
    if note:
        ax.annotate(
            wrap(note, 110), xy=(0, 0), xycoords="axes fraction", xytext=(0, -34),
            textcoords="offset points", ha="left", va="top", fontsize=8,
            color=PALETTE["muted"], gid="not",
        )  # fmt: skip
    add_source(ax, source)
    return ax
