"""fou: a research workbench for municipal elderly care and nära vård in Göteborgsregionen.

The public API is importable from the top level (``from fou import
association_screen``); submodules load on first use (SPEC 1 style lazy
loading), so ``import fou`` and the CLI stay fast.

Layers (see ``docs/architecture.md``): data access (:mod:`fou.data.dataset`,
:mod:`fou.data.kolada`, :mod:`fou.data.demo`, :mod:`fou.data.submissions`), checks
(:mod:`fou.quality`), statistics (:mod:`fou.stats`), plotting
(:mod:`fou.plotting`), notebook execution and export (:mod:`fou.batch.run`,
:mod:`fou.reports.export`), slides (:mod:`fou.reports.slides`).
"""

from __future__ import annotations

from fou.core.lazy import lazy_exports
from fou.core.version import package_version

__version__ = package_version()

_EXPORTS: dict[str, tuple[str, ...]] = {
    "fou.data.dataset": ("Dataset", "load_dataset"),
    "fou.data.provenance": ("Provenance",),
    "fou.core.catalog": ("Catalog", "DOMAINS", "load_catalog"),
    "fou.core.registry": (
        "GR_MUNICIPALITIES", "RIKET", "comparison_members", "municipalities",
        "municipality_name", "resolve_municipality", "similar_group",
    ),
    "fou.core.schema": ("VALUE_COLUMNS", "validate_values"),
    "fou.core.tidy": ("select", "to_wide"),
    "fou.quality": ("issue_counts", "run_checks", "usable_summary"),
    "fou.plotting": (
        "comparison_bar", "correlation_heatmap", "funnel_plot", "quality_heatmap",
        "scatter_labelled", "trend_plot",
    ),
    "fou.stats": (
        "adjust_pvalues", "association_screen", "comparison_table", "cronbach_alpha_ecological",
        "expected_false_positives", "fisher_ci", "funnel_data", "gr_overview", "gr_vs_national",
        "index_stability", "min_significant_r", "partial_association", "permutation_pvalue",
        "person_centred_index", "pooled_associations", "survey_uncertainty", "trend_table",
        "wilson_interval",
    ),
}  # fmt: skip
__getattr__, __dir__, _PUBLIC = lazy_exports("fou", _EXPORTS, globals())

__all__ = ["__version__", *_PUBLIC]
