import math

import pytest

from fou.notebook_support import fmt


@pytest.mark.parametrize(
    ("value", "expected"),
    [(12.345, "12,3"), (12345.67, "12\u202f345,7"), (-2.5, "−2,5"), (0.0, "0,0"),
     (0.0234, "0,023"), (7, "7"), (math.nan, "–"), (None, "–"), (True, "ja")],
)  # fmt: skip
def test_fmt_is_swedish_and_never_turns_small_or_missing_into_zero(value, expected):
    assert fmt(value) == expected
