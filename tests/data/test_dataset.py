import pandas as pd
import pytest

from fou.core.errors import DataNotFoundError, ParameterError
from fou.data.dataset import Provenance, load_dataset


def test_demo_is_used_offline_and_labelled(project):
    ds = load_dataset()
    assert ds.is_demo
    assert "Demodata" in ds.provenance.source_line()
    assert ds.values["source"].eq("demo").all()


def test_kolada_without_fetch_is_a_clear_error(project):
    with pytest.raises(DataNotFoundError, match="fou fetch"):
        load_dataset("kolada")


def test_unknown_source(project):
    with pytest.raises(ParameterError, match="datakälla måste vara ett av"):
        load_dataset("excel")


def test_check_year(project):
    ds = load_dataset("demo")
    assert ds.check_year(str(ds.latest_year())) == ds.latest_year()
    with pytest.raises(ParameterError, match="1850 finns inte"):
        ds.check_year(1850)
    with pytest.raises(ParameterError, match="årtal"):
        ds.check_year("i fjol")


def test_provenance_roundtrip():
    p = Provenance(
        "kolada", "20261123T101500Z", "2026-11-23T10:15:00+00:00", "http://x/v3", (2012, 2022), 27
    )
    assert Provenance.from_dict(p.to_dict()) == p
    assert p.source_line().startswith("Källa: Kolada, hämtat 2026-11-23")


def _fresh(directory):
    """The data set in *directory* read from its files, bypassing what the process remembers."""
    from fou.data import dataset

    dataset.forget_loaded()
    return dataset.read_processed(directory)


def test_a_second_load_reads_nothing_and_hands_out_independent_tables(project, monkeypatch):
    from fou.core.paths import paths
    from fou.data import dataset

    first = load_dataset("demo")
    reads = []
    real = dataset.read_processed
    monkeypatch.setattr(dataset, "read_processed", lambda d: reads.append(d) or real(d))
    first.values.loc[0, "value"] = -12345.0  # a notebook changes its own table
    first.kpi_titles["N00000"] = "ändrad"
    second = load_dataset("demo")
    assert reads == []
    assert second.values is not first.values
    assert "N00000" not in second.kpi_titles
    monkeypatch.setattr(dataset, "read_processed", real)
    fresh = _fresh(paths().processed / "demo")
    pd.testing.assert_frame_equal(second.values, fresh.values)
    pd.testing.assert_frame_equal(second.groups, fresh.groups)


def test_a_replaced_values_file_is_read_again(project):
    import shutil

    from fou.core.atomic import write_with
    from fou.core.paths import paths
    from fou.data.provenance import VALUES_FILE

    demo = paths().processed / "demo"
    load_dataset("demo")
    kolada = paths().processed / "kolada"
    shutil.copytree(demo, kolada)
    before = load_dataset("kolada")
    values = before.values.copy()
    row = values["value"].notna().idxmax()
    values.loc[row, "value"] = values.loc[row, "value"] + 1
    write_with(kolada / VALUES_FILE, lambda p: values.to_parquet(p, index=False))
    after = load_dataset("kolada")
    assert after.values.loc[row, "value"] == before.values.loc[row, "value"] + 1


def test_a_new_local_submission_is_read_again(project):
    from fou.core.paths import paths
    from fou.data.submissions import accept_submission

    before = load_dataset("demo")
    year = before.latest_year()
    csv = project / "egna.csv"
    csv.write_text(
        f"kommun,nyckeltal,år,värde,titel\n1441,L00001,{year},12,Egen uppföljning\n",
        encoding="utf-8",
    )
    accept_submission(csv, local_dir=paths().local)
    after = load_dataset("demo")
    assert not before.values["kpi"].eq("L00001").any()
    own = after.values[after.values["kpi"] == "L00001"]
    assert own["value"].tolist() == [12.0]
    assert after.kpi_titles["L00001"] == "Egen uppföljning"


def test_years_are_the_years_of_the_values_and_a_new_list_each_time():
    from fou.data.dataset import Dataset

    values = pd.DataFrame({"kpi": ["A"] * 3, "year": [2022, 2020, 2022], "value": [1.0, None, 2.0]})
    prov = Provenance("demo", "demo-1", "2026-01-01T00:00:00+00:00", None, (2020, 2022), None)
    ds = Dataset(values=values, groups=pd.DataFrame(), provenance=prov)
    assert ds.years == [2020, 2022]
    ds.years.append(1999)  # the caller's own list
    assert ds.years == [2020, 2022]


def _rows(source: str, municipalities: list[str], kpi: str = "N20900") -> pd.DataFrame:
    from fou.core.schema import coerce_values

    return coerce_values(
        pd.DataFrame({"kpi": kpi, "municipality_id": municipalities, "year": 2024, "gender": "T",
                      "value": 1.0, "count": pd.NA, "status": "", "source": source})
    )  # fmt: skip


def test_local_rows_are_added_as_the_full_validation_would_add_them():
    from fou.data.dataset import validate_values_allow_sources, with_local_rows

    base = _rows("kolada", ["1440", "1441"])
    local = _rows("lokal:ale.csv", ["1440"])  # the same key from another source is kept
    out = with_local_rows(base, local)
    pd.testing.assert_frame_equal(
        out, validate_values_allow_sources(pd.concat([base, local], ignore_index=True))
    )
    assert out["source"].tolist() == ["kolada", "kolada", "lokal:ale.csv"]


@pytest.mark.parametrize(
    ("base", "local"),
    [
        # a source in both tables: the combined table is checked as a whole
        (["1440", "1441"], ["1441"]),
        # a local source that repeats a key of its own
        (["1440"], ["1462", "1462"]),
    ],
)
def test_a_source_that_delivers_a_key_twice_is_refused(base, local):
    from fou.core.errors import DataValidationError
    from fou.data.dataset import with_local_rows

    source = "kolada" if base == ["1440", "1441"] else "lokal:ale.csv"
    with pytest.raises(DataValidationError, match="flera gånger från samma källa"):
        with_local_rows(_rows("kolada", base), _rows(source, local))
