"""Brister i data (fou.reports.data_quality): counts per kind, in Swedish."""

from __future__ import annotations

from fou.quality import KINDS
from fou.reports import data_quality


def test_counts_list_every_kind_with_its_swedish_label(ale):
    issues = data_quality.issues(ale)
    counts = data_quality.counts_table(ale, issues)
    shown = counts.text()
    findings = {n: k.label for n, k in KINDS.items() if n not in data_quality.BOOKKEEPING_KINDS}
    assert set(shown["Typ av brist"]) == set(findings.values())
    assert not set(shown["Typ av brist"]) & set(KINDS)  # no English ids
    assert shown["Antal"].str.fullmatch(r"\d+").all()  # counts as whole numbers
    assert set(shown["Allvarlighet"]) == {"fel", "varning", "upplysning"}


def test_a_key_figure_missing_everywhere_concerns_all_municipalities(ale):
    issues = data_quality.issues(ale)
    shown = data_quality.counts_table(ale, issues).text().set_index("Typ av brist")
    absent = shown.loc[KINDS["kpi_absent"].label]
    # Key figures of the catalogue the data lacks: every municipality, not "0 kommuner".
    assert int(absent["Antal"]) > 0 and absent["Gäller"] == "alla kommuner"
    nothing = shown.loc[KINDS["contradiction"].label]
    assert nothing["Antal"] == "0" and nothing["Gäller"] == ""


def test_issue_table_names_municipalities(ale):
    issues = data_quality.issues(ale)
    shown = data_quality.issues_table(ale, issues).text()
    assert set(shown["Gäller"]) <= {"Ale", "alla"}
    assert not set(shown["Nyckeltal"]) & set(ale.catalog.kpis["kpi"])  # short labels, not ids
    assert not shown["År"].str.contains(" ").any()
