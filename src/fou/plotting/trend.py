"""Trend of a key figure: the municipality against GR-snitt, similar municipalities and Riket."""

from __future__ import annotations

import itertools
from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np
import pandas as pd
from matplotlib.axes import Axes

from fou.core.catalog import UNIT_LABELS, Catalog
from fou.core.errors import FouError, ParameterError
from fou.core.registry import resolve_municipality
from fou.plotting._base import (
    MISSING_GID,
    PALETTE,
    SwedishFormatter,
    add_source,
    best_corner,
    check_data,
    corner_text,
    get_catalog,
    kpi_label,
    kpi_row,
    name_of,
    new_axes,
    no_data,
    numeric,
    single_value,
    style_axes,
    themed,
    wrap,
    year_ticks,
)

__all__ = ["NOT_RUN_LABEL", "trend_plot"]

NOT_RUN_LABEL = "ingen undersökning"

#: Styles of the comparison series, by label (as :func:`fou.stats.trend_table` names them).
REFERENCE_STYLES: dict[str, dict[str, Any]] = {
    "GR-snitt": {"color": "#E69F00", "linestyle": (0, (5, 2)), "marker": "s"},
    "Liknande kommuner": {"color": "#009E73", "linestyle": (0, (6, 2, 1.5, 2)), "marker": "^"},
    "Riket": {"color": "#555555", "linestyle": (0, (1.5, 1.5)), "marker": "o"},
}
_KIND_TO_LABEL = {"gr": "GR-snitt", "liknande": "Liknande kommuner", "riket": "Riket"}
_EXTRA_COLORS = ("#56B4E9", "#CC79A7", "#000000", "#F0E442")


def _breaks_list(breaks: Any, *, func: str) -> list[tuple[int, str]]:
    if breaks is None:
        return []
    if isinstance(breaks, pd.DataFrame):
        check_data(breaks, ["year", "change"], func=f"{func} (breaks)")
        return [(int(y), str(c)) for y, c in zip(breaks["year"], breaks["change"], strict=True)]
    if isinstance(breaks, Mapping):
        return [(int(y), str(t)) for y, t in breaks.items()]
    out = []
    try:
        for item in breaks:
            if isinstance(item, (int, np.integer)):
                out.append((int(item), "Definitionsbyte"))
            else:
                y, t = item
                out.append((int(y), str(t)))
    except (TypeError, ValueError):
        raise ParameterError(
            f"{func}: breaks måste vara en lista med (år, text), "
            "t.ex. [(2019, 'Ny beräkningsmetod')], "
            "en tabell med kolumnerna year och change (Catalog.breaks), 'auto' eller None, "
            f"men {breaks!r} angavs."
        ) from None
    return out


def _years_list(not_run: Any, *, func: str) -> list[int]:
    if not_run is None:
        return []
    items = [not_run] if isinstance(not_run, (int, np.integer)) else not_run
    try:
        return sorted({int(y) for y in items})
    except (TypeError, ValueError):
        raise ParameterError(
            f"{func}: not_run måste vara år (t.ex. [2021]), 'auto' eller None, "
            f"men {not_run!r} angavs."
        ) from None


@themed
def trend_plot(
    data: pd.DataFrame,
    *,
    highlight: str | None = None,
    background: Iterable[str] | None = None,
    background_label: str = "Kommunerna",
    band: pd.DataFrame | None = None,
    band_label: str = "Lägsta–högsta",
    breaks: Any = "auto",
    not_run: Iterable[int] | str | None = "auto",
    title: str | None = None,
    y_label: str | None = None,
    catalog: Catalog | None = None,
    source: str | None = None,
    ax: Axes | None = None,
    **kwargs: Any,
) -> Axes:
    """Line plot of a key figure over the years, one line per series.

    The municipality's series is drawn bold, the comparisons (GR-snitt,
    Liknande kommuner, Riket) thinner, dashed and muted. Missing years are
    gaps, never bridged: a year without a row counts as missing too.
    Definition breaks get a vertical marker and years when the survey was not
    run a shaded band labelled "ingen undersökning".

    Parameters
    ----------
    data
        Long table ``year, series, value`` (as from
        :func:`fou.stats.trend_table`); ``series_kind`` (``kommun``, ``gr``,
        ``liknande``, ``riket``) and ``kpi`` are used when present.
    highlight
        The series to draw bold: a series name or a municipality (id or name).
        Default: the series with ``series_kind == "kommun"``, else the first
        series that is not a comparison.
    background
        Series drawn as thin grey context lines with one legend entry
        (``background_label`` and their number) instead of one colour and
        legend entry each: for many municipalities around a mean. Names
        without data, and the highlighted series, are left out of it.
    background_label
        Legend text for the background lines.
    band
        A shaded range behind the lines: ``year, lower, upper`` (e.g. the
        lowest and highest of the 13). Like the lines it breaks where a year
        is missing.
    band_label
        Legend text for the band.
    breaks
        Definition breaks: ``[(year, text), …]``, a dict, a table with
        ``year, change`` (``Catalog.breaks``), ``"auto"`` (from the catalogue
        for the single ``kpi`` in *data*) or None. The marker sits between
        the last year of the old and the first of the new definition.
    not_run
        Years without a survey to shade, ``"auto"`` (the catalogue's
        ``survey_not_run`` if the key figure is from the survey) or None.
    title, y_label
        Texts (defaults from the catalogue via ``kpi``).
    catalog
        Catalogue (None: the packaged one).
    source
        Source line for the figure.
    ax
        Axes; None creates a new figure.
    **kwargs
        Passed to every ``Axes.plot`` call.

    Returns
    -------
    matplotlib.axes.Axes

    Examples
    --------
    >>> import pandas as pd
    >>> import matplotlib.pyplot as plt
    >>> t = pd.DataFrame({"year": [2020, 2021, 2022] * 2,
    ...                   "series": ["Göteborg"] * 3 + ["Riket"] * 3,
    ...                   "value": [80.0, None, 82.0, 84.0, None, 85.0]})
    >>> ax = trend_plot(t, highlight="Göteborg", not_run=[2021])
    >>> [line.get_label() for line in ax.get_lines() if line.get_gid().startswith("serie:")]
    ['Riket', 'Göteborg']
    >>> plt.close(ax.figure)
    """
    func = "trend_plot"
    df = check_data(data, ["year", "series", "value"], func=func)
    df = df.assign(
        year=numeric(df, "year", func=func), value=numeric(df, "value", func=func),
        series=df["series"].astype(str),
    )  # fmt: skip
    df = df[np.isfinite(df["year"].to_numpy())]
    if df.duplicated(["year", "series"]).any():
        raise ParameterError(
            f"{func}: flera rader per år och serie. Filtrera till ett nyckeltal och ett kön först."
        )
    series = list(dict.fromkeys(df["series"]))
    kinds: dict[str, str] = {}
    if "series_kind" in df.columns:
        kinds = dict(zip(df["series"], df["series_kind"].astype(str), strict=False))

    main = _main_series(highlight, series, kinds, func=func)
    kpi = single_value(df, "kpi") if "kpi" in df.columns else None
    row = kpi_row(kpi, catalog)
    cat = get_catalog(catalog) if row is not None else None

    years_present = sorted({int(y) for y in df["year"]})
    full = list(range(years_present[0], years_present[-1] + 1)) if years_present else []
    wide = (
        df.pivot(index="year", columns="series", values="value").reindex(index=full, columns=series)
        if full
        else pd.DataFrame(columns=series)
    )

    # Survey not run and definition breaks.
    if isinstance(not_run, str):
        if not_run != "auto":
            raise ParameterError(f"{func}: not_run måste vara en lista med år, 'auto' eller None.")
        nr = (
            list(cat.survey_not_run)
            if (cat is not None and row is not None and bool(row["survey"]))
            else []
        )
    else:
        nr = _years_list(not_run, func=func)
    nr = [y for y in nr if full and full[0] <= y <= full[-1]]
    if isinstance(breaks, str):
        if breaks != "auto":
            raise ParameterError(
                f"{func}: breaks måste vara 'auto', None, en lista eller en tabell."
            )
        br = (
            [
                (int(y), str(c))
                for y, c in cat.breaks.loc[
                    cat.breaks["kpi"] == str(kpi), ["year", "change"]
                ].itertuples(index=False)
            ]
            if cat is not None
            else []
        )
    else:
        br = _breaks_list(breaks, func=func)
    br = [(y, t) for y, t in br if full and full[0] < y <= full[-1]]

    cuts = sorted({full.index(y) for y, _ in br})
    bounds = [0, *cuts, len(full)]
    segments = [(lo, hi) for lo, hi in itertools.pairwise(bounds) if hi > lo]

    ax = new_axes(ax, (8.0, 4.8), func=func)
    style_axes(ax, grid="y")
    extra = iter(_EXTRA_COLORS)
    bg = [s for s in dict.fromkeys(background or ()) if s in series and s != main]
    bg_label = f"{background_label} ({len(bg)})"
    order = (
        bg + [s for s in series if s != main and s not in bg] + ([main] if main in series else [])
    )
    for s in order:
        y = wide[s].to_numpy(dtype=float)
        label = s
        st: dict[str, Any]
        if s in bg:
            label = bg_label if s == bg[0] else "_nolegend_"
            st = {
                "color": PALETTE["other"],
                "linewidth": 1.0,
                "marker": "o",
                "markersize": 2.5,
                "zorder": 2,
            }
        elif s == main:
            st = {
                "color": PALETTE["focus"], "linewidth": 2.8, "marker": "o",
                "markersize": 6, "zorder": 4,
            }  # fmt: skip
        else:
            ref = REFERENCE_STYLES.get(s) or REFERENCE_STYLES.get(
                _KIND_TO_LABEL.get(kinds.get(s, ""), "")
            )
            if ref is None:
                ref = {
                    "color": next(extra, PALETTE["line"]),
                    "linestyle": (0, (3, 2)),
                    "marker": "o",
                }
            st = {"linewidth": 1.6, "markersize": 4, "zorder": 3, **ref}
        st.update(kwargs)
        # A definition break cuts the line: levels before and after are not comparable.
        for k, (lo, hi) in enumerate(segments):
            ax.plot(
                full[lo:hi],
                y[lo:hi],
                label=label if k == 0 else "_nolegend_",
                gid=f"serie:{s}",
                **st,
            )

    has_band = False
    if band is not None:
        b = check_data(band, ["year", "lower", "upper"], func=func)
        b = b.assign(year=numeric(b, "year", func=func)).set_index("year").reindex(full)
        lower, upper = (
            numeric(b.reset_index(), "lower", func=func),
            numeric(b.reset_index(), "upper", func=func),
        )
        if np.isfinite(lower).any():
            ax.fill_between(
                full, lower, upper, color=PALETTE["band"], linewidth=0, zorder=1,
                label=band_label, gid="intervall",
            )  # fmt: skip
            has_band = True

    # Legend in the order of the data, municipality first.
    handles, labels = ax.get_legend_handles_labels()
    by_label = dict(zip(labels, handles, strict=True))
    legend_order = (
        ([main] if main in by_label else [])
        + [s for s in series if s != main and s in by_label]
        + ([bg_label] if bg else [])
        + ([band_label] if has_band else [])
    )

    for y in nr:
        ax.axvspan(
            y - 0.5, y + 0.5, color=PALETTE["shade"], zorder=0.5, linewidth=0, gid="ej_genomförd"
        )
        ax.text(
            y, 0.5, NOT_RUN_LABEL, transform=ax.get_xaxis_transform(), rotation=90,
            ha="center", va="center", fontsize=8, color=PALETTE["muted"], gid="ej_genomförd",
        )  # fmt: skip
    for k, (y, _text) in enumerate(br):
        # The line marks the break; the legend names it and the caption explains it,
        # so no note covers the lines.
        ax.axvline(
            y - 0.5, color="#7A7A7A", linewidth=1.0, linestyle=(0, (2, 2)), zorder=1,
            gid="definitionsbyte", label=f"Definitionsbyte {y}" if k == 0 else "_nolegend_",
        )  # fmt: skip
        if k == 0:
            handles, labels = ax.get_legend_handles_labels()
            by_label = dict(zip(labels, handles, strict=True))
            legend_order.append(f"Definitionsbyte {y}")

    if full:
        ax.set_xlim(full[0] - 0.5, full[-1] + 0.5)
        year_ticks(ax, full)
    ax.yaxis.set_major_formatter(SwedishFormatter())
    ax.set_xlabel("År")
    if y_label is None:
        y_label = _unit_label(row)
    ax.set_ylabel(y_label)
    if title is None and kpi is not None:
        title = kpi_label(str(kpi), catalog=catalog, width=75)
    if title:
        ax.set_title(wrap(title, 80))

    values = wide.to_numpy(dtype=float) if full else np.empty((0, 0))
    if values.size == 0 or not np.isfinite(values).any():
        no_data(ax)
    elif main in wide.columns and not np.isfinite(wide[main].to_numpy(dtype=float)).any():
        xs = np.repeat(np.asarray(full, dtype=float), values.shape[1])
        loc = best_corner(ax, xs, values.ravel(), avoid=("upper left",) if br else ())
        corner_text(ax, f"{main}: värde saknas", loc=loc, gid=MISSING_GID, color=PALETTE["muted"])
    if legend_order:
        ax.legend(
            [by_label[s] for s in legend_order], legend_order, loc="upper left",
            bbox_to_anchor=(1.01, 1.0), borderaxespad=0.0, handlelength=2.8,
        )  # fmt: skip
    add_source(ax, source)
    return ax


def _unit_label(row: pd.Series | None) -> str:
    if row is None:
        return "Värde"
    text = UNIT_LABELS.get(str(row["unit"]), "värde")
    return text[:1].upper() + text[1:]


def _main_series(
    highlight: str | None, series: list[str], kinds: dict[str, str], *, func: str
) -> str | None:
    if highlight is not None:
        if not isinstance(highlight, str):
            raise ParameterError(
                f"{func}: highlight måste vara ett serienamn eller en kommun (text)."
            )
        if highlight in series:
            return highlight
        try:
            name = name_of(resolve_municipality(highlight, parameter="highlight"))
        except FouError:
            name = None
        if name is not None and name in series:
            return name
        raise ParameterError(
            f"{func}: highlight {highlight!r} finns inte bland serierna: {', '.join(series)}."
        )
    for s, k in kinds.items():
        if k == "kommun":
            return s
    others = [s for s in series if s not in REFERENCE_STYLES]
    return others[0] if others else None
