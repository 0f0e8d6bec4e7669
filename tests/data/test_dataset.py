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
