"""`keycheck serve`: Slack over HTTP, or over Socket Mode when SLACK_APP_TOKEN is set."""

from __future__ import annotations

import argparse
import logging
import threading

from bot.config import Settings
from bot.runtime.httpserver import BackgroundServer
from bot.runtime.process import Runtime
from bot.runtime.settings import load_settings

log = logging.getLogger(__name__)
# The Socket Mode client pings this often and gives a link up after five failed pings or
# four intervals without a pong: a lost link is replaced within ~10 s, not ~50 s.
PING_SECONDS = 2.0


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("serve", help="run the Slack app (HTTP, or Socket Mode)")
    parser.add_argument("--host", default="0.0.0.0", help="HTTP bind address")  # noqa: S104
    parser.add_argument("--port", type=int, default=None, help="HTTP port (default $PORT)")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    """Settle actions and post any backlog a crash left first, then serve until interrupted."""
    settings = load_settings()
    runtime = Runtime.build(settings)
    runtime.reconcile()
    runtime.background.submit(runtime.ingest.deliver)
    runtime.watch()
    if settings.slack_app_token.get_secret_value():
        return _socket_mode(runtime, settings)
    server = BackgroundServer(runtime.web, args.host, args.port or settings.port)
    log.info("serving Slack requests and SNS on %s", server.url)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        runtime.close()
    return 0


def _socket_mode(runtime: Runtime, settings: Settings) -> int:
    """No inbound port at all: Slack over a websocket, alerts from SQS in the same process."""
    from slack_bolt.adapter.socket_mode import SocketModeHandler

    if settings.sqs_queue_url:
        worker = runtime.worker()
        threading.Thread(target=worker.run, name="sqs-worker", daemon=True).start()
    handler = SocketModeHandler(
        runtime.app, settings.slack_app_token.get_secret_value(), ping_interval=PING_SECONDS
    )
    log.info("connecting to Slack over Socket Mode")
    handler.start()  # type: ignore[no-untyped-call]
    return 0
