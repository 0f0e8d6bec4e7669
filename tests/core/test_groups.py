"""Own comparison groups (fou.core.groups) and the jamforelse that names them."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fou.core.errors import ParameterError
from fou.core.groups import kolada_group, parse_groups
from fou.reports.parameters import check_comparison
from fou.stats.compare import group_mean

REPO = Path(__file__).resolve().parents[2]


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "groups.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_shipped_groups_are_tjorns_two():
    groups = parse_groups(REPO / "parameters" / "groups.yaml")
    assert set(groups) == {"tjorn_aldreomsorg", "tjorn_funktionshinder"}
    assert groups["tjorn_aldreomsorg"].member_names == [
        "Hallstahammar", "Hörby", "Kiruna", "Mörbylånga", "Strömstad", "Svenljunga", "Vara"]  # fmt: skip
    assert "Öckerö" in groups["tjorn_funktionshinder"].member_names


def test_ids_as_quoted_strings_and_kolada_groups(tmp_path):
    g = parse_groups(
        _write(tmp_path, "a:\n  title: A\n  members: ['0114', Ale]\nb:\n  kolada: G33901\n")
    )
    assert g["a"].members == ("0114", "1440") and g["b"].kolada_id == "G33901"


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("a:\n  members: [0114, Ale]\n", ["rad 2", "'0114'"]),
        ("a:\n  members: [Narnia]\n", ["rad 2", "Narnia"]),
        ("a:\n  members: [Ale]\na:\n  members: [Lerum]\n", ["rad 1 och rad 3", "'a'"]),
        ("a:\n  members: [Ale, '1440']\n", ["två gånger"]),
        ("Tjörn:\n  members: [Ale]\n", ["små bokstäver"]),
        ("gr:\n  members: [Ale]\n", ["inbyggd jämförelse"]),
        ("a:\n  title: A\n  medlemmar: [Ale]\n", ["rad 3", "okänd nyckel 'medlemmar'", "members"]),
        ("a:\n  kolada: 33901\n", ["rad 2", "G33901"]),
        ("a:\n  title: A\n", ["behöver members"]),
    ],
)
def test_bad_group_files_name_file_line_and_what_is_accepted(tmp_path, text, needles):
    with pytest.raises(ParameterError) as exc:
        parse_groups(_write(tmp_path, text))
    msg = str(exc.value)
    assert "groups.yaml" in msg
    for needle in needles:
        assert needle in msg, msg


def test_jamforelse_accepts_builtins_own_groups_and_kolada_ids(tmp_path):
    own = parse_groups(_write(tmp_path, "egen:\n  members: [Ale]\n"))
    for name in ("gr", "riket", "egen", "G33901"):
        assert check_comparison(name, own=own) == name
    with pytest.raises(ParameterError, match=r"'egen'.*parameters/groups\.yaml"):
        check_comparison("annan", own=own)


def test_kolada_group_from_the_data_set():
    groups = pd.DataFrame({"group_id": "G1", "title": "Grupp", "municipality_id": ["1440", "0000"]})
    g = kolada_group("G1", groups)
    assert g.members == ("1440",) and g.title == "Grupp"
    with pytest.raises(ParameterError, match="G2 finns inte i datamängden"):
        kolada_group("G2", groups)


def test_group_means_agree_with_a_direct_computation_on_real_data(kolada_dir):
    """Tjörn's comparison group on real Kolada values: mean of the members with a value."""
    raw = pd.read_csv(kolada_dir / "values_elderly_care.csv.gz", dtype={"municipality_id": str})
    group = parse_groups(REPO / "parameters" / "groups.yaml")["tjorn_aldreomsorg"]
    kpis = ["N20900", "N20007", "N21006", "N23009"]
    v = raw[raw["kpi"].isin(kpis)]
    got = group_mean(v, kpis=kpis, year=2022, members=group.members).set_index("kpi")
    t = raw[
        (raw["gender"] == "T") & (raw["year"] == 2022) & raw["municipality_id"].isin(group.members)
    ]
    for kpi in kpis:
        vals = t.loc[t["kpi"] == kpi, "value"].dropna()
        assert got.loc[kpi, "mean"] == pytest.approx(vals.mean(), abs=1e-9), kpi
        assert got.loc[kpi, "n"] == len(vals)
    assert np.isfinite(got["mean"]).all()
