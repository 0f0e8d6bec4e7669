"""A careful client for the Kolada REST API, version 3.

:class:`KoladaClient` asks Kolada for key-figure metadata, municipality groups
and values, and is polite and robust about it:

* it follows ``next_url`` paging (``per_page=5000``);
* it never puts more than 25 ids in one path segment (Kolada's limit): key
  figures, municipalities and years are split into chunks;
* it throttles itself to at most ``max_rate`` requests per second (default 5);
* it retries ``429 Too Many Requests`` after the ``Retry-After`` the server
  asks for, and ``5xx`` answers, connection errors and timeouts with
  exponential backoff and jitter (seedable, and with an injectable ``sleep``
  and clock so tests never wait);
* every request has an explicit timeout, and every request is counted and
  logged.

Every method returns the raw answers (:class:`RawPage`, the body text exactly
as received) together with the parsed records, so that the caller can store
the raw answers (see :mod:`fou.data.snapshots`) and rebuild the parsed table from
them later with the same pure parsing functions (:func:`parse_data_values`,
:func:`parse_kpis`, :func:`parse_groups`).

The data endpoint answers ``{"count", "values": [{"kpi", "municipality",
"period", "values": [{"count", "gender", "status", "value", "isdeleted"}]}],
"next_url", "previous_url"}``; :func:`parse_data_values` turns that into the
tidy values table of :mod:`fou.core.schema` (``value`` null → NaN, never 0;
``municipality_id`` stays a string; deleted values are dropped and counted).
"""

from __future__ import annotations

import email.utils
import json
import math
import os
import random
import time
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urljoin

import httpx
import numpy as np
import pandas as pd

from fou.core.errors import FetchError, ParameterError
from fou.core.schema import coerce_values
from fou.core.version import package_version

#: The public Kolada v3 API. The only place it is written down.
DEFAULT_BASE_URL = "https://api.kolada.se/v3"
#: Environment variable that overrides :data:`DEFAULT_BASE_URL` (e.g. an emulator).
BASE_URL_ENV = "FOU_KOLADA_URL"
#: Kolada refuses more ids than this in one path segment.
MAX_IDS_PER_SEGMENT = 25
#: Largest page Kolada hands out.
MAX_PER_PAGE = 5000
#: Default politeness: at most this many requests per second.
DEFAULT_MAX_RATE = 5.0
#: Page kinds, as recorded in raw snapshots.
KINDS: tuple[str, ...] = ("kpi", "municipality", "municipality_groups", "data")

GROUP_TABLE_COLUMNS: tuple[str, ...] = ("group_id", "title", "municipality_id")
KPI_TABLE_COLUMNS: tuple[str, ...] = ("kpi", "title", "description", "operating_area")


def resolve_base_url(base_url: str | None = None) -> str:
    """Return the API base URL: *base_url*, else ``$FOU_KOLADA_URL``, else the public API.

    Parameters
    ----------
    base_url
        Explicit base URL, e.g. ``http://127.0.0.1:8765/v3``.

    Returns
    -------
    str
        The URL without a trailing slash.

    Raises
    ------
    ParameterError
        If the URL is not an ``http(s)://`` URL.

    Examples
    --------
    >>> resolve_base_url("http://127.0.0.1:8765/v3/")
    'http://127.0.0.1:8765/v3'
    """
    url = base_url or os.environ.get(BASE_URL_ENV) or DEFAULT_BASE_URL
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        raise ParameterError(
            f"Kolada-adressen måste börja med http:// eller https://, men {url!r} angavs "
            f"(argumentet base_url, --base-url eller miljövariabeln {BASE_URL_ENV})."
        )
    return url


def chunked(ids: Iterable[str], size: int = MAX_IDS_PER_SEGMENT) -> list[list[str]]:
    """Split ids into chunks of at most *size*, dropping duplicates but keeping order.

    Examples
    --------
    >>> [len(c) for c in chunked([f"N{i:05d}" for i in range(60)])]
    [25, 25, 10]
    """
    unique = list(dict.fromkeys(str(i) for i in ids))
    return [unique[i : i + size] for i in range(0, len(unique), size)]


# --------------------------------------------------------------------------- raw answers


@dataclass(frozen=True)
class RawPage:
    """One answer from Kolada, exactly as received.

    Attributes
    ----------
    kind
        What was asked for: one of :data:`KINDS`.
    url
        The requested URL (with query string).
    status
        HTTP status (200 for every page a method returns).
    fetched_at
        ISO 8601 UTC time the answer arrived.
    text
        The body text, unchanged.
    next_url
        The page's ``next_url`` (None on the last page); derived from *text*.
    """

    kind: str
    url: str
    status: int
    fetched_at: str
    text: str
    next_url: str | None = None

    def body(self) -> dict[str, Any]:
        """Parse the body as JSON."""
        return json.loads(self.text)

    def to_record(self) -> dict[str, Any]:
        """Return the record stored in a raw snapshot (one JSON line)."""
        return {
            "kind": self.kind,
            "url": self.url,
            "status": self.status,
            "fetched_at": self.fetched_at,
            "body": self.text,
        }


@dataclass(frozen=True)
class Answer:
    """Raw pages plus the records they hold (``values`` of every page, in order)."""

    pages: tuple[RawPage, ...]
    records: list[dict[str, Any]]


@dataclass(frozen=True)
class DataAnswer:
    """Raw data pages plus the tidy values table parsed from them.

    Attributes
    ----------
    pages
        The raw answers.
    values
        Tidy values table (:mod:`fou.core.schema` columns, not yet validated).
    n_deleted
        Values Kolada marked ``isdeleted`` (dropped from *values*).
    """

    pages: tuple[RawPage, ...]
    values: pd.DataFrame
    n_deleted: int


@dataclass(frozen=True)
class RequestLog:
    """One HTTP attempt: what was asked, what came back, how long the client then waited."""

    url: str
    attempt: int
    status: int | None
    error: str | None
    started_at: str
    waited: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        """Return a JSON-serialisable dict."""
        return {
            "url": self.url,
            "attempt": self.attempt,
            "status": self.status,
            "error": self.error,
            "started_at": self.started_at,
            "waited": round(self.waited, 3),
        }


# --------------------------------------------------------------------------- parsing (pure)


def _body_values(body: Any, where: str) -> list[dict[str, Any]]:
    if not isinstance(body, dict) or not isinstance(body.get("values"), list):
        raise FetchError(
            f"Oväntat svar från Kolada ({where}): förväntade ett JSON-objekt med listan "
            f"'values', men fick {type(body).__name__}."
        )
    return body["values"]


def parse_data_values(
    items: Iterable[dict[str, Any]], *, source: str = "kolada"
) -> tuple[pd.DataFrame, int]:
    """Turn the records of the data endpoint into the tidy values table.

    Parameters
    ----------
    items
        Records ``{"kpi", "municipality", "period", "values": [{"count",
        "gender", "status", "value", "isdeleted"}]}`` (the ``values`` lists of
        data pages, concatenated).
    source
        Value of the ``source`` column.

    Returns
    -------
    values : pandas.DataFrame
        Columns of :data:`fou.core.schema.VALUE_COLUMNS`; a null value is NaN (never
        0), ``municipality_id`` is the string Kolada sent (``"0114"``).
    n_deleted : int
        Number of values marked ``isdeleted`` (dropped).

    Raises
    ------
    FetchError
        If a record lacks a field.

    Examples
    --------
    >>> rec = {"kpi": "N20900", "municipality": "0114", "period": 2020,
    ...        "values": [{"count": 1, "gender": "T", "status": "", "value": None,
    ...                    "isdeleted": False}]}
    >>> df, n_deleted = parse_data_values([rec])
    >>> df.loc[0, "municipality_id"], bool(np.isnan(df.loc[0, "value"])), n_deleted
    ('0114', True, 0)
    """
    cols: dict[str, list[Any]] = {
        k: [] for k in ("kpi", "municipality_id", "year", "gender", "value", "count", "status")
    }
    n_deleted = 0
    for k, rec in enumerate(items):
        try:
            kpi, mun, period, vals = rec["kpi"], rec["municipality"], rec["period"], rec["values"]
            for v in vals:
                if v.get("isdeleted"):
                    n_deleted += 1
                    continue
                value = v.get("value")
                count = v.get("count")
                status = v.get("status")
                cols["kpi"].append(kpi)
                cols["municipality_id"].append(mun if isinstance(mun, str) else str(mun))
                cols["year"].append(int(period))
                cols["gender"].append(v["gender"])
                cols["value"].append(np.nan if value is None else float(value))
                cols["count"].append(pd.NA if count is None else int(count))
                cols["status"].append("" if status is None else str(status))
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise FetchError(
                f"Oväntat värdesvar från Kolada (post {k + 1}: {str(rec)[:200]}): {exc!r}. "
                "Förväntat: kpi, municipality, period och "
                "values[gender, value, count, status, isdeleted]."
            ) from None
    df = pd.DataFrame(cols)
    df["source"] = source
    # Overlapping pages may repeat a record; identical repeats are harmless.
    return coerce_values(df).drop_duplicates(ignore_index=True), n_deleted


def _nfc(text: Any) -> str:
    return unicodedata.normalize("NFC", "" if text is None else str(text))


def parse_groups(items: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Turn municipality-group records into a membership table.

    Parameters
    ----------
    items
        Records ``{"id", "title", "members": [{"id", "title"}]}``.

    Returns
    -------
    pandas.DataFrame
        One row per group and member: ``group_id, title, municipality_id``
        (all strings; titles normalised to Unicode NFC).

    Examples
    --------
    >>> parse_groups([{"id": "G1", "title": "A", "members": [{"id": "0114"}, {"id": "1480"}]}])
      group_id title municipality_id
    0       G1     A            0114
    1       G1     A            1480
    """
    rows: list[tuple[str, str, str]] = []
    for rec in items:
        try:
            gid, title = str(rec["id"]), _nfc(rec.get("title"))
            rows.extend((gid, title, str(m["id"])) for m in rec.get("members") or [])
        except (KeyError, TypeError) as exc:
            raise FetchError(
                f"Oväntat gruppsvar från Kolada ({str(rec)[:200]}): {exc!r}. "
                "Förväntat: id, title och members[id]."
            ) from None
    return pd.DataFrame(rows, columns=list(GROUP_TABLE_COLUMNS)).astype(str)


def parse_kpis(items: Iterable[dict[str, Any]]) -> pd.DataFrame:
    """Turn key-figure metadata records into a table.

    Parameters
    ----------
    items
        Records of ``/v3/kpi`` (``id, title, description, operating_area, …``).

    Returns
    -------
    pandas.DataFrame
        ``kpi, title, description, operating_area`` (strings, NFC), one row per id.
    """
    rows = []
    for rec in items:
        if not isinstance(rec, dict) or "id" not in rec:
            raise FetchError(
                f"Oväntat nyckeltalssvar från Kolada ({str(rec)[:200]}): fältet 'id' saknas."
            )
        rows.append(
            (
                str(rec["id"]),
                _nfc(rec.get("title")),
                _nfc(rec.get("description")),
                _nfc(rec.get("operating_area")),
            )
        )
    df = pd.DataFrame(rows, columns=list(KPI_TABLE_COLUMNS)).astype(str)
    return df.drop_duplicates("kpi", ignore_index=True)


def records_of(pages: Iterable[RawPage]) -> Iterator[dict[str, Any]]:
    """Yield the records (``values``) of raw pages, in order."""
    for page in pages:
        yield from _body_values(page.body(), page.url)


# --------------------------------------------------------------------------- throttle, retry


class Throttle:
    """Space requests at least ``1 / max_rate`` seconds apart.

    Parameters
    ----------
    max_rate
        Requests per second (``math.inf``: no limit).
    clock, sleep
        Monotonic clock and sleep function (injectable for tests).

    Examples
    --------
    >>> t = [0.0]
    >>> th = Throttle(2.0, clock=lambda: t[0], sleep=lambda s: t.__setitem__(0, t[0] + s))
    >>> waits = [th.wait() for _ in range(3)]
    >>> t[0]
    1.0
    """

    def __init__(
        self,
        max_rate: float,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        if not isinstance(max_rate, (int, float)) or not max_rate > 0:
            raise ParameterError(
                f"max_rate (anrop per sekund) måste vara ett positivt tal, men {max_rate!r} angavs."
            )
        self.interval = 0.0 if math.isinf(max_rate) else 1.0 / float(max_rate)
        self._clock, self._sleep = clock, sleep
        self._next: float | None = None

    def wait(self) -> float:
        """Sleep until the next request may start; return the seconds slept."""
        now = self._clock()
        slept = 0.0
        if self._next is not None and now < self._next:
            slept = self._next - now
            self._sleep(slept)
            now = max(self._clock(), self._next)
        self._next = now + self.interval
        return slept


def retry_after_seconds(header: str | None, *, now: datetime | None = None) -> float | None:
    """Parse a ``Retry-After`` header (seconds or an HTTP date) into seconds.

    Examples
    --------
    >>> retry_after_seconds("3")
    3.0
    >>> retry_after_seconds(None) is None
    True
    """
    if header is None or not header.strip():
        return None
    text = header.strip()
    try:
        return max(0.0, float(text))
    except ValueError:
        pass
    try:
        when = email.utils.parsedate_to_datetime(text)
    except (TypeError, ValueError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


def backoff_delay(attempt: int, *, base: float, cap: float, rng: random.Random) -> float:
    """Exponential backoff with "equal jitter": between half and all of ``base * 2**attempt``.

    Parameters
    ----------
    attempt
        0 for the first retry.
    base, cap
        First delay and largest delay, in seconds.
    rng
        Random source (seed it for reproducible delays).

    Examples
    --------
    >>> d = backoff_delay(3, base=0.5, cap=30, rng=random.Random(1))
    >>> 2.0 <= d <= 4.0
    True
    """
    full = min(cap, base * 2.0**attempt)
    return full / 2.0 + rng.uniform(0.0, full / 2.0)


def _user_agent() -> str:
    return f"fou/{package_version()} (Goteborgsregionen FoU; python-httpx)"


def _now_iso() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds")


def _describe_error(exc: Exception) -> str:
    if isinstance(exc, httpx.TimeoutException):
        return f"tidsgränsen överskreds ({type(exc).__name__})"
    if isinstance(exc, httpx.ConnectError):
        return f"kunde inte ansluta ({exc})"
    return f"nätverksfel ({type(exc).__name__}: {exc})"


ProgressCallback = Callable[[RawPage], None]


# --------------------------------------------------------------------------- client


@dataclass
class _Counters:
    requests: int = 0
    retries: int = 0
    log: list[RequestLog] = field(default_factory=list)


class KoladaClient:
    """Client for the Kolada v3 API with paging, chunking, throttling and retries.

    Parameters
    ----------
    base_url
        API base URL, e.g. ``http://127.0.0.1:8765/v3``; default
        ``$FOU_KOLADA_URL`` or the public API (:func:`resolve_base_url`).
    max_rate
        At most this many requests per second (default 5; ``math.inf`` for no limit).
    timeout
        Seconds to wait for connecting and for each read.
    retries
        How many times a request is retried after ``429``, ``5xx``, a
        connection error or a timeout before :class:`~fou.core.errors.FetchError`.
    transport
        An ``httpx`` transport (``httpx.MockTransport`` in tests).
    progress
        Called with every :class:`RawPage` as it arrives.
    backoff, max_backoff
        First and largest backoff delay in seconds.
    max_retry_after
        Longest ``Retry-After`` the client accepts to wait; a longer one fails
        the fetch instead of hanging.
    seed
        Seed of the jitter (None: not reproducible).
    sleep, clock
        Sleep function and monotonic clock (injectable so tests never wait).
    per_page
        Page size asked for (at most 5000).

    Examples
    --------
    >>> def handler(request):
    ...     return httpx.Response(200, json={"count": 1, "values": [
    ...         {"id": "G96190", "title": "Göteborgsregionen (ovägt medel)",
    ...          "members": [{"id": "1480", "title": "Göteborg"}]}], "next_url": None})
    >>> with KoladaClient("http://kolada.test/v3", transport=httpx.MockTransport(handler)) as c:
    ...     c.municipality_groups().records[0]["id"], c.n_requests
    ('G96190', 1)
    """

    def __init__(
        self,
        base_url: str | None = None,
        *,
        max_rate: float = DEFAULT_MAX_RATE,
        timeout: float = 30.0,
        retries: int = 6,
        transport: httpx.BaseTransport | None = None,
        progress: ProgressCallback | None = None,
        backoff: float = 0.5,
        max_backoff: float = 30.0,
        max_retry_after: float = 120.0,
        seed: int | None = None,
        sleep: Callable[[float], None] = time.sleep,
        clock: Callable[[], float] = time.monotonic,
        per_page: int = MAX_PER_PAGE,
    ) -> None:
        self.base_url = resolve_base_url(base_url)
        if not isinstance(retries, int) or retries < 0:
            raise ParameterError(f"retries måste vara ett heltal ≥ 0, men {retries!r} angavs.")
        if not isinstance(timeout, (int, float)) or not timeout > 0:
            raise ParameterError(
                f"timeout (sekunder) måste vara ett positivt tal, men {timeout!r} angavs."
            )
        if not isinstance(per_page, int) or not 1 <= per_page <= MAX_PER_PAGE:
            raise ParameterError(
                f"per_page måste vara ett heltal mellan 1 och {MAX_PER_PAGE}, "
                f"men {per_page!r} angavs."
            )
        self.max_rate = max_rate
        self.retries = retries
        self.timeout = float(timeout)
        self.per_page = per_page
        self.progress = progress
        self.backoff, self.max_backoff, self.max_retry_after = backoff, max_backoff, max_retry_after
        self._throttle = Throttle(max_rate, clock=clock, sleep=sleep)
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._counters = _Counters()
        self._http = httpx.Client(
            transport=transport,
            timeout=httpx.Timeout(self.timeout),
            headers={"Accept": "application/json", "User-Agent": _user_agent()},
            follow_redirects=True,
        )

    # ----------------------------------------------------------------- bookkeeping
    @property
    def n_requests(self) -> int:
        """HTTP requests made so far (every attempt, retries included)."""
        return self._counters.requests

    @property
    def n_retries(self) -> int:
        """Requests that were repeated after 429, 5xx, a timeout or a connection error."""
        return self._counters.retries

    @property
    def request_log(self) -> list[RequestLog]:
        """Every attempt, in order."""
        return list(self._counters.log)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> KoladaClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # ----------------------------------------------------------------- transport
    def url(self, path: str) -> str:
        """Absolute URL of an API path such as ``kpi/N20900``."""
        return f"{self.base_url}/{path.lstrip('/')}"

    def _get(self, url: str, kind: str) -> RawPage:
        """GET *url* with throttling and retries; return the 200 answer."""
        last_problem = ""
        for attempt in range(self.retries + 1):
            self._throttle.wait()
            started = _now_iso()
            self._counters.requests += 1
            try:
                response = self._http.get(url)
            except httpx.TransportError as exc:  # timeouts, refused connections, broken answers
                last_problem = _describe_error(exc)
                self._pause(url, attempt, None, last_problem, started)
                continue
            status = response.status_code
            if status == 200:
                text = response.text
                self._log(url, attempt, status, None, started, 0.0)
                return RawPage(kind, url, status, _now_iso(), text, _next_url(text, url))
            if status == 429 or status >= 500:
                last_problem = f"HTTP {status}"
                self._pause(url, attempt, response, last_problem, started)
                continue
            self._log(url, attempt, status, f"HTTP {status}", started, 0.0)
            raise FetchError(
                f"Kolada svarade HTTP {status} på {_excerpt(url, 150)}: {_excerpt(response.text)}. "
                "Kontrollera nyckeltals-id, kommunkoder och år."
            )
        raise FetchError(
            f"Kolada svarade inte korrekt efter {self.retries + 1} försök ({last_problem}) "
            f"på {_excerpt(url, 150)}."
        )

    def _pause(
        self, url: str, attempt: int, response: httpx.Response | None, problem: str, started: str
    ) -> None:
        """Log a failed attempt and sleep before the next one (not after the last)."""
        status = None if response is None else response.status_code
        if attempt >= self.retries:
            self._log(url, attempt, status, problem, started, 0.0)
            return
        delay: float | None = None
        if status == 429:
            delay = retry_after_seconds(response.headers.get("Retry-After"))  # type: ignore[union-attr]
            if delay is not None and delay > self.max_retry_after:
                self._log(url, attempt, status, problem, started, 0.0)
                raise FetchError(
                    f"Kolada bad oss vänta {delay:.0f} s innan nästa anrop (Retry-After), "
                    "längre än "
                    f"de {self.max_retry_after:.0f} s klienten väntar. Försök igen senare."
                )
        if delay is None:
            delay = backoff_delay(attempt, base=self.backoff, cap=self.max_backoff, rng=self._rng)
        self._log(url, attempt, status, problem, started, delay)
        self._counters.retries += 1
        if delay > 0:
            self._sleep(delay)

    def _log(
        self,
        url: str,
        attempt: int,
        status: int | None,
        error: str | None,
        started: str,
        waited: float,
    ) -> None:
        self._counters.log.append(RequestLog(url, attempt + 1, status, error, started, waited))

    def iter_pages(self, path: str, *, kind: str) -> Iterator[RawPage]:
        """Yield every page of a list endpoint, following ``next_url``.

        Parameters
        ----------
        path
            API path below the base URL, e.g. ``kpi/N20900,N20029``.
        kind
            One of :data:`KINDS` (recorded with the page).

        Yields
        ------
        RawPage
        """
        url: str | None = str(httpx.URL(self.url(path), params={"per_page": self.per_page}))
        seen: set[str] = set()
        while url is not None:
            if url in seen:
                raise FetchError(
                    f"Kolada pekade next_url tillbaka på en sida som redan hämtats: {url}."
                )
            seen.add(url)
            page = self._get(url, kind)
            if self.progress is not None:
                self.progress(page)
            yield page
            url = page.next_url

    def _answer(self, paths: Sequence[str], kind: str) -> Answer:
        pages = tuple(p for path in paths for p in self.iter_pages(path, kind=kind))
        return Answer(pages, list(records_of(pages)))

    # ----------------------------------------------------------------- endpoints
    def kpis(self, ids: Iterable[str] | None = None) -> Answer:
        """Key-figure metadata (``/v3/kpi``), for *ids* (chunked) or the whole catalogue.

        Returns
        -------
        Answer
            Raw pages and the records (``id, title, description, …``); use
            :func:`parse_kpis` for a table.
        """
        return self._answer(kpi_paths(ids), "kpi")

    def municipalities(self) -> Answer:
        """All municipalities and regions (``/v3/municipality``): ``id, title, type``."""
        return self._answer(["municipality"], "municipality")

    def municipality_groups(self, ids: Iterable[str] | None = None) -> Answer:
        """Municipality groups (``/v3/municipality_groups``) with their members.

        Parameters
        ----------
        ids
            Group ids (chunked), or None for all groups (one request).
        """
        return self._answer(group_paths(ids), "municipality_groups")

    def data(
        self,
        kpis: Iterable[str],
        municipalities: Iterable[str] | None = None,
        years: Iterable[int] | None = None,
    ) -> DataAnswer:
        """Values of key figures (``/v3/data``), parsed to the tidy values table.

        Parameters
        ----------
        kpis
            Key-figure ids (split into chunks of 25).
        municipalities
            Municipality/region ids, or None for every municipality, region and
            Riket (fewer requests than naming them).
        years
            Years, or None for all years (then *municipalities* must be given:
            Kolada needs two of key figure, municipality and year).

        Returns
        -------
        DataAnswer
        """
        pages = tuple(
            p
            for path in data_paths(kpis, municipalities, years)
            for p in self.iter_pages(path, kind="data")
        )
        values, n_deleted = parse_data_values(records_of(pages))
        return DataAnswer(pages, values, n_deleted)


def _next_url(text: str, url: str) -> str | None:
    try:
        body = json.loads(text)
    except json.JSONDecodeError as exc:
        raise FetchError(f"Kolada svarade med ogiltig JSON på {url}: {exc}.") from None
    if not isinstance(body, dict):
        raise FetchError(f"Oväntat svar från Kolada på {url}: förväntade ett JSON-objekt.")
    nxt = body.get("next_url")
    return urljoin(url, nxt) if nxt else None


def _excerpt(text: str, limit: int = 200) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " …"


# --------------------------------------------------------------------------- query plans (pure)


def kpi_paths(ids: Iterable[str] | None) -> list[str]:
    """Paths of the key-figure metadata requests (≤ 25 ids each).

    Examples
    --------
    >>> kpi_paths(["N20900", "N20029"])
    ['kpi/N20900,N20029']
    >>> kpi_paths(None)
    ['kpi']
    """
    if ids is None:
        return ["kpi"]
    return [f"kpi/{','.join(c)}" for c in chunked(ids)]


def group_paths(ids: Iterable[str] | None) -> list[str]:
    """Paths of the municipality-group requests (≤ 25 ids each, or all groups)."""
    if ids is None:
        return ["municipality_groups"]
    return [f"municipality_groups/{','.join(c)}" for c in chunked(ids)]


def data_paths(
    kpis: Iterable[str], municipalities: Iterable[str] | None, years: Iterable[int] | None
) -> list[str]:
    """Paths of the data requests: every combination of ≤ 25-id chunks.

    Without municipalities the path ``data/kpi/<ids>/year/<years>`` returns
    every municipality, region and Riket in one (paged) answer.

    Raises
    ------
    ParameterError
        No key figures, or neither municipalities nor years.

    Examples
    --------
    >>> data_paths(["N20900"], None, [2021, 2022])
    ['data/kpi/N20900/year/2021,2022']
    >>> data_paths(["N20900"], ["1480", "0000"], [2022])
    ['data/kpi/N20900/municipality/1480,0000/year/2022']
    """
    kpi_chunks = chunked(kpis)
    if not kpi_chunks:
        raise ParameterError(
            "Inga nyckeltal angavs: ange minst ett nyckeltals-id (t.ex. 'N20900')."
        )
    mun_chunks = chunked(municipalities) if municipalities is not None else [None]
    if municipalities is not None and not mun_chunks:
        raise ParameterError("Listan med kommuner är tom: utelämna den för alla kommuner.")
    year_list = None if years is None else [str(int(y)) for y in years]
    if year_list is not None and not year_list:
        raise ParameterError("Listan med år är tom.")
    if year_list is None and municipalities is None:
        raise ParameterError(
            "Ange år eller kommuner: Kolada kräver två av nyckeltal, kommun och år."
        )
    year_chunks = chunked(sorted(set(year_list))) if year_list is not None else [None]
    out = []
    for kc in kpi_chunks:
        for mc in mun_chunks:
            for yc in year_chunks:
                path = f"data/kpi/{','.join(kc)}"
                if mc is not None:
                    path += f"/municipality/{','.join(mc)}"
                if yc is not None:
                    path += f"/year/{','.join(yc)}"
                out.append(path)
    return out
