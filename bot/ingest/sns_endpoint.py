"""POST /sns: an SNS HTTPS subscription, trusted only after its signature checks out."""

from __future__ import annotations

import json
import logging
from collections.abc import Callable

from bot.alerts.sns_verify import SnsVerifier
from bot.aws.sns import confirm_subscription
from bot.errors import BadEnvelope, ForgedMessage
from bot.ingest.pipeline import Ingest
from bot.services import Services

log = logging.getLogger(__name__)

CertFetcher = Callable[[str], bytes]


class SnsEndpoint:
    """Verify, then confirm a subscription or store a notification; 403 for anything else."""

    def __init__(
        self, services: Services, ingest: Ingest, *, fetch_certificate: CertFetcher | None = None
    ) -> None:
        self.services = services
        self.ingest = ingest
        self.verifier = SnsVerifier(
            services.settings.sns_topic_arns, fetch_certificate=fetch_certificate
        )

    def __call__(self, body: bytes) -> tuple[int, str]:
        store = self.services.store
        try:
            message = json.loads(body)
            if not isinstance(message, dict):
                raise BadEnvelope("an SNS message is a JSON object")
            self.verifier.verify(message)
        except (ValueError, BadEnvelope) as error:
            store.bump("sns.rejected")
            log.warning("SNS message refused: %s", error)
            return 403, "refused: " + _reason(error)
        kind = message.get("Type")
        if kind == "SubscriptionConfirmation":
            return self._confirm(message)
        if kind == "UnsubscribeConfirmation":
            log.warning("topic %s unsubscribed this endpoint", message.get("TopicArn"))
            return 200, "noted"
        try:
            stored = self.ingest.accept(body)
        except BadEnvelope as error:
            return 400, "refused: " + _reason(error)
        return 200, f"stored {len(stored)} alert(s)"

    def _confirm(self, message: dict[str, object]) -> tuple[int, str]:
        topic = str(message["TopicArn"])
        region = topic.split(":")[3]
        sns = self.services.sessions.own_client("sns", region=region)
        confirm_subscription(sns, topic, str(message["Token"]))
        log.info("confirmed the subscription to %s", topic)
        return 200, "subscription confirmed"


def _reason(error: Exception) -> str:
    if isinstance(error, ForgedMessage | BadEnvelope):
        return str(error)
    return "the body is not JSON"
