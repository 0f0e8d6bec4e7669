"""The landing page (fou.reports.index): Swedish names, regional report and deck first, failures."""

from __future__ import annotations

from pathlib import Path

from fou.reports.index import index_model, write_index


def _touch(outputs: Path, *rel: str) -> list[str]:
    for r in rel:
        (outputs / r).parent.mkdir(parents=True, exist_ok=True)
        (outputs / r).write_text("x", encoding="utf-8")
    return list(rel)


def _manifest(outputs: Path) -> dict:
    ok = {"status": "ok", "error": None}
    return {
        "provenance": {"source": "demo"},
        "source_line": "Demodata (syntetiska värden, inte verkliga resultat)",
        "updated_at": "2026-12-02T10:15:00+01:00",
        "jobs": [
            {"id": "2025/gr/regional_report", "notebook": "regional_report", "municipality_id": None,
             "year": 2025, **ok,
             "outputs": _touch(outputs, "2025/gr/regional_report.html", "2025/gr/regional_report.pdf")},
            {"id": "2025/1440/municipality_profile", "notebook": "municipality_profile",
             "municipality_id": "1440", "year": 2025, **ok,
             "outputs": _touch(outputs, "2025/1440/municipality_profile.html",
                               "2025/1440/municipality_profile.pdf", "2025/1440/municipality_profile.xlsx")},
            {"id": "2025/1440/data_quality", "notebook": "data_quality", "municipality_id": "1440",
             "year": 2025, "status": "failed", "error": "ParameterError: något gick fel\nrad två",
             "outputs": _touch(outputs, "2025/1440/data_quality.failed.ipynb")},
            {"id": "2024/1440/municipality_profile", "notebook": "municipality_profile",
             "municipality_id": "1440", "year": 2024, **ok,
             "outputs": _touch(outputs, "2024/1440/municipality_profile.html")},
        ],
    }  # fmt: skip


def test_model_puts_the_newest_year_and_the_regional_report_first(tmp_path):
    outputs = tmp_path / "outputs"
    _touch(outputs, "2025/slides/nyckeltal_2025.pptx")
    years = index_model(_manifest(outputs), outputs)
    assert [y.year for y in years] == [2025, 2024]
    y = years[0]
    assert [c.name for c in y.regional] == ["Regional översikt"]
    assert [d.href for d in y.decks] == ["2025/slides/nyckeltal_2025.pptx"]
    assert y.columns == ("municipality_profile", "data_quality")  # report order, not alphabetical
    ale = y.rows[0]
    assert ale.name == "Ale"
    assert [link.label for link in ale.cells["municipality_profile"].links] == [
        "HTML",
        "PDF",
        "Excel",
    ]
    bad = ale.cells["data_quality"]
    assert (
        bad.failed
        and bad.status_label == "misslyckades"
        and bad.error == "ParameterError: något gick fel"
    )


def test_page_is_swedish_offline_and_shows_failures_first(tmp_path):
    root = tmp_path
    outputs = root / "outputs"
    page = write_index(_manifest(outputs), root).read_text(encoding="utf-8")
    for name in ("Regional översikt", "Kommunprofil", "Brister i data"):
        assert name in page
    assert "municipality_profile<" not in page and ">data_quality" not in page
    assert page.index("Misslyckade rapporter (1)") < page.index("Regional översikt 2025")
    assert page.index("Regional översikt 2025") < page.index("Rapporter per kommun")
    assert 'class="failed"' in page and "DEMODATA" in page
    assert "://" not in page
    assert "<details" in page  # 2024 folded under the newest year


def test_a_report_in_another_view_has_its_own_column():
    from fou.reports.index import column_label, index_model

    assert column_label("associations_fardplan") == "Samband (Göteborgs färdplan för äldreomsorgen)"
    assert column_label("associations") == "Samband"
    jobs = [
        {"id": "2024/1480/municipality_profile", "notebook": "municipality_profile",
         "municipality_id": "1480", "year": 2024, "status": "ok"},
        {"id": "2024/1480/municipality_profile_fardplan", "notebook": "municipality_profile",
         "municipality_id": "1480", "year": 2024, "status": "ok"},
    ]  # fmt: skip
    (year,) = index_model({"jobs": jobs}, Path("/nonexistent"))
    assert year.columns == ("municipality_profile", "municipality_profile_fardplan")
    assert set(year.rows[0].cells) == set(year.columns)


def test_a_report_with_another_comparison_has_its_own_named_column():
    from fou.reports.index import column_label, index_model

    assert column_label("municipality_profile_jfr_liknande") == (
        "Kommunprofil (jämfört med liknande kommuner äldreomsorg)"
    )
    assert column_label("associations_fardplan_jfr_G33901") == (
        "Samband (Göteborgs färdplan för äldreomsorgen, jämfört med G33901)"
    )
    # a notebook of one's own whose name happens to contain the mark is left as it is
    assert column_label("egen_jfr_test") == "Egen jfr test"
    stems = ["municipality_profile_jfr_riket", "municipality_profile", "data_quality"]
    jobs = [
        {"id": f"2024/1480/{s}", "notebook": s.split("_jfr_")[0], "municipality_id": "1480",
         "year": 2024, "status": "ok"}
        for s in stems
    ]  # fmt: skip
    (year,) = index_model({"jobs": jobs}, Path("/nonexistent"))
    assert year.columns == ("municipality_profile", "municipality_profile_jfr_riket",
                            "data_quality")  # fmt: skip
