"""Every action_id and callback_id keycheck uses, and the small value a button carries."""

from __future__ import annotations

from enum import StrEnum

from pydantic import BaseModel, ValidationError

from bot.errors import UnknownAction


class ActionId(StrEnum):
    DEACTIVATE_KEY = "kc_deactivate_key"
    ATTACH_DENY_ALL = "kc_attach_deny_all"
    REVOKE_SESSIONS = "kc_revoke_sessions"
    CONTAIN_ALL = "kc_contain_all"
    TIMELINE = "kc_timeline"
    OPEN_CASE = "kc_open_case"
    DECLARE_INCIDENT = "kc_declare_incident"
    ACKNOWLEDGE = "kc_acknowledge"
    FALSE_POSITIVE = "kc_false_positive"
    REOPEN = "kc_reopen"
    UNDO = "kc_undo"
    APPROVE = "kc_approve"
    VERIFY = "kc_verify"
    OWNER_YES = "kc_owner_yes"
    OWNER_NO = "kc_owner_no"
    REPORT = "kc_report"


class CallbackId(StrEnum):
    CONFIRM_ACTION = "kc_confirm_action"
    LOOKUP_SHORTCUT = "keycheck_lookup"
    OWNER_REASON = "kc_owner_reason"


class ButtonValue(BaseModel):
    """What a button carries: short keys because Slack caps a value at 2,000 characters."""

    i: str = ""  # incident id
    k: str = ""  # access key id
    a: str = ""  # account id
    r: str = ""  # action record id (undo, approve)

    def encode(self) -> str:
        return self.model_dump_json(exclude_defaults=True)

    @classmethod
    def decode(cls, raw: str) -> ButtonValue:
        """Parse a button's value; anything malformed is an unknown button, not a crash."""
        try:
            return cls.model_validate_json(raw or "{}")
        except ValidationError as error:
            raise UnknownAction("That button's value is not one keycheck made.") from error


def action_id(raw: str) -> ActionId:
    """The ActionId for a Slack action_id, or UnknownAction with a clear message."""
    try:
        return ActionId(raw)
    except ValueError as error:
        raise UnknownAction(f"Unknown button `{raw[:40]}`: nothing was done.") from error
