"""Why an AWS call failed, in a line that is safe to show in Slack and a terminal."""

from __future__ import annotations

from botocore.exceptions import BotoCoreError, ClientError

from bot.errors import KeycheckError


def describe_error(error: BaseException) -> str:
    """A short, safe reason: AWS's error code and message, or our own error's message."""
    if isinstance(error, ClientError):
        details = error.response.get("Error", {})
        code, message = details.get("Code", "Error"), details.get("Message", "")
        return f"{code}: {message}"[:200] if message else str(code)
    if isinstance(error, KeycheckError):
        return str(error)[:200]
    if isinstance(error, BotoCoreError):
        return type(error).__name__
    return f"{type(error).__name__}: {error}"[:200]
