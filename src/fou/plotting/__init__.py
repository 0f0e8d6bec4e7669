"""Plots for FoU reports and slides: draw result tables, compute nothing.

Every function takes a tidy result table made by :mod:`fou.stats` or
:mod:`fou.quality`, draws it and returns the axes (seaborn style)::

    func(data, *, ..., source=None, ax=None, **kwargs) -> matplotlib.axes.Axes

* ``ax=None`` creates a new figure (constrained layout); otherwise the plot
  goes onto the given axes.
* Labels, titles and legends are in Swedish; numbers use a decimal comma.
* Key-figure titles come from the catalogue (wrapped); municipality names
  from the registry.
* Colours are colour-blind safe (Okabe–Ito, ColorBrewer); GR-13 is blue,
  a municipality in focus vermillion, all others light grey.
* A missing value is never drawn as 0: it is left out and named
  ("saknas", "värde saknas").
* ``source="Källa: Kolada, hämtat …"`` (or :func:`finish_figure`) adds the
  source line; :func:`savefig_atomic` writes PNG/SVG/PDF atomically, :func:`png_bytes`
  draws a report figure once as an opaque PNG.

Functions
---------
scatter_labelled
    Two key figures, one point per municipality (wide table).
correlation_heatmap
    Lower triangle of an association screen with significance stars.
funnel_plot
    Survey share against respondents with control limits.
trend_plot
    A key figure over the years: municipality, GR-snitt, Liknande, Riket.
quality_heatmap
    Share of usable key figures per municipality (or domain) and year.
comparison_bar
    The 13 GR municipalities side by side, best first.
position_plot
    A municipality's position on every key figure of a domain (among the 13, against Riket).
position_matrix
    Key figures × the 13 municipalities, coloured by the verdict against GR-snittet.
dot_distribution
    Every municipality as a stacked dot (e.g. a change), GR-13 and one municipality marked.
"""

from __future__ import annotations

from fou.plotting._base import (
    CMAP_DIVERGING,
    CMAP_SEQUENTIAL,
    OKABE_ITO,
    PALETTE,
    THEME,
    SwedishFormatter,
    finish_figure,
    kpi_label,
    new_figure,
    no_data,
    png_bytes,
    release_renderer,
    savefig_atomic,
    short_title,
)
from fou.plotting.bars import comparison_bar
from fou.plotting.distribution import dot_distribution
from fou.plotting.funnel import funnel_limits_wide, funnel_plot
from fou.plotting.heatmaps import correlation_heatmap, quality_heatmap
from fou.plotting.position import VERDICT_COLORS, position_matrix, position_plot
from fou.plotting.scatter import scatter_labelled
from fou.plotting.trend import trend_plot

__all__ = [
    "CMAP_DIVERGING",
    "CMAP_SEQUENTIAL",
    "OKABE_ITO",
    "PALETTE",
    "THEME",
    "VERDICT_COLORS",
    "SwedishFormatter",
    "comparison_bar",
    "correlation_heatmap",
    "dot_distribution",
    "finish_figure",
    "funnel_limits_wide",
    "funnel_plot",
    "kpi_label",
    "new_figure",
    "no_data",
    "png_bytes",
    "position_matrix",
    "position_plot",
    "quality_heatmap",
    "release_renderer",
    "savefig_atomic",
    "scatter_labelled",
    "short_title",
    "trend_plot",
]
