"""Lambda's Invoke API for tests: each invocation runs in a container of its own, a new process.

boto3's Lambda client (as Bolt's lazy listener runner makes it) is pointed here with
`AWS_ENDPOINT_URL_LAMBDA`. `Event` invocations answer 202 at once, as Lambda does, and
run `bot.runtime.lambda_handler.handler` in a fresh `python -m tests.support.lambda_container`
process: a cold start every time, taking `cold_start_seconds` more to build its runtime.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import unquote

from tests.support.lambda_container import COLD_START_ENV

REPO = Path(__file__).resolve().parents[2]
RUN_TIMEOUT = 120.0


@dataclass(frozen=True)
class Invocation:
    """One finished invocation: what it was asked, what the handler returned, its log."""

    function: str
    event: dict[str, Any]
    result: dict[str, Any] | None
    log: str


class LambdaService:
    def __init__(self, cold_start_seconds: float = 0.0) -> None:
        self.cold_start_seconds = cold_start_seconds
        self.done: list[Invocation] = []
        self._changed = threading.Condition()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    @contextmanager
    def running(self) -> Iterator[LambdaService]:
        thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        thread.start()
        try:
            yield self
        finally:
            self._server.shutdown()
            self._server.server_close()

    def wait_done(self, count: int, timeout: float = RUN_TIMEOUT) -> list[Invocation]:
        deadline = time.monotonic() + timeout
        with self._changed:
            while len(self.done) < count:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    raise TimeoutError(f"{len(self.done)} of {count} invocations finished")
                self._changed.wait(remaining)
            return list(self.done)

    def _run(self, function: str, event: dict[str, Any]) -> None:
        """One cold container: a new process, the event on stdin, the handler's result out."""
        env = dict(os.environ) | {COLD_START_ENV: str(self.cold_start_seconds)}
        finished = subprocess.run(
            [sys.executable, "-m", "tests.support.lambda_container", function],
            cwd=REPO,
            env=env,
            input=json.dumps(event),
            capture_output=True,
            text=True,
            timeout=RUN_TIMEOUT,
            check=False,
        )
        result = json.loads(finished.stdout) if finished.returncode == 0 else None
        with self._changed:
            self.done.append(Invocation(function, event, result, finished.stderr))
            self._changed.notify_all()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        service = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                """`POST /2015-03-31/functions/{name}/invocations`, asynchronous only."""
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                parts = self.path.split("/")
                kind = self.headers.get("X-Amz-Invocation-Type", "RequestResponse")
                if len(parts) != 5 or parts[4] != "invocations" or kind != "Event":
                    self.send_response(400)
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                function, event = unquote(parts[3]), json.loads(body)
                threading.Thread(target=service._run, args=(function, event), daemon=True).start()
                self.send_response(202)
                self.send_header("Content-Length", "0")
                self.end_headers()

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the tests read `done`."""

        return Handler
