"""The local demo: the seed article's incident, end to end, against embedded stand-ins."""

from __future__ import annotations

import contextlib
import json
import os
import secrets
import tempfile
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from importlib.util import find_spec
from pathlib import Path
from typing import Any, TextIO

import boto3

from bot.config import Settings
from bot.models import Incident
from bot.runtime.httpserver import BackgroundServer
from bot.runtime.process import Runtime
from bot.slack.ids import ActionId, ButtonValue
from bot.slack.modals import REASON_BLOCK, REASON_INPUT
from bot.slack.replies import verdict_line
from bot.slack.watch_blocks import watch_lines
from bot.standins import demo_scenario as scenario
from bot.standins.aws import create_alert_queue, seed_leaked_user
from bot.standins.cloudtrail import CloudTrailStandIn
from bot.standins.slack import SlackStandIn
from bot.standins.slack_requests import SlackRequests

ACCOUNT = "123456789012"
TOPIC = f"arn:aws:sns:us-east-1:{ACCOUNT}:keycheck-alerts"
RESPONDER = "U0RESPONDER"
OWNER = "U0DANA"
OWNER_EMAIL = "dana@example.com"
REASON = "Key published on GitHub; contain while we investigate"
WAIT = 30.0


@contextlib.contextmanager
def moto_environment() -> Iterator[str]:
    """moto on a loopback port, and boto3 pointed only at it: the demo never reaches AWS.

    moto keeps its accounts per process, so the server is reset first: an empty account.
    """
    from moto.server import ThreadedMotoServer

    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    reset = urllib.request.Request(f"http://{host}:{port}/moto-api/reset", method="POST")
    urllib.request.urlopen(reset, timeout=10).close()  # noqa: S310 - our own loopback moto
    saved = dict(os.environ)
    os.environ.pop("AWS_PROFILE", None)
    os.environ.update(
        {
            "AWS_ENDPOINT_URL": f"http://{host}:{port}",
            "AWS_ACCESS_KEY_ID": "demo",
            "AWS_SECRET_ACCESS_KEY": "demo",
            "AWS_SESSION_TOKEN": "demo",
            "AWS_DEFAULT_REGION": "us-east-1",
        }
    )
    try:
        yield f"http://{host}:{port}"
    finally:
        os.environ.clear()
        os.environ.update(saved)
        server.stop()


def run_demo(out: TextIO, *, workdir: Path | None = None) -> int:
    """Seed, alert, respond, investigate; print the channel as a responder would read it."""
    say: Callable[[str], None] = lambda line: print(f"» {line}", file=out, flush=True)  # noqa: E731
    with contextlib.ExitStack() as stack:
        tmp = workdir or Path(stack.enter_context(tempfile.TemporaryDirectory()))
        stack.enter_context(moto_environment())
        cloudtrail = stack.enter_context(CloudTrailStandIn())
        os.environ["AWS_ENDPOINT_URL_CLOUDTRAIL"] = cloudtrail.url
        slack = stack.enter_context(SlackStandIn())
        slack.add_user(RESPONDER, "oncall")
        slack.add_user(OWNER, "dana")
        slack.set_email(OWNER, OWNER_EMAIL)
        aws = boto3.Session(region_name="us-east-1")
        key = seed_leaked_user(aws.client("iam"), scenario.USER)
        key_id = key["AccessKeyId"]
        aws.client("iam").tag_user(
            UserName=scenario.USER, Tags=[{"Key": "owner", "Value": OWNER_EMAIL}]
        )
        queue_url = create_alert_queue(aws.client("sqs"))
        say(f"moto seeded: user {scenario.USER}, access key {key_id}, queue keycheck-alerts")
        settings = Settings(
            _env_file=None,
            slack_bot_token=slack.token,
            slack_signing_secret=secrets.token_hex(16),
            slack_api_url=slack.url,
            responders=[RESPONDER],
            store_url=f"sqlite:///{tmp / 'keycheck.sqlite3'}",
            sqs_queue_url=queue_url,
            sns_topic_arns=[TOPIC],
            known_cidrs=["203.0.113.0/24"],
            approved_regions=["us-east-1", "eu-west-1"],
        )
        runtime = Runtime.build(settings)
        stack.callback(runtime.close)
        server = stack.enter_context(BackgroundServer(runtime.web))
        say(f"keycheck listening on {server.url} (Slack stand-in at {slack.url})")
        start = datetime.now(UTC).replace(hour=12, minute=11, second=58, microsecond=0)
        start -= timedelta(days=1)
        cloudtrail.add_records("us-east-1", scenario.recon_records(ACCOUNT, key_id, start))
        _send_alerts(aws, queue_url, key_id, start, say)
        handled = runtime.worker(wait_seconds=0).drain()
        say(f"worker stored and acknowledged {handled} messages")
        incident = runtime.services.store.find_incident(ACCOUNT, key_id)
        if incident is None:
            raise RuntimeError("the alerts did not open an incident")
        person = SlackRequests(server.url, settings.slack_signing_secret.get_secret_value())
        dm = _owner_asked(slack, say)
        _respond(person, slack, incident, say)
        _read_back(aws, key_id, say)
        _verdict(runtime, key_id, say)
        _watch(runtime, cloudtrail, key_id, say)
        _owner_says_no(person, slack, incident, dm, say)
        _timeline(person, slack, incident, say)
        _report(person, slack, incident, say)
        print("\n" + slack.transcript("C0ALERTS"), file=out)
        print(f"\n— direct message to @{OWNER} —\n" + slack.transcript(dm), file=out)
    return 0


def _respond(
    person: SlackRequests, slack: SlackStandIn, incident: Incident, say: Callable[[str], None]
) -> None:
    """A responder looks the key up, presses Contain all and confirms, as Slack would send it."""
    before = len(slack.channel_messages("C0ALERTS"))
    person.command(incident.access_key_id, user=RESPONDER)
    slack.wait_for(lambda s: len(s.channel_messages("C0ALERTS")) > before, WAIT)
    say(f"@{RESPONDER} ran /keycheck {incident.access_key_id}")
    value = ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id)
    person.click(
        ActionId.CONTAIN_ALL,
        value.encode(),
        user=RESPONDER,
        channel=incident.channel,
        message_ts=incident.thread_ts,
        trigger_id=slack.issue_trigger(incident.channel, RESPONDER),
    )
    view: dict[str, Any] = slack.wait_for(
        lambda s: next((v for v in s.views() if "submit" in v), {}), WAIT
    )
    reason = {REASON_BLOCK: {REASON_INPUT: {"type": "plain_text_input", "value": REASON}}}
    replies = len(slack.thread(incident.channel, incident.thread_ts))
    person.submit(view, user=RESPONDER, values=reason)
    slack.wait_for(lambda s: _audited(s, incident, replies), WAIT)
    say(f"@{RESPONDER} pressed Contain all and confirmed: {REASON!r}")


def _timeline(
    person: SlackRequests, slack: SlackStandIn, incident: Incident, say: Callable[[str], None]
) -> None:
    """The responder presses CloudTrail timeline: every region, then the summary and files."""
    value = ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id)
    person.click(
        ActionId.TIMELINE,
        value.encode(),
        user=RESPONDER,
        channel=incident.channel,
        message_ts=incident.thread_ts,
    )
    names = slack.wait_for(lambda s: _timeline_files(s, incident), WAIT)
    say(f"@{RESPONDER} pressed CloudTrail timeline: {', '.join(names)} attached")


def _timeline_files(slack: SlackStandIn, incident: Incident) -> list[str]:
    """The timeline's files once shared in the thread, and the summary posted after them."""
    thread = slack.thread(incident.channel, incident.thread_ts)
    shared = [f.get("name", "") for m in thread for f in m.get("files") or []]
    names = sorted(name for name in shared if name.startswith(f"timeline-{incident.id}"))
    summarised = any(" Timeline of " in str(m.get("text", "")) for m in thread)
    # The chart follows the summary on its own thread, when matplotlib is there to draw it.
    wanted = 3 if find_spec("matplotlib") else 2
    return names if len(names) >= wanted and summarised else []


def _audited(slack: SlackStandIn, incident: Incident, replies: int) -> bool:
    """The contain-all result is in the thread, and the card shows the key as it is now."""
    thread = slack.thread(incident.channel, incident.thread_ts)
    done = len(thread) > replies and "Undo all" in json.dumps(thread[replies:])
    return done and "Inactive" in json.dumps(thread[0].get("blocks", []))


def _read_back(aws: boto3.Session, key_id: str, say: Callable[[str], None]) -> None:
    """What moto holds now: the proof that the buttons did what they said."""
    iam = aws.client("iam")
    keys = iam.list_access_keys(UserName=scenario.USER)["AccessKeyMetadata"]
    status = next(k["Status"] for k in keys if k["AccessKeyId"] == key_id)
    policies = iam.list_user_policies(UserName=scenario.USER)["PolicyNames"]
    say(f"moto now: key {key_id} {status}; inline policies on the user: {', '.join(policies)}")


def _send_alerts(
    aws: boto3.Session, queue_url: str, key_id: str, start: datetime, say: Callable[[str], None]
) -> None:
    """The Health notice (the 'irregular activity' email), the EventBridge alert, a redelivery."""
    sqs = aws.client("sqs")
    recon = scenario.recon_records(ACCOUNT, key_id, start)
    bodies = [
        scenario.sns_wrap(scenario.eventbridge_event(recon[0]), TOPIC),
        scenario.sns_wrap(
            scenario.health_event(ACCOUNT, key_id, start + timedelta(hours=2)), TOPIC
        ),
    ]
    bodies.append(bodies[0])
    for body in bodies:
        sqs.send_message(QueueUrl=queue_url, MessageBody=body)
    say("alerts queued: GetCallerIdentity from 198.51.100.50, AWS Health exposed key, a redelivery")


def _verdict(runtime: Runtime, key_id: str, say: Callable[[str], None]) -> None:
    """Does containment hold: the verdict the thread got, read again from moto."""
    say(f"verify: {verdict_line(runtime.services.verify.verify(key_id))}")


def _watch(
    runtime: Runtime, cloudtrail: CloudTrailStandIn, key_id: str, say: Callable[[str], None]
) -> None:
    """The attacker retries after the cut-off; one call gets through (as if a way in was missed).

    The watch's poll counts the denied retries in its one thread message and broadcasts
    the success to the channel.
    """
    now = datetime.now(UTC)
    for _ in range(14):
        cloudtrail.record_call(
            key_id,
            "ListUsers",
            when=now,
            source_ip=scenario.ATTACKER_IP,
            user_name=scenario.USER,
            error_code="AccessDenied",
        )
    cloudtrail.record_call(
        key_id,
        "GetCallerIdentity",
        when=now,
        source_ip=scenario.ATTACKER_IP,
        user_name=scenario.USER,
        event_source="sts.amazonaws.com",
    )
    say("CloudTrail now: 14 denied ListUsers calls and 1 GetCallerIdentity that succeeded")
    for watch in runtime.services.watch.poll_due():
        say(f"watch on {watch.access_key_id}: {'; '.join(watch_lines(watch))}")


def _owner_asked(slack: SlackStandIn, say: Callable[[str], None]) -> str:
    """The owner the IAM tag names (an email, found in Slack) gets "Was this you?"; its DM."""
    slack.wait_for(lambda s: s.direct_messages(OWNER), WAIT)
    channel = str(slack.calls_to("conversations.open")[0].response["channel"]["id"])
    say(f"keycheck found the owner by the IAM tag owner={OWNER_EMAIL} and asked @{OWNER} in a DM")
    return channel


def _owner_says_no(
    person: SlackRequests,
    slack: SlackStandIn,
    incident: Incident,
    dm: str,
    say: Callable[[str], None],
) -> None:
    """The owner presses "No, that wasn't me": the thread hears it, the responders are called."""
    question = slack.direct_messages(OWNER)[0]
    value = ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id)
    person.click(
        ActionId.OWNER_NO,
        value.encode(),
        user=OWNER,
        channel=dm,
        message_ts=question["ts"],
        trigger_id=slack.issue_trigger(dm, OWNER),
    )
    slack.wait_for(
        lambda s: "this was not them" in json.dumps(s.thread(incident.channel, incident.thread_ts)),
        WAIT,
    )
    say(f"@{OWNER} pressed No, that wasn't me: the thread and the responders were told")


def _report(
    person: SlackRequests, slack: SlackStandIn, incident: Incident, say: Callable[[str], None]
) -> None:
    """The responder presses Report: the write-up and the timeline chart land in the thread."""
    value = ButtonValue(i=incident.id, k=incident.access_key_id, a=incident.account_id)
    person.click(
        ActionId.REPORT,
        value.encode(),
        user=RESPONDER,
        channel=incident.channel,
        message_ts=incident.thread_ts,
    )
    names = slack.wait_for(lambda s: _report_files(s, incident), WAIT)
    say(f"@{RESPONDER} pressed Report: {', '.join(names)} attached")


def _report_files(slack: SlackStandIn, incident: Incident) -> list[str]:
    """The report's files (the Markdown and its chart, uploaded together) once in the thread."""
    thread = slack.thread(incident.channel, incident.thread_ts)
    shared = [f.get("name", "") for m in thread for f in m.get("files") or []]
    report = f"report-{incident.id}.md"
    charts = sorted({n for n in shared if n == f"timeline-{incident.id}.png"})
    return [report, *charts] if report in shared else []
