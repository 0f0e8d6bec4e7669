import csv
import gzip

import numpy as np
import pandas as pd
import pytest

from fou.core.errors import ParameterError
from fou.core.registry import (
    GR_MUNICIPALITIES,
    SIMILAR_GROUP_IDS,
    comparison_members,
    municipalities,
    municipality_name,
    normalise_name,
    region_of,
    resolve_municipality,
    similar_group,
)


def test_registry_has_290_municipalities_21_regions_and_riket():
    assert len(municipalities(kind="K")) == 290
    regions = municipalities(kind="L")
    assert len(regions) == 22 and "0000" in set(regions["municipality_id"])
    assert municipalities()["municipality_id"].str.fullmatch(r"\d{4}").all()


def test_gr_has_the_13_municipalities_of_the_brief():
    assert municipalities().query("is_gr")["name"].tolist() == [
        "Kungsbacka", "Härryda", "Partille", "Öckerö", "Stenungsund", "Tjörn", "Ale",
        "Lerum", "Lilla Edet", "Göteborg", "Mölndal", "Kungälv", "Alingsås",
    ]  # fmt: skip
    assert set(SIMILAR_GROUP_IDS) == set(GR_MUNICIPALITIES)


@pytest.mark.parametrize(
    ("given", "expected"),
    [("0114", "0114"), ("göteborg", "1480"), ("  GÖTEBORG ", "1480"), ("Håbo", "0305"),
     ("Habo", "0643"), ("Lilla edet", "1462"), ("riket", "0000")],
)  # fmt: skip
def test_resolve_by_id_or_name(given, expected):
    assert resolve_municipality(given) == expected


def test_names_are_unicode_normalised_but_accents_count():
    nfd = "Ha\u030abo"  # Håbo written with a combining ring (NFD)
    assert resolve_municipality(nfd) == "0305"
    assert normalise_name("Håbo") != normalise_name("Habo")


def test_integer_ids_are_refused_with_a_hint():
    with pytest.raises(ParameterError, match=r"'0114'.*Upplands Väsby"):
        resolve_municipality(114)
    with pytest.raises(ParameterError, match="text"):
        resolve_municipality(np.int64(1480))


def test_unknown_municipality_says_what_is_accepted():
    with pytest.raises(ParameterError, match=r"okänd kommun 'Atlantis'.*fyra tecken"):
        resolve_municipality("Atlantis")


def test_regions():
    assert region_of("1384") == "0013"  # Kungsbacka: Region Halland
    assert region_of("1480") == "0014"
    assert municipality_name(region_of("1480")) == "Västra Götalandsregionen"
    with pytest.raises(ParameterError):
        region_of("0000")


def test_comparison_members():
    groups = pd.DataFrame(
        {"group_id": ["G176542"] * 3, "title": ["Liknande kommuner äldreomsorg, Göteborg, 2024"] * 3,
         "municipality_id": ["0180", "1280", "0380"]}
    )  # fmt: skip
    assert comparison_members("1480", "gr") == list(GR_MUNICIPALITIES)
    assert comparison_members("1480", "riket") == ["0000"]
    assert comparison_members("1480", "region") == ["0014"]
    assert comparison_members("1480", "liknande", groups) == ["0180", "0380", "1280"]
    assert similar_group("1480", None)[2] == []
    with pytest.raises(ParameterError, match="jämförelse måste vara ett av"):
        comparison_members("1480", "grannar")


def test_registry_agrees_with_kolada_catalogue(kolada_dir):
    with open(kolada_dir / "municipalities_v3.csv", encoding="utf-8") as f:
        kolada = {r["id"]: (r["title"], r["type"]) for r in csv.DictReader(f)}
    ours = {r.municipality_id: (r.name, r.type) for r in municipalities().itertuples()}
    assert ours == kolada


def test_similar_group_ids_exist_in_kolada(kolada_dir):
    with gzip.open(kolada_dir / "municipality_groups_v3.csv.gz", "rt", encoding="utf-8") as f:
        groups = {r["id"]: r for r in csv.DictReader(f)}
    for mid, gid in SIMILAR_GROUP_IDS.items():
        assert gid in groups
        assert municipality_name(mid) in groups[gid]["title"]
    assert set(groups["G96190"]["member_ids"].split(";")) == set(GR_MUNICIPALITIES)
