"""Swedish formatting (fou.core.sv): the one module every reader-facing number goes through."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fou.core import sv
from fou.core.errors import ParameterError

NBSP = "\u00a0"
MINUS = "\u2212"


@pytest.mark.parametrize(
    ("x", "decimals", "expected"),
    [
        (0.4213, 2, "0,42"),
        (-0.15, 2, f"{MINUS}0,15"),
        (-0.04, 1, "0,0"),  # no "−0,0"
        (15.25, 1, "15,3"),  # half away from zero, not Python's half to even
        (-15.25, 1, f"{MINUS}15,3"),
        (54.25, 1, "54,3"),
        (2.675, 2, "2,68"),  # as written, though the float is 2.67499…
        (0.5, 0, "1"),
        (2.5, 0, "3"),
        (250000, 0, f"250{NBSP}000"),
        (-1234.5, 1, f"{MINUS}1{NBSP}234,5"),
        (float("nan"), 1, "–"),
        (None, 1, "–"),
        (pd.NA, 1, "–"),
        (np.float64(3.14159), 3, "3,142"),
    ],
)
def test_number(x, decimals, expected):
    assert sv.number(x, decimals) == expected


def test_number_never_uses_a_hyphen_or_a_point():
    for x in np.linspace(-12345.678, 12345.678, 41):
        text = sv.number(x, 2)
        assert "-" not in text and "." not in text


def test_sign_and_grouping_options():
    assert sv.number(0.4, 1, sign=True) == "+0,4"
    assert sv.number(-0.4, 1, sign=True) == f"{MINUS}0,4"
    assert sv.number(0.0, 1, sign=True) == "0,0"
    assert sv.number(12345, 0, grouping=False) == "12345"
    assert sv.signed(1.25) == "+1,3"


def test_bad_decimals_and_text_are_refused():
    with pytest.raises(ParameterError, match="decimals"):
        sv.number(1.0, -1)
    with pytest.raises(ParameterError, match="inte ett tal"):
        sv.number("abc")


def test_years_and_counts_are_not_formatted_as_numbers():
    assert (
        sv.year(2022) == "2022" and sv.year(np.int64(2022)) == "2022" and sv.year(2022.0) == "2022"
    )
    assert sv.year_span(2019, 2022) == "2019–2022" and sv.year_span(2022, 2022) == "2022"
    assert sv.integer(566.0) == "566"
    assert sv.integer(12345) == f"12{NBSP}345"
    assert sv.integer(math.nan) == "–"


@pytest.mark.parametrize(
    ("p", "expected"),
    [(0.0, "<0,001"), (0.000999, "<0,001"), (0.001, "0,001"), (0.0194, "0,019"),
     (0.0195, "0,020"), (0.5, "0,500"), (1.0, "1,000"), (float("nan"), "–")],
)  # fmt: skip
def test_pvalue(p, expected):
    assert sv.pvalue(p) == expected


def test_percent_interval_and_prose():
    assert sv.percent(54.2) == f"54{NBSP}%"
    assert sv.percent(np.nan) == "–"
    assert sv.interval(-0.071, 0.8249) == f"[{MINUS}0,07;{sv.NBSP}0,82]"  # one line
    assert sv.prose(566.0) == "566"
    assert sv.prose(12.34) == "12,3"
    assert sv.prose(-0.25, 2, sign=True) == f"{MINUS}0,25"
    assert sv.prose(300471.04, sign=True) == f"+300{NBSP}471"


def test_quantity_agrees_in_number():
    assert sv.quantity(1, "procentenhet", "procentenheter") == "1 procentenhet"
    assert sv.quantity(-1, "procentenhet", "procentenheter") == f"{MINUS}1 procentenhet"
    assert sv.quantity(2, "procentenhet", "procentenheter") == "2 procentenheter"
    assert sv.quantity(0.96, "procentenhet", "procentenheter", 0) == "1 procentenhet"
    assert sv.quantity(1.2, "kommun", "kommuner", 1) == "1,2 kommuner"


def test_join_and_slug():
    assert sv.join(["Ale", "Lerum", "Tjörn"]) == "Ale, Lerum och Tjörn"
    assert sv.join(["Ale", "", "Tjörn"], last="eller") == "Ale eller Tjörn"
    assert sv.slug("Hur mycket går att använda?") == "Hur-mycket-gar-att-anvanda"


def test_fewest_decimals():
    assert sv.fewest_decimals([0, 0.25, 0.5]) == 2
    assert sv.fewest_decimals([]) == 0
