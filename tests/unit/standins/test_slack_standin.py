"""The Slack stand-in, driven over HTTP by the real slack_sdk WebClient as keycheck drives Slack."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import urllib.request
from collections.abc import Callable
from typing import Any

import pytest
from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError
from slack_sdk.http_retry.builtin_handlers import (
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import (
    FixedValueRetryIntervalCalculator,
)

from bot.standins.slack import SlackStandIn

from .conftest import FakeClock

SECTION = {"type": "section", "text": {"type": "mrkdwn", "text": "card"}}


def error_of(method: Callable[..., Any], **kwargs: Any) -> str:
    """Slack's error code for a call that must fail."""
    with pytest.raises(SlackApiError) as caught:
        method(**kwargs)
    return str(caught.value.response["error"])


# -- auth ----------------------------------------------------------------------------------------


def test_auth_test_answers_for_the_bot(client: WebClient) -> None:
    answer = client.auth_test()
    assert answer["ok"] is True
    assert answer["user_id"] == "U0KEYCHECK"


def test_a_wrong_token_is_invalid_auth_and_nothing_is_posted(slack: SlackStandIn) -> None:
    wrong = WebClient(base_url=slack.url, token="xoxb-not-the-token", retry_handlers=[])
    assert error_of(wrong.chat_postMessage, channel="C0ALERTS", text="x") == "invalid_auth"
    assert slack.channel_messages("C0ALERTS") == []


def test_no_token_is_not_authed(slack: SlackStandIn) -> None:
    anonymous = WebClient(base_url=slack.url, retry_handlers=[])
    assert error_of(anonymous.auth_test) == "not_authed"


def test_the_token_is_never_recorded(slack: SlackStandIn) -> None:
    body = f"token={slack.token}&channel=C0ALERTS&text=hi".encode()
    request = urllib.request.Request(f"{slack.url}chat.postMessage", data=body, method="POST")
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    assert "token" not in slack.calls[0].params
    assert str(slack.token) not in repr(slack.calls)


# -- chat ----------------------------------------------------------------------------------------


def test_post_by_name_returns_the_channel_id_and_increasing_unique_ts(client: WebClient) -> None:
    first = client.chat_postMessage(channel="#security-alerts", text="one")
    second = client.chat_postMessage(channel="security-alerts", text="two")
    assert first["channel"] == second["channel"] == "C0ALERTS"
    assert first["ts"] == "1700000000.000100"
    assert float(second["ts"]) > float(first["ts"])


def test_thread_replies_hang_under_their_parent(slack: SlackStandIn, client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="card", blocks=[SECTION])
    client.chat_postMessage(channel="C0ALERTS", text="second alert", thread_ts=card["ts"])
    [top] = slack.channel_messages("C0ALERTS")
    assert top["reply_count"] == 1
    assert [m["text"] for m in slack.thread("C0ALERTS", card["ts"])] == ["card", "second alert"]


def test_a_reply_to_a_reply_joins_the_parents_thread(
    slack: SlackStandIn, client: WebClient
) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="card")
    reply = client.chat_postMessage(channel="C0ALERTS", text="r1", thread_ts=card["ts"])
    client.chat_postMessage(channel="C0ALERTS", text="r2", thread_ts=reply["ts"])
    assert [m["text"] for m in slack.thread("C0ALERTS", card["ts"])] == ["card", "r1", "r2"]


def test_an_unknown_thread_is_refused(client: WebClient) -> None:
    post = client.chat_postMessage
    assert error_of(post, channel="C0ALERTS", text="x", thread_ts="1.2") == "thread_not_found"


@pytest.mark.filterwarnings("ignore:The top-level `text` argument is missing")
@pytest.mark.parametrize(
    ("kwargs", "error"),
    [
        ({"channel": "#nowhere", "text": "x"}, "channel_not_found"),
        ({"channel": "C0ALERTS"}, "no_text"),
        ({"channel": "C0ALERTS", "text": "x" * 40_001}, "msg_too_long"),
    ],
)
def test_post_errors_are_slacks(client: WebClient, kwargs: dict[str, Any], error: str) -> None:
    assert error_of(client.chat_postMessage, **kwargs) == error


def test_update_keeps_the_latest_version_and_the_blocks_when_only_text_changes(
    slack: SlackStandIn, client: WebClient
) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="1 alert", blocks=[SECTION])
    client.chat_update(channel="C0ALERTS", ts=card["ts"], text="37 alerts")
    [top] = slack.channel_messages("C0ALERTS")
    assert top["text"] == "37 alerts"
    assert top["blocks"] == [SECTION]
    assert "edited" in top


def test_update_wants_an_existing_message_and_a_channel_id(client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="card")
    update = client.chat_update
    assert error_of(update, channel="C0ALERTS", ts="1.000001", text="x") == "message_not_found"
    assert error_of(update, channel="#security-alerts", ts=card["ts"], text="x") == (
        "channel_not_found"
    )


def test_ephemeral_is_only_for_members(slack: SlackStandIn, client: WebClient) -> None:
    slack.add_user("U0OUTSIDER", "outsider", channels=())
    client.chat_postEphemeral(channel="C0ALERTS", user="U0MALLORY", text="not a responder")
    outsider = {"channel": "C0ALERTS", "user": "U0OUTSIDER", "text": "x"}
    assert error_of(client.chat_postEphemeral, **outsider) == "user_not_in_channel"
    [seen] = slack.ephemerals("C0ALERTS")
    assert seen["ephemeral_to"] == "U0MALLORY"
    assert slack.channel_messages("C0ALERTS") == []


def test_permalink_of_a_reply_names_its_thread(client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="card")
    reply = client.chat_postMessage(channel="C0ALERTS", text="r", thread_ts=card["ts"])
    link = client.chat_getPermalink(channel="C0ALERTS", message_ts=reply["ts"])["permalink"]
    assert link.endswith(
        f"/archives/C0ALERTS/p1700000000000200?thread_ts={card['ts']}&cid=C0ALERTS"
    )


# -- Block Kit limits, held as Slack holds them --------------------------------------------------


def button(text: str = "Go", value: str = "v", action_id: str = "a") -> dict[str, Any]:
    return {
        "type": "button",
        "text": {"type": "plain_text", "text": text},
        "value": value,
        "action_id": action_id,
    }


def section(text: str) -> dict[str, Any]:
    return {"type": "section", "text": {"type": "mrkdwn", "text": text}}


ACCEPTED = {
    "50 blocks": [section("x")] * 50,
    "3000-char section": [section("x" * 3000)],
    "75-char button": [{"type": "actions", "elements": [button(text="b" * 75)]}],
    "2000-char value": [{"type": "actions", "elements": [button(value="v" * 2000)]}],
    "25 elements": [
        {"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(25)]}
    ],
    "same action_id in two blocks": [
        {"type": "actions", "elements": [button()]},
        {"type": "actions", "elements": [button()]},
    ],
}
REFUSED = {
    "51 blocks": [section("x")] * 51,
    "3001-char section": [section("x" * 3001)],
    "76-char button": [{"type": "actions", "elements": [button(text="b" * 76)]}],
    "2001-char value": [{"type": "actions", "elements": [button(value="v" * 2001)]}],
    "26 elements": [
        {"type": "actions", "elements": [button(action_id=f"a{i}") for i in range(26)]}
    ],
    "duplicate action_id in a block": [{"type": "actions", "elements": [button(), button()]}],
    "151-char header": [{"type": "header", "text": {"type": "plain_text", "text": "h" * 151}}],
    "mrkdwn header": [{"type": "header", "text": {"type": "mrkdwn", "text": "h"}}],
    "11 fields": [{"type": "section", "fields": [{"type": "mrkdwn", "text": "f"}] * 11}],
    "empty text": [section("")],
}


@pytest.mark.parametrize("name", ACCEPTED)
def test_blocks_within_slacks_limits_are_accepted(client: WebClient, name: str) -> None:
    assert client.chat_postMessage(channel="C0ALERTS", text=name, blocks=ACCEPTED[name])["ok"]


@pytest.mark.parametrize("name", REFUSED)
def test_blocks_beyond_slacks_limits_are_invalid_blocks(
    slack: SlackStandIn, client: WebClient, name: str
) -> None:
    post = client.chat_postMessage
    assert error_of(post, channel="C0ALERTS", text=name, blocks=REFUSED[name]) == "invalid_blocks"
    assert slack.channel_messages("C0ALERTS") == []
    assert "json-pointer:/blocks" in slack.calls[-1].response["response_metadata"]["messages"][0]


def test_too_much_text_across_blocks_is_msg_blocks_too_long(client: WebClient) -> None:
    blocks = [section("x" * 2500)] * 5
    post = client.chat_postMessage
    assert error_of(post, channel="C0ALERTS", text="x", blocks=blocks) == "msg_blocks_too_long"


def test_form_encoded_blocks_are_recorded_decoded(slack: SlackStandIn) -> None:
    body = f"channel=C0ALERTS&text=t&blocks={json.dumps([SECTION])}".encode()
    request = urllib.request.Request(
        f"{slack.url}chat.postMessage",
        data=body,
        headers={"Authorization": f"Bearer {slack.token}"},
    )
    with urllib.request.urlopen(request, timeout=5) as response:
        assert json.loads(response.read())["ok"] is True
    assert slack.calls[0].params["blocks"] == [SECTION]


# -- views ---------------------------------------------------------------------------------------


MODAL = {
    "type": "modal",
    "callback_id": "kc_confirm_action",
    "title": {"type": "plain_text", "text": "Deactivate key?"},
    "submit": {"type": "plain_text", "text": "Deactivate"},
    "blocks": [section("AKIA… of app-integration-user")],
}


def test_a_modal_opens_on_a_fresh_trigger_and_shows_in_the_channel_log(
    slack: SlackStandIn, client: WebClient
) -> None:
    trigger = slack.issue_trigger("#security-alerts", "U0ALICE")
    view = client.views_open(trigger_id=trigger, view=MODAL)["view"]
    assert view["id"].startswith("V")
    [entry] = slack.channel_log("C0ALERTS")
    assert entry["type"] == "modal"
    assert entry["user"] == "U0ALICE"


def test_a_trigger_is_single_use_and_expires_after_three_seconds(clock: FakeClock) -> None:
    with SlackStandIn(clock=clock) as slack:
        client = WebClient(base_url=slack.url, token=slack.token, retry_handlers=[])
        used = slack.issue_trigger("C0ALERTS", "U0ALICE")
        client.views_open(trigger_id=used, view=MODAL)
        late = slack.issue_trigger("C0ALERTS", "U0ALICE")
        clock.advance(3.5)
        assert error_of(client.views_open, trigger_id=used, view=MODAL) == "exchanged_trigger_id"
        assert error_of(client.views_open, trigger_id=late, view=MODAL) == "expired_trigger_id"


def test_strict_triggers_refuse_made_up_ids() -> None:
    with SlackStandIn(strict_triggers=True) as slack:
        client = WebClient(base_url=slack.url, token=slack.token, retry_handlers=[])
        made_up = "123.456.abc"
        assert error_of(client.views_open, trigger_id=made_up, view=MODAL) == "invalid_trigger_id"


def test_a_modal_beyond_slacks_limits_is_invalid_arguments(
    slack: SlackStandIn, client: WebClient
) -> None:
    too_long = {**MODAL, "title": {"type": "plain_text", "text": "t" * 25}}
    trigger = slack.issue_trigger("C0ALERTS", "U0ALICE")
    assert error_of(client.views_open, trigger_id=trigger, view=too_long) == "invalid_arguments"


def test_views_update_replaces_and_checks_the_hash(slack: SlackStandIn, client: WebClient) -> None:
    opened = client.views_open(trigger_id=slack.issue_trigger("C0ALERTS", "U0ALICE"), view=MODAL)
    done = {**MODAL, "blocks": [section("Done: key Inactive")]}
    client.views_update(view_id=opened["view"]["id"], view=done)
    stale = {"view_id": opened["view"]["id"], "view": done, "hash": opened["view"]["hash"]}
    assert error_of(client.views_update, **stale) == "hash_conflict"
    assert slack.views()[0]["blocks"] == done["blocks"]


def test_views_push_stops_at_three(slack: SlackStandIn, client: WebClient) -> None:
    client.views_open(trigger_id=slack.issue_trigger("C0ALERTS", "U0ALICE"), view=MODAL)
    for _ in range(2):
        client.views_push(trigger_id=slack.issue_trigger("C0ALERTS", "U0ALICE"), view=MODAL)
    fourth = slack.issue_trigger("C0ALERTS", "U0ALICE")
    assert error_of(client.views_push, trigger_id=fourth, view=MODAL) == "push_limit_reached"


# -- conversations, pins, people -----------------------------------------------------------------


def test_incident_channel_lifecycle(slack: SlackStandIn, client: WebClient) -> None:
    created = client.conversations_create(name="inc-20250304-app-integration-user")["channel"]
    client.conversations_invite(channel=created["id"], users=["U0ALICE", "U0BOB"])
    card = client.chat_postMessage(channel=created["id"], text="summary")
    client.pins_add(channel=created["id"], timestamp=card["ts"])
    client.conversations_archive(channel=created["id"])
    info = slack.channel_info(created["id"])
    assert info["is_archived"] is True
    assert {"U0ALICE", "U0BOB", "U0KEYCHECK"} <= set(info["members"])
    assert slack.pins(created["id"]) == [card["ts"]]
    assert client.conversations_info(channel=created["id"])["channel"]["is_archived"] is True


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("security-alerts", "name_taken"),
        ("Inc 1", "invalid_name_specials"),
        ("", "invalid_name_required"),
    ],
)
def test_channel_names_are_checked(client: WebClient, name: str, error: str) -> None:
    assert error_of(client.conversations_create, name=name) == error


def test_invite_errors(client: WebClient) -> None:
    invite = client.conversations_invite
    assert error_of(invite, channel="C0ALERTS", users=["U0NOBODY"]) == "user_not_found"
    assert error_of(invite, channel="C0ALERTS", users=["U0ALICE"]) == "already_in_channel"
    assert error_of(invite, channel="C0ALERTS", users=["U0KEYCHECK"]) == "cant_invite_self"


def test_a_channel_without_the_bot_needs_a_join(slack: SlackStandIn, client: WebClient) -> None:
    quiet = slack.add_channel("soc-quiet", bot_member=False)
    assert error_of(client.chat_postMessage, channel=quiet, text="x") == "not_in_channel"
    client.conversations_join(channel=quiet)
    assert client.chat_postMessage(channel=quiet, text="x")["ok"]


def test_pinning_twice_is_already_pinned(client: WebClient) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="card")
    client.pins_add(channel="C0ALERTS", timestamp=card["ts"])
    assert error_of(client.pins_add, channel="C0ALERTS", timestamp=card["ts"]) == "already_pinned"


def test_people_and_groups(slack: SlackStandIn, client: WebClient) -> None:
    assert client.usergroups_users_list(usergroup="S0RESPONDERS")["users"] == ["U0ALICE", "U0BOB"]
    slack.set_usergroup("S0RESPONDERS", ["U0ALICE"])
    assert client.usergroups_users_list(usergroup="S0RESPONDERS")["users"] == ["U0ALICE"]
    assert client.users_info(user="U0BOB")["user"]["name"] == "bob"
    assert error_of(client.usergroups_users_list, usergroup="S0NONE") == "no_such_subteam"
    assert error_of(client.users_info, user="U0NOBODY") == "user_not_found"


# -- files_upload_v2 end to end ------------------------------------------------------------------


def test_files_upload_v2_lands_the_bytes_in_the_thread(
    slack: SlackStandIn, client: WebClient
) -> None:
    card = client.chat_postMessage(channel="C0ALERTS", text="card")
    content = b"time,event\n12:11:58,GetCallerIdentity\n"
    done = client.files_upload_v2(
        channel="C0ALERTS",
        thread_ts=card["ts"],
        file_uploads=[{"filename": "timeline.csv", "content": content, "title": "timeline.csv"}],
        initial_comment="Timeline of AKIA…",
    )
    assert done["file"]["name"] == "timeline.csv"
    [stored] = slack.files()
    assert stored.content == content
    [_, shared] = slack.thread("C0ALERTS", card["ts"])
    assert shared["text"] == "Timeline of AKIA…"
    assert shared["files"][0]["size"] == len(content)
    methods = [call.method for call in slack.calls]
    assert methods[-2:] == ["files.getUploadURLExternal", "files.completeUploadExternal"]


def test_completing_an_upload_that_never_arrived_is_refused(client: WebClient) -> None:
    url = client.files_getUploadURLExternal(filename="x.json", length=10)
    files = [{"id": url["file_id"], "title": "x"}]
    complete = client.files_completeUploadExternal
    assert error_of(complete, files=files, channel_id="C0ALERTS") == "invalid_arguments"


# -- faults and retries --------------------------------------------------------------------------


def test_429_retry_after_is_honoured_by_the_sdk_handler(slack: SlackStandIn) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=1)
    client = WebClient(
        base_url=slack.url, token=slack.token, retry_handlers=[RateLimitErrorRetryHandler()]
    )
    assert client.chat_postMessage(channel="C0ALERTS", text="card")["ok"]
    limited, delivered = slack.calls_to("chat.postMessage")
    assert (limited.status, limited.error) == (429, "ratelimited")
    assert delivered.time - limited.time >= 1.0
    assert len(slack.channel_messages("C0ALERTS")) == 1


def test_429_without_a_handler_reaches_the_caller(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail_next("chat.postMessage", status=429, retry_after=7)
    with pytest.raises(SlackApiError) as caught:
        client.chat_postMessage(channel="C0ALERTS", text="x")
    assert caught.value.response.status_code == 429
    assert caught.value.response.headers["Retry-After"] == "7"


def test_500_is_retried_by_the_sdk_handler(slack: SlackStandIn) -> None:
    slack.fail_next("chat.update", status=500)
    quick = FixedValueRetryIntervalCalculator(0.01)
    client = WebClient(
        base_url=slack.url,
        token=slack.token,
        retry_handlers=[ServerErrorRetryHandler(interval_calculator=quick)],
    )
    card = client.chat_postMessage(channel="C0ALERTS", text="1 alert")
    client.chat_update(channel="C0ALERTS", ts=card["ts"], text="2 alerts")
    assert [c.status for c in slack.calls_to("chat.update")] == [500, 200]
    assert slack.channel_messages("C0ALERTS")[0]["text"] == "2 alerts"


def test_a_fault_can_be_any_slack_error(slack: SlackStandIn, client: WebClient) -> None:
    slack.fail_next("users.info", status=200, error="account_inactive", times=2)
    assert error_of(client.users_info, user="U0BOB") == "account_inactive"
    assert error_of(client.users_info, user="U0BOB") == "account_inactive"
    assert client.users_info(user="U0BOB")["ok"]


def test_the_channel_rate_limit_answers_429_when_enabled(clock: FakeClock) -> None:
    with SlackStandIn(clock=clock, channel_rate=1.0) as slack:
        other = slack.add_channel("soc-other")
        client = WebClient(base_url=slack.url, token=slack.token, retry_handlers=[])
        client.chat_postMessage(channel="C0ALERTS", text="1")
        assert client.chat_postMessage(channel=other, text="elsewhere")["ok"]
        assert error_of(client.chat_postMessage, channel="C0ALERTS", text="2") == "ratelimited"
        clock.advance(1.0)
        assert client.chat_postMessage(channel="C0ALERTS", text="2")["ok"]
        assert slack.post_times("C0ALERTS") == [1000.0, 1001.0]


def test_unknown_methods_are_unknown(client: WebClient) -> None:
    assert error_of(client.api_call, api_method="chat.scheduleMessage") == "unknown_method"


# -- waiting and resetting -----------------------------------------------------------------------


def test_wait_for_returns_when_a_call_arrives(slack: SlackStandIn, client: WebClient) -> None:
    poster = threading.Thread(target=lambda: client.chat_postMessage(channel="C0ALERTS", text="x"))
    poster.start()
    call = slack.wait_for_call("chat.postMessage", timeout=5)
    poster.join()
    assert call.params["text"] == "x"


def test_wait_for_times_out_with_a_clear_error(slack: SlackStandIn) -> None:
    with pytest.raises(TimeoutError, match=r"not met within 0\.05s"):
        slack.wait_for(lambda s: s.channel_messages("C0ALERTS"), timeout=0.05)


def test_reset_starts_over(slack: SlackStandIn, client: WebClient) -> None:
    client.chat_postMessage(channel="C0ALERTS", text="x")
    slack.fail_next("auth.test")
    slack.reset()
    assert slack.calls == []
    assert slack.channel_messages("C0ALERTS") == []
    assert client.auth_test()["ok"]


def test_standalone_sandbox_prints_its_url_and_each_call() -> None:
    command = [sys.executable, "-m", "bot.standins.slack", "--port", "0"]
    with subprocess.Popen(command, stdout=subprocess.PIPE, text=True) as process:
        try:
            assert process.stdout is not None
            banner = process.stdout.readline()
            url = banner.split(" at ", 1)[1].split()[0]
            sandbox = WebClient(base_url=url, token="xoxb-anything", retry_handlers=[])
            sandbox.chat_postMessage(channel="#security-alerts", text="hello")
            lines = [process.stdout.readline() for _ in range(2)]
            assert any(line.startswith("chat.postMessage") and "ok" in line for line in lines)
        finally:
            process.terminate()
            process.wait(timeout=5)
