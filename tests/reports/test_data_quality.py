"""Brister i data (fou.reports.data_quality): counts per kind, in Swedish."""

from __future__ import annotations

from fou.quality import KINDS
from fou.reports import data_quality


def test_counts_list_what_was_found_and_name_the_rest_once(ale):
    issues = data_quality.issues(ale)
    counts = data_quality.counts_table(ale, issues)
    shown = counts.text()
    found = {KINDS[k].label for k in issues["check"].unique()}
    assert set(shown["Typ av brist"]) == found  # no rows of zeros
    assert not set(shown["Typ av brist"]) & set(KINDS)  # no English ids
    assert shown["Antal"].str.fullmatch(r"[1-9]\d*").all()  # counts as whole numbers
    assert set(shown["Allvarlighet"]) <= {"fel", "varning", "upplysning"}
    checked = [k for n, k in KINDS.items() if n not in data_quality.BOOKKEEPING_KINDS]
    clean = [k.label.lower() for k in checked if k.label not in found]
    (note,) = counts.notes
    assert note.startswith("Kontrollerat utan fynd: ")
    assert all(label in note for label in clean)
    assert not any(label.lower() in note for label in found)


def test_a_key_figure_missing_everywhere_concerns_all_municipalities(ale):
    issues = data_quality.issues(ale)
    shown = data_quality.counts_table(ale, issues).text().set_index("Typ av brist")
    absent = shown.loc[KINDS["kpi_absent"].label]
    # Key figures of the catalogue the data lacks: every municipality, not "0 kommuner".
    assert int(absent["Antal"]) > 0 and absent["Gäller"] == "alla kommuner"


def test_summary_says_none_rather_than_zero(ale):
    issues = data_quality.issues(ale)
    no_errors = issues[issues["severity"].astype(str) != "fel"]
    text = data_quality.summary(ale, no_errors, data_quality.usable(ale)).items[0]
    assert "inga fel" in text and "0 fel" not in text


def test_issue_table_names_municipalities(ale):
    issues = data_quality.issues(ale)
    shown = data_quality.issues_table(ale, issues).text()
    assert set(shown["Gäller"]) <= {"Ale", "alla"}
    assert not set(shown["Nyckeltal"]) & set(ale.catalog.kpis["kpi"])  # short labels, not ids
    assert not shown["År"].str.contains(" ").any()


def test_issues_and_usable_together_are_the_two_alone(ale, region):
    import pandas as pd

    for ctx in (ale, region):
        issues, share = data_quality.issues_and_usable(ctx)
        pd.testing.assert_frame_equal(issues, data_quality.issues(ctx))
        pd.testing.assert_frame_equal(share, data_quality.usable(ctx))
        assert len(issues) and len(share)


def test_issues_and_usable_prepare_the_values_once(ale, monkeypatch):
    from fou.quality import _common

    prepared = []
    real = _common._national_rows
    monkeypatch.setattr(_common, "_national_rows", lambda *a: prepared.append(a) or real(*a))
    data_quality.issues_and_usable(ale)
    assert len(prepared) == 1, "the checks of the year, of every year and the summary share it"
