"""Finding: payloads that made the parsers raise went to the DLQ, and /sns answered 500."""

from __future__ import annotations

import urllib.error
import urllib.request
from datetime import UTC, datetime
from typing import Any

import pytest

from bot.config import Settings
from bot.models import AlertKind
from bot.runtime.process import Runtime
from bot.standins import demo_scenario as scenario
from bot.standins.slack import SlackStandIn
from tests.e2e.test_sns_endpoint import ACCOUNT, post, signer, sns_url, unsigned
from tests.support.sns import SnsSigner

__all__ = ["signer", "sns_url"]  # the fixtures, used by name


def nested(levels: int) -> dict[str, Any]:
    value: dict[str, Any] = {}
    for _ in range(levels):
        value = {"a": value}
    return value


ODD_RECORDS = {
    "a numeric eventTime of 1e20": ({"eventTime": 1e20}, AlertKind.CLOUDTRAIL_API_CALL),
    "a lone surrogate": ({"userAgent": "aws-cli/2 \ud800"}, AlertKind.CLOUDTRAIL_API_CALL),
    "490 levels of nesting": ({"requestParameters": nested(490)}, AlertKind.UNRECOGNISED),
}


@pytest.mark.parametrize("change", ODD_RECORDS.values(), ids=list(ODD_RECORDS))
def test_an_odd_payload_is_stored_as_an_alert_and_sns_is_answered_200(
    settings: Settings,
    signer: SnsSigner,
    sns_url: tuple[str, Runtime],
    slack: SlackStandIn,
    change: tuple[dict[str, Any], AlertKind],
) -> None:
    url, runtime = sns_url
    fields, kind = change
    record = scenario.recon_records(ACCOUNT, "AKIAQWERTYUIOPASDFGH", datetime.now(UTC))[0]
    event = scenario.eventbridge_event(record)
    event["detail"].update(fields)
    envelope = unsigned(scenario.sns_wrap(event, settings.sns_topic_arns[0]))

    status, body = post(url, signer.sign(envelope))

    assert status == 200, body
    [card] = slack.wait_for(lambda s: s.channel_messages("C0ALERTS"))
    assert ("Unrecognised" in card["text"]) == (kind is AlertKind.UNRECOGNISED), card["text"]
    assert runtime.services.store.counters()["alerts.stored"] == 1


def test_a_body_too_deep_for_the_json_reader_is_refused_not_a_500(
    sns_url: tuple[str, Runtime],
) -> None:
    url, runtime = sns_url
    request = urllib.request.Request(url, data=b"[" * 100_000 + b"]" * 100_000, method="POST")
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=10)
    assert refused.value.code == 403
    assert runtime.services.store.counters()["sns.rejected"] == 1
