"""Statistics on the tidy values table: pure functions, no I/O, no plotting.

Modules
-------
correlation
    Association analyses (*sambandsanalyser*): screens with permutation
    p-values and multiple-testing correction, GR-13 against all
    municipalities, within/between-municipality associations over years,
    partial correlations, and the numbers a report quotes (smallest
    significant r, expected false associations).
survey, index, compare
    Survey intervals and funnel plots, person-centred index, comparison
    tables (municipality against GR mean, similar municipalities, Riket).
"""

from __future__ import annotations

from fou.stats.compare import comparison_table, gr_overview, rank_best_first, trend_table
from fou.stats.correlation import (
    RESULT_COLUMNS,
    SCOPE_LABELS,
    adjust_pvalues,
    association_screen,
    expected_false_positives,
    fisher_ci,
    gr_vs_national,
    min_significant_r,
    pair_count,
    partial_association,
    permutation_pvalue,
    pooled_associations,
)
from fou.stats.index import (
    ECOLOGICAL_LABEL,
    cronbach_alpha_ecological,
    index_items,
    index_stability,
    person_centred_index,
    standardise_items,
)
from fou.stats.survey import (
    FunnelData,
    binomial_limits,
    funnel_data,
    normal_limits,
    survey_uncertainty,
    wilson_interval,
)

__all__ = [
    "ECOLOGICAL_LABEL",
    "RESULT_COLUMNS",
    "SCOPE_LABELS",
    "FunnelData",
    "adjust_pvalues",
    "association_screen",
    "binomial_limits",
    "comparison_table",
    "cronbach_alpha_ecological",
    "expected_false_positives",
    "fisher_ci",
    "funnel_data",
    "gr_overview",
    "gr_vs_national",
    "index_items",
    "index_stability",
    "min_significant_r",
    "normal_limits",
    "pair_count",
    "partial_association",
    "permutation_pvalue",
    "person_centred_index",
    "pooled_associations",
    "rank_best_first",
    "standardise_items",
    "survey_uncertainty",
    "trend_table",
    "wilson_interval",
]
