"""The 13 GR municipalities side by side for one key figure: a sorted bar chart."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from fou.core import sv
from fou.core.catalog import BETTER, BETTER_LABELS, UNIT_LABELS, Catalog
from fou.core.errors import ParameterError, check_choice
from fou.plotting._base import (
    MISSING_GID,
    PALETTE,
    SwedishFormatter,
    add_source,
    as_ids,
    check_data,
    ids_column,
    kpi_row,
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

__all__ = ["MISSING_LABEL", "comparison_bar"]

MISSING_LABEL = "saknas"
_LABEL_BOX = {
    "boxstyle": "square,pad=0.15",
    "facecolor": "white",
    "edgecolor": "none",
    "alpha": 0.85,
}
VALUE_GID = "värde"
_REFERENCE_STYLES: tuple[dict[str, Any], ...] = (
    {"color": "#E69F00", "linestyle": (0, (5, 2))},
    {"color": "#333333", "linestyle": (0, (1.5, 1.5))},
    {"color": "#009E73", "linestyle": (0, (6, 2, 1.5, 2))},
    {"color": "#CC79A7", "linestyle": (0, (3, 3))},
)


@themed
def comparison_bar(
    data: pd.DataFrame,
    *,
    highlight: str | None = None,
    reference: Mapping[str, float] | None = None,
    better: str | None = None,
    decimals: int | None = None,
    title: str | None = None,
    x_label: str | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Horizontal bars, one per municipality, best first; missing values say "saknas".

    Parameters
    ----------
    data
        One row per municipality: ``municipality_id, value`` (e.g. the 13 rows
        of :func:`fou.stats.gr_overview`). ``kpi`` and ``year`` are used for the
        title and the default *better* when present.
    highlight
        One municipality (id or name) to colour.
    reference
        Reference lines, e.g. ``{"GR-snitt": 54.2, "Riket": 55.0}`` (missing
        values are left out).
    better
        ``"higher"`` or ``"lower"`` (best first = top), ``"neither"`` (highest
        first, no judgement). Default: the catalogue's direction for ``kpi``,
        else ``"neither"``.
    decimals
        Decimals of the printed values; None: 0 if every value is a whole
        number (as survey shares in Kolada), else 1.
    title, x_label
        Texts (defaults from the catalogue via ``kpi``).
    catalog
        Catalogue (None: the packaged one).
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure.
    **kwargs
        Passed to ``Axes.barh``.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> d = pd.DataFrame({"municipality_id": ["1480", "1440", "1407"], "value": [81.0, 88.0, None]})
    >>> ax = comparison_bar(d, highlight="1480", reference={"Riket": 84.0}, better="higher")
    >>> [t.get_text() for t in ax.get_yticklabels()]
    ['Ale', 'Göteborg', 'Öckerö']
    >>> [t.get_text() for t in ax.texts if t.get_gid() == "saknas"]
    ['saknas']
    >>> plt.close(ax.figure)
    """
    func = "comparison_bar"
    df = check_data(data, ["municipality_id", "value"], func=func)
    if decimals is not None and (
        isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)) or decimals < 0
    ):
        raise ParameterError(
            f"{func}: decimals måste vara ett heltal ≥ 0, men {decimals!r} angavs."
        )
    hl = as_ids(highlight, parameter="highlight")
    if len(hl) > 1:
        raise ParameterError(f"{func}: highlight är en enda kommun, men {len(hl)} angavs.")
    ids = ids_column(df)
    if pd.Series(ids).duplicated().any():
        raise ParameterError(
            f"{func}: flera rader per kommun. "
            "Filtrera till ett nyckeltal, ett år och ett kön först."
        )
    kpi = single_value(df, "kpi")
    row = kpi_row(kpi, catalog)
    if better is None:
        better = str(row["better"]) if row is not None else "neither"
    check_choice(better, BETTER, "better", where=func)
    refs: dict[str, float] = {}
    if reference is not None:
        if not isinstance(reference, Mapping):
            raise ParameterError(
                f"{func}: reference måste vara en ordlista som "
                "{'GR-snitt': 54.2, 'Riket': 55.0}, "
                f"men {type(reference).__name__} angavs."
            )
        for name, val in reference.items():
            try:
                v = float(val) if val is not None else np.nan
            except (TypeError, ValueError):
                raise ParameterError(
                    f"{func}: referensvärdet för {name!r} är inte ett tal: {val!r}."
                ) from None
            if np.isfinite(v):
                refs[str(name)] = v

    values = numeric(df, "value", func=func)
    ok = np.isfinite(values)
    if decimals is None:
        whole = np.all(np.isclose(values[ok], np.round(values[ok])))
        decimals = 0 if whole else 1
    ref_decimals = max(int(decimals), 1)
    # Best first; missing last; ties keep the table's order.
    sort_key = -values if better in ("higher", "neither") else values
    order = sorted(range(len(values)), key=lambda i: (not ok[i], sort_key[i] if ok[i] else 0.0, i))
    names = [name_of(ids[i]) for i in order]
    vals = values[order]
    okv = ok[order]
    is_hl = np.isin(ids[order], hl)

    n = len(order)
    ax = new_axes(ax, (7.2, max(2.6, 0.36 * n + 1.6)), func=func)
    style_axes(ax, grid="x")
    ypos = np.arange(n)
    colors = [PALETTE["highlight"] if h else PALETTE["bar"] for h in is_hl]
    st: dict[str, Any] = {"height": 0.72, "zorder": 2, "linewidth": 0}
    st.update(kwargs)
    idx = np.flatnonzero(okv)
    if idx.size:
        ax.barh(ypos[idx], vals[idx], color=[colors[i] for i in idx], gid="staplar", **st)
    ax.set_yticks(ypos, names)
    ax.set_ylim(n - 0.5, -0.5)  # first row on top
    for lab, h in zip(ax.get_yticklabels(), is_hl, strict=True):
        if h:
            lab.set_fontweight("bold")
            lab.set_color(PALETTE["highlight"])
    ax.tick_params(axis="y", length=0)
    ax.spines["left"].set_visible(False)

    finite = np.concatenate([vals[okv], np.array(list(refs.values()), dtype=float), [0.0]])
    lo, hi = float(finite.min()), float(finite.max())
    span = (hi - lo) or 1.0
    ax.set_xlim(lo - (0.14 * span if lo < 0 else 0.0), hi + 0.14 * span)
    if lo < 0:
        ax.axvline(0, color="#8A8A8A", linewidth=0.8, zorder=2.5)
    pad = 0.01 * span
    for i in range(n):
        if okv[i]:
            v = vals[i]
            ax.text(
                v + (pad if v >= 0 else -pad), ypos[i], sv.number(v, int(decimals)),
                ha="left" if v >= 0 else "right", va="center", fontsize=8.5,
                color=PALETTE["highlight"] if is_hl[i] else PALETTE["text"],
                fontweight="bold" if is_hl[i] else "normal", gid=VALUE_GID, zorder=5,
                bbox=_LABEL_BOX,
            )  # fmt: skip
        else:
            ax.text(
                pad, ypos[i], MISSING_LABEL, ha="left", va="center", fontsize=8.5,
                style="italic", color=PALETTE["muted"], gid=MISSING_GID, zorder=5,
            )  # fmt: skip
    for k, (name, v) in enumerate(refs.items()):
        rs = _REFERENCE_STYLES[k % len(_REFERENCE_STYLES)]
        ax.axvline(
            v, linewidth=1.5, zorder=4, gid="referens",
            label=f"{name}: {sv.number(v, ref_decimals)}", **rs,
        )  # fmt: skip
    ax.xaxis.set_major_formatter(SwedishFormatter())

    if x_label is None:
        parts = []
        if row is not None:
            unit = UNIT_LABELS.get(str(row["unit"]), "")
            parts.append(unit[:1].upper() + unit[1:])
        else:
            parts.append("Värde")
        if better in ("higher", "lower"):
            parts.append(BETTER_LABELS[better])
        x_label = " – ".join(p for p in parts if p)
    ax.set_xlabel(x_label)
    if title is None:
        title = title_for(df, catalog=catalog, width=65)
    if title:
        ax.set_title(wrap(title, 70))
    if not okv.any():
        no_data(ax)
        ax.set_xticks([])
    if refs:
        # Below the axes, never over the bars.
        ax.legend(
            loc="upper center", bbox_to_anchor=(0.5, -0.14), ncol=min(len(refs), 3), fontsize=8,
            frameon=False, borderaxespad=0.0,
        )  # fmt: skip
    add_source(ax, source)
    return ax
