"""The JSON document SNS sends (over HTTPS, or into SQS when raw delivery is off)."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from bot.errors import BadEnvelope

SnsType = Literal["Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"]
SNS_TYPES: frozenset[str] = frozenset(
    {"Notification", "SubscriptionConfirmation", "UnsubscribeConfirmation"}
)


class SnsMessage(BaseModel):
    """Strict: SNS sends every field as a string, so anything else was not written by SNS."""

    model_config = ConfigDict(frozen=True, strict=True, extra="ignore", populate_by_name=True)

    type: SnsType = Field(alias="Type")
    message_id: str = Field(alias="MessageId", min_length=1)
    topic_arn: str = Field(alias="TopicArn", min_length=1)
    message: str = Field(alias="Message")
    timestamp: str = Field(alias="Timestamp", min_length=1)
    subject: str | None = Field(None, alias="Subject")
    token: str = Field("", alias="Token")
    subscribe_url: str = Field("", alias="SubscribeURL")
    unsubscribe_url: str = Field("", alias="UnsubscribeURL")
    signature_version: str = Field("", alias="SignatureVersion")
    signature: str = Field("", alias="Signature")
    signing_cert_url: str = Field("", alias="SigningCertURL")

    @property
    def region(self) -> str:
        return topic_region(self.topic_arn)


def is_sns(message: object) -> bool:
    kind = message.get("Type") if isinstance(message, dict) else None
    return isinstance(kind, str) and kind in SNS_TYPES


def read(message: dict[str, object]) -> SnsMessage:
    """The SNS fields, or BadEnvelope naming what is missing or mistyped."""
    try:
        return SnsMessage.model_validate(message)
    except ValidationError as error:
        problems = ", ".join(
            f"{'.'.join(str(p) for p in e['loc']) or 'message'} {e['msg'].lower()}"
            for e in error.errors()[:3]
        )
        raise BadEnvelope(f"Malformed SNS {message.get('Type')} message: {problems}.") from None


def topic_region(topic_arn: str) -> str:
    """'arn:aws:sns:us-east-1:123456789012:topic' → 'us-east-1'; '' for anything else."""
    parts = topic_arn.split(":")
    return parts[3] if len(parts) == 6 and parts[0] == "arn" and parts[2] == "sns" else ""
