"""Brister i data (fou.reports.data_quality): counts per kind, in Swedish."""

from __future__ import annotations

from fou.quality import KINDS
from fou.reports import data_quality


def test_counts_list_every_kind_with_its_swedish_label(ale):
    issues = data_quality.issues(ale)
    counts = data_quality.counts_table(ale, issues)
    shown = counts.text()
    assert set(shown["Typ av brist"]) == {k.label for k in KINDS.values()}
    assert not set(shown["Typ av brist"]) & set(KINDS)  # no English ids
    assert shown["Antal"].str.fullmatch(r"\d+").all()  # counts as whole numbers


def test_issue_table_names_municipalities(ale):
    issues = data_quality.issues(ale)
    shown = data_quality.issues_table(ale, issues).text()
    assert set(shown["Gäller"]) <= {"Ale", "alla"}
    assert not set(shown["Nyckeltal"]) & set(ale.catalog.kpis["kpi"])  # short labels, not ids
    assert not shown["År"].str.contains(" ").any()
