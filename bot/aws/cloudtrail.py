"""CloudTrail: paced LookupEvents, the origin of an ASIA key, and trail log files in S3."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel

from bot.analysis.chains import MINTING_CALLS, minted_key
from bot.analysis.records import event_from_record, parse_time, record_from_lookup
from bot.aws.ratelimit import TokenBucket
from bot.aws.retry import aws_retry
from bot.domain.redact import redact_bytes
from bot.models import TimelineEvent

if TYPE_CHECKING:
    from mypy_boto3_cloudtrail import CloudTrailClient
    from mypy_boto3_s3 import S3Client

PAGE_SIZE = 50  # LookupEvents' maximum
LOOKUP_WINDOW = timedelta(days=90)  # how far back LookupEvents reaches
# The minting STS event carries the session's creationDate to the second; allow for clock skew.
MINTING_SLACK = timedelta(seconds=90)
# Which STS calls can have made a session, by the userIdentity.type of its calls.
MINTED_BY = {
    "AssumedRole": ("AssumeRole", "AssumeRoleWithSAML", "AssumeRoleWithWebIdentity"),
    "FederatedUser": ("GetFederationToken",),
    "IAMUser": ("GetSessionToken",),
    "Root": ("GetSessionToken",),
}


class SessionOrigin(BaseModel):
    """Who owns a temporary key: its role (or user) and session, and the call that minted it."""

    role_arn: str
    session_name: str
    account_id: str
    minted_by_key: str = ""
    minting_event_id: str = ""
    minted_at: datetime | None = None


@aws_retry()
def lookup_page(
    client: CloudTrailClient, request: dict[str, Any], bucket: TokenBucket | None = None
) -> dict[str, Any]:
    """One LookupEvents call; every attempt, retries included, holds a token while it runs."""
    if bucket is None:
        return dict(client.lookup_events(**request))
    with bucket.token():
        return dict(client.lookup_events(**request))


def lookup_records(
    client: CloudTrailClient,
    *,
    attribute_key: str,
    attribute_value: str,
    start: datetime,
    end: datetime,
    bucket: TokenBucket | None = None,
) -> Iterator[dict[str, Any]]:
    """The raw CloudTrail records LookupEvents returns, newest first, page by page."""
    request: dict[str, Any] = {
        "LookupAttributes": [{"AttributeKey": attribute_key, "AttributeValue": attribute_value}],
        "StartTime": start,
        "EndTime": end,
        "MaxResults": PAGE_SIZE,
    }
    while True:
        page = lookup_page(client, request, bucket)
        for item in page.get("Events", []):
            yield record_from_lookup(item)
        token = page.get("NextToken")
        if not token:
            return
        request = {**request, "NextToken": token}


def lookup_events(
    client: CloudTrailClient,
    *,
    attribute_key: str,
    attribute_value: str,
    start: datetime,
    end: datetime,
    bucket: TokenBucket | None = None,
) -> Iterator[TimelineEvent]:
    """LookupEvents as TimelineEvents: 50 a page, paced by `bucket`, throttles retried."""
    for record in lookup_records(
        client,
        attribute_key=attribute_key,
        attribute_value=attribute_value,
        start=start,
        end=end,
        bucket=bucket,
    ):
        yield event_from_record(record)


def _session(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]] | None:
    identity = record.get("userIdentity")
    if not isinstance(identity, dict) or not isinstance(identity.get("sessionContext"), dict):
        return None
    return identity, identity["sessionContext"]


def _dict(value: object) -> dict[str, Any]:
    return value if isinstance(value, dict) else {}


def _origin_of(identity: dict[str, Any], context: dict[str, Any]) -> SessionOrigin:
    issuer = _dict(context.get("sessionIssuer"))
    arn = str(identity.get("arn", ""))
    return SessionOrigin(
        role_arn=str(issuer.get("arn", "")),
        session_name=arn.rsplit("/", 1)[-1] if "/" in arn else "",
        account_id=str(identity.get("accountId", "")),
    )


def find_session_origin(
    client: CloudTrailClient,
    key_id: str,
    *,
    start: datetime,
    end: datetime,
    bucket: TokenBucket | None = None,
) -> SessionOrigin | None:
    """The role and session behind an ASIA key, and the STS event that minted it.

    The key's own events give the session (userIdentity.sessionContext); the minting event is
    looked up by name around the session's creationDate and matched on the key it returned.
    STS calls to the global endpoint are recorded in us-east-1: pass a client there when unsure.
    None when the key left no events in the window.
    """
    found = None
    for record in lookup_records(
        client,
        attribute_key="AccessKeyId",
        attribute_value=key_id,
        start=start,
        end=end,
        bucket=bucket,
    ):
        found = _session(record)
        if found is not None:
            break
    if found is None:
        return None
    identity, context = found
    origin = _origin_of(identity, context)
    attributes = _dict(context.get("attributes"))
    if "creationDate" not in attributes:
        return origin
    calls = MINTED_BY.get(str(identity.get("type", "")), tuple(sorted(MINTING_CALLS)))
    created = parse_time(attributes["creationDate"])
    minting = find_minting_event(client, key_id, created=created, calls=calls, bucket=bucket)
    if minting is None:
        return origin
    return origin.model_copy(
        update={
            "minted_by_key": minting.access_key_id,
            "minting_event_id": minting.event_id,
            "minted_at": minting.time,
        }
    )


def find_minting_event(
    client: CloudTrailClient,
    key_id: str,
    *,
    created: datetime,
    calls: tuple[str, ...] = tuple(sorted(MINTING_CALLS)),
    bucket: TokenBucket | None = None,
) -> TimelineEvent | None:
    """The STS event that returned `key_id`, looked up by name around the session's creation."""
    for name in calls:
        for event in lookup_events(
            client,
            attribute_key="EventName",
            attribute_value=name,
            start=created - MINTING_SLACK,
            end=created + MINTING_SLACK,
            bucket=bucket,
        ):
            minted = minted_key(event)
            if minted is not None and minted.key_id == key_id:
                return event
    return None


# --- CloudTrail log files in S3, and the timeline evidence written beside them -------------


@aws_retry()
def list_objects_page(
    s3: S3Client, bucket: str, prefix: str, token: str = "", page_size: int = 1000
) -> tuple[list[str], str]:
    """One page of object keys under a prefix, and the token for the next ('' at the end)."""
    kwargs: dict[str, Any] = {"Bucket": bucket, "Prefix": prefix, "MaxKeys": page_size}
    if token:
        kwargs["ContinuationToken"] = token
    page = s3.list_objects_v2(**kwargs)
    keys = [item["Key"] for item in page.get("Contents", []) if "Key" in item]
    return keys, str(page.get("NextContinuationToken", "")) if page.get("IsTruncated") else ""


def object_keys(s3: S3Client, bucket: str, prefix: str, page_size: int = 1000) -> Iterator[str]:
    """Every object key under a prefix."""
    token = ""
    while True:
        keys, token = list_objects_page(s3, bucket, prefix, token, page_size)
        yield from keys
        if not token:
            return


@aws_retry()
def read_object(s3: S3Client, bucket: str, key: str) -> bytes:
    return s3.get_object(Bucket=bucket, Key=key)["Body"].read()


@aws_retry()
def put_evidence(s3: S3Client, bucket: str, key: str, body: bytes, content_type: str) -> None:
    """Write one evidence file, redacted; server-side encrypted, as evidence should be at rest."""
    s3.put_object(
        Bucket=bucket,
        Key=key,
        Body=redact_bytes(body),
        ContentType=content_type,
        ServerSideEncryption="AES256",
    )
