"""Reading numbers back out of a talmanus, and the values they should match (without fou).

Used by the talmanus and slide tests, which recompute every number the notes quote.
"""

from __future__ import annotations

import re

import pandas as pd

from fou.core.registry import GR_MUNICIPALITIES, RIKET

#: A Swedish-formatted number in running text ("1 234,5", "+0,3", "−2").
NUM = r"([+\-\u2212]?\d[\d \u00a0]*(?:,\d+)?)"


def parse_number(text: str) -> float:
    """``"1 234,5"`` → 1234.5, ``"−0,3"`` → -0.3."""
    return float(
        text.replace(" ", "").replace("\u00a0", "").replace("\u2212", "-").replace(",", ".")
    )


def find_number(pattern: str, notes: str) -> float:
    """The number at ``NUM`` in *pattern* (a regular expression) as it stands in *notes*."""
    m = re.search(pattern.replace("NUM", NUM), notes)
    assert m, f"{pattern!r} not in notes:\n{notes}"
    return parse_number(m.group(1))


def gr_values(values: pd.DataFrame, kpi: str, year: int) -> pd.Series:
    """GR values (gender T) of *kpi* in *year*, indexed by municipality."""
    v = values[(values["kpi"] == kpi) & (values["year"] == year) & (values["gender"] == "T")]
    return v.set_index("municipality_id")["value"].reindex(list(GR_MUNICIPALITIES))


def riket_value(values: pd.DataFrame, kpi: str, year: int) -> float:
    """Riket's value (gender T) of *kpi* in *year*, NaN when it has none."""
    v = values[
        (values["kpi"] == kpi) & (values["year"] == year) & (values["gender"] == "T")
        & (values["municipality_id"] == RIKET)
    ]  # fmt: skip
    return float(v["value"].iloc[0]) if len(v) else float("nan")
