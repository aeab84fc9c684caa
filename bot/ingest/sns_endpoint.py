"""POST /sns: an SNS HTTPS subscription, trusted only after its signature checks out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from bot.alerts.sns_message import SnsMessage
from bot.alerts.sns_verify import SnsVerifier
from bot.aws.sessions import Sessions
from bot.errors import BadEnvelope, ForgedMessage
from bot.ingest.subscription import confirm
from bot.models import Alert
from bot.store import Store

log = logging.getLogger(__name__)

CertFetcher = Callable[[str], bytes]
Accept = Callable[[bytes], list[Alert]]


class SnsEndpoint:
    """Verify, then confirm a subscription or store a notification; 403 for anything else."""

    def __init__(
        self,
        store: Store,
        sessions: Sessions,
        accept: Accept,
        topic_arns: list[str],
        *,
        fetch_certificate: CertFetcher | None = None,
    ) -> None:
        self.store = store
        self.sessions = sessions
        self.accept = accept
        self.topic_arns = topic_arns
        self.verifier = SnsVerifier(topic_arns, fetch_certificate=fetch_certificate)

    def __call__(self, body: bytes) -> tuple[int, str]:
        store = self.store
        try:
            message = json.loads(body)
            if not isinstance(message, dict):
                raise BadEnvelope("an SNS message is a JSON object")
            verified = self.verifier.verify(message)
        except (ValueError, RecursionError, BadEnvelope) as error:
            store.bump("sns.rejected")
            log.warning("SNS message refused: %s", error)
            return 403, "refused: " + _reason(error)
        if verified.type == "SubscriptionConfirmation":
            return self._confirm(verified)
        if verified.type == "UnsubscribeConfirmation":
            log.warning("topic %s unsubscribed this endpoint", verified.topic_arn)
            return 200, "noted"
        try:
            stored = self.accept(body)
        except BadEnvelope as error:
            return 400, "refused: " + _reason(error)
        return 200, f"stored {len(stored)} alert(s)"

    def _confirm(self, message: SnsMessage) -> tuple[int, str]:
        sns = self.sessions.own_client("sns", region=message.region)
        try:
            confirm(message, sns, self.topic_arns)
        except BadEnvelope as error:
            return 400, "refused: " + _reason(error)
        log.info("confirmed the subscription to %s", message.topic_arn)
        return 200, "subscription confirmed"


def _reason(error: Exception) -> str:
    if isinstance(error, ForgedMessage | BadEnvelope):
        return str(error)
    return "the body is not JSON"
