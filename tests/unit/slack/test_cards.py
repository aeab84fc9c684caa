"""The incident card: right facts, right buttons, Slack's limits kept, attacker text defused."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest
from slack_sdk import WebClient

from bot.models import Alert, AlertContext, IncidentStatus, KeyReport, Severity
from bot.slack.cards import alert_reply, card_counter, incident_card
from bot.slack.ids import ActionId, ButtonValue
from bot.standins.slack import SlackStandIn
from bot.standins.transcript import render_channel

from .conftest import (
    ACCOUNT,
    ATTACKER_IP,
    KEY,
    SESSION_KEY,
    USER,
    WHEN,
    dated,
    key_report,
    make_incident,
)

SECRET = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"
HOSTILE = "<!channel> <https://evil.example/|click here> `x` &lt; *bold*\n:fake: line"


def texts(value: object) -> list[str]:
    """Every string Slack renders from a block tree."""
    if isinstance(value, dict):
        own = [value["text"]] if isinstance(value.get("text"), str) else []
        return own + [t for v in value.values() for t in texts(v)]
    if isinstance(value, list):
        return [t for item in value for t in texts(item)]
    return []


def shown(text: str, blocks: list[dict[str, Any]]) -> str:
    """The text as sent, local times read as their UTC fallback."""
    return "\n".join([text, *map(dated, texts(blocks))])


def buttons(blocks: list[dict[str, Any]]) -> dict[str, dict[str, Any]]:
    return {
        element["action_id"]: element
        for block in blocks
        if block["type"] == "actions"
        for element in block["elements"]
    }


def post(client: WebClient, text: str, blocks: list[dict[str, Any]], **kwargs: Any) -> str:
    """Post as keycheck does: the stand-in refuses anything beyond Slack's limits."""
    return str(
        client.chat_postMessage(channel="C0ALERTS", text=text, blocks=blocks, **kwargs)["ts"]
    )


# -- what the card says --------------------------------------------------------------------------


def test_caller_identity_card_names_key_owner_origin_and_verdicts(
    raw_client: WebClient, caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    text, blocks = incident_card(
        make_incident(caller_identity), caller_identity, caller_identity_context
    )
    body = shown(text, blocks)
    for fact in (KEY, USER, ACCOUNT, ATTACKER_IP, "`sts:GetCallerIdentity`", "Frankfurt am Main"):
        assert fact in body
    assert "long-term (AKIA)" in body
    assert "outside known networks" in body
    assert "`us-east-1` ✅ approved" in body
    assert "Active · 365 days old" in body
    assert "2026-05-21 12:11:58 UTC · sts · us-east-1" in body
    token = f"<!date^{int(WHEN.timestamp())}^{{date_short_pretty}} {{time_secs}}|"
    assert token in json.dumps(blocks)
    assert "🟠 High" in body
    assert text.startswith("🟠 High: GetCallerIdentity from outside known networks")
    assert blocks[0]["type"] == "header"
    post(raw_client, text, blocks)


def test_every_mrkdwn_object_is_verbatim(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    _, blocks = incident_card(
        make_incident(caller_identity), caller_identity, caller_identity_context
    )
    found = json.dumps(blocks)
    assert found.count('"type": "mrkdwn"') == found.count('"verbatim": true')


def test_buttons_for_a_long_term_key_carry_decodable_values(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    incident = make_incident(caller_identity)
    _, blocks = incident_card(incident, caller_identity, caller_identity_context)
    found = buttons(blocks)
    assert set(found) == {
        ActionId.DEACTIVATE_KEY,
        ActionId.REVOKE_SESSIONS,
        ActionId.ATTACH_DENY_ALL,
        ActionId.CONTAIN_ALL,
        ActionId.TIMELINE,
        ActionId.OPEN_CASE,
        ActionId.DECLARE_INCIDENT,
        ActionId.ACKNOWLEDGE,
        ActionId.FALSE_POSITIVE,
        ActionId.REPORT,
    }
    assert [b for b, e in found.items() if e.get("style") == "danger"] == [ActionId.CONTAIN_ALL]
    for element in found.values():
        value = ButtonValue.decode(element["value"])
        assert (value.i, value.k, value.a) == (incident.id, KEY, ACCOUNT)


def test_a_temporary_key_offers_revoke_sessions_not_deactivate(
    raw_client: WebClient, guardduty: Alert
) -> None:
    context = AlertContext(
        key=key_report(
            access_key_id=SESSION_KEY,
            user_name="",
            role_arn=f"arn:aws:iam::{ACCOUNT}:role/web-app-role",
            session_name="i-0abc",
        ),
        ip_known=False,
    )
    text, blocks = incident_card(make_incident(guardduty), guardduty, context)
    found = buttons(blocks)
    assert ActionId.DEACTIVATE_KEY not in found
    assert ActionId.REVOKE_SESSIONS in found and found[ActionId.CONTAIN_ALL]["style"] == "danger"
    body = shown(text, blocks)
    assert "temporary STS (ASIA): cannot be deactivated" in body
    assert "role `arn:aws:iam::123456789012:role/web-app-role` session `i-0abc`" in body
    assert "UnauthorizedAccess:IAMUser/InstanceCredentialExfiltration.OutsideAWS" in body
    post(raw_client, text, blocks)


def test_health_exposure_links_where_the_key_leaked_and_the_case(
    raw_client: WebClient, health_exposed: Alert
) -> None:
    report = key_report(
        attached_policies=["AWSCompromisedKeyQuarantineV3"], quarantine_attached=True
    )
    incident = make_incident(health_exposed)
    text, blocks = incident_card(incident, health_exposed, AlertContext(key=report))
    body = shown(text, blocks)
    assert "<https://github.com/example-org/app/blob/3f2a1c/config.py>" in body
    assert "`case-123456789012-muen-2026-1a2b3c4d`" in body
    assert "*attached* by AWS (`AWSCompromisedKeyQuarantineV3`)" in body
    assert text.startswith("🔴 Critical")
    post(raw_client, text, blocks)


def test_an_odd_exposed_url_is_shown_but_not_linked(health_exposed: Alert) -> None:
    alert = health_exposed.model_copy(
        update={"details": {"exposed_url": "javascript:alert(1)|<!channel>"}}
    )
    _, blocks = incident_card(make_incident(alert), alert, AlertContext())
    body = shown("", blocks)
    assert "`javascript:alert(1)|&lt;!channel&gt;`" in body
    assert "<javascript" not in body


def test_alarm_card_lists_the_first_five_events_that_tripped_it(
    raw_client: WebClient, access_denied_alarm: Alert
) -> None:
    text, blocks = incident_card(
        make_incident(access_denied_alarm), access_denied_alarm, AlertContext(key=key_report())
    )
    body = shown(text, blocks)
    assert "(5 of 6)" in body
    for name in ("ListUsers", "ListAccessKeys", "ListRoles", "ListPolicies", "GetUser"):
        assert f"`iam:{name}`" in body
    assert "ListGroups" not in body
    assert "• 12:12:58 UTC `iam:ListUsers` key `AKIAQ3EGUPZ6BNVKXMLR` from `198.51.100.50`" in body
    post(raw_client, text, blocks)


def test_unrecognised_alert_shows_its_raw_json_defused(
    raw_client: WebClient, unrecognised: Alert
) -> None:
    text, blocks = incident_card(make_incident(unrecognised), unrecognised, AlertContext())
    body = shown(text, blocks)
    assert blocks[0]["text"]["text"].startswith("🟡 Unrecognised alert")
    assert '```{"source": "custom.scanner"' in body
    assert "&lt;!here&gt;" in body
    assert "<!here>" not in body
    assert body.count("```") == 2
    assert set(buttons(blocks)) == {ActionId.OPEN_CASE, ActionId.ACKNOWLEDGE, ActionId.REPORT}
    post(raw_client, text, blocks)


def test_root_usage_without_a_key_gets_case_and_acknowledge_only(caller_identity: Alert) -> None:
    root = caller_identity.model_copy(
        update={
            "access_key_id": "",
            "principal_type": "Root",
            "user_name": "",
            "principal_arn": f"arn:aws:iam::{ACCOUNT}:root",
            "title": "Root user activity",
            "severity": Severity.CRITICAL,
        }
    )
    text, blocks = incident_card(make_incident(root), root, AlertContext(ip_known=True))
    assert set(buttons(blocks)) == {ActionId.OPEN_CASE, ActionId.ACKNOWLEDGE, ActionId.REPORT}
    body = shown(text, blocks)
    assert "*root user*" in body
    assert "no access key in this alert" in body
    assert "inside known networks" in body


def test_an_acknowledged_incident_says_so_and_offers_reopen(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    incident = make_incident(caller_identity, status=IncidentStatus.ACKNOWLEDGED)
    _, blocks = incident_card(incident, caller_identity, caller_identity_context)
    found = buttons(blocks)
    assert ActionId.REOPEN in found
    assert ActionId.ACKNOWLEDGE not in found
    assert ActionId.FALSE_POSITIVE not in found
    assert "👀 Acknowledged" in shown("", blocks)


def test_a_false_positive_is_marked(caller_identity: Alert) -> None:
    incident = make_incident(caller_identity, status=IncidentStatus.FALSE_POSITIVE)
    _, blocks = incident_card(incident, caller_identity, AlertContext())
    assert "🚫 False positive" in shown("", blocks)


def test_a_failed_key_lookup_is_shown_not_hidden(caller_identity: Alert) -> None:
    report = KeyReport(
        access_key_id=KEY, kind="long-term", error="account 123456789012 unreachable"
    )
    _, blocks = incident_card(
        make_incident(caller_identity), caller_identity, AlertContext(key=report)
    )
    body = shown("", blocks)
    assert "⚠️ lookup failed: account 123456789012 unreachable" in body
    assert "not checked (no known networks set)" in body


def test_notes_and_containment_marks_appear(caller_identity: Alert) -> None:
    report = key_report(deny_all_attached=True, status="Inactive")
    context = AlertContext(key=report, notes=["Recon burst: 6 IAM calls in 4 minutes"])
    _, blocks = incident_card(make_incident(caller_identity), caller_identity, context)
    body = shown("", blocks)
    assert "⚪ Inactive" in body
    assert "deny-all attached" in body
    assert "📝 Recon burst: 6 IAM calls in 4 minutes" in body


# -- the counter --------------------------------------------------------------------------------


def test_counter_reads_like_a_person_wrote_it(caller_identity: Alert) -> None:
    last = WHEN.replace(hour=12, minute=14, second=5)
    incident = make_incident(caller_identity, alert_count=37, last_seen=last)
    assert dated(card_counter(incident)) == "37 alerts, last 12:14:05 UTC"
    assert "{time_secs} ({ago})" in card_counter(incident)
    once = card_counter(make_incident(caller_identity))
    assert dated(once) == "1 alert, at 12:11:58 UTC"
    later = make_incident(caller_identity, alert_count=2, last_seen=WHEN + timedelta(days=1))
    assert dated(card_counter(later)) == "2 alerts, last 2026-05-22 12:11:58 UTC"


def test_the_card_shows_the_counter(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    incident = make_incident(caller_identity, alert_count=37)
    _, blocks = incident_card(incident, caller_identity, caller_identity_context)
    assert "37 alerts, last 12:11:58 UTC" in shown("", blocks)


# -- attacker-controlled text -------------------------------------------------------------------


@pytest.mark.parametrize(
    "field",
    [
        "user_agent",
        "event_name",
        "error_code",
        "user_name",
        "principal_arn",
        "rule",
        "title",
        "source_ip",
        "region",
        "event_source",
    ],
)
def test_hostile_fields_cannot_ping_link_or_break_out(
    raw_client: WebClient, slack: SlackStandIn, caller_identity: Alert, field: str
) -> None:
    alert = caller_identity.model_copy(update={field: HOSTILE, "principal_type": "IAMUser"})
    context = AlertContext(notes=[HOSTILE])
    incident = make_incident(alert)
    for text, blocks in (incident_card(incident, alert, context), alert_reply(alert, context)):
        body = shown(text, blocks)
        assert "<!channel>" not in body
        assert "<https://evil" not in body
        assert "\n:fake:" not in body
        post(raw_client, text, blocks)
    assert "<!channel>" in slack.transcript()


def test_a_secret_in_the_user_agent_is_redacted(caller_identity: Alert) -> None:
    alert = caller_identity.model_copy(update={"user_agent": f"curl/8.0 secret={SECRET}"})
    context = AlertContext(notes=[f"pasted {SECRET}"])
    for text, blocks in (
        incident_card(make_incident(alert), alert, context),
        alert_reply(alert, context),
    ):
        body = shown(text, blocks)
        assert SECRET not in body
        assert "[redacted]" in body


def test_huge_inputs_stay_within_slacks_limits(
    raw_client: WebClient, access_denied_alarm: Alert, unrecognised: Alert
) -> None:
    huge = access_denied_alarm.model_copy(
        update={
            "title": "T" * 5000,
            "rule": "R" * 5000,
            "user_agent": "U" * 10_000,
            "details": {f"k{i}": "v" * 5000 for i in range(40)},
            "events": access_denied_alarm.events * 50,
        }
    )
    context = AlertContext(key=key_report(error="E" * 5000), notes=["N" * 5000] * 30)
    for alert in (huge, unrecognised.model_copy(update={"raw": "{" * 100_000})):
        incident = make_incident(alert)
        post(raw_client, *incident_card(incident, alert, context))
        post(raw_client, *alert_reply(alert, context))


# -- the thread reply ----------------------------------------------------------------------------


def test_a_later_alert_is_a_thread_reply_without_buttons(
    raw_client: WebClient,
    slack: SlackStandIn,
    caller_identity: Alert,
    caller_identity_context: AlertContext,
    access_denied_alarm: Alert,
) -> None:
    card_ts = post(
        raw_client,
        *incident_card(make_incident(caller_identity), caller_identity, caller_identity_context),
    )
    text, blocks = alert_reply(access_denied_alarm, AlertContext(ip_known=False))
    assert not buttons(blocks)
    post(raw_client, text, blocks, thread_ts=card_ts)
    [_, reply] = slack.thread("C0ALERTS", card_ts)
    assert ATTACKER_IP in shown(reply["text"], reply["blocks"])
    assert "(5 of 6)" in render_channel(slack.channel_log("C0ALERTS"))


def test_the_card_follows_the_key_as_containment_reads_it_back(
    caller_identity: Alert, caller_identity_context: AlertContext
) -> None:
    incident = make_incident(caller_identity)
    denied = caller_identity_context.model_copy(
        update={"key": key_report(status="Active", deny_all_attached=True)}
    )
    _, blocks = incident_card(incident, caller_identity, denied)
    found = buttons(blocks)
    assert ActionId.ATTACH_DENY_ALL not in found
    assert {ActionId.CONTAIN_ALL, ActionId.DEACTIVATE_KEY} <= set(found)
    assert "partly contained" in json.dumps(blocks)

    done = caller_identity_context.model_copy(
        update={"key": key_report(status="Inactive", deny_all_attached=True, revoke_attached=True)}
    )
    _, blocks = incident_card(incident, caller_identity, done)
    found = buttons(blocks)
    containment = {
        ActionId.CONTAIN_ALL,
        ActionId.DEACTIVATE_KEY,
        ActionId.ATTACH_DENY_ALL,
        ActionId.REVOKE_SESSIONS,
    }
    assert not containment & set(found)
    assert {ActionId.TIMELINE, ActionId.OPEN_CASE} <= set(found)
    assert "🛡️ Contained" in json.dumps(blocks, ensure_ascii=False)
    assert not any(e.get("style") == "danger" for e in found.values())
