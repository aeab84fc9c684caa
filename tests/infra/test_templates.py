"""The templates lint clean and deploy, chained as in infra/README.md, into moto."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from tests.infra.cfn import CLOUDFORMATION_TEMPLATES, INFRA, Stack, load

# Resource types moto 5.2's CloudFormation skips (with a warning): nothing here checks them
# by deployment; the pattern, filter and policy tests check their content instead.
MOTO_CANNOT_CHECK = frozenset(
    {
        "AWS::CloudWatch::Alarm",
        "AWS::Events::EventBusPolicy",
        "AWS::Lambda::Url",
        "AWS::Logs::MetricFilter",
        "AWS::SNS::Subscription",
        "AWS::SNS::TopicPolicy",
        "AWS::SQS::QueuePolicy",
    }
)
REGION = "us-east-1"
pytestmark = pytest.mark.filterwarnings("ignore:Tried to parse AWS:UserWarning")
BOT_PARAMETERS = {
    "CodeS3Bucket": "keycheck-artifacts",
    "CodeS3Key": "keycheck.zip",
    "SecretArn": f"arn:aws:secretsmanager:{REGION}:123456789012:secret:keycheck-AbCdEf",
    "AlertQueueArn": "set from the detections stack",
    "AlertQueueUrl": "set from the detections stack",
    "AlertTopicArn": "set from the detections stack",
    "CloudTrailLogGroupName": "org-trail",
    "EvidenceBucketName": "keycheck-evidence",
}


def test_cfn_lint_is_clean() -> None:
    cfn_lint = Path(sys.executable).with_name("cfn-lint")
    result = subprocess.run(
        [str(cfn_lint), *map(str, CLOUDFORMATION_TEMPLATES)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_no_template_is_missed() -> None:
    assert {p.name for p in CLOUDFORMATION_TEMPLATES} == {
        "bot.yaml",
        "detections-region.yaml",
        "detections.yaml",
        "responder-role.yaml",
    }


class Deployment:
    """Stacks created in moto; remembers which resource types moto skipped."""

    def __init__(self, session: boto3.Session) -> None:
        self.session = session
        self.cloudformation = session.client("cloudformation")
        self.unchecked: dict[str, set[str]] = {}

    def create(self, name: str, template: str, parameters: dict[str, str]) -> dict[str, str]:
        body = load(INFRA / template)
        deployed = {
            logical: spec["Type"]
            for logical, spec in Stack(INFRA / template, parameters).resources.items()
        }
        skipped = {r for r, t in deployed.items() if t in MOTO_CANNOT_CHECK}
        # moto cannot evaluate an output that reads an attribute of a skipped resource
        body["Outputs"] = {
            key: output
            for key, output in body.get("Outputs", {}).items()
            if not any(re.search(rf"\b{r}\b", json.dumps(output)) for r in skipped)
        }
        self.cloudformation.create_stack(
            StackName=name,
            TemplateBody=json.dumps(body),
            Parameters=[{"ParameterKey": k, "ParameterValue": v} for k, v in parameters.items()],
            Capabilities=["CAPABILITY_NAMED_IAM"],
        )
        (stack,) = self.cloudformation.describe_stacks(StackName=name)["Stacks"]
        assert stack["StackStatus"] == "CREATE_COMPLETE"
        summaries = self.cloudformation.list_stack_resources(StackName=name)
        created = {
            r["LogicalResourceId"]: r["ResourceType"]
            for r in summaries["StackResourceSummaries"]
            if r.get("LogicalResourceId")
        }
        self.unchecked[template] = set(deployed.values()) - set(created.values())
        assert {r: t for r, t in deployed.items() if r not in skipped} == created
        return {o["OutputKey"]: o["OutputValue"] for o in stack.get("Outputs", [])}


@pytest.fixture(scope="module")
def deployment() -> Iterator[Deployment]:
    with pytest.MonkeyPatch.context() as env:
        for name, value in {
            "AWS_ACCESS_KEY_ID": "testing",
            "AWS_SECRET_ACCESS_KEY": "testing",
            "AWS_DEFAULT_REGION": REGION,
        }.items():
            env.setenv(name, value)
        env.delenv("AWS_ENDPOINT_URL", raising=False)
        env.delenv("AWS_PROFILE", raising=False)
        with mock_aws():
            yield Deployment(boto3.Session(region_name=REGION))


@pytest.fixture(scope="module")
def stacks(deployment: Deployment) -> dict[str, dict[str, str]]:
    """detections -> bot -> responder role and region forwarder, wired by their outputs."""
    detections = deployment.create(
        "keycheck-detections",
        "detections.yaml",
        {
            "CloudTrailLogGroupName": "org-trail",
            "BotHttpsEndpoint": "https://keycheck.example.com/sns",
            "SourceOrganizationId": "o-a1b2c3d4e5",
        },
    )
    s3 = deployment.session.client("s3")
    s3.create_bucket(Bucket="keycheck-artifacts")
    package = io.BytesIO()
    with zipfile.ZipFile(package, "w") as archive:
        archive.writestr(
            "bot/runtime/lambda_handler.py", "def handler(event, context):\n    return {}\n"
        )
    s3.put_object(Bucket="keycheck-artifacts", Key="keycheck.zip", Body=package.getvalue())
    bot = deployment.create(
        "keycheck-bot",
        "bot.yaml",
        BOT_PARAMETERS
        | {key: detections[key] for key in ("AlertQueueArn", "AlertQueueUrl", "AlertTopicArn")},
    )
    responder = deployment.create(
        "keycheck-responder",
        "responder-role.yaml",
        {
            "BotPrincipalArn": bot["BotRoleArn"],
            "ExternalId": "0123456789abcdef-external",
            "TrailBucketName": "org-trail-logs",
        },
    )
    region = deployment.create(
        "keycheck-region",
        "detections-region.yaml",
        {"CentralEventBusArn": detections["CentralEventBusArn"]},
    )
    return {"detections": detections, "bot": bot, "responder": responder, "region": region}


def test_alert_queue_redrives_to_its_dead_letter_queue(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    sqs = deployment.session.client("sqs")
    url = stacks["detections"]["AlertQueueUrl"]
    attributes = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["All"])["Attributes"]
    redrive = json.loads(attributes["RedrivePolicy"])
    dlq_url = stacks["detections"]["DeadLetterQueueUrl"]
    dlq = sqs.get_queue_attributes(QueueUrl=dlq_url, AttributeNames=["QueueArn"])["Attributes"]
    assert redrive["deadLetterTargetArn"] == dlq["QueueArn"]
    assert int(redrive["maxReceiveCount"]) == 5
    assert attributes["VisibilityTimeout"] == "1800"
    assert attributes["SqsManagedSseEnabled"] == "true"


def test_alert_topic_is_encrypted_with_a_rotating_key(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    sns = deployment.session.client("sns")
    topic = sns.get_topic_attributes(TopicArn=stacks["detections"]["AlertTopicArn"])["Attributes"]
    kms = deployment.session.client("kms")
    assert kms.get_key_rotation_status(KeyId=topic["KmsMasterKeyId"])["KeyRotationEnabled"]


def test_central_bus_rules_publish_to_the_topic(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    events = deployment.session.client("events")
    rules = events.list_rules(EventBusName="keycheck")["Rules"]
    assert len(rules) == 7
    for rule in rules:
        (target,) = events.list_targets_by_rule(Rule=rule["Name"], EventBusName="keycheck")[
            "Targets"
        ]
        assert target["Arn"] == stacks["detections"]["AlertTopicArn"]


def test_region_stack_forwards_to_the_central_bus(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    events = deployment.session.client("events")
    (rule,) = events.list_rules(EventBusName="default")["Rules"]
    (target,) = events.list_targets_by_rule(Rule=rule["Name"])["Targets"]
    assert target["Arn"] == stacks["detections"]["CentralEventBusArn"]
    assert target["RoleArn"].startswith("arn:aws:iam::123456789012:role/")


def test_responder_role_trusts_the_bot_role_only(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    iam = deployment.session.client("iam")
    role = iam.get_role(RoleName="keycheck-responder")["Role"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement["Principal"] == {"AWS": stacks["bot"]["BotRoleArn"]}
    assert statement["Condition"]["StringEquals"]["sts:ExternalId"] == "0123456789abcdef-external"
    assert iam.list_role_policies(RoleName="keycheck-responder")["PolicyNames"] == [
        "keycheck-responder"
    ]


def test_bot_function_reads_alerts_and_keeps_secrets_out_of_its_environment(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    lam = deployment.session.client("lambda")
    function = lam.get_function(FunctionName="keycheck")["Configuration"]
    assert function["Handler"] == "bot.runtime.lambda_handler.handler"
    assert function["Runtime"] == "python3.11"
    variables: dict[str, Any] = function["Environment"]["Variables"]
    assert not [name for name in variables if name.startswith("SLACK_")]
    assert variables["KEYCHECK_SECRET_ARN"].startswith("arn:aws:secretsmanager:")
    assert variables["KEYCHECK_SQS_QUEUE_URL"] == stacks["detections"]["AlertQueueUrl"]
    assert variables["KEYCHECK_SNS_TOPIC_ARNS"] == stacks["detections"]["AlertTopicArn"]
    (mapping,) = lam.list_event_source_mappings(FunctionName="keycheck")["EventSourceMappings"]
    assert mapping["EventSourceArn"] == stacks["detections"]["AlertQueueArn"]
    assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]


def test_store_table_is_on_demand_with_point_in_time_recovery(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    dynamodb = deployment.session.client("dynamodb")
    table = dynamodb.describe_table(TableName=stacks["bot"]["TableName"])["Table"]
    assert table["BillingModeSummary"]["BillingMode"] == "PAY_PER_REQUEST"
    assert [k["AttributeName"] for k in table["KeySchema"]] == ["pk", "sk"]
    # moto's CloudFormation ignores PointInTimeRecoverySpecification: read the template
    (spec,) = Stack(INFRA / "bot.yaml", BOT_PARAMETERS).of_type("AWS::DynamoDB::Table").values()
    assert spec["PointInTimeRecoverySpecification"] == {"PointInTimeRecoveryEnabled": True}


def test_what_moto_could_not_check(
    deployment: Deployment, stacks: dict[str, dict[str, str]]
) -> None:
    unchecked = set().union(*deployment.unchecked.values())
    print("resource types moto skipped:", ", ".join(sorted(unchecked)))
    assert unchecked == MOTO_CANNOT_CHECK
