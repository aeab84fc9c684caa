"""The one retry policy for AWS calls: throttling and 5xx only, with jittered backoff."""

from __future__ import annotations

from collections.abc import Callable
from typing import ParamSpec, TypeVar

from botocore.exceptions import ClientError, ConnectionError, ReadTimeoutError
from tenacity import (
    retry,
    retry_if_exception,
    stop_after_attempt,
    wait_random_exponential,
)

P = ParamSpec("P")
T = TypeVar("T")

THROTTLING_CODES = frozenset(
    {
        "Throttling",
        "ThrottlingException",
        "ThrottledException",
        "RequestThrottledException",
        "TooManyRequestsException",
        "RequestLimitExceeded",
        "SlowDown",
        "RequestThrottled",
        "LimitExceededException",
        "ProvisionedThroughputExceededException",
        "TransactionConflictException",
    }
)


def is_retryable(error: BaseException) -> bool:
    """Retry what waiting can fix: throttles, 5xx and dropped connections; never a 4xx."""
    if isinstance(error, ConnectionError | ReadTimeoutError):
        return True
    if not isinstance(error, ClientError):
        return False
    code = error.response.get("Error", {}).get("Code", "")
    status = int(error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0) or 0)
    return code in THROTTLING_CODES or status >= 500


def aws_retry(
    attempts: int = 6, max_wait: float = 8.0
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """Decorate a bot/aws function; botocore's own retries are turned off on our clients."""
    return retry(
        retry=retry_if_exception(is_retryable),
        wait=wait_random_exponential(multiplier=0.2, max=max_wait),
        stop=stop_after_attempt(attempts),
        reraise=True,
    )


def request_id(response: dict[str, object]) -> str:
    """The AWS request id of a response, for the audit record."""
    meta = response.get("ResponseMetadata")
    return str(meta.get("RequestId", "")) if isinstance(meta, dict) else ""
