"""The Athena backend: a parameterised, partition-pruned query, results paged into events.

moto checks what reaches Athena (the SQL text, the execution parameters, the workgroup),
walks the QUEUED → RUNNING → SUCCEEDED states, and returns canned rows (injected through
its documented /moto-api/static/athena/query-results). moto cannot run the SQL (so the
WHERE clause and the partition pruning are checked as text) and never pages results, so
paging is checked against botocore's Stubber, which validates every call against the
real Athena API model.
"""

from __future__ import annotations

import json
import urllib.request
from datetime import timedelta
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bot.aws.athena import CloudTrailTable, athena_events, build_query, result_rows, wait_for
from bot.aws.sessions import CLIENT_CONFIG
from bot.errors import KeycheckError
from tests.unit.analysis.support import KEY, T0

TABLE = CloudTrailTable("security.cloudtrail_logs", output_location="s3://athena-results/kc/")
COLUMNS = [
    "eventid",
    "eventtime",
    "awsregion",
    "eventsource",
    "eventname",
    "identity_key",
    "identity_type",
    "sourceipaddress",
    "requestparameters",
    "errorcode",
    "mfa",
    "readonly",
]


def _row(values: list[str | None]) -> dict[str, Any]:
    return {"Data": [{"VarCharValue": v} if v is not None else {} for v in values]}


ROWS = [
    _row(COLUMNS),
    _row(
        [
            "e-1",
            "2026-05-21T12:11:58Z",
            "us-east-1",
            "sts.amazonaws.com",
            "GetCallerIdentity",
            KEY,
            "IAMUser",
            "198.51.100.50",
            None,
            None,
            None,
            "true",
        ]
    ),
    _row(
        [
            "e-2",
            "2026-05-21T12:12:05Z",
            "us-east-1",
            "iam.amazonaws.com",
            "CreateUser",
            KEY,
            "IAMUser",
            "198.51.100.50",
            json.dumps({"userName": "backdoor"}),
            None,
            "false",
            "false",
        ]
    ),
]


def inject(moto_url: str, rows: list[dict[str, Any]]) -> None:
    results = {
        "results": [
            {"rows": rows, "column_info": [{"Name": name, "Type": "varchar"} for name in COLUMNS]}
        ]
    }
    request = urllib.request.Request(
        f"{moto_url}/moto-api/static/athena/query-results",
        data=json.dumps(results).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 201


def test_the_key_window_and_regions_are_parameters_never_sql_text() -> None:
    sql, params = build_query(
        TABLE,
        keys=[KEY],
        start=T0 - timedelta(days=120),
        end=T0,
        regions=["us-east-1", "eu-west-1"],
    )
    assert KEY not in sql
    assert "2026" not in sql
    assert "us-east-1" not in sql
    assert '"timestamp" BETWEEN ? AND ?' in sql
    assert '"region" IN (?, ?)' in sql
    assert sql.count("?") == len(params)
    assert params == [
        "'2026/01/21'",
        "'2026/05/21'",
        "'us-east-1'",
        "'eu-west-1'",
        f"'{KEY}'",
        "'2026-01-21T12:11:58Z'",
        "'2026-05-21T12:11:58Z'",
    ]


@pytest.mark.parametrize(
    "bad", [{"keys": ["AKIA' OR '1'='1"]}, {"keys": []}, {"keys": [KEY], "regions": ["us-east-1'"]}]
)
def test_values_that_are_not_keys_or_regions_are_refused(bad: dict[str, Any]) -> None:
    with pytest.raises(KeycheckError):
        build_query(TABLE, start=T0, end=T0, **bad)


def test_table_and_partition_names_must_be_identifiers() -> None:
    with pytest.raises(KeycheckError):
        CloudTrailTable("logs; DROP TABLE x")
    with pytest.raises(KeycheckError):
        CloudTrailTable("logs", date_column='day" OR 1=1 --')


def test_events_come_back_from_athena_as_timeline_events(aws: boto3.Session, moto_url: str) -> None:
    inject(moto_url, ROWS)
    athena = aws.client("athena", config=CLIENT_CONFIG)
    events = list(
        athena_events(
            athena,
            TABLE,
            keys=[KEY],
            start=T0 - timedelta(days=1),
            end=T0 + timedelta(days=1),
            regions=["us-east-1"],
            sleep=lambda seconds: None,
        )
    )
    assert [(e.event_id, e.event_name, e.access_key_id) for e in events] == [
        ("e-1", "GetCallerIdentity", KEY),
        ("e-2", "CreateUser", KEY),
    ]
    assert events[1].request_parameters == {"userName": "backdoor"}
    assert events[1].mfa_authenticated is False
    assert events[0].read_only is True
    assert events[0].error_code == ""

    (query_id,) = athena.list_query_executions()["QueryExecutionIds"]
    execution = athena.get_query_execution(QueryExecutionId=query_id)["QueryExecution"]
    assert execution["Query"].startswith("SELECT ")
    assert KEY not in execution["Query"]
    assert f"'{KEY}'" in execution["ExecutionParameters"]
    assert execution["ResultConfiguration"]["OutputLocation"].startswith("s3://athena-results/kc/")
    assert execution["Status"]["State"] == "SUCCEEDED"


def _stubbed() -> tuple[Any, Stubber]:
    client: Any = boto3.client(
        "athena", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    return client, Stubber(client)


def _page(rows: list[dict[str, Any]], token: str = "") -> dict[str, Any]:
    page: dict[str, Any] = {
        "ResultSet": {
            "Rows": rows,
            "ResultSetMetadata": {"ColumnInfo": [{"Name": n, "Type": "varchar"} for n in COLUMNS]},
        }
    }
    if token:
        page["NextToken"] = token
    return page


def test_results_are_paged_and_the_header_row_is_read_once() -> None:
    client, stub = _stubbed()
    stub.add_response(
        "get_query_results",
        _page(ROWS[:2], "page-2"),
        {"QueryExecutionId": "q", "MaxResults": 1000},
    )
    stub.add_response(
        "get_query_results",
        _page(ROWS[2:]),
        {"QueryExecutionId": "q", "MaxResults": 1000, "NextToken": "page-2"},
    )
    with stub:
        rows = list(result_rows(client, "q"))
    assert [row["eventid"] for row in rows] == ["e-1", "e-2"]
    assert rows[0]["requestparameters"] is None


def test_a_failed_query_is_an_error_with_athenas_reason() -> None:
    client, stub = _stubbed()
    for state in ("RUNNING", "FAILED"):
        status: dict[str, Any] = {"State": state}
        if state == "FAILED":
            status["StateChangeReason"] = "TABLE_NOT_FOUND: security.cloudtrail_logs"
        stub.add_response(
            "get_query_execution", {"QueryExecution": {"Status": status}}, {"QueryExecutionId": "q"}
        )
    with stub, pytest.raises(KeycheckError, match="TABLE_NOT_FOUND"):
        wait_for(client, "q", sleep=lambda seconds: None)


def test_a_query_that_never_finishes_times_out() -> None:
    client, stub = _stubbed()
    ticks = iter(range(100))
    for _ in range(3):
        stub.add_response(
            "get_query_execution",
            {"QueryExecution": {"Status": {"State": "RUNNING"}}},
            {"QueryExecutionId": "q"},
        )
    with stub, pytest.raises(KeycheckError, match="still RUNNING"):
        wait_for(client, "q", timeout=1.5, clock=lambda: float(next(ticks)), sleep=lambda s: None)
