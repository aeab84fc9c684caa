"""The worker's SQS calls against moto, redrive to the dead-letter queue included."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws

from bot.aws import sqs as queue

if TYPE_CHECKING:
    from mypy_boto3_sqs import SQSClient


@pytest.fixture
def sqs() -> Iterator[SQSClient]:
    with mock_aws():
        yield boto3.client("sqs", region_name="us-east-1")


@pytest.fixture
def queues(sqs: SQSClient) -> tuple[str, str]:
    """(queue, dead-letter queue): a message goes to the DLQ after 2 receives."""
    dlq = sqs.create_queue(QueueName="keycheck-alerts-dlq")["QueueUrl"]
    dlq_arn = sqs.get_queue_attributes(QueueUrl=dlq, AttributeNames=["QueueArn"])["Attributes"][
        "QueueArn"
    ]
    redrive = json.dumps({"deadLetterTargetArn": dlq_arn, "maxReceiveCount": "2"})
    url = sqs.create_queue(QueueName="keycheck-alerts", Attributes={"RedrivePolicy": redrive})
    return url["QueueUrl"], dlq


def test_receive_gives_body_receipt_and_receive_count(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    url, _ = queues
    sqs.send_message(QueueUrl=url, MessageBody='{"detail-type": "x"}')

    [message] = queue.receive(sqs, url, wait_seconds=0)

    assert message["Body"] == '{"detail-type": "x"}'
    assert message["ReceiptHandle"]
    assert queue.receive_count(message) == 1


def test_deleted_message_is_gone(sqs: SQSClient, queues: tuple[str, str]) -> None:
    url, _ = queues
    sqs.send_message(QueueUrl=url, MessageBody="alert")
    [message] = queue.receive(sqs, url, wait_seconds=0, visibility_timeout=0)

    queue.delete(sqs, url, message["ReceiptHandle"])

    assert queue.receive(sqs, url, wait_seconds=0) == []


def test_released_message_comes_back_with_a_higher_count(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    url, _ = queues
    sqs.send_message(QueueUrl=url, MessageBody="alert")
    [first] = queue.receive(sqs, url, wait_seconds=0)
    assert queue.receive(sqs, url, wait_seconds=0) == []

    queue.release(sqs, url, first["ReceiptHandle"], 0)
    [again] = queue.receive(sqs, url, wait_seconds=0)

    assert again["MessageId"] == first["MessageId"]
    assert queue.receive_count(again) == 2


def test_poison_message_lands_in_the_dlq_and_does_not_block_the_rest(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    url, dlq = queues
    sqs.send_message(QueueUrl=url, MessageBody="poison")
    for _ in range(2):
        [message] = queue.receive(sqs, url, wait_seconds=0)
        queue.release(sqs, url, message["ReceiptHandle"], 0)
    sqs.send_message(QueueUrl=url, MessageBody="good")

    remaining = queue.receive(sqs, url, wait_seconds=0)
    dead = queue.receive(sqs, dlq, wait_seconds=0)

    assert [m["Body"] for m in remaining] == ["good"]
    assert [m["Body"] for m in dead] == ["poison"]


def test_release_delay_is_clamped_to_what_sqs_accepts(
    sqs: SQSClient, queues: tuple[str, str]
) -> None:
    url, _ = queues
    sqs.send_message(QueueUrl=url, MessageBody="alert")
    [message] = queue.receive(sqs, url, wait_seconds=0)

    queue.release(sqs, url, message["ReceiptHandle"], 10**9)
    assert queue.receive(sqs, url, wait_seconds=0) == []
    queue.release(sqs, url, message["ReceiptHandle"], -5)
    assert [m["Body"] for m in queue.receive(sqs, url, wait_seconds=0)] == ["alert"]


@pytest.mark.parametrize(
    ("attributes", "count"),
    [({"ApproximateReceiveCount": "3"}, 3), ({}, 1), ({"ApproximateReceiveCount": "x"}, 1)],
)
def test_receive_count_reads_the_attribute(attributes: dict[str, str], count: int) -> None:
    assert queue.receive_count({"Attributes": attributes}) == count
