"""A small, readable data set for the report modules' tests (fixtures in reports/conftest.py).

Thirty municipalities (the 13 of GR and 17 others) and Riket, 2018–2022, for
a handful of key figures. Values follow simple rules so a test can recompute
what a report shows:

* survey items (U21463, U21466, U21504, U21455, U21462 for hemtjänst):
  ``70 + i + (year - 2018)`` for the i-th municipality, none in 2021 (the
  survey was not run); Stenungsund (1415) is suppressed (missing) in 2022;
* respondents (U23592): ``100 + 10 i``;
* N20403 (days as utskrivningsklar): ``2 + i / 10``, with Ale missing in 2022;
* N20900 (nettokostnadsavvikelse): ``i - 15``;
* Riket (0000) has the mean of the municipalities.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from fou.core.registry import GR_MUNICIPALITIES, RIKET, municipality_ids

YEARS = (2018, 2019, 2020, 2021, 2022)
OTHERS = tuple(m for m in municipality_ids() if m not in GR_MUNICIPALITIES)[:17]
MUNICIPALITIES = (*GR_MUNICIPALITIES, *OTHERS)
SURVEY = ("U21463", "U21466", "U21504", "U21455", "U21462")


def value_of(kpi: str, i: int, year: int) -> float:
    """The fixture's rule for the i-th municipality's value."""
    if kpi in SURVEY:
        return np.nan if year == 2021 else 70.0 + i + (year - 2018)
    if kpi == "U23592":
        return np.nan if year == 2021 else 100.0 + 10 * i
    if kpi == "N20403":
        return 2.0 + i / 10
    if kpi == "N20900":
        return float(i - 15)
    raise KeyError(kpi)


def small_values() -> pd.DataFrame:
    rows = []
    for kpi in (*SURVEY, "U23592", "N20403", "N20900"):
        for year in YEARS:
            vals = []
            for i, mid in enumerate(MUNICIPALITIES):
                v = value_of(kpi, i, year)
                if (mid == "1415" and kpi in SURVEY and year == 2022) or (
                    mid == "1440" and kpi == "N20403" and year == 2022
                ):
                    v = np.nan
                vals.append(v)
                rows.append((kpi, mid, year, v))
            riket = np.nanmean(vals) if np.isfinite(vals).any() else np.nan
            rows.append((kpi, RIKET, year, riket))
    df = pd.DataFrame(rows, columns=["kpi", "municipality_id", "year", "value"])
    return df.assign(gender="T", count=pd.NA, status=pd.NA, source="demo")[
        ["kpi", "municipality_id", "year", "gender", "value", "count", "status", "source"]
    ]
