"""The responder role allows exactly the AWS calls keycheck makes in a key's account, and the
bot's own role everything the bot does at home."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import pytest

from tests.conftest import REPO
from tests.infra.aws_calls import Call, UnknownMethod, action_for, calls_in_source, calls_under
from tests.infra.cfn import INFRA, Stack

RESPONDER = "responder"  # responder-role.yaml, assumed in the account that owns the key
BOT = "bot"  # BotRole in bot.yaml, the bot's own account

# Which role makes each call: by action first, then by service. A call with no entry
# fails the test until someone decides where it runs.
ROLE_OF_ACTION = {
    "sts:AssumeRole": BOT,  # into the responder role
    "sts:GetAccessKeyInfo": BOT,  # answers for any account's key, asked from home
    "s3:PutObject": BOT,  # evidence, into the bot's own bucket
    "s3:ListBucket": RESPONDER,  # trail log files, in the log-archive account
    "s3:GetObject": RESPONDER,
}
ROLE_OF_SERVICE = {
    "iam": RESPONDER,  # key and policy state, deactivation, containment policies
    "cloudtrail": RESPONDER,  # LookupEvents in the key's account
    "ec2": RESPONDER,  # the key's account's enabled regions
    "support": RESPONDER,  # cases are opened by and for the affected account
    "athena": RESPONDER,
    "sqs": BOT,  # the alert queue
    "sns": BOT,  # confirming the bot's HTTPS subscription
    "logs": BOT,  # the metric-filter alarm lookup on the trail's log group
    "dynamodb": BOT,
    "secretsmanager": BOT,
}
NEEDS_NO_PERMISSION = frozenset({"sts:GetCallerIdentity"})
# Permissions a call needs beyond its own action (the service acts on the caller's behalf).
IMPLIED = {
    "s3:GetObject": {"kms:Decrypt"},  # SSE-KMS trail log files
    "athena:StartQueryExecution": {  # Athena reads the table, the logs, writes its results
        "glue:GetDatabase",
        "glue:GetTable",
        "glue:GetPartitions",
        "s3:GetBucketLocation",
        "s3:ListBucket",
        "s3:GetObject",
        "s3:PutObject",
        "s3:AbortMultipartUpload",
    },
}
# Calls IAM authorises as other actions: a transaction is checked item by item.
CHECKED_AS = {"dynamodb:TransactWriteItems": {"dynamodb:PutItem", "dynamodb:UpdateItem"}}
# What the bot role allows that bot/aws does not call: the platform the bot runs on.
BOT_PLATFORM = {
    "sqs:GetQueueAttributes": "Lambda's SQS event source polls the alert queue",
    "secretsmanager:GetSecretValue": "the Slack secrets, read at start",
    "lambda:InvokeFunction": "Bolt's lazy listeners invoke the function again",
    "sqs:SendMessage": "failed lazy-listener invocations go to the dead-letter queue",
    "logs:CreateLogStream": "the function's own log group",
    "logs:PutLogEvents": "the function's own log group",
    "xray:PutTraceSegments": "active tracing",
    "xray:PutTelemetryRecords": "active tracing",
    **{
        f"dynamodb:{op}": "the DynamoDB store"
        for op in [
            "GetItem",
            "PutItem",
            "UpdateItem",
            "DeleteItem",
            "Query",
            "BatchGetItem",
            "DescribeTable",
        ]
    },
}
ALL_OPTIONS = {
    "BotPrincipalArn": "arn:aws:iam::999988887777:role/keycheck-bot",
    "ExternalId": "a-long-external-id-0123456789",
    "TrailBucketName": "org-trail-logs",
    "TrailKmsKeyArn": "arn:aws:kms:us-east-1:444455556666:key/1234abcd-12ab-34cd-56ef-1234567890ab",
    "AthenaWorkGroup": "keycheck",
    "AthenaResultsBucketName": "athena-results",
}
BOT_OPTIONS = {
    "CodeS3Bucket": "artifacts",
    "CodeS3Key": "keycheck.zip",
    "SecretArn": "arn:aws:secretsmanager:us-east-1:999988887777:secret:keycheck-AbCdEf",
    "AlertQueueArn": "arn:aws:sqs:us-east-1:999988887777:alerts",
    "AlertQueueUrl": "https://sqs.us-east-1.amazonaws.com/999988887777/alerts",
    "AlertTopicArn": "arn:aws:sns:us-east-1:999988887777:alerts",
    "CloudTrailLogGroupName": "org-trail",
    "EvidenceBucketName": "keycheck-evidence",
}


def role_of(action: str) -> str:
    service = action.split(":")[0]
    role = ROLE_OF_ACTION.get(action) or ROLE_OF_SERVICE.get(service)
    if role is None:
        pytest.fail(f"{action}: decide whether it runs as the responder or the bot")
    return role


def code_calls() -> dict[str, dict[str, list[str]]]:
    """{role: {action: [call sites]}} for everything bot/aws calls."""
    calls = calls_under(REPO, REPO / "bot" / "aws")
    assert calls, "found no AWS calls under bot/aws"
    by_role: dict[str, dict[str, list[str]]] = {
        RESPONDER: defaultdict(list),
        BOT: defaultdict(list),
    }
    for call in calls:
        if call.action not in NEEDS_NO_PERMISSION:
            by_role[role_of(call.action)][call.action].append(call.where)
    return by_role


def allowed_actions(policies: list[dict[str, Any]]) -> set[str]:
    actions: set[str] = set()
    for policy in policies:
        for statement in policy["PolicyDocument"]["Statement"]:
            if statement["Effect"] == "Allow":
                listed = statement["Action"]
                actions.update([listed] if isinstance(listed, str) else listed)
    assert not [a for a in actions if "*" in a], "wildcard actions"
    return actions


def responder_role(**overrides: str) -> dict[str, Any]:
    stack = Stack(INFRA / "responder-role.yaml", ALL_OPTIONS | overrides)
    role: dict[str, Any] = stack.of_type("AWS::IAM::Role")["ResponderRole"]
    return role


def test_responder_role_allows_exactly_what_the_code_calls() -> None:
    calls = code_calls()[RESPONDER]
    required = set(calls) | {extra for action in calls for extra in IMPLIED.get(action, ())}
    allowed = allowed_actions(responder_role()["Policies"])
    missing = {action: calls.get(action, ["(implied)"]) for action in required - allowed}
    assert not missing, f"the responder role lacks: {missing}"
    assert not allowed - required, (
        f"the responder role allows what the code never calls: {allowed - required}"
    )


def test_bot_role_allows_what_the_bot_calls_and_its_platform_needs() -> None:
    calls: dict[str, list[str]] = {}
    for action, sites in code_calls()[BOT].items():
        for checked in CHECKED_AS.get(action, {action}):
            calls.setdefault(checked, []).extend(sites)
    stack = Stack(INFRA / "bot.yaml", BOT_OPTIONS)
    allowed = allowed_actions(stack.of_type("AWS::IAM::Role")["BotRole"]["Policies"])
    missing = {action: sites for action, sites in calls.items() if action not in allowed}
    assert not missing, f"the bot role lacks: {missing}"
    unexplained = allowed - set(calls) - set(BOT_PLATFORM)
    assert not unexplained, f"the bot role allows what nothing uses: {unexplained}"


def test_optional_trail_bucket_and_athena_access_is_off_by_default() -> None:
    role = responder_role(
        TrailBucketName="", TrailKmsKeyArn="", AthenaWorkGroup="", AthenaResultsBucketName=""
    )
    allowed = allowed_actions(role["Policies"])
    assert not {a for a in allowed if a.startswith(("s3:", "kms:", "athena:", "glue:"))}


def test_trail_bucket_alone_allows_only_reading_its_logs() -> None:
    role = responder_role(TrailKmsKeyArn="", AthenaWorkGroup="", AthenaResultsBucketName="")
    allowed = allowed_actions(role["Policies"])
    assert {a for a in allowed if a.startswith(("s3:", "kms:", "athena:", "glue:"))} == {
        "s3:ListBucket",
        "s3:GetObject",
    }


def test_only_the_bot_with_the_external_id_may_assume_it() -> None:
    (statement,) = responder_role()["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": ALL_OPTIONS["BotPrincipalArn"]}
    assert statement["Action"] == "sts:AssumeRole"
    assert statement["Condition"] == {"StringEquals": {"sts:ExternalId": ALL_OPTIONS["ExternalId"]}}


def test_it_cannot_rewrite_its_own_policies() -> None:
    statements = responder_role()["Policies"][0]["PolicyDocument"]["Statement"]
    (deny,) = [s for s in statements if s["Effect"] == "Deny"]
    assert set(deny["Action"]) == {
        "iam:PutRolePolicy",
        "iam:DeleteRolePolicy",
        "iam:AttachRolePolicy",
        "iam:DetachRolePolicy",
        "iam:UpdateAssumeRolePolicy",
    }
    assert deny["Resource"] == "arn:aws:iam::111122223333:role/keycheck-responder"


def test_iam_writes_stay_inside_the_account() -> None:
    """Every IAM resource is the account's own; only reads may name AWS-managed policies."""
    for statement in responder_role()["Policies"][0]["PolicyDocument"]["Statement"]:
        actions = statement["Action"]
        actions = [actions] if isinstance(actions, str) else actions
        if not any(a.startswith("iam:") for a in actions):
            continue
        resources = statement["Resource"]
        for resource in [resources] if isinstance(resources, str) else resources:
            if resource == "arn:aws:iam::aws:policy/*":
                assert all(a.split(":")[1].startswith(("Get", "List")) for a in actions)
                continue
            assert resource.startswith("arn:aws:iam::111122223333:"), statement


def test_the_bot_assumes_only_the_responder_role() -> None:
    stack = Stack(INFRA / "bot.yaml", BOT_OPTIONS)
    statements = stack.of_type("AWS::IAM::Role")["BotRole"]["Policies"][0]["PolicyDocument"]
    (assume,) = [s for s in statements["Statement"] if s["Action"] == "sts:AssumeRole"]
    assert assume["Resource"] == "arn:aws:iam::*:role/keycheck-responder"


SAMPLE = """
from typing import Any
from mypy_boto3_iam import IAMClient
import mypy_boto3_cloudtrail

def contain(iam: IAMClient, user: str) -> None:
    iam.put_user_policy(UserName=user, PolicyName="p", PolicyDocument="{}")
    for page in iam.get_paginator("list_access_keys").paginate(UserName=user):
        pass
    iam.exceptions.NoSuchEntityException  # not a call

def timeline(client: "mypy_boto3_cloudtrail.CloudTrailClient", sts: Any, other: Any) -> None:
    client.lookup_events()
    sts.get_caller_identity()
    other.lookup_events()  # unknown client: not counted
    print("x".upper())
"""


def test_extractor_finds_typed_named_and_paginated_calls() -> None:
    calls = calls_in_source(SAMPLE, "sample.py")
    assert [c.action for c in calls] == [
        "iam:PutUserPolicy",
        "iam:ListAccessKeys",
        "cloudtrail:LookupEvents",
        "sts:GetCallerIdentity",
    ]
    assert calls[0] == Call("iam:PutUserPolicy", "sample.py:7")


def test_extractor_maps_iam_action_names() -> None:
    assert action_for("iam", "get_access_key_last_used") == "iam:GetAccessKeyLastUsed"
    assert action_for("s3", "list_objects_v2") == "s3:ListBucket"
    assert action_for("logs", "filter_log_events") == "logs:FilterLogEvents"
    with pytest.raises(UnknownMethod):
        action_for("s3", "upload_fileobj")
