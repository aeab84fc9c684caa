"""One error hierarchy for keycheck, so listeners turn any of them into a clear message."""

from __future__ import annotations

import logging

log = logging.getLogger(__name__)

CHECK_THE_THREAD = "Check the thread before retrying."


class KeycheckError(Exception):
    """Base of every error keycheck raises on purpose; its message is safe to show a user."""


class InvalidKeyId(KeycheckError):
    """A user gave something that is not an AKIA/ASIA access key id."""


class SecretPasted(KeycheckError):
    """A user pasted what looks like a secret access key; it is never echoed back."""


class BadEnvelope(KeycheckError):
    """An alert message could not be parsed or failed verification."""


class ForgedMessage(BadEnvelope):
    """An SNS message whose signature, certificate or topic is not trusted."""


class NotAuthorized(KeycheckError):
    """Someone who is not a responder asked for an action."""


class AccountUnreachable(KeycheckError):
    """The responder role in the key's account could not be assumed."""


class ActionFailed(KeycheckError):
    """An AWS containment call failed after its retries."""


class UnknownAction(KeycheckError):
    """A button or command named an action keycheck does not have."""


class LookupFailed(KeycheckError):
    """AWS would not describe a key: its message says what went wrong and what to try."""


class AlreadyRunning(KeycheckError):
    """The same long job (a timeline) is under way, here or on another replica."""


def user_message(error: BaseException, *, unexpected: str = CHECK_THE_THREAD) -> str:
    """A domain error in its own words; anything else a reference to find it in the log.

    Only KeycheckError messages are written to be shown; an unexpected error's text may
    hold internals (ARNs, endpoints, a library's repr), so the person gets a reference
    and the log gets the traceback.
    """
    if isinstance(error, KeycheckError):
        return str(error)
    import secrets  # here, not at the top: `keycheck analyze` must not pay for hmac and random

    reference = secrets.token_hex(4)
    log.error("unexpected error (ref %s)", reference, exc_info=error)
    return f"Something went wrong on keycheck's side (ref `{reference}`). {unexpected}"
