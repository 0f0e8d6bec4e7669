import csv
import gzip

import pytest

from fou.core.catalog import DOMAINS, CatalogError, load_catalog, parse_catalog
from fou.core.errors import ParameterError


@pytest.fixture(scope="module")
def cat():
    return load_catalog()


def test_every_domain_has_key_figures(cat):
    assert cat.domains() == list(DOMAINS)
    for d in DOMAINS:
        assert len(cat.ids(domain=d)) >= 3


def test_survey_items_have_companions(cat):
    survey = cat.kpis[cat.kpis["survey"]]
    assert not survey.empty
    assert (
        survey[["respondents_kpi", "response_rate_kpi", "few_respondents_kpi"]].notna().all().all()
    )
    ht = survey[survey["area"] == "hemtjänst"]
    assert set(ht["respondents_kpi"]) == {"U23592"}
    companions = set(cat.ids(roles=("companion",)))
    assert set(survey["respondents_kpi"]) <= companions


def test_known_breaks_from_the_domain_brief(cat):
    b = cat.breaks.set_index("kpi")["year"]
    assert b["N20900"] == 2019 and b["N23009"] == 2024
    assert cat.survey_not_run == (2021,)
    assert cat.min_respondents == 30


def test_unknown_kpi_and_domain_are_clear_errors(cat):
    with pytest.raises(ParameterError, match="finns inte i katalogen"):
        cat.title("X99999")
    with pytest.raises(ParameterError, match="område måste vara ett av"):
        cat.ids(domain="sjukvård")


@pytest.mark.parametrize(
    ("data", "message"),
    [({}, "domains"),
     ({"domains": {"okänt": []}}, "område"),
     ({"domains": {"kostnader": [{"id": "N1", "title": "t", "unit": "euro"}]}}, "unit"),
     ({"domains": {"kostnader": [{"id": "N1", "unit": "sek"}]}}, "title"),
     ({"domains": {"kostnader": [{"id": "N1", "title": "t", "unit": "sek"}] * 2}}, "flera gånger")],
)  # fmt: skip
def test_malformed_catalogue_is_rejected(data, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog(data)


def test_ids_and_titles_match_kolada_catalogue(cat, kolada_dir):
    with gzip.open(kolada_dir / "kpi_catalog_v3.csv.gz", "rt", encoding="utf-8") as f:
        kolada = {r["id"]: r["title"] for r in csv.DictReader(f)}
    with open(kolada_dir / "kpi_elderly_care.csv", encoding="utf-8") as f:
        older = {r["kpi"]: r["title_2024"] for r in csv.DictReader(f)}
    for row in cat.kpis.itertuples():
        # U23433 is no longer in the v3 catalogue; its 2024 title is used.
        expected = kolada.get(row.kpi, older.get(row.kpi))
        assert expected == row.title, row.kpi
