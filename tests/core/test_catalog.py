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
     ({"domains": {"kostnader": [{"id": "N1", "title": "t", "label": "t", "unit": "euro"}]}}, "unit"),
     ({"domains": {"kostnader": [{"id": "N1", "label": "t", "unit": "sek"}]}}, "title"),
     ({"domains": {"kostnader": [{"id": "N1", "title": "t" * 51, "unit": "sek"}]}}, "ingen label angiven"),
     ({"domains": {"kostnader": [{"id": "N1", "title": "t", "label": "x" * 51, "unit": "sek"}]}}, "högst 50"),
     ({"domains": {"kostnader": [{"id": "N1", "title": "t", "label": "a", "unit": "sek"},
                                 {"id": "N2", "title": "u", "label": "a", "unit": "sek"}]}}, "samma label"),
     ({"domains": {"kostnader": [{"id": "N1", "title": "t", "label": "t", "unit": "sek"}] * 2}}, "flera gånger")],
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


def test_short_labels_are_unique_short_and_never_cut(cat):
    labels = cat.kpis["label"]
    assert labels.is_unique and (labels.str.len() <= 50).all()
    assert not labels.str.contains("…|\\.\\.\\.").any()
    # the labels that used to read alike now say what differs
    for a, b in (("U23495", "U23496"), ("N23588", "N23589"), ("N21608", "N21609")):
        assert cat.label(a) != cat.label(b)
    assert cat.label("U21463") == "Hänsyn till åsikter och önskemål (hemtjänst)"
    assert cat.label("X99999") == "X99999"


def test_an_index_and_what_it_is_built_from_are_not_tested_against_each_other():
    cat = load_catalog()
    assert cat.same_family("U21455", "U21462") and cat.same_family("U21462", "U21455")
    assert cat.same_family("U20900", "U20008")  # Effektivitetsindex from Resursindex
    assert cat.same_family("N20900", "U20008")  # Resursindex from nettokostnadsavvikelsen
    assert not cat.same_family("U20404", "N20900")  # quality against cost: a real question


def test_gender_split_matches_kolada(cat, kolada_dir):
    """``by_gender``: Kolada's is_divided_by_gender, or Kolada publishes values for K and M."""
    with gzip.open(kolada_dir / "kpi_catalog_v3.csv.gz", "rt", encoding="utf-8") as f:
        kolada = {
            r["id"]: r["is_divided_by_gender"] in ("1", "True", "true") for r in csv.DictReader(f)
        }
    split = set()
    with gzip.open(kolada_dir / "values_elderly_care.csv.gz", "rt", encoding="utf-8") as f:
        for r in csv.DictReader(f):
            if r["gender"] in ("K", "M") and r["value"] not in ("", "NA"):
                split.add(r["kpi"])
    checked = 0
    for row in cat.kpis.itertuples():
        if row.kpi in kolada:
            assert bool(row.by_gender) == (kolada[row.kpi] or row.kpi in split), row.kpi
            checked += 1
    assert checked > 60
    assert cat.gender_split("U21463") and not cat.gender_split("N20900")
    assert cat.gender_split("U21478")  # no flag in Kolada's catalogue, but K and M values


def test_every_view_places_every_key_figure_once(cat):
    figures = set(cat.ids())
    for name in cat.views:
        view = cat.with_view(name)
        placed = [k for h in view.domains() for k in view.ids(domain=h)]
        assert sorted(placed) == sorted(figures), name
    far = cat.with_view("fardplan")
    assert far.domains() == [
        "Ändamålsenlig organisation och styrning",
        "Personal med rätt kompetens och bra arbetsförhållanden",
        "Säkerställa grunduppdraget",
        "En kvalitativ och värdig omsorg med ett gott bemötande",
    ]
    assert far.view_title == "Göteborgs färdplan för äldreomsorgen"
    # the nära vård domain survives a view: the person-centred index still finds its items
    assert set(far.kpis.loc[far.kpis["kpi"] == "U21463", "nara_domain"]) == {"personcentrering"}
    assert cat.with_view(None).domains() == cat.domains()


def test_staffing_key_figures_are_in_kompetens(cat):
    kompetens = cat.ids(domain="kompetens")
    for kpi in ("N20206", "N20209", "U21401", "U23489", "U23493", "U23495"):
        assert kpi in kompetens, kpi


def test_unknown_view_is_a_clear_error(cat):
    with pytest.raises(ParameterError, match=r"vy måste vara ett av.*fardplan"):
        cat.with_view("strategi")
    assert cat.with_view("Färdplan").view == "fardplan"


_ONE = {"id": "N1", "title": "t", "label": "t", "unit": "sek"}
_TWO = {"id": "N2", "title": "u", "label": "u", "unit": "sek"}


@pytest.mark.parametrize(
    ("views", "message"),
    [({"v": {"title": "V", "headings": {"A": ["N1"]}}}, "utan rubrik i vyn: N2"),
     ({"v": {"title": "V", "headings": {"A": ["N1", "N2"], "B": ["N2"]}}}, "både 'A' och 'B'"),
     ({"v": {"title": "V", "headings": {"A": ["N1", "N2", "X9"]}}}, "X9 är inget nyckeltal"),
     ({"v": {"title": "V"}}, "headings")],
)  # fmt: skip
def test_malformed_view_is_rejected(views, message):
    with pytest.raises(CatalogError, match=message):
        parse_catalog({"domains": {"kostnader": [_ONE, _TWO]}, "views": views})


def test_better_is_the_catalogue_direction_and_neither_outside_it(cat):
    for kpi in cat.all_ids:
        assert cat.better(kpi) == str(cat.row(kpi)["better"])
    assert cat.better("N20403") == "lower"  # days waiting to leave hospital
    assert cat.better("U21463") == "higher"
    assert cat.better("L00001") == "neither"  # a municipality's own key figure


def test_break_in_is_the_catalogue_break_of_that_first_year(cat):
    for kpi, year, change in cat.breaks[["kpi", "year", "change"]].itertuples(index=False):
        first = cat.breaks[(cat.breaks["kpi"] == kpi) & (cat.breaks["year"] == year)]
        assert cat.break_in(kpi, year) == change == first["change"].iloc[0]
    assert cat.break_in("N20900", 2019).startswith("Ny beräkningsmetod")
    assert cat.break_in("N20900", 2020) is None  # only the first year of the new definition
    assert cat.break_in("L00001", 2019) is None
