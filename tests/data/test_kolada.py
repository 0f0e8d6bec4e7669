"""Unit tests of the Kolada v3 client (httpx.MockTransport; no network, no real sleeping)."""

from __future__ import annotations

import json
import math
import random
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime

import httpx
import numpy as np
import pandas as pd
import pytest

from fou.core.errors import FetchError, ParameterError
from fou.core.schema import VALUE_COLUMNS, validate_values
from fou.data.kolada import (
    DEFAULT_BASE_URL,
    MAX_IDS_PER_SEGMENT,
    KoladaClient,
    Throttle,
    backoff_delay,
    chunked,
    data_paths,
    parse_data_values,
    parse_groups,
    parse_kpis,
    resolve_base_url,
    retry_after_seconds,
)

BASE = "http://kolada.test/v3"


class FakeClock:
    """A monotonic clock that only moves when someone sleeps."""

    def __init__(self) -> None:
        self.now = 0.0
        self.sleeps: list[float] = []

    def __call__(self) -> float:
        return self.now

    def sleep(self, seconds: float) -> None:
        self.sleeps.append(seconds)
        self.now += seconds


def make_client(
    handler: Callable[[httpx.Request], httpx.Response], **kw
) -> tuple[KoladaClient, FakeClock]:
    clock = FakeClock()
    opts = {"max_rate": 5.0, "seed": 1, "sleep": clock.sleep, "clock": clock, **kw}
    return KoladaClient(BASE, transport=httpx.MockTransport(handler), **opts), clock


def page(values: list, next_url: str | None = None) -> dict:
    return {"count": len(values), "values": values, "next_url": next_url, "previous_url": None}


def data_record(
    kpi: str, mun: str, year: int, value: float | None, *, gender: str = "T", deleted: bool = False
) -> dict:
    return {
        "kpi": kpi,
        "municipality": mun,
        "period": year,
        "values": [
            {"count": 1, "gender": gender, "status": "", "value": value, "isdeleted": deleted}
        ],
    }


def paged_handler(
    records: list[dict], seen: list[httpx.Request]
) -> Callable[[httpx.Request], httpx.Response]:
    """Serve *records* on every path, paged by ?page/&per_page, with absolute next_url."""

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        per_page = int(request.url.params.get("per_page", "5000"))
        number = int(request.url.params.get("page", "1"))
        start = (number - 1) * per_page
        chunk = records[start : start + per_page]
        nxt = None
        if start + per_page < len(records):
            nxt = str(request.url.copy_merge_params({"page": str(number + 1)}))
        return httpx.Response(200, json=page(chunk, nxt))

    return handler


# --------------------------------------------------------------------------- base URL, plans


def test_base_url_argument_then_environment_then_public(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FOU_KOLADA_URL", raising=False)
    assert resolve_base_url(None) == DEFAULT_BASE_URL
    monkeypatch.setenv("FOU_KOLADA_URL", "http://127.0.0.1:9/v3/")
    assert resolve_base_url(None) == "http://127.0.0.1:9/v3"
    assert resolve_base_url("http://other.test/v3") == "http://other.test/v3"
    with pytest.raises(ParameterError, match="http://"):
        resolve_base_url("ftp://x")


def test_chunked_never_exceeds_25_and_drops_repeats() -> None:
    ids = [f"N{i:05d}" for i in range(60)] + ["N00001"]
    chunks = chunked(ids)
    assert [len(c) for c in chunks] == [25, 25, 10]
    assert [i for c in chunks for i in c] == list(dict.fromkeys(ids))


def test_data_paths_need_two_dimensions() -> None:
    with pytest.raises(ParameterError, match="två av"):
        data_paths(["N20900"], None, None)
    with pytest.raises(ParameterError, match="nyckeltal"):
        data_paths([], None, [2020])
    assert data_paths(["N20900"], ["1480"], None) == ["data/kpi/N20900/municipality/1480"]


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ParameterError, match="max_rate"):
        Throttle(0)
    with pytest.raises(ParameterError, match="retries"):
        KoladaClient(BASE, retries=-1)
    with pytest.raises(ParameterError, match="per_page"):
        KoladaClient(BASE, per_page=5001)


# --------------------------------------------------------------------------- paging and chunking


def test_follows_next_url_over_all_pages() -> None:
    records = [data_record("N20900", f"{1400 + i:04d}", 2020, float(i)) for i in range(7)]
    seen: list[httpx.Request] = []
    client, _ = make_client(paged_handler(records, seen), per_page=3)
    answer = client.data(["N20900"], None, [2020])
    assert client.n_requests == 3 == len(answer.pages)
    assert [r.url.params.get("page") for r in seen] == [None, "2", "3"]
    assert answer.values["value"].tolist() == [float(i) for i in range(7)]
    assert answer.pages[-1].next_url is None and answer.pages[0].next_url is not None


def test_first_request_asks_for_5000_per_page_and_path_shape() -> None:
    seen: list[httpx.Request] = []
    client, _ = make_client(paged_handler([], seen))
    client.data(["N20900", "N20029"], None, [2021, 2022])
    (req,) = seen
    assert req.url.path == "/v3/data/kpi/N20900,N20029/year/2021,2022"
    assert req.url.params["per_page"] == "5000"


def test_no_path_segment_has_more_than_25_ids() -> None:
    seen: list[httpx.Request] = []
    client, _ = make_client(paged_handler([], seen))
    kpis = [f"N{i:05d}" for i in range(60)]
    muns = [f"{1400 + i:04d}" for i in range(30)]
    years = list(range(1990, 2020))  # 30 years: two chunks too
    client.data(kpis, muns, years)
    assert len(seen) == 3 * 2 * 2
    asked = {"kpi": set(), "municipality": set(), "year": set()}
    for req in seen:
        parts = req.url.path.split("/")[3:]
        for key, segment in zip(parts[::2], parts[1::2], strict=True):
            ids = segment.split(",")
            assert len(ids) <= MAX_IDS_PER_SEGMENT
            asked[key].update(ids)
    assert asked["kpi"] == set(kpis)
    assert asked["municipality"] == set(muns)
    assert asked["year"] == {str(y) for y in years}


def test_kpi_metadata_is_chunked_and_parsed() -> None:
    seen: list[httpx.Request] = []

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        ids = request.url.path.split("/")[-1].split(",")
        return httpx.Response(200, json=page([{"id": i, "title": f"Titel {i}"} for i in ids]))

    client, _ = make_client(handler)
    ids = [f"U{i:05d}" for i in range(30)]
    answer = client.kpis(ids)
    assert len(seen) == 2
    table = parse_kpis(answer.records)
    assert table["kpi"].tolist() == ids
    assert table.loc[0, "title"] == "Titel U00000"


# --------------------------------------------------------------------------- throttle


def test_throttle_spaces_requests_with_a_fake_clock() -> None:
    starts: list[float] = []
    clock_box: list[FakeClock] = []

    def handler(request: httpx.Request) -> httpx.Response:
        starts.append(clock_box[0].now)
        return httpx.Response(200, json=page([]))

    client, clock = make_client(handler, max_rate=4.0)
    clock_box.append(clock)
    for _ in range(5):
        client.municipalities()
    gaps = np.diff(starts)
    assert client.n_requests == 5
    assert np.allclose(gaps, 0.25)
    assert clock.now == pytest.approx(1.0)


def test_throttle_does_not_wait_when_requests_are_slow_anyway() -> None:
    clock = FakeClock()
    th = Throttle(5.0, clock=clock, sleep=clock.sleep)
    th.wait()
    clock.now += 10.0  # a slow answer
    assert th.wait() == 0.0
    assert clock.sleeps == []


def test_unlimited_rate_never_sleeps() -> None:
    clock = FakeClock()
    th = Throttle(math.inf, clock=clock, sleep=clock.sleep)
    for _ in range(3):
        th.wait()
    assert clock.sleeps == []


# --------------------------------------------------------------------------- retries


def scripted(responses: list, ok: dict | None = None) -> tuple[Callable, list[httpx.Request]]:
    """Answer with the scripted responses in turn (exceptions are raised), then 200."""
    seen: list[httpx.Request] = []
    script = list(responses)

    def handler(request: httpx.Request) -> httpx.Response:
        seen.append(request)
        if script:
            item = script.pop(0)
            if isinstance(item, Exception):
                raise item
            return item
        return httpx.Response(200, json=ok or page([]))

    return handler, seen


def test_429_waits_for_retry_after() -> None:
    handler, seen = scripted(
        [httpx.Response(429, headers={"Retry-After": "3"}, json={"error": "slow down"})]
    )
    client, clock = make_client(handler, max_rate=math.inf)
    client.municipalities()
    assert len(seen) == 2 and client.n_requests == 2 and client.n_retries == 1
    assert clock.sleeps == [3.0]
    log = client.request_log
    assert [r.status for r in log] == [429, 200]
    assert log[0].waited == 3.0


def test_retry_after_as_http_date_and_too_long_waits() -> None:
    now = datetime(2026, 11, 23, 12, 0, 0, tzinfo=UTC)
    header = format_datetime(now + timedelta(seconds=7), usegmt=True)
    assert retry_after_seconds(header, now=now) == pytest.approx(7.0)
    assert retry_after_seconds("nonsense") is None
    handler, _ = scripted([httpx.Response(429, headers={"Retry-After": "3600"})])
    client, clock = make_client(handler, max_rate=math.inf)
    with pytest.raises(FetchError, match="Retry-After"):
        client.municipalities()
    assert clock.sleeps == []


def test_5xx_is_retried_with_growing_jittered_backoff() -> None:
    handler, seen = scripted([httpx.Response(500), httpx.Response(502), httpx.Response(503)])
    client, clock = make_client(handler, max_rate=math.inf, backoff=1.0)
    client.municipalities()
    assert len(seen) == 4 and client.n_retries == 3
    # attempt k waits between half and all of 1 * 2**k seconds
    for k, s in enumerate(clock.sleeps):
        assert 2**k / 2 <= s <= 2**k
    # seeded jitter is reproducible
    handler2, _ = scripted([httpx.Response(500), httpx.Response(502), httpx.Response(503)])
    client2, clock2 = make_client(handler2, max_rate=math.inf, backoff=1.0)
    client2.municipalities()
    assert clock2.sleeps == clock.sleeps


def test_backoff_is_capped() -> None:
    rng = random.Random(0)
    assert all(backoff_delay(20, base=0.5, cap=30.0, rng=rng) <= 30.0 for _ in range(50))


def test_timeouts_and_connection_errors_are_retried() -> None:
    handler, seen = scripted([httpx.ReadTimeout("slow"), httpx.ConnectError("refused")])
    client, clock = make_client(handler, max_rate=math.inf)
    client.municipalities()
    assert len(seen) == 3 and len(clock.sleeps) == 2
    assert client.request_log[0].error.startswith("tidsgränsen")


def test_gives_up_after_retries_with_fetch_error() -> None:
    handler, seen = scripted([httpx.ReadTimeout("slow")] * 10)
    client, clock = make_client(handler, max_rate=math.inf, retries=3)
    with pytest.raises(FetchError, match=r"4 försök.*tidsgränsen"):
        client.municipalities()
    assert len(seen) == 4 == client.n_requests
    assert len(clock.sleeps) == 3  # no pointless sleep after the last attempt


def test_gives_up_on_persistent_500() -> None:
    handler, seen = scripted([httpx.Response(500)] * 10)
    client, _ = make_client(handler, max_rate=math.inf, retries=2)
    with pytest.raises(FetchError, match="HTTP 500"):
        client.municipalities()
    assert len(seen) == 3


def test_client_errors_are_not_retried() -> None:
    handler, seen = scripted([httpx.Response(400, json={"error": "at most 25 ids"})])
    client, clock = make_client(handler, max_rate=math.inf)
    with pytest.raises(FetchError, match=r"HTTP 400.*at most 25 ids"):
        client.municipalities()
    assert len(seen) == 1 and clock.sleeps == []


def test_invalid_json_is_a_fetch_error() -> None:
    handler, _ = scripted([httpx.Response(200, text="<html>oops</html>")])
    client, _ = make_client(handler)
    with pytest.raises(FetchError, match="ogiltig JSON"):
        client.municipalities()


def test_timeout_is_explicit() -> None:
    client, _ = make_client(lambda r: httpx.Response(200, json=page([])), timeout=12.5)
    assert client._http.timeout.read == 12.5 and client._http.timeout.connect == 12.5


# --------------------------------------------------------------------------- parsing


def test_null_is_nan_never_zero_and_ids_stay_strings() -> None:
    records = [
        data_record("N20900", "0114", 2020, None),
        data_record("N20900", "0114", 2021, 0.0),
        data_record("N20900", "1480", 2021, 5.5),
    ]
    df, n_deleted = parse_data_values(records)
    assert list(df.columns) == list(VALUE_COLUMNS)
    validate_values(df)
    assert n_deleted == 0
    assert df["municipality_id"].tolist() == ["0114", "0114", "1480"]
    assert np.isnan(df.loc[0, "value"])
    assert df.loc[1, "value"] == 0.0  # a real zero stays zero
    assert (df["source"] == "kolada").all()
    assert df["year"].dtype == "int64"


def test_deleted_values_are_dropped_and_counted() -> None:
    rec = {
        "kpi": "N20900",
        "municipality": "1480",
        "period": 2020,
        "values": [
            {"count": 1, "gender": "T", "status": "", "value": 1.0, "isdeleted": False},
            {"count": 1, "gender": "K", "status": "", "value": 2.0, "isdeleted": True},
            {"count": None, "gender": "M", "status": None, "value": None, "isdeleted": False},
        ],
    }
    df, n_deleted = parse_data_values([rec])
    assert n_deleted == 1
    assert df["gender"].tolist() == ["T", "M"]
    assert df["count"].isna().tolist() == [False, True]
    assert df["status"].tolist() == ["", ""]


def test_data_answer_through_the_client_keeps_raw_text() -> None:
    body = page(
        [
            data_record("N20900", "0114", 2020, None),
            data_record("N20900", "0114", 2019, 1.0, deleted=True),
        ]
    )
    text = json.dumps(body, ensure_ascii=False)
    client, _ = make_client(lambda r: httpx.Response(200, text=text))
    answer = client.data(["N20900"], ["0114"], [2019, 2020])
    assert answer.pages[0].text == text  # exactly as received
    assert answer.n_deleted == 1 and len(answer.values) == 1
    assert answer.values.loc[0, "municipality_id"] == "0114"


def test_malformed_record_is_a_fetch_error() -> None:
    with pytest.raises(FetchError, match="post 1"):
        parse_data_values([{"kpi": "N20900", "municipality": "1480"}])


def test_groups_are_a_membership_table() -> None:
    groups = parse_groups(
        [
            {
                "id": "G96190",
                "title": "Go\u0308teborgsregionen (ovägt medel)",
                "members": [{"id": "1480"}, {"id": "1384"}],
            },
            {"id": "G1", "title": "Tom", "members": []},
        ]
    )
    assert groups["group_id"].tolist() == ["G96190", "G96190"]
    assert groups.loc[0, "title"] == "Göteborgsregionen (ovägt medel)"  # NFD → NFC
    assert groups["municipality_id"].tolist() == ["1480", "1384"]
    assert isinstance(groups, pd.DataFrame)
