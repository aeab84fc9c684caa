"""Auto-containment is decided per stored alert, not per card: order, batches and Slack aside."""

from __future__ import annotations

import boto3
import pytest

from bot.domain.policies import DENY_ALL
from bot.models import utcnow
from bot.runtime.process import Runtime
from bot.slack.messenger import SlackDeliveryError
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from tests.e2e.conftest import ACCOUNT, TOPIC, caller_identity_body, messages_text, wait_replies

EXPOSED = "health:AWS_RISK_CREDENTIALS_EXPOSED"


def health_body(key_id: str) -> str:
    return scenario.sns_wrap(scenario.health_event(ACCOUNT, key_id, utcnow()), TOPIC)


def contained(aws: boto3.Session, key_id: str) -> bool:
    iam = aws.client("iam")
    [key] = [
        k
        for k in iam.list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
        if k["AccessKeyId"] == key_id
    ]
    denied = DENY_ALL in iam.list_user_policies(UserName=scenario.USER)["PolicyNames"]
    return key["Status"] == "Inactive" and denied


@pytest.mark.settings(auto_contain=[EXPOSED])
def test_auto_containment_runs_when_another_alert_for_the_key_came_first(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    """Finding: the attacker's own GetCallerIdentity card made the exposure alert skip it."""
    runtime.ingest.handle(caller_identity_body(leaked))
    runtime.ingest.handle(health_body(leaked))

    assert contained(aws, leaked)
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None
    text = messages_text(wait_replies(slack, incident, 2))
    assert "Auto-containment" in text and "`keycheck` deactivated" in text


@pytest.mark.settings(auto_contain=[EXPOSED])
def test_auto_containment_runs_when_both_alerts_arrive_in_one_batch(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    """Finding: with the unlisted alert first in the batch, only its card's hook ran."""
    runtime.ingest.accept(caller_identity_body(leaked))
    runtime.ingest.accept(health_body(leaked))
    runtime.ingest.deliver()

    assert contained(aws, leaked)
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None
    assert "Auto-containment" in messages_text(wait_replies(slack, incident, 2))


@pytest.mark.settings(auto_contain=[EXPOSED])
def test_auto_containment_runs_while_slack_refuses_posts(
    aws: boto3.Session, runtime: Runtime, slack: SlackStandIn, leaked: str
) -> None:
    """Finding: containment waited for a card, so a Slack outage held it back too."""
    slack.fail_next("chat.postMessage", status=500, times=3)
    runtime.ingest.accept(health_body(leaked))
    with pytest.raises(SlackDeliveryError):
        runtime.ingest.deliver()
    assert contained(aws, leaked), "contained before Slack heard of it"
    assert slack.channel_messages("C0ALERTS") == []

    runtime.ingest.deliver()
    incident = runtime.services.store.find_incident(ACCOUNT, leaked)
    assert incident is not None and incident.thread_ts
    assert "Auto-containment" in messages_text(wait_replies(slack, incident, 1))
