"""Data-quality checks ("brister i data"): one issue table a reviewer can read.

What each check *is* (Swedish label, what it means for interpretation,
default severity) is declared once in :mod:`fou.quality._registry`; how it
*runs* lives in :mod:`fou.quality.checks`, one pure function per check. Findings
come back as data, never as exceptions: :func:`run_checks` returns one table
with the columns ``check, severity, kpi, municipality_id, year, gender, value,
detail``.

Checks (issue kinds in parentheses):

1. ``completeness``: expected grid against the data (``kpi_absent``,
   ``not_published``, ``missing_row``, ``completeness_summary``);
2. ``suppression``: empty values where others have values, small numbers, low
   response rates, survey years not run (``suppressed``, ``few_respondents``,
   ``low_response_rate``, ``survey_not_run``);
3. ``range``: impossible values for the unit (``out_of_range``);
4. ``jumps``: extreme year-over-year changes, robust z (``jump``);
5. ``level_shifts``: shifts shared by most municipalities vs known breaks
   (``level_shift``, ``known_break``, ``known_break_not_visible``);
6. ``outliers``: levels far from the national distribution (``outlier``);
7. ``duplicates``: repeated keys (``duplicate``, ``contradiction``);
8. ``stale``: key figures that end earlier than the rest (``stale``,
   ``discontinued``).

Examples
--------
>>> import pandas as pd
>>> from fou.quality import run_checks
>>> v = pd.DataFrame({"kpi": "U21468", "municipality_id": ["1440", "1441"], "year": 2022,
...                   "gender": "T", "value": [104.0, float("nan")], "source": "demo"})
>>> run_checks(v, checks=["range", "suppression"])["check"].tolist()
['out_of_range', 'suppressed']
"""

from __future__ import annotations

from fou.quality._common import (
    MAD_SCALE,
    MEAN_AD_SCALE,
    one_scope_per_run,
    primary_values,
    robust_scale,
    robust_z,
)
from fou.quality._registry import (
    CHECKS,
    ISSUE_COLUMNS,
    ISSUES_SCHEMA,
    KINDS,
    SEVERITIES,
    SEVERITY_DTYPE,
    SEVERITY_LABELS,
    SEVERITY_WORDS,
    SIZE_DEPENDENT_UNITS,
    UNIT_RULES,
    CheckSpec,
    IssueKind,
    kind_label,
    kinds_table,
)
from fou.quality._run import (
    YEAR_SCOPED_CHECKS,
    completeness_summary,
    filter_issues,
    issue_counts,
    run_checks,
    run_checks_by_year,
    sort_issues,
    usable_summary,
)
from fou.quality.checks import (
    IMPLEMENTATIONS,
    check_completeness,
    check_duplicates,
    check_jumps,
    check_level_shifts,
    check_outliers,
    check_range,
    check_stale,
    check_suppression,
    shift_table,
    year_changes,
)

__all__ = [
    "CHECKS",
    "IMPLEMENTATIONS",
    "ISSUES_SCHEMA",
    "ISSUE_COLUMNS",
    "KINDS",
    "MAD_SCALE",
    "MEAN_AD_SCALE",
    "SEVERITIES",
    "SEVERITY_DTYPE",
    "SEVERITY_LABELS",
    "SEVERITY_WORDS",
    "SIZE_DEPENDENT_UNITS",
    "UNIT_RULES",
    "YEAR_SCOPED_CHECKS",
    "CheckSpec",
    "IssueKind",
    "check_completeness",
    "check_duplicates",
    "check_jumps",
    "check_level_shifts",
    "check_outliers",
    "check_range",
    "check_stale",
    "check_suppression",
    "completeness_summary",
    "filter_issues",
    "issue_counts",
    "kind_label",
    "kinds_table",
    "one_scope_per_run",
    "primary_values",
    "robust_scale",
    "robust_z",
    "run_checks",
    "run_checks_by_year",
    "shift_table",
    "sort_issues",
    "usable_summary",
    "year_changes",
]
