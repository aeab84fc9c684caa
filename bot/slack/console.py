"""Links into the AWS console for what a responder opens next, right for region and partition.

The console has one host per partition (aws, aws-cn, aws-us-gov) and, in the commercial
partition, a regional host that opens in the alert's region. Every value put into a URL
is percent-encoded, so an attacker-chosen name cannot add a parameter or leave the host.
"""

from __future__ import annotations

import re
from urllib.parse import quote

from bot.models import Alert, AlertKind, Incident
from bot.slack.format import escape

DEFAULT_REGION = "us-east-1"
_REGION = re.compile(r"\A[a-z]{2}(?:-[a-z]+)+-\d{1,2}\Z")


def region_or_default(region: str) -> str:
    """A region name as AWS writes them; anything else (empty, forged) is the default."""
    return region if _REGION.match(region) else DEFAULT_REGION


def _partition(region: str) -> str:
    if region.startswith("cn-"):
        return "aws-cn"
    if region.startswith("us-gov-"):
        return "aws-us-gov"
    return "aws"


def console_host(region: str) -> str:
    """`https://eu-west-1.console.aws.amazon.com` and its China and GovCloud counterparts."""
    region = region_or_default(region)
    partition = _partition(region)
    if partition == "aws-cn":
        return "https://console.amazonaws.cn"
    if partition == "aws-us-gov":
        return "https://console.amazonaws-us-gov.com"
    return f"https://{quote(region, safe='')}.console.aws.amazon.com"


def _q(value: str) -> str:
    return quote(value, safe="")


def iam_user_credentials(user_name: str, region: str = "") -> str:
    """The user's Security credentials tab: its keys, their last use, its MFA and password."""
    page = f"#/users/details/{_q(user_name)}?section=security_credentials"
    return f"{console_host(region)}/iam/home{page}"


def cloudtrail_history(access_key_id: str, region: str) -> str:
    """CloudTrail Event history in one region, filtered by the access key."""
    region = region_or_default(region)
    return (
        f"{console_host(region)}/cloudtrail/home?region={_q(region)}"
        f"#/events?AccessKeyId={_q(access_key_id)}"
    )


def guardduty_finding(finding_id: str, region: str) -> str:
    region = region_or_default(region)
    return (
        f"{console_host(region)}/guardduty/home?region={_q(region)}"
        f"#/findings?macros=current&fId={_q(finding_id)}"
    )


def health_event(event_arn: str, region: str) -> str:
    """The event in the account's Health dashboard (its own host in the commercial partition)."""
    commercial = _partition(region_or_default(region)) == "aws"
    host = "https://health.aws.amazon.com" if commercial else console_host(region)
    return f"{host}/health/home#/account/event-log?eventID={_q(event_arn)}&eventTab=details"


def support_case(case_id: str, region: str = "") -> str:
    """The case in the Support Center: by its display number when that is what we hold."""
    host = console_host(region)
    if case_id.isdigit():
        return f"{host}/support/home#/case/?displayId={case_id}&language=en"
    return f"{host}/support/home#/case/history?caseStatus=active"


def incident_links(incident: Incident, history: list[Alert]) -> list[tuple[str, str]]:
    """(label, URL) for what this incident's alerts point at, each once, in reading order."""
    region = next((a.region for a in history if a.region), "")
    key = incident.access_key_id
    user = incident.user_name or next((a.user_name for a in history if a.user_name), "")
    links: list[tuple[str, str]] = []
    if user:
        links.append(("IAM user", iam_user_credentials(user, region)))
    if key:
        links.append(("CloudTrail", cloudtrail_history(key, region)))
    finding = _first_detail(history, AlertKind.GUARDDUTY, "finding_id")
    if finding is not None:
        links.append(("GuardDuty finding", guardduty_finding(finding[1], finding[0].region)))
    event = _first_detail(history, AlertKind.HEALTH, "event_arn")
    if event is not None:
        links.append(("Health event", health_event(event[1], event[0].region)))
    cases = (a.details["case_id"] for a in history if a.details.get("case_id"))
    case = incident.case_id or next(cases, "")
    if case:
        links.append(("Support case", support_case(case, region)))
    return links


def _first_detail(history: list[Alert], kind: AlertKind, name: str) -> tuple[Alert, str] | None:
    """The first alert of `kind` carrying the detail `name`, with its value."""
    for alert in history:
        if alert.kind is kind and alert.details.get(name):
            return alert, alert.details[name]
    return None


def links_line(links: list[tuple[str, str]]) -> str:
    """`<url|IAM user> · <url|CloudTrail> · …` in mrkdwn (labels are ours, URLs encoded)."""
    return " · ".join(f"<{escape(url)}|{label}>" for label, url in links)
