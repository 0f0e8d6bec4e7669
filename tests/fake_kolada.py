"""A fake Kolada v3 (httpx.MockTransport) for fetch tests: paging, the 25-ids limit, faults."""

from __future__ import annotations

import hashlib
import math
from collections.abc import Callable

import httpx

from fou.core.registry import GR_MUNICIPALITIES
from fou.data.kolada import KoladaClient

BASE = "http://kolada.test/v3"
KPIS = ["N20900", "U21463", "N01813"]
MUNICIPALITIES = [*GR_MUNICIPALITIES, "0000", "0114"]


def fake_value(kpi: str, mun: str, year: int) -> float | None:
    """Deterministic values; every seventh is suppressed (null)."""
    h = int(hashlib.sha256(f"{kpi}{mun}{year}".encode()).hexdigest()[:8], 16)
    return None if h % 7 == 0 else round((h % 10_000) / 100, 2)


class FakeKolada:
    """Just enough of Kolada v3: kpi, municipality_groups and data, paged, ≤ 25 ids per segment.

    Parameters
    ----------
    fault
        Called with (request number, request); may return a Response or raise.
    per_page_cap
        Largest page served (forces paging).
    """

    def __init__(
        self,
        *,
        fault: Callable[[int, httpx.Request], httpx.Response | None] | None = None,
        per_page_cap: int = 40,
        municipality_value: Callable[[str], object] = str,
    ) -> None:
        self.fault = fault
        self.per_page_cap = per_page_cap
        self.municipality_value = municipality_value
        self.requests: list[httpx.Request] = []

    def handler(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if (
            self.fault is not None
            and (answer := self.fault(len(self.requests), request)) is not None
        ):
            return answer
        parts = request.url.path.split("/")[2:]
        for segment in parts[1:]:
            if len(segment.split(",")) > 25:
                return httpx.Response(400, json={"error": "at most 25 ids per path segment"})
        head = parts[0]
        if head == "kpi":
            ids = parts[1].split(",") if len(parts) > 1 else KPIS
            items = [
                {"id": k, "title": f"Titel {k}", "description": "", "operating_area": "Äldreomsorg"}
                for k in ids
                if k in KPIS
            ]
        elif head == "municipality_groups":
            items = [
                {
                    "id": "G96190",
                    "title": "Göteborgsregionen (ovägt medel)",
                    "members": [{"id": m, "title": m} for m in GR_MUNICIPALITIES],
                },
                {
                    "id": "G176542",
                    "title": "Liknande kommuner äldreomsorg, Göteborg, 2024",
                    "members": [{"id": "1480"}, {"id": "0180"}],
                },
            ]
        elif head == "data":
            dims = dict(zip(parts[1::2], (s.split(",") for s in parts[2::2]), strict=True))
            muns = dims.get("municipality", MUNICIPALITIES)
            years = [int(y) for y in dims.get("year", range(2010, 2023))]
            items = [
                {
                    "kpi": k,
                    "municipality": self.municipality_value(m),
                    "period": y,
                    "values": [{"count": 1, "gender": "T", "status": "",
                                "value": fake_value(k, m, y), "isdeleted": False}],
                }
                for k in dims["kpi"] if k in KPIS
                for m in muns if m in MUNICIPALITIES
                for y in years if 2010 <= y <= 2022
            ]  # fmt: skip
        else:
            return httpx.Response(404, json={"error": "unknown endpoint"})
        per_page = min(int(request.url.params.get("per_page", "5000")), self.per_page_cap)
        number = int(request.url.params.get("page", "1"))
        start = (number - 1) * per_page
        nxt = None
        if start + per_page < len(items):
            nxt = str(
                request.url.copy_merge_params({"page": str(number + 1), "per_page": str(per_page)})
            )
        chunk = items[start : start + per_page]
        return httpx.Response(
            200, json={"count": len(chunk), "values": chunk, "next_url": nxt, "previous_url": None}
        )

    def client(self, **kw: object) -> KoladaClient:
        opts = {"max_rate": math.inf, "sleep": lambda s: None, "seed": 0, **kw}
        return KoladaClient(BASE, transport=httpx.MockTransport(self.handler), **opts)  # type: ignore[arg-type]


def fetch_client(fake: FakeKolada) -> KoladaClient:
    """A client of *fake* (no waiting, no network)."""
    return fake.client()
