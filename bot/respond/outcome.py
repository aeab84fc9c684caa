"""What an action came to, in words for the audit line and the terminal."""

from __future__ import annotations

from datetime import datetime

from botocore.exceptions import ClientError

from bot.errors import KeycheckError
from bot.models import ActionRecord, ActionState


def when(moment: datetime) -> str:
    return f"{moment:%Y-%m-%d %H:%M:%S} UTC"


def step_line(record: ActionRecord) -> str:
    """One line per step, from what IAM showed after it: what is true now."""
    before, after = record.before, record.after
    if record.state is not ActionState.DONE:
        return f"• {record.action.value}: {record.state.value} {record.error}".rstrip()
    if "status" in after:
        return (
            f"• access key {after.get('key_id', record.target)} of {after.get('principal')}: "
            f"{before.get('status')} → {after.get('status')}"
        )
    if "policy_name" in after:
        was = "present" if before.get("document") is not None else "absent"
        now = "present" if after.get("document") is not None else "absent"
        return f"• {after['policy_name']} on {after.get('principal')}: {was} → {now}"
    return f"• {record.action.value}: {record.state.value}"


def aws_error(error: Exception) -> str:
    """An AWS failure in a sentence for the audit; no request data, so nothing secret."""
    if isinstance(error, ClientError):
        detail = error.response.get("Error", {})
        return (
            f"{error.operation_name}: {detail.get('Code', '')} {detail.get('Message', '')}".strip()
        )
    if isinstance(error, KeycheckError):
        return str(error)
    return f"AWS could not be reached ({type(error).__name__}); the change may not have landed."
