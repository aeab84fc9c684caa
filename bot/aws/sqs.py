"""SQS for the worker: receive, delete once stored, release for a later retry."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from bot.aws.retry import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient

# SQS caps a message's total invisibility at 12 h from its receive; half leaves room.
MAX_RELEASE_SECONDS: Final = 6 * 60 * 60


@aws_retry()
def receive(
    sqs: SQSClient,
    queue_url: str,
    *,
    max_messages: int = 10,
    wait_seconds: int = 20,
    visibility_timeout: int = 60,
) -> list[dict[str, Any]]:
    """Long-poll one batch; each message carries its ApproximateReceiveCount for backoff."""
    response = sqs.receive_message(
        QueueUrl=queue_url,
        MaxNumberOfMessages=max_messages,
        WaitTimeSeconds=wait_seconds,
        VisibilityTimeout=visibility_timeout,
        AttributeNames=["ApproximateReceiveCount"],
    )
    return [dict(message) for message in response.get("Messages", [])]


@aws_retry()
def delete(sqs: SQSClient, queue_url: str, receipt_handle: str) -> None:
    """Only after the message's alerts are stored: SQS is our at-least-once buffer."""
    sqs.delete_message(QueueUrl=queue_url, ReceiptHandle=receipt_handle)


@aws_retry()
def release(sqs: SQSClient, queue_url: str, receipt_handle: str, delay: int) -> None:
    """Make the message visible again after delay seconds, for a retry with backoff."""
    timeout = max(0, min(int(delay), MAX_RELEASE_SECONDS))
    sqs.change_message_visibility(
        QueueUrl=queue_url, ReceiptHandle=receipt_handle, VisibilityTimeout=timeout
    )


def receive_count(message: dict[str, Any]) -> int:
    """How many times SQS has handed this message out (1 on the first receive)."""
    attributes = message.get("Attributes") or {}
    try:
        return max(1, int(attributes.get("ApproximateReceiveCount", "1")))
    except (TypeError, ValueError):
        return 1
