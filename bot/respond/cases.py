"""AWS Support cases for an incident: the text we send, and opening or adding to the case."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any

from botocore.exceptions import BotoCoreError, ClientError

from bot.aws import support as support_api
from bot.domain.actions import finished, incident_key, new_action_id
from bot.errors import AccountUnreachable, UnknownAction
from bot.models import (
    ActionKind,
    ActionRecord,
    ActionState,
    Alert,
    CaseOutcome,
    CaseStatus,
    Incident,
    KeyReport,
    Severity,
    utcnow,
)
from bot.slack.blocks import Message
from bot.slack.fallback import case_asked_text
from bot.slack.messenger import Place
from bot.slack.replies import already_message, case_message
from bot.store import Store

if TYPE_CHECKING:
    from mypy_boto3_support import SupportClient

    from bot.aws.sessions import Sessions

# A leaked key is an account-security matter: AWS handles it under the Account service
# as a customer-service case, the way its own exposed-key notifications are filed.
SERVICE_CODE = "customer-account"
FALLBACK_CATEGORY = "other-account-issues"
ISSUE_TYPE = "customer-service"
SEVERITY_ORDER = ("low", "normal", "high", "urgent", "critical")
# "critical" (business-critical system down) is for Enterprise plans only; "urgent" is the
# highest a Business plan, the least the Support API needs, allows.
SEVERITY_FOR = {
    Severity.CRITICAL: "urgent",
    Severity.HIGH: "high",
    Severity.MEDIUM: "normal",
    Severity.LOW: "low",
}
SUBJECT_LIMIT = 200
BODY_LIMIT = 8000
ALERTS_SHOWN = 20
TITLE_LIMIT = 150


def clip(text: str, limit: int = TITLE_LIMIT) -> str:
    """Titles come from alerts, so from outside: long ones are cut to keep the case readable."""
    return text if len(text) <= limit else text[: limit - 1] + "…"


def case_text(
    incident: Incident,
    alerts: Iterable[Alert],
    key_report: KeyReport | None,
    actions: Iterable[ActionRecord],
) -> tuple[str, str]:
    """Subject and body for AWS Support: what leaked, what was seen, what we did, what we ask."""
    key = incident.access_key_id or (key_report.access_key_id if key_report else "")
    account = incident.account_id or (key_report.account_id if key_report else "")
    about = f"access key {key}" if key else incident.subject
    subject = clip(f"Exposed {about} in account {account}: {incident.title}", SUBJECT_LIMIT)
    lines = [
        f"Security incident {incident.id} (keycheck): {clip(incident.title)}",
        f"Account: {account}",
        f"Severity: {incident.severity.value}; alerts: {incident.alert_count}; "
        f"first seen {incident.first_seen:%Y-%m-%d %H:%M} UTC, "
        f"last seen {incident.last_seen:%Y-%m-%d %H:%M} UTC",
        *_key_lines(key_report),
        "",
        "Alerts:",
        *_alert_lines(list(alerts)),
        "",
        "Containment so far:",
        *(_action_lines(list(actions)) or ["- none yet"]),
        "",
        "We ask AWS Support to help review unauthorized activity and unexpected charges in "
        "this account, and to tell us of any further use of this key that AWS has seen.",
    ]
    body = "\n".join(lines)
    return subject, clip(body, BODY_LIMIT)


def _key_lines(report: KeyReport | None) -> list[str]:
    if report is None:
        return []
    owner = (
        f"role {report.role_arn} (session {report.session_name})"
        if report.role_arn
        else f"IAM user {report.user_name or 'unknown'}"
    )
    lines = [f"Access key: {report.access_key_id} ({report.kind.value}), owner: {owner}"]
    if report.status:
        lines.append(f"Key status now: {report.status}")
    if report.last_used_at:
        lines.append(
            f"Last used: {report.last_used_at:%Y-%m-%d %H:%M} UTC, "
            f"{report.last_used_service or '?'} in {report.last_used_region or '?'}"
        )
    return lines


def _alert_lines(alerts: list[Alert]) -> list[str]:
    lines = []
    for alert in alerts[:ALERTS_SHOWN]:
        seen = alert.occurred_at or alert.received_at
        where = ", ".join(
            part
            for part in (
                f"source IP {alert.source_ip}" if alert.source_ip else "",
                f"region {alert.region}" if alert.region else "",
            )
            if part
        )
        lines.append(
            f"- {seen:%Y-%m-%d %H:%M} UTC [{alert.kind.value}] {clip(alert.title)}"
            + (f" ({where})" if where else "")
        )
    if len(alerts) > ALERTS_SHOWN:
        lines.append(f"- … and {len(alerts) - ALERTS_SHOWN} more")
    return lines or ["- none stored"]


def _action_lines(actions: list[ActionRecord]) -> list[str]:
    return [
        f"- {a.updated_at:%Y-%m-%d %H:%M} UTC {a.action.value} on {a.target} by {a.actor}: "
        f"{a.state.value}" + (f" (AWS request {a.aws_request_id})" if a.aws_request_id else "")
        for a in actions
    ]


def existing_case_id(incident: Incident, alerts: Iterable[Alert]) -> str:
    """The case already open: ours from before, or the one AWS opened (from its Health event)."""
    if incident.case_id:
        return incident.case_id
    return next((a.details["case_id"] for a in alerts if a.details.get("case_id")), "")


def case_severity(severity: Severity, allowed: Iterable[str] = ()) -> str:
    """The alert's severity as a Support code, stepped down to what the plan allows."""
    wanted = SEVERITY_FOR[severity]
    permitted = set(allowed)
    if not permitted:
        return wanted
    fits = [
        code for code in SEVERITY_ORDER[: SEVERITY_ORDER.index(wanted) + 1] if code in permitted
    ]
    return fits[-1] if fits else wanted


def security_category(services: Iterable[dict[str, Any]]) -> str:
    """The Account service's security category if the account offers one, else a safe one."""
    for service in services:
        for category in service.get("categories", []):
            label = f"{category.get('code', '')} {category.get('name', '')}".lower()
            if "security" in label and category.get("code"):
                return str(category["code"])
    return FALLBACK_CATEGORY


def open_case(
    sessions: Sessions,
    incident: Incident,
    alerts: list[Alert],
    key_report: KeyReport | None,
    actions: list[ActionRecord],
) -> CaseOutcome:
    """Add to the case AWS opened, else open one; without a support plan, hand back the text.

    The caller stores the returned case id on the incident, so a second press adds to it.
    """
    subject, body = case_text(incident, alerts, key_report, actions)
    account = incident.account_id or (key_report.account_id if key_report else "")
    text = {"subject": subject, "body": body}
    try:
        support = sessions.client("support", account, support_api.SUPPORT_REGION)
        case_id = existing_case_id(incident, alerts)
        if case_id:
            request_id = support_api.add_communication_to_case(support, case_id, body)
            return CaseOutcome(
                status=CaseStatus.UPDATED,
                message=f"Added the incident summary to AWS Support case {case_id}.",
                case_id=case_id,
                request_id=request_id,
                **text,
            )
        return _create(support, incident.severity, **text)
    except ClientError as error:
        if support_api.needs_support_plan(error):
            return CaseOutcome(
                status=CaseStatus.NO_SUPPORT_PLAN,
                message=(
                    f"Account {account} has no support plan with API access (Business or "
                    "higher), so no case was opened. Here is the prefilled case text to "
                    "paste into the Support Center."
                ),
                **text,
            )
        detail = error.response.get("Error", {})
        reason = f"{detail.get('Code', '')}: {detail.get('Message', '')}"
    except (BotoCoreError, AccountUnreachable) as error:
        reason = str(error) or type(error).__name__
    return CaseOutcome(
        status=CaseStatus.FAILED,
        message=f"Could not open an AWS Support case ({reason}). The prefilled text is below.",
        **text,
    )


def _create(support: SupportClient, severity: Severity, *, subject: str, body: str) -> CaseOutcome:
    category = security_category(_lookup(support_api.describe_services, support, SERVICE_CODE))
    allowed = _lookup(support_api.describe_severity_levels, support)
    code = case_severity(severity, allowed)
    created = support_api.create_case(
        support,
        subject=subject,
        body=body,
        service_code=SERVICE_CODE,
        category_code=category,
        severity=code,
        issue_type=ISSUE_TYPE,
    )
    return CaseOutcome(
        status=CaseStatus.CREATED,
        message=f"Opened AWS Support case {created.case_id} (severity {code}).",
        case_id=created.case_id,
        severity=code,
        request_id=created.request_id,
        subject=subject,
        body=body,
    )


def _lookup(call: Callable[..., list[Any]], support: SupportClient, *args: str) -> list[Any]:
    """A lookup that only refines the case: its failure falls back, a missing plan does not."""
    try:
        return call(support, *args)
    except ClientError as error:
        if support_api.needs_support_plan(error):
            raise
        return []


class IncidentCases:
    """The Open case button: one case per incident, added to (not opened again) on a repeat."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        key_report: Callable[[str], KeyReport],
        *,
        name_of: Callable[[str], str] = lambda user: "",
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.key_report = key_report
        self.name_of = name_of

    def open(self, incident_id: str, *, actor: str) -> tuple[Place, Message]:
        """Open (or add to) the incident's case; a double click opens one case."""
        incident = self.store.get_incident(incident_id)
        if incident is None:
            raise UnknownAction(f"No incident `{incident_id[:40]}`: no case was opened.")
        place = Place(incident.channel, incident.thread_ts or None)
        history = self.store.actions_for(incident.id)
        record, inserted = self.store.begin_action(
            ActionRecord(
                id=new_action_id(),
                idempotency_key=incident_key(
                    ActionKind.OPEN_CASE, incident.id, finished(history, [ActionKind.OPEN_CASE])
                ),
                action=ActionKind.OPEN_CASE,
                actor=actor,
                incident_id=incident.id,
                target=incident.id,
                account_id=incident.account_id,
                reason="case asked for from Slack",
                source="slack",
            )
        )
        if not inserted:
            return place, already_message(record, "A case is already being opened.")
        report = self.key_report(incident.access_key_id) if incident.access_key_id else None
        outcome = open_case(
            self.sessions, incident, self.store.alerts_for(incident.id), report, history
        )
        if outcome.case_id and outcome.case_id != incident.case_id:
            incident.case_id = outcome.case_id
            self.store.save_incident(incident)
        self._finish(record, outcome)
        _, blocks = case_message(outcome, actor)
        return place, (case_asked_text(self.name_of(actor), outcome.message), blocks)

    def _finish(self, record: ActionRecord, outcome: CaseOutcome) -> None:
        record.state = ActionState.DONE if outcome.case_id else ActionState.FAILED
        record.after = {"case_id": outcome.case_id, "status": outcome.status.value}
        record.aws_request_id = outcome.request_id
        record.error = "" if outcome.case_id else outcome.message
        record.updated_at = utcnow()
        self.store.save_action(record)
