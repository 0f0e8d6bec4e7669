"""Follow-up profiles (fou.core.profiles): the shipped ones, and the messages for bad files."""

from __future__ import annotations

from pathlib import Path

import pytest

from fou.core.errors import ParameterError
from fou.core.profiles import list_profiles, load_profile, parse_profile, profile_kpi_ids

REPO = Path(__file__).resolve().parents[2]
PARAMETERS = REPO / "parameters"


def test_shipped_profiles_follow_tjorn():
    assert list_profiles(PARAMETERS) == ["tjorn_aldreomsorg", "tjorn_funktionshinder"]
    elderly = load_profile("tjorn_aldreomsorg", PARAMETERS)
    assert elderly.municipality_id == "1419" and elderly.comparison == "tjorn_aldreomsorg"
    assert elderly.ids == ["N20900", "N20029", "N20007", "N21006", "N23009"]
    disability = load_profile("tjorn_funktionshinder", PARAMETERS)
    assert "N28008" in disability.ids and disability.years == 10


def test_fetch_asks_for_every_profiles_key_figures():
    from fou.data.fetch import default_kpis

    ids = profile_kpi_ids(PARAMETERS)
    assert "N28018" in ids and "N20900" in ids
    assert set(ids) <= set(default_kpis())


def _write(tmp_path: Path, text: str, name: str = "egen.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.mark.parametrize(
    ("text", "needles"),
    [
        ("municipality: Ale\nkpis: [N20900]\nfoo: 1\n", ["rad 3", "okänd nyckel 'foo'"]),
        ("kpis: [N20900]\n", ["'municipality' saknas"]),
        ("municipality: Narnia\nkpis: [N20900]\n", ["rad 1", "Narnia"]),
        ("municipality: Ale\nkpis: []\n", ["rad 2", "kpis ska vara en lista"]),
        ("municipality: Ale\nkpis: [N209]\n", ["nyckeltal 1", "inget Kolada-id"]),
        ("municipality: Ale\nkpis: [N20900, n20900]\n", ["nyckeltal 2", "två gånger"]),
        ("municipality: Ale\nkpis: [{id: N20900, better: bättre}]\n", ["better ska vara"]),
        ("municipality: Ale\nyears: 40\nkpis: [N20900]\n", ["rad 2", "2–20"]),
    ],
)
def test_bad_profiles_name_file_line_and_what_is_accepted(tmp_path, text, needles):
    with pytest.raises(ParameterError) as exc:
        parse_profile(_write(tmp_path, text))
    msg = str(exc.value)
    assert "egen.yaml" in msg
    for needle in needles:
        assert needle in msg, msg


def test_unknown_profile_lists_those_there_are():
    with pytest.raises(ParameterError, match="finns: tjorn_aldreomsorg, tjorn_funktionshinder"):
        load_profile("alingsas", PARAMETERS)
