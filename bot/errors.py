"""One error hierarchy for keycheck, so listeners turn any of them into a clear message."""

from __future__ import annotations


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
