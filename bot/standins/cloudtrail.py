"""A local CloudTrail LookupEvents over real HTTP, enforcing the real API's limits.

moto has no LookupEvents, so this speaks CloudTrail's JSON 1.1 protocol itself: POST with
`X-Amz-Target: com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101.LookupEvents`, the
region read from the SigV4 credential scope, one lookup attribute, StartTime/EndTime as
epoch seconds, newest first, 50 events a page at most, the last 90 days, and
ThrottlingException past two requests a second per account and region (a sliding
one-second window; refused requests do not count). Signatures are not verified.

Point boto3 at it with the standard `AWS_ENDPOINT_URL_CLOUDTRAIL` variable, so the code
under test needs no hook. Run it alone with `python -m bot.standins.cloudtrail FILE...`.
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import json
import re
import sys
import threading
import time
import uuid
from collections import Counter, defaultdict, deque
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Any

from bot.analysis.records import parse_time

TARGET = "com.amazonaws.cloudtrail.v20131101.CloudTrail_20131101."
CONTENT_TYPE = "application/x-amz-json-1.1"
MAX_RESULTS = 50
WINDOW = timedelta(days=90)
ATTRIBUTE_KEYS = frozenset(
    {
        "EventId",
        "EventName",
        "ReadOnly",
        "Username",
        "ResourceType",
        "ResourceName",
        "EventSource",
        "AccessKeyId",
    }
)
_SCOPE = re.compile(r"Credential=([^/,\s]+)/\d{8}/([^/]+)/")


class ApiError(Exception):
    """An error answer in CloudTrail's shape: HTTP status, `__type` and message."""

    def __init__(self, code: str, message: str, status: int = 400) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


@dataclass(frozen=True)
class StoredEvent:
    """A record and its LookupEvents item, rendered once when added."""

    epoch: float
    record: dict[str, Any]
    item: dict[str, Any]
    attributes: dict[str, frozenset[str]]


@dataclass
class Failure:
    status: int
    code: str
    message: str
    remaining: int | None


def _username(identity: dict[str, Any]) -> str:
    if identity.get("userName"):
        return str(identity["userName"])
    if identity.get("type") == "Root":
        return "root"
    arn = str(identity.get("arn", ""))
    return arn.rsplit("/", 1)[-1] if "/" in arn else ""


def _key_id(identity: dict[str, Any]) -> str:
    for name, value in identity.items():
        if name.lower() == "accesskeyid":
            return str(value or "")
    return ""


def store(record: dict[str, Any]) -> StoredEvent:
    """Render a CloudTrail record as LookupEvents returns it, with its searchable attributes."""
    raw_identity = record.get("userIdentity")
    identity: dict[str, Any] = raw_identity if isinstance(raw_identity, dict) else {}
    resources = [
        (str(r.get("type")), str(r.get("ARN") or r.get("arn")))
        for r in record.get("resources") or []
        if isinstance(r, dict)
    ]
    read_only = str(record.get("readOnly", "")).lower()
    epoch = parse_time(record.get("eventTime")).timestamp()
    fields = {
        "EventId": str(record.get("eventID", "")),
        "EventName": str(record.get("eventName", "")),
        "ReadOnly": read_only,
        "AccessKeyId": _key_id(identity),
        "EventSource": str(record.get("eventSource", "")),
        "Username": _username(identity),
    }
    item: dict[str, Any] = {
        **fields,
        "EventTime": epoch,
        "Resources": [{"ResourceType": t, "ResourceName": n} for t, n in resources],
        "CloudTrailEvent": json.dumps(record),
    }
    attributes = {key: frozenset({value}) for key, value in fields.items()}
    attributes["ResourceType"] = frozenset(t for t, _ in resources)
    attributes["ResourceName"] = frozenset(n for _, n in resources)
    return StoredEvent(epoch, record, item, attributes)


class CloudTrailStandIn:
    """LookupEvents on 127.0.0.1; records are added per (account, region)."""

    def __init__(
        self,
        *,
        rate: float = 2.0,
        now: Callable[[], datetime] = lambda: datetime.now(UTC),
        host: str = "127.0.0.1",
        port: int = 0,
    ) -> None:
        self.rate = rate
        self.now = now
        self._address = (host, port)
        self._server: ThreadingHTTPServer | None = None
        self._thread: threading.Thread | None = None
        self._lock = threading.Lock()
        self._events: dict[tuple[str, str], list[StoredEvent]] = defaultdict(list)
        self._accounts: dict[str, str] = {}
        self._recent: dict[tuple[str, str], deque[float]] = defaultdict(deque)
        self._failures: dict[tuple[str, str], Failure] = {}
        self.requests: Counter[tuple[str, str]] = Counter()
        self.throttled: Counter[tuple[str, str]] = Counter()
        self.log: list[tuple[float, str, str, int]] = []

    # --- lifecycle -------------------------------------------------------------------------

    def start(self) -> CloudTrailStandIn:
        server = ThreadingHTTPServer(self._address, _Handler)
        server.daemon_threads = True
        server.standin = self  # type: ignore[attr-defined]
        self._server = server
        self._thread = threading.Thread(
            target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> CloudTrailStandIn:
        return self.start()

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    @property
    def url(self) -> str:
        if self._server is None:
            raise RuntimeError("the CloudTrail stand-in is not running")
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    # --- set-up ----------------------------------------------------------------------------

    def add_records(self, region: str, records: Iterable[dict[str, Any]], account: str = "") -> int:
        """Serve these records in (account, region); '' is the account of unmapped callers."""
        stored = [store(record) for record in records]
        with self._lock:
            events = self._events[(account, region)]
            events.extend(stored)
            events.sort(key=lambda e: (-e.epoch, e.item["EventId"]))
        return len(stored)

    def map_credentials(self, access_key_id: str, account: str) -> None:
        """Requests signed with this access key id read (and are rate limited in) `account`."""
        self._accounts[access_key_id] = account

    def record_call(
        self,
        key_id: str,
        event_name: str,
        *,
        when: datetime,
        source_ip: str,
        region: str = "us-east-1",
        account_id: str = "123456789012",
        user_name: str = "",
        event_source: str = "iam.amazonaws.com",
        error_code: str = "",
        account: str = "",
    ) -> dict[str, Any]:
        """A call made with `key_id`, as CloudTrail records it; denied when `error_code` is set."""
        record = call_record(
            key_id,
            event_name,
            when=when,
            source_ip=source_ip,
            region=region,
            account_id=account_id,
            user_name=user_name,
            event_source=event_source,
            error_code=error_code,
        )
        self.add_records(region, [record], account)
        return record

    def fail_region(
        self,
        region: str,
        *,
        status: int = 500,
        code: str = "InternalFailure",
        message: str = "We encountered an internal error. Please try again.",
        account: str = "",
        times: int | None = None,
    ) -> None:
        """Answer every request to (account, region) with this error (or the next `times`)."""
        self._failures[(account, region)] = Failure(status, code, message, times)

    def clear_failures(self) -> None:
        self._failures.clear()

    def request_count(self, region: str, account: str = "") -> int:
        return self.requests[(account, region)]

    # --- the API ---------------------------------------------------------------------------

    def answer(
        self, target: str, authorization: str, body: bytes, arrived: float | None = None
    ) -> dict[str, Any]:
        """The response body for one request (`arrived`: its monotonic time), or ApiError."""
        scope = _SCOPE.search(authorization)
        if scope is None:
            raise ApiError(
                "MissingAuthenticationTokenException", "Missing Authentication Token", 403
            )
        account = self._accounts.get(scope.group(1), "")
        place = (account, scope.group(2))
        self._admit(place, time.monotonic() if arrived is None else arrived)
        if not target.startswith(TARGET) or target[len(TARGET) :] != "LookupEvents":
            raise ApiError("UnknownOperationException", f"Unknown operation {target}")
        try:
            request = json.loads(body or b"{}")
        except ValueError:
            raise ApiError("SerializationException", "Request body is not JSON") from None
        return self._lookup(place, request)

    def _admit(self, place: tuple[str, str], now: float) -> None:
        """Count the request, then apply injected failures and the rate limit, in that order."""
        with self._lock:
            self.requests[place] += 1
            failure = self._failures.get(place)
            if failure is not None and failure.remaining != 0:
                if failure.remaining is not None:
                    failure.remaining -= 1
                self.log.append((now, *place, failure.status))
                raise ApiError(failure.code, failure.message, failure.status)
            recent = self._recent[place]
            while recent and recent[0] <= now - 1.0:
                recent.popleft()
            if len(recent) >= self.rate:
                self.throttled[place] += 1
                self.log.append((now, *place, 400))
                raise ApiError("ThrottlingException", "Rate exceeded")
            recent.append(now)
            self.log.append((now, *place, 200))

    def _lookup(self, place: tuple[str, str], request: dict[str, Any]) -> dict[str, Any]:
        matches = self._matches(place, request)
        limit = request.get("MaxResults", MAX_RESULTS)
        if not isinstance(limit, int) or not 1 <= limit <= MAX_RESULTS:
            raise ApiError(
                "InvalidMaxResultsException", "Value for MaxResults must be between 1 and 50."
            )
        offset = _offset(request)
        page = matches[offset : offset + limit]
        response: dict[str, Any] = {"Events": [event.item for event in page]}
        if offset + limit < len(matches):
            response["NextToken"] = _token(offset + limit, request)
        return response

    def _matches(self, place: tuple[str, str], request: dict[str, Any]) -> list[StoredEvent]:
        category = request.get("EventCategory")
        if category not in (None, "insight"):
            raise ApiError("InvalidEventCategoryException", f"Invalid EventCategory {category}")
        match = _attribute(request.get("LookupAttributes"))
        start, end = self._window(request)
        if category == "insight":
            return []
        with self._lock:
            events = list(self._events.get(place, []))
        return [
            e
            for e in events
            if start <= e.epoch <= end and (match is None or match[1] in e.attributes[match[0]])
        ]

    def _window(self, request: dict[str, Any]) -> tuple[float, float]:
        now = self.now().timestamp()
        start = float(request.get("StartTime", now - WINDOW.total_seconds()))
        end = float(request.get("EndTime", now))
        if start > end:
            raise ApiError("InvalidTimeRangeException", "Start time must be earlier than end time.")
        return max(start, now - WINDOW.total_seconds()), end


def call_record(
    key_id: str,
    event_name: str,
    *,
    when: datetime,
    source_ip: str,
    region: str,
    account_id: str,
    user_name: str,
    event_source: str,
    error_code: str = "",
) -> dict[str, Any]:
    """One CloudTrail record of an IAM user's key calling an API; errors as AWS writes them."""
    stamp = when.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    record: dict[str, Any] = {
        "eventVersion": "1.09",
        "userIdentity": {
            "type": "IAMUser",
            "principalId": "AIDA" + hashlib.sha256(user_name.encode()).hexdigest()[:17].upper(),
            "arn": f"arn:aws:iam::{account_id}:user/{user_name}",
            "accountId": account_id,
            "accessKeyId": key_id,
            "userName": user_name,
        },
        "eventTime": stamp,
        "eventSource": event_source,
        "eventName": event_name,
        "awsRegion": region,
        "sourceIPAddress": source_ip,
        "userAgent": "aws-cli/2.15.30",
        "requestParameters": None,
        "responseElements": None,
        "eventID": str(uuid.uuid4()),
        "eventType": "AwsApiCall",
        "recipientAccountId": account_id,
    }
    if error_code:
        action = f"{event_source.split('.')[0]}:{event_name}"
        record["errorCode"] = error_code
        record["errorMessage"] = (
            f"User: arn:aws:iam::{account_id}:user/{user_name} is not authorized to perform: "
            f"{action} with an explicit deny in an identity-based policy"
        )
    return record


def _attribute(attributes: object) -> tuple[str, str] | None:
    if not attributes:
        return None
    if not isinstance(attributes, list) or len(attributes) != 1:
        raise ApiError(
            "InvalidLookupAttributesException", "You can specify only one lookup attribute."
        )
    only = attributes[0] if isinstance(attributes[0], dict) else {}
    key, value = only.get("AttributeKey"), only.get("AttributeValue")
    if key not in ATTRIBUTE_KEYS or not isinstance(value, str) or not value:
        raise ApiError("InvalidLookupAttributesException", f"Invalid lookup attribute {key}")
    return str(key), value


def _fingerprint(request: dict[str, Any]) -> str:
    fixed = {k: v for k, v in request.items() if k not in ("NextToken", "MaxResults")}
    return hashlib.sha256(json.dumps(fixed, sort_keys=True).encode()).hexdigest()[:16]


def _token(offset: int, request: dict[str, Any]) -> str:
    raw = json.dumps({"o": offset, "q": _fingerprint(request)}).encode()
    return base64.urlsafe_b64encode(raw).decode()


def _offset(request: dict[str, Any]) -> int:
    token = request.get("NextToken")
    if not token:
        return 0
    try:
        decoded = json.loads(base64.urlsafe_b64decode(str(token)))
        offset, query = int(decoded["o"]), decoded["q"]
    except (ValueError, KeyError, TypeError):
        raise ApiError("InvalidNextTokenException", "Invalid NextToken") from None
    if query != _fingerprint(request):
        raise ApiError("InvalidNextTokenException", "NextToken was issued for different parameters")
    return offset


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: tests read the stand-in's counters, not its access log."""

    def do_POST(self) -> None:
        arrived = time.monotonic()
        standin: CloudTrailStandIn = self.server.standin  # type: ignore[attr-defined]
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            payload = standin.answer(
                self.headers.get("X-Amz-Target", ""),
                self.headers.get("Authorization", ""),
                body,
                arrived,
            )
            status = 200
        except ApiError as error:
            payload = {"__type": error.code, "message": error.message}
            status = error.status
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", CONTENT_TYPE)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("x-amzn-RequestId", hashlib.sha1(data, usedforsecurity=False).hexdigest())
        self.end_headers()
        self.wfile.write(data)


def _load(standin: CloudTrailStandIn, sources: Sequence[str], account: str) -> int:
    from bot.investigate.trailfiles import iter_records

    by_region: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for record in iter_records(sources):
        by_region[str(record.get("awsRegion") or "us-east-1")].append(record)
    return sum(standin.add_records(r, records, account) for r, records in by_region.items())


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Serve CloudTrail records over LookupEvents.")
    parser.add_argument("files", nargs="*", help="CloudTrail log files or directories")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--account", default="", help="serve them as this account's")
    args = parser.parse_args(argv)
    standin = CloudTrailStandIn(port=args.port).start()
    count = _load(standin, args.files, args.account)
    print(f"{count} events; export AWS_ENDPOINT_URL_CLOUDTRAIL={standin.url}", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        standin.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
