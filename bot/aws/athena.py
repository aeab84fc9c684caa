"""Athena over the CloudTrail table: for organisation trails and windows past 90 days.

The key, the window and the regions are bound as Athena execution parameters, never
formatted into the SQL. The query prunes partitions on region and date, as laid out by
CloudTrail's partition projection (`region` and `timestamp` as yyyy/MM/dd by default;
both names are configurable because every team names its table differently). Results are
paged back and rebuilt into the CloudTrail records `event_from_record` reads.
"""

from __future__ import annotations

import json
import re
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING, Any

from bot.analysis.records import event_from_record
from bot.aws.retry import aws_retry
from bot.errors import KeycheckError
from bot.models import TimelineEvent

if TYPE_CHECKING:
    from mypy_boto3_athena import AthenaClient

_IDENTIFIER = re.compile(r"\A[A-Za-z_][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)?\Z")
_REGION = re.compile(r"\A[a-z0-9-]{1,32}\Z")
_KEY = re.compile(r"\A(AKIA|ASIA)[A-Z0-9]{16}\Z")
PAGE_SIZE = 1000
# (output column, SQL expression): the scalar fields analysis reads, the JSON ones as text.
COLUMNS: tuple[tuple[str, str], ...] = (
    ("eventid", "eventid"),
    ("eventtime", "eventtime"),
    ("awsregion", "awsregion"),
    ("eventsource", "eventsource"),
    ("eventname", "eventname"),
    ("eventtype", "eventtype"),
    ("sourceipaddress", "sourceipaddress"),
    ("useragent", "useragent"),
    ("errorcode", "errorcode"),
    ("errormessage", "errormessage"),
    ("readonly", "readonly"),
    ("recipientaccountid", "recipientaccountid"),
    ("requestparameters", "requestparameters"),
    ("responseelements", "responseelements"),
    ("additionaleventdata", "additionaleventdata"),
    ("identity_type", "useridentity.type"),
    ("identity_arn", "useridentity.arn"),
    ("identity_account", "useridentity.accountid"),
    ("identity_key", "useridentity.accesskeyid"),
    ("identity_user", "useridentity.username"),
    ("identity_invokedby", "useridentity.invokedby"),
    ("mfa", "useridentity.sessioncontext.attributes.mfaauthenticated"),
    ("session_created", "useridentity.sessioncontext.attributes.creationdate"),
    ("issuer_arn", "useridentity.sessioncontext.sessionissuer.arn"),
    ("issuer_user", "useridentity.sessioncontext.sessionissuer.username"),
)


@dataclass(frozen=True)
class CloudTrailTable:
    """Where the CloudTrail table lives and how its partitions are named."""

    name: str
    workgroup: str = "primary"
    output_location: str = ""
    region_column: str = "region"
    date_column: str = "timestamp"
    date_format: str = "%Y/%m/%d"

    def __post_init__(self) -> None:
        for identifier in (self.name, self.region_column, self.date_column):
            if not _IDENTIFIER.match(identifier):
                raise KeycheckError(f"{identifier!r} is not a table or column name")


def literal(value: str) -> str:
    """An Athena execution parameter is a SQL literal: a quoted string, quotes doubled."""
    return "'" + value.replace("'", "''") + "'"


def build_query(
    table: CloudTrailTable,
    *,
    keys: Sequence[str],
    start: datetime,
    end: datetime,
    regions: Sequence[str] = (),
) -> tuple[str, list[str]]:
    """The SQL (placeholders only) and its execution parameters, in order."""
    bad = [k for k in keys if not _KEY.match(k)] + [r for r in regions if not _REGION.match(r)]
    if not keys or bad:
        raise KeycheckError(f"Cannot query Athena for {bad or 'no key'}")
    marks = ", ".join("?" for _ in keys)
    select = ", ".join(f"{expr} AS {name}" for name, expr in COLUMNS)
    where = [f'"{table.date_column}" BETWEEN ? AND ?']
    params = [literal(start.strftime(table.date_format)), literal(end.strftime(table.date_format))]
    if regions:
        where.append(f'"{table.region_column}" IN ({", ".join("?" for _ in regions)})')
        params += [literal(region) for region in regions]
    where.append(f"useridentity.accesskeyid IN ({marks})")
    params += [literal(key) for key in keys]
    where.append("eventtime BETWEEN ? AND ?")
    params += [literal(_iso(start)), literal(_iso(end))]
    # Only checked identifiers and our own column list reach the text; every value is a parameter.
    sql = f"SELECT {select} FROM {table.name} WHERE {' AND '.join(where)} ORDER BY eventtime"  # noqa: S608
    return sql, params


def _iso(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@aws_retry()
def start_query(client: AthenaClient, table: CloudTrailTable, sql: str, params: list[str]) -> str:
    kwargs: dict[str, Any] = {
        "QueryString": sql,
        "ExecutionParameters": params,
        "WorkGroup": table.workgroup,
    }
    if table.output_location:
        kwargs["ResultConfiguration"] = {"OutputLocation": table.output_location}
    return client.start_query_execution(**kwargs)["QueryExecutionId"]


@aws_retry()
def query_state(client: AthenaClient, query_id: str) -> tuple[str, str]:
    """(state, reason) of a query execution."""
    status = client.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]["Status"]
    return status.get("State", "QUEUED"), status.get("StateChangeReason", "")


def wait_for(
    client: AthenaClient,
    query_id: str,
    *,
    timeout: float = 300.0,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> None:
    """Poll (0.2 s, growing to 5 s) until the query succeeds; its failure is an error."""
    deadline, pause = clock() + timeout, 0.2
    while True:
        state, reason = query_state(client, query_id)
        if state == "SUCCEEDED":
            return
        if state in ("FAILED", "CANCELLED"):
            raise KeycheckError(f"Athena query {query_id} {state.lower()}: {reason}")
        if clock() > deadline:
            raise KeycheckError(f"Athena query {query_id} still {state} after {timeout:.0f} s")
        sleep(pause)
        pause = min(pause * 2, 5.0)


@aws_retry()
def results_page(client: AthenaClient, query_id: str, token: str = "") -> dict[str, Any]:
    kwargs: dict[str, Any] = {"QueryExecutionId": query_id, "MaxResults": PAGE_SIZE}
    if token:
        kwargs["NextToken"] = token
    return dict(client.get_query_results(**kwargs))


def result_rows(client: AthenaClient, query_id: str) -> Iterator[dict[str, str | None]]:
    """Every row as {column: value or None}; Athena's header row (first page) is skipped."""
    token, first = "", True
    while True:
        page = results_page(client, query_id, token)
        result = page.get("ResultSet", {})
        info = result.get("ResultSetMetadata", {}).get("ColumnInfo", [])
        names = [column.get("Name", "") for column in info]
        for row in result.get("Rows", []):
            values = [cell.get("VarCharValue") for cell in row.get("Data", [])]
            if first and values == names:
                first = False
                continue
            first = False
            yield dict(zip(names, values, strict=False))
        token = page.get("NextToken", "")
        if not token:
            return


def _json(value: str | None) -> object:
    if not value:
        return None
    try:
        return json.loads(value)
    except ValueError:
        return value


def record_from_row(row: dict[str, str | None]) -> dict[str, Any]:
    """A result row as the CloudTrail record it came from (the fields analysis reads)."""
    get = row.get
    return {
        "eventID": get("eventid"),
        "eventTime": get("eventtime"),
        "awsRegion": get("awsregion"),
        "eventSource": get("eventsource"),
        "eventName": get("eventname"),
        "eventType": get("eventtype"),
        "sourceIPAddress": get("sourceipaddress"),
        "userAgent": get("useragent"),
        "errorCode": get("errorcode"),
        "errorMessage": get("errormessage"),
        "readOnly": {"true": True, "false": False}.get(str(get("readonly")).lower()),
        "recipientAccountId": get("recipientaccountid"),
        "requestParameters": _json(get("requestparameters")),
        "responseElements": _json(get("responseelements")),
        "additionalEventData": _json(get("additionaleventdata")),
        "userIdentity": {
            "type": get("identity_type"),
            "arn": get("identity_arn"),
            "accountId": get("identity_account"),
            "accessKeyId": get("identity_key"),
            "userName": get("identity_user"),
            "invokedBy": get("identity_invokedby"),
            "sessionContext": {
                "attributes": {
                    "mfaAuthenticated": get("mfa"),
                    "creationDate": get("session_created"),
                },
                "sessionIssuer": {"arn": get("issuer_arn"), "userName": get("issuer_user")},
            },
        },
    }


def _compact(record: dict[str, Any]) -> dict[str, Any]:
    """Drop Athena's NULLs, so a missing field reads as missing, not as the text 'None'."""
    return {
        name: _compact(value) if isinstance(value, dict) else value
        for name, value in record.items()
        if value is not None
    }


def athena_events(
    client: AthenaClient,
    table: CloudTrailTable,
    *,
    keys: Sequence[str],
    start: datetime,
    end: datetime,
    regions: Sequence[str] = (),
    timeout: float = 300.0,
    sleep: Callable[[float], None] = time.sleep,
) -> Iterator[TimelineEvent]:
    """The keys' events from the CloudTrail table, as TimelineEvents."""
    sql, params = build_query(table, keys=keys, start=start, end=end, regions=regions)
    query_id = start_query(client, table, sql, params)
    wait_for(client, query_id, timeout=timeout, sleep=sleep)
    for row in result_rows(client, query_id):
        yield event_from_record(_compact(record_from_row(row)))
