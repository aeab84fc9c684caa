"""One cold Lambda container: build the runtime (slowly, if told to), run one event, exit.

Run as `python -m tests.support.lambda_container FUNCTION_ARN` with the event on stdin;
prints the handler's result as JSON. The environment is the function's.
"""

from __future__ import annotations

import json
import os
import sys
import time
from dataclasses import dataclass
from typing import Any

COLD_START_ENV = "TEST_LAMBDA_COLD_START_SECONDS"


@dataclass(frozen=True)
class LambdaContext:
    """The parts of Lambda's context object Bolt reads."""

    invoked_function_arn: str
    function_name: str
    aws_request_id: str = "req-test"


def slow_cold_start(seconds: float) -> None:
    """Every runtime this process builds takes `seconds` longer, as a cold start does."""
    from bot.runtime import lambda_handler
    from bot.runtime.process import Runtime

    build = Runtime.build

    def slow_build(*args: Any, **kwargs: Any) -> Runtime:
        time.sleep(seconds)
        return build(*args, **kwargs)

    lambda_handler.Runtime.build = slow_build  # type: ignore[method-assign]


def context_for(function_arn: str) -> LambdaContext:
    return LambdaContext(function_arn, function_arn.rsplit(":", 1)[-1])


def main() -> int:
    from bot.runtime import lambda_handler

    slow_cold_start(float(os.environ.get(COLD_START_ENV) or 0))
    event = json.load(sys.stdin)
    result = lambda_handler.handler(event, context_for(sys.argv[1]))
    json.dump(result, sys.stdout)
    if lambda_handler._runtime is not None:
        lambda_handler._runtime.close()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
