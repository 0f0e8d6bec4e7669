"""Opening a report (fou.reports.context): parameters checked, the year decided once, the header."""

from __future__ import annotations

import pytest

from fou.core.errors import ParameterError
from fou.reports.context import Header, open_report
from fou.reports.mime import REPORT_MIME
from fou.reports.parameters import check_injected_parameters


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"kommun": "Atlantis"}, "okänd kommun 'Atlantis'"),
        ({"kommun": 1440}, "Menade du '1440'"),
        ({"kommun": "0000"}, "region eller riket"),
        ({"kommun": None}, "kommun måste anges"),
        ({"kommun": "1440", "ar": 1990}, "1990 finns inte i datamängden"),
        ({"kommun": "1440", "jamforelse": "norden"}, "jamforelse måste vara ett av"),
        ({"kommun": "1440", "datakalla": "excel"}, "datakalla måste vara ett av"),
    ],
)
def test_bad_parameters_say_what_is_accepted(project, kwargs, message):
    with pytest.raises(ParameterError, match=message):
        open_report(datakalla=kwargs.pop("datakalla", "demo"), show_header=False, **kwargs)


def test_year_defaults_to_the_latest_with_values_and_header_records_the_facts(project):
    ctx = open_report(kommun="Ale", datakalla="demo", show_header=False)
    assert (ctx.municipality_id, ctx.municipality, ctx.year) == ("1440", "Ale", 2025)
    data, meta = Header(ctx)._repr_mimebundle_()
    facts = data[REPORT_MIME]
    assert facts["year"] == 2025 and facts["municipality_id"] == "1440"
    assert facts["provenance"]["source"] == "demo"
    assert meta == {"fou_role": "header"}
    assert "DEMODATA" in data["text/html"]


def test_regional_report_has_no_municipality(project):
    ctx = open_report(ar=2024, datakalla="demo", show_header=False)
    assert ctx.municipality_id is None and ctx.year == 2024
    assert "kommun" not in ctx.parameters()


def test_misspelt_injected_parameter_is_refused():
    history = ["", "# Parameters\nkomun = '1441'\nar = 2024\n"]
    with pytest.raises(ParameterError, match="Okänd parameter 'komun'"):
        check_injected_parameters({"In": history}, ["kommun", "ar", "jamforelse", "datakalla"])
    check_injected_parameters({"In": history, "_fou_parameter_names": ["komun"]}, ["ar"])
    check_injected_parameters({}, ["ar"])  # outside IPython: nothing to check


def _fresh_table(ctx, kpis):
    from fou.stats import comparison_table

    return comparison_table(
        ctx.values,
        municipality=ctx.municipality_id,
        year=ctx.year,
        kpis=kpis,
        catalog=ctx.catalog,
        groups=ctx.groups,
    )


def test_comparisons_are_the_comparison_table_of_each_domain(ale):
    import pandas.testing as pdt

    for domain in ale.catalog.domains():
        kpis = list(reversed(ale.catalog.ids(domain=domain)))  # in the order asked for
        pdt.assert_frame_equal(ale.comparisons(kpis), _fresh_table(ale, kpis))
    pdt.assert_frame_equal(ale.comparisons(["U21463", "U21463"]), _fresh_table(ale, ["U21463"]))


def test_comparisons_are_computed_once_and_hand_out_copies(ale, monkeypatch):
    import fou.stats

    first = ale.comparisons(["U21463"])
    first.loc[0, "value"] = -1.0  # the caller's own table

    def fail(*args, **kwargs):
        raise AssertionError("comparison_table computed again")

    monkeypatch.setattr(fou.stats, "comparison_table", fail)
    again = ale.comparisons(["U21463"])
    assert again.loc[0, "value"] != -1.0
    assert list(ale.comparisons(["U23461", "U21463"])["kpi"]) == ["U23461", "U21463"]


def test_comparisons_say_what_is_wrong(ale, region):
    with pytest.raises(ParameterError, match="XYZ"):
        ale.comparisons(["XYZ"])
    with pytest.raises(ParameterError, match="kpis är tom"):
        ale.comparisons([])
    with pytest.raises(ParameterError, match="regionrapporten"):
        region.comparisons(["U21463"])


def test_values_of_are_the_rows_of_a_filter_and_leave_the_table_alone(ale):
    import pandas.testing as pdt

    v = ale.values
    assert ale._kpi_runs[1] is not None  # the fixture is sorted by key figure: slices
    for kpis in (["U21463"], ["N20403", "U21463"], ["U21463", "N20403", "U21463"], ["XYZ"]):
        pdt.assert_frame_equal(ale.values_of(kpis), v[v["kpi"].isin(kpis)])
    pdt.assert_frame_equal(ale.values_of("N20403"), v[v["kpi"] == "N20403"])
    rows = ale.values_of("U21463")
    before = v.loc[rows.index[0], "value"]
    rows.loc[rows.index[0], "value"] = -1.0  # the caller's own rows
    assert v.loc[rows.index[0], "value"] == before


def test_values_of_a_table_not_sorted_by_key_figure(ale):
    import dataclasses

    import pandas.testing as pdt

    shuffled = ale.values.sample(frac=1.0, random_state=1)
    ctx = dataclasses.replace(ale, dataset=dataclasses.replace(ale.dataset, values=shuffled))
    for kpis in (["U21463"], ["N20403", "U21463"]):
        pdt.assert_frame_equal(ctx.values_of(kpis), shuffled[shuffled["kpi"].isin(kpis)])


def test_municipal_ids_are_the_municipalities_without_riket_and_regions(ale):
    ids = ale.values["municipality_id"].astype(str)
    assert ale.municipal_ids == sorted(set(ids[~ids.str.startswith("00")]))
    assert "0000" not in ale.municipal_ids and "1440" in ale.municipal_ids
