"""A containment whose process is killed mid-IAM-call (kill -9), and the next start settling it.

A small proxy between keycheck and moto holds UpdateAccessKey: after moto applied it
(the change landed, its answer never came back) or before moto saw it (nothing landed).
"""

from __future__ import annotations

import subprocess
import sys
import threading
import urllib.error
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import boto3
import pytest

from bot.models import ActionState
from bot.slack.ids import ActionId
from bot.standins.slack import SlackStandIn
from bot.store import SqliteStore
from tests.conftest import REPO
from tests.e2e.conftest import ALERTS, buttons, messages_text
from tests.e2e.test_processes import environment, free_port, started, wait_healthy
from tests.support.aws import seed_leaked_user

__all__ = ["started"]

ACCOUNT = "123456789012"
USER = "app-integration-user"
HOLD_SECONDS = 60.0
INCIDENT = "inc-20261201-0a1b2c"


class SlowIam:
    """Forwards every AWS call to moto, but holds the first UpdateAccessKey until released."""

    def __init__(self, moto_url: str, *, applied: bool) -> None:
        self.moto_url, self.applied = moto_url, applied
        self.held, self.release = threading.Event(), threading.Event()
        self._holding = True
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self._server.server_address[1]}"

    def __enter__(self) -> SlowIam:
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.release.set()
        self._server.shutdown()
        self._server.server_close()

    def forward(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(self.moto_url + path, data=body, headers=headers)
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return response.status, response.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    def _hold(self, path: str, body: bytes, headers: dict[str, str]) -> bool:
        if not (self._holding and b"Action=UpdateAccessKey" in body):
            return False
        self._holding = False
        if self.applied:
            self.forward(path, body, headers)
        self.held.set()
        self.release.wait(HOLD_SECONDS)
        return True

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        proxy = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                skip = {"host", "content-length", "connection"}
                headers = {k: v for k, v in self.headers.items() if k.lower() not in skip}
                if proxy._hold(self.path, body, headers):
                    return
                status, answer = proxy.forward(self.path, body, headers)
                self.send_response(status)
                self.send_header("Content-Type", "text/xml")
                self.send_header("Content-Length", str(len(answer)))
                self.end_headers()
                self.wfile.write(answer)

            def log_message(self, format: str, *args: Any) -> None:
                """Quiet: the test says what it checks."""

        return Handler


@pytest.fixture
def key(aws: boto3.Session) -> str:
    return str(seed_leaked_user(aws.client("iam"), USER)[1]["AccessKeyId"])


def key_status(aws: boto3.Session, key_id: str) -> str:
    keys = aws.client("iam").list_access_keys(UserName=USER)["AccessKeyMetadata"]
    return str(next(k["Status"] for k in keys if k["AccessKeyId"] == key_id))


def keycheck_env(slack: SlackStandIn, tmp_path: Path, proxy: SlowIam) -> dict[str, str]:
    env = environment(slack, tmp_path, free_port())
    env.update(
        AWS_ENDPOINT_URL=proxy.url, AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing"
    )
    return env


def keycheck(*args: str) -> list[str]:
    return [sys.executable, "-m", "bot", *args]


def killed_mid_call(key_id: str, env: dict[str, str], proxy: SlowIam) -> None:
    """`keycheck contain --deactivate` started, held in UpdateAccessKey, then kill -9."""
    first = subprocess.Popen(
        keycheck("contain", key_id, "--deactivate", "--yes", "--incident", INCIDENT),
        cwd=REPO,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        assert proxy.held.wait(HOLD_SECONDS), "keycheck never reached UpdateAccessKey"
        running = subprocess.run(
            keycheck("contain", key_id, "--deactivate", "--yes"),
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert "still running" in running.stdout
        assert running.returncode != 0
    finally:
        first.kill()
        first.wait(timeout=10)


def test_a_deactivate_killed_after_iam_applied_it_is_settled_done_and_undoable(
    aws: boto3.Session,
    moto_url: str,
    slack: SlackStandIn,
    tmp_path: Path,
    key: str,
    started: list[subprocess.Popen[bytes]],
) -> None:
    with SlowIam(moto_url, applied=True) as proxy:
        env = keycheck_env(slack, tmp_path, proxy)
        killed_mid_call(key, env, proxy)
        assert key_status(aws, key) == "Inactive"

        serve = keycheck("serve", "--host", "127.0.0.1")
        started.append(subprocess.Popen(serve, cwd=REPO, env=env, stderr=subprocess.DEVNULL))
        wait_healthy(f"http://127.0.0.1:{env['PORT']}", started[0])
        store = SqliteStore(tmp_path / "k.sqlite3")
        [record] = store.actions_for_target(ACCOUNT, key)
        store.close()
        assert record.state is ActionState.DONE
        assert (record.before["status"], record.after["status"]) == ("Active", "Inactive")
        [told] = slack.channel_messages(ALERTS)
        assert "now Inactive" in messages_text([told]) and ActionId.UNDO in buttons(told)

        undo = subprocess.run(
            keycheck("undo", record.id, "--yes"), cwd=REPO, env=env, capture_output=True
        )
        assert undo.returncode == 0
    assert key_status(aws, key) == "Active"


def test_a_deactivate_killed_before_iam_saw_it_runs_when_asked_again(
    aws: boto3.Session, moto_url: str, slack: SlackStandIn, tmp_path: Path, key: str
) -> None:
    with SlowIam(moto_url, applied=False) as proxy:
        env = keycheck_env(slack, tmp_path, proxy)
        killed_mid_call(key, env, proxy)
        assert key_status(aws, key) == "Active"

        again = subprocess.run(
            keycheck("contain", key, "--deactivate", "--yes"),
            cwd=REPO,
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
        )

    assert again.returncode == 0, again.stdout
    assert "Settled from an earlier run" in again.stdout
    assert key_status(aws, key) == "Inactive"
    store = SqliteStore(tmp_path / "k.sqlite3")
    states = [r.state for r in store.actions_for_target(ACCOUNT, key)]
    store.close()
    assert states == [ActionState.FAILED, ActionState.DONE]
