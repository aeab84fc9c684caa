"""The SQS worker: long-poll, store, delete — in that order — then post."""

from __future__ import annotations

import logging
import threading
from typing import Any

from bot.aws import sqs
from bot.errors import BadEnvelope, KeycheckError
from bot.ingest.pipeline import Ingest

log = logging.getLogger(__name__)

RETRY_DELAYS = (5, 30, 120, 300)


class Worker:
    """Drains one queue. A message is deleted only after its alerts are stored."""

    def __init__(self, ingest: Ingest, client: Any, queue_url: str, *, wait_seconds: int = 20):
        self.ingest = ingest
        self.client = client
        self.queue_url = queue_url
        self.wait_seconds = wait_seconds
        self.stopping = threading.Event()

    def run(self) -> None:
        """Poll until stopped; a failing batch never stops the loop."""
        log.info("worker polling %s", self.queue_url)
        while not self.stopping.is_set():
            try:
                self.poll_once()
            except Exception:  # keep polling: the queue keeps what we did not delete
                log.exception("polling failed; retrying")
                self.stopping.wait(5)

    def poll_once(self) -> int:
        """One receive; returns how many messages were handled (stored and deleted)."""
        messages = sqs.receive(self.client, self.queue_url, wait_seconds=self.wait_seconds)
        handled = sum(self._handle(message) for message in messages)
        self._deliver()
        return handled

    def drain(self) -> int:
        """Poll until a batch brings nothing new to store: for the demo, tests and `--once`."""
        total = 0
        while True:
            messages = sqs.receive(self.client, self.queue_url, wait_seconds=0)
            handled = sum(self._handle(message) for message in messages)
            self._deliver()
            total += handled
            if not handled:
                return total

    def _deliver(self) -> None:
        """Post the backlog; while Slack is down the alerts wait in the store, not in SQS."""
        try:
            self.ingest.deliver()
        except KeycheckError as error:
            log.warning("Slack delivery failed, the backlog waits for the next poll: %s", error)

    def _handle(self, message: dict[str, Any]) -> bool:
        receipt = message["ReceiptHandle"]
        try:
            self.ingest.accept(message["Body"])
        except BadEnvelope as error:
            log.warning("message %s refused: %s", message.get("MessageId"), error)
            sqs.release(self.client, self.queue_url, receipt, 0)  # to the DLQ sooner
            return False
        except Exception:
            attempt = sqs.receive_count(message)
            delay = RETRY_DELAYS[min(attempt, len(RETRY_DELAYS)) - 1]
            log.exception(
                "storing message %s failed; retry in %ss", message.get("MessageId"), delay
            )
            sqs.release(self.client, self.queue_url, receipt, delay)
            return False
        sqs.delete(self.client, self.queue_url, receipt)
        return True
