"""`keycheck worker`: long-poll the alert queue (the Procfile's `worker`)."""

from __future__ import annotations

import argparse
import logging
import signal
from types import FrameType

from bot.errors import KeycheckError
from bot.runtime.process import Runtime
from bot.runtime.settings import load_settings

log = logging.getLogger(__name__)


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("worker", help="long-poll the SQS alert queue and post to Slack")
    parser.add_argument("--once", action="store_true", help="drain the queue, then exit")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    settings = load_settings()
    if not settings.sqs_queue_url:
        raise KeycheckError("Set KEYCHECK_SQS_QUEUE_URL to the alert queue's URL.")
    runtime = Runtime.build(settings)
    runtime.reconcile()
    runtime.watch()
    worker = runtime.worker()

    def stop(signum: int, frame: FrameType | None) -> None:
        log.info("stopping after the current batch")
        worker.stopping.set()

    signal.signal(signal.SIGTERM, stop)
    try:
        runtime.ingest.deliver()
        if args.once:
            log.info("handled %d messages", worker.drain())
        else:
            worker.run()
    finally:
        runtime.close()
    return 0
