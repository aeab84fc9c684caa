"""Modals: the confirmation that shows exactly what will change, and the triage choice."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from pydantic import BaseModel, Field, ValidationError

from bot.domain.policies import policy_text, revoke_cutoff
from bot.errors import UnknownAction
from bot.models import ActionKind, ActionRecord, ContainmentStep, PrincipalKind
from bot.slack.blocks import context, section
from bot.slack.format import code, code_block, escape, plain
from bot.slack.ids import CallbackId

A = ActionKind
REASON_BLOCK = "kc_reason"
REASON_INPUT = "kc_reason_input"
SNOOZE_BLOCK = "kc_snooze"
SNOOZE_INPUT = "kc_snooze_input"
REASON_MAX = 500
POLICY_LIMIT = 2900
METADATA_LIMIT = 3000

# (modal title, submit button, verb in a sentence); titles and buttons fit Slack's 24 chars.
WORDING = {
    A.DEACTIVATE_KEY: ("Deactivate key", "Deactivate", "deactivate"),
    A.ATTACH_DENY_ALL: ("Attach deny-all", "Attach deny-all", "attach deny-all for"),
    A.REVOKE_SESSIONS: ("Revoke sessions", "Revoke", "revoke the earlier sessions of"),
    A.CONTAIN_ALL: ("Contain key", "Contain", "contain"),
    A.DISABLE_CONSOLE_LOGIN: ("Disable console login", "Delete password", "delete the password of"),
    A.ACKNOWLEDGE: ("Acknowledge", "Acknowledge", "acknowledge"),
    A.FALSE_POSITIVE: ("False positive", "Mark false positive", "mark as a false positive"),
}
STEP_TITLE = {
    A.DEACTIVATE_KEY: "Deactivate the access key",
    A.ATTACH_DENY_ALL: "Attach the deny-all policy",
    A.REVOKE_SESSIONS: "Revoke earlier sessions",
    A.DISABLE_CONSOLE_LOGIN: "Delete the console password (cannot be undone)",
}
SNOOZE_CHOICES = {"1h": "1 hour", "4h": "4 hours", "24h": "24 hours", "0": "Keep pinging"}
SNOOZE_DEFAULT = "4h"


class ConfirmRequest(BaseModel):
    """Everything a submission needs, carried in the modal's private_metadata."""

    action: ActionKind
    key_id: str = ""
    account_id: str = ""
    incident_id: str = ""
    channel: str = ""
    thread_ts: str = ""
    record_id: str = ""  # set for an undo: the action whose change is put back
    items: list[list[str]] = Field(default_factory=list)  # footprint items to contain

    def encode(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def decode(cls, raw: str) -> ConfirmRequest:
        """The request behind a submitted modal; one keycheck did not make is refused."""
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError as error:
            raise UnknownAction("That form was not one keycheck made: nothing was done.") from error


def _text(value: str, limit: int = 24) -> dict[str, Any]:
    return {"type": "plain_text", "text": plain(value, limit), "emoji": True}


def _modal(request: ConfirmRequest, title: str, blocks: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        "type": "modal",
        "callback_id": CallbackId.CONFIRM_ACTION.value,
        "private_metadata": request.encode()[:METADATA_LIMIT],
        "title": _text(title),
        "close": _text("Cancel"),
        "blocks": blocks,
    }


def loading_modal(request: ConfirmRequest) -> dict[str, Any]:
    """Opened at once, while AWS is asked what the change would be: it has no submit button."""
    title = WORDING.get(request.action, ("keycheck", "", ""))[0]
    blocks = [section(f":hourglass_flowing_sand: Asking AWS about {code(request.key_id)}…")]
    return _modal(request, title, blocks)


def problem_modal(request: ConfirmRequest, problem: str) -> dict[str, Any]:
    """When no plan can be made (key unreachable, owner unknown): say why; nothing to submit."""
    title = WORDING.get(request.action, ("keycheck", "", ""))[0]
    blocks = [
        section(f":warning: {escape(problem)}"),
        context("Nothing was changed. `/keycheck KEY` shows what keycheck can see."),
    ]
    return _modal(request, title, blocks)


def confirm_modal(
    request: ConfirmRequest, steps: list[ContainmentStep], *, four_eyes: bool = False
) -> dict[str, Any]:
    """The confirmation: every change with its key, principal, account and policy text."""
    title, submit, verb = WORDING[request.action]
    blocks = [section(_headline(verb, steps))]
    for number, step in enumerate(steps, start=1):
        blocks += _step_blocks(number, step, numbered=len(steps) > 1)
    if four_eyes:
        blocks.append(
            context(
                ":busts_in_silhouette: Four-eyes mode: after you confirm, a second responder "
                "approves in the incident thread before anything changes."
            )
        )
    blocks.append(reason_input("Reason (kept in the audit log)", required=True))
    modal = _modal(request, title, blocks)
    modal["submit"] = _text(submit)
    return modal


def undo_modal(
    request: ConfirmRequest, record: ActionRecord, *, four_eyes: bool = False
) -> dict[str, Any]:
    """Undo asks for a reason like containment does: it gives a leaked key back its power."""
    blocks = [
        section(
            f"*You are about to undo {code(record.id)}*: {record.action.value} on access key "
            f"{code(record.target)} (account {code(record.account_id)}). keycheck puts back "
            "what it found before, so the key regains what it could do. Only undo a false alarm."
        )
    ]
    if four_eyes:
        blocks.append(
            context(
                ":busts_in_silhouette: Four-eyes mode: after you confirm, a second responder "
                "approves the undo in the incident thread before anything changes."
            )
        )
    blocks.append(reason_input("Reason (kept in the audit log)", required=True))
    modal = _modal(request, "Undo containment", blocks)
    modal["submit"] = _text("Undo")
    return modal


def _headline(verb: str, steps: list[ContainmentStep]) -> str:
    first = steps[0]
    whose = f"{first.principal_kind.value} {code(first.principal_name)}"
    return (
        f"*You are about to {verb} access key {code(first.key_id)}* "
        f"({whose}, account {code(first.account_id)}). "
        f"{'These changes run' if len(steps) > 1 else 'This change runs'} in AWS when you confirm:"
    )


def _step_blocks(number: int, step: ContainmentStep, *, numbered: bool) -> list[dict[str, Any]]:
    title = STEP_TITLE.get(step.action, step.action.value)
    principal = "Role" if step.principal_kind is PrincipalKind.ROLE else "User"
    if step.key_status:
        change = f"status → {step.key_status}"
    else:
        change = f"inline policy {code(step.policy_name)}"
    fields = [
        f"*Access key*\n{code(step.key_id)}",
        f"*{principal}*\n{code(step.principal_name)}",
        f"*Account*\n{code(step.account_id)}",
        f"*Change*\n{change}",
    ]
    blocks: list[dict[str, Any]] = [
        section(f"*{f'{number}. ' if numbered else ''}{title}*\n{escape(step.summary)}"),
        {"type": "section", "fields": [{"type": "mrkdwn", "text": f} for f in fields]},
    ]
    if step.policy_document is not None:
        blocks.append(section(code_block(policy_text(step.policy_document), POLICY_LIMIT)))
    cutoff = revoke_cutoff(step)
    if cutoff:
        blocks.append(
            context(
                f"The cut-off is taken when you confirm (shown here as {cutoff}): every "
                "session issued before it stops working; new sessions are not affected."
            )
        )
    return blocks


def reason_input(label: str, *, required: bool) -> dict[str, Any]:
    return {
        "type": "input",
        "block_id": REASON_BLOCK,
        "optional": not required,
        "label": _text(label, 150),
        "element": {
            "type": "plain_text_input",
            "action_id": REASON_INPUT,
            "multiline": True,
            "max_length": REASON_MAX,
            "placeholder": _text("Why, in a sentence: it goes in the incident's audit log", 150),
        },
    }


def triage_modal(request: ConfirmRequest, incident_title: str) -> dict[str, Any]:
    """Acknowledge or false positive: how long to stop pinging the thread, and a note."""
    title, submit, verb = WORDING[request.action]
    options = [
        {"text": _text(label, 75), "value": value} for value, label in SNOOZE_CHOICES.items()
    ]
    default = next(o for o in options if o["value"] == SNOOZE_DEFAULT)
    blocks = [
        section(f"*{verb.capitalize()}* {escape(plain(incident_title, 200))}"),
        context("New alerts keep being counted on the card while the thread is quiet."),
        {
            "type": "input",
            "block_id": SNOOZE_BLOCK,
            "label": _text("Stop pinging the thread for", 150),
            "element": {
                "type": "radio_buttons",
                "action_id": SNOOZE_INPUT,
                "options": options,
                "initial_option": default,
            },
        },
        reason_input("Note (optional)", required=False),
    ]
    modal = _modal(request, title, blocks)
    modal["submit"] = _text(submit)
    return modal


def _value(view: dict[str, Any], block: str, action: str) -> dict[str, Any]:
    values = (view.get("state") or {}).get("values") or {}
    found = (values.get(block) or {}).get(action) or {}
    return found if isinstance(found, dict) else {}


def reason_of(view: dict[str, Any]) -> str:
    """The reason typed into the modal, trimmed; empty when none was given."""
    return str(_value(view, REASON_BLOCK, REASON_INPUT).get("value") or "").strip()[:REASON_MAX]


def snooze_of(view: dict[str, Any]) -> timedelta | None:
    """The snooze chosen in a triage modal; None to keep pinging."""
    option = _value(view, SNOOZE_BLOCK, SNOOZE_INPUT).get("selected_option") or {}
    choice = str(option.get("value") or SNOOZE_DEFAULT)
    if choice not in SNOOZE_CHOICES or choice == "0":
        return None
    return timedelta(hours=int(choice.rstrip("h")))


def missing_reason() -> dict[str, str]:
    """The `errors` of a `response_action: errors` ack, shown under the reason box."""
    return {REASON_BLOCK: "Give a reason: it is kept in the incident's audit log."}


def footprint_modal(
    request: ConfirmRequest, steps: list[ContainmentStep], left: list[str]
) -> dict[str, Any]:
    """ "Contain everything it left behind": every change, one line each, before anything runs."""
    blocks = [
        section(
            f"*You are about to contain everything {code(request.key_id)}'s chain left "
            f"behind* ({len(steps)} changes). Nothing is deleted; each change can be undone:"
        )
    ]
    blocks += [section(f"{n}. {escape(step.summary)}") for n, step in enumerate(steps, start=1)]
    if left:
        blocks.append(context("Not contained here: " + escape("; ".join(left))))
    blocks.append(reason_input("Reason (kept in the audit log)", required=True))
    modal = _modal(request, "Contain footprint", blocks)
    modal["submit"] = _text("Contain everything")
    return modal
