"""What a single CloudTrail event alert is about, since EventBridge never names its rule."""

from __future__ import annotations

from typing import NamedTuple

from bot.models import RuleId, TimelineEvent

LOGGING_TAMPERING = frozenset(
    {
        "StopLogging",
        "DeleteTrail",
        "UpdateTrail",
        "PutEventSelectors",
        "PutInsightSelectors",
        "DeleteEventDataStore",
        "StopEventDataStoreIngestion",
        "DeleteFlowLogs",
        "DeleteLogGroup",
        "DeleteDetector",
        "DisassociateFromMasterAccount",
    }
)
ACCESS_DENIED = frozenset(
    {
        "AccessDenied",
        "AccessDeniedException",
        "UnauthorizedOperation",
        "Client.UnauthorizedOperation",
        "UnauthorizedAccess",
    }
)


class Inference(NamedTuple):
    rule: str
    title: str


def infer(event: TimelineEvent, *, from_rule: bool) -> Inference:
    """The detection this event most likely tripped, first match wins, most serious first.

    from_rule: the event came through one of our EventBridge rules, whose patterns already
    filter (e.g. GetCallerIdentity only from outside the known networks).
    """
    name = event.event_name
    if event.principal_type == "Root":
        what = "console sign-in" if name == "ConsoleLogin" else name
        return Inference(RuleId.ROOT_USAGE, f"Root account used: {what}")
    if name == "ConsoleLogin":
        return _console(event)
    if name in LOGGING_TAMPERING:
        return Inference(RuleId.DEFENSE_EVASION_LOGGING, f"Logging tampered with: {name}")
    if name == "GetCallerIdentity":
        title = "GetCallerIdentity from outside known networks" if from_rule else name
        return Inference(RuleId.RECON_CALLER_IDENTITY, title)
    if event.error_code in ACCESS_DENIED:
        return Inference(RuleId.ACCESS_DENIED, f"Access denied: {name}")
    if name == "CreateAccessKey":
        return Inference(RuleId.PERSISTENCE_ACCESS_KEY, "New access key created")
    if name in {"CreateLoginProfile", "UpdateLoginProfile"}:
        return Inference(RuleId.PERSISTENCE_LOGIN_PROFILE, f"Console password set: {name}")
    return Inference("", f"{name} via CloudTrail" if from_rule else f"CloudTrail event: {name}")


def _console(event: TimelineEvent) -> Inference:
    outcome = str(event.response_elements.get("ConsoleLogin", ""))
    if outcome == "Failure" or event.error_message:
        return Inference("", "Console sign-in failed")
    if event.mfa_authenticated is False:
        return Inference(RuleId.CONSOLE_LOGIN_NO_MFA, "Console sign-in without MFA")
    return Inference("", "Console sign-in")
