"""Fallback texts (notifications, search) say what happened in plain words, with names."""

from __future__ import annotations

from bot.aws.support import SUPPORT_REGION
from bot.models import Incident
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId
from bot.standins.slack import SlackStandIn
from tests.conftest import RESPONDER
from tests.e2e.conftest import Responder, card_value, confirm_view, wait_replies
from tests.support.aws import answer

INTERNAL = ("contain-all", "deactivate-key", "declare-incident", RESPONDER)


def test_contain_all_is_told_with_the_persons_name_and_what_changed(
    slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    responder.click(ActionId.CONTAIN_ALL, card_value(incident), incident)
    responder.submit(confirm_view(slack), reason="key posted in a public repo")

    [result] = wait_replies(slack, incident, 1)

    assert result["text"] == (
        f"Responder contained {incident.access_key_id}: "
        "key deactivated, deny-all attached, earlier sessions revoked"
    )
    assert f"<@{RESPONDER}>" in str(result["blocks"])
    assert not any(word in result["text"] for word in INTERNAL)


def test_declaring_an_incident_is_told_with_the_persons_name_and_the_channel(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    responder.click(ActionId.DECLARE_INCIDENT, card_value(incident), incident)

    [declared] = wait_replies(slack, incident, 1)

    assert declared["text"] == (
        f"Responder declared incident {incident.id}: it is worked in #keycheck-{incident.id}."
    )
    assert not any(word in declared["text"] for word in INTERNAL)


def test_acknowledging_is_told_with_the_persons_name(
    slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    responder.click(ActionId.ACKNOWLEDGE, card_value(incident), incident)
    responder.submit(confirm_view(slack), snooze="1h")

    [told] = wait_replies(slack, incident, 1)

    assert told["text"] == f"Responder acknowledged incident {incident.id}."
    assert f"<@{RESPONDER}>" in str(told["blocks"])


def test_opening_a_case_is_told_with_the_persons_name(
    runtime: Runtime, slack: SlackStandIn, incident: Incident, responder: Responder
) -> None:
    support = runtime.services.sessions.client("support", incident.account_id, SUPPORT_REGION)
    levels = [{"code": c, "name": c} for c in ("low", "normal", "high", "urgent")]
    answer(support.meta.events, "support.DescribeSeverityLevels", {"severityLevels": levels})
    responder.click(ActionId.OPEN_CASE, card_value(incident), incident)

    [told] = wait_replies(slack, incident, 1)

    assert told["text"].startswith("Responder asked for an AWS Support case: ")
    assert not any(word in told["text"] for word in INTERNAL)
