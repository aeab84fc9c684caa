"""The Procfile's processes as an operator starts them: gunicorn's `web` and `keycheck serve`."""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.standins.slack import SlackStandIn
from tests.conftest import REPO

START_TIMEOUT = 30.0


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def environment(slack: SlackStandIn, tmp_path: Path, port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "SLACK_", "KEYCHECK_"))}
    env.update(
        {
            "SLACK_BOT_TOKEN": slack.token or "xoxb-test",
            "SLACK_SIGNING_SECRET": "process-test-secret",
            "SLACK_API_URL": slack.url,
            "KEYCHECK_STORE_URL": f"sqlite:///{tmp_path / 'k.sqlite3'}",
            "AWS_DEFAULT_REGION": "us-east-1",
            "PORT": str(port),
        }
    )
    return env


def wait_healthy(url: str, process: subprocess.Popen[bytes]) -> dict[str, object]:
    """Poll /healthz until the process answers; it must not have exited meanwhile."""
    deadline = time.monotonic() + START_TIMEOUT
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"the process exited with {process.returncode}")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:
                return dict(json.loads(response.read()))
        except (urllib.error.URLError, OSError):  # not up yet, or slow on a loaded machine
            time.sleep(0.2)
    raise AssertionError("the process never answered /healthz")


@pytest.fixture
def started() -> Iterator[list[subprocess.Popen[bytes]]]:
    processes: list[subprocess.Popen[bytes]] = []
    yield processes
    for process in processes:
        process.terminate()
        process.wait(timeout=10)


def test_gunicorn_serves_the_procfile_web_app(
    slack: SlackStandIn, tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    gunicorn = shutil.which("gunicorn", path=str(Path(sys.executable).parent))
    if gunicorn is None:
        pytest.skip("gunicorn (the serve extra) is not installed")
    port = free_port()
    procfile = (REPO / "Procfile").read_text().splitlines()
    [web] = [line.split(":", 1)[1].strip() for line in procfile if line.startswith("web:")]
    args = web.replace("$PORT", str(port)).replace("0.0.0.0", "127.0.0.1").split()
    args[0] = gunicorn
    args = [a.strip("'") for a in args]
    env = environment(slack, tmp_path, port)
    started.append(subprocess.Popen(args, cwd=REPO, env=env, stderr=subprocess.DEVNULL))
    health = wait_healthy(f"http://127.0.0.1:{port}", started[0])
    assert health["ok"] is True


def test_keycheck_serve_answers_and_refuses_unsigned_slack_requests(
    slack: SlackStandIn, tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    env = environment(slack, tmp_path, port)
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started.append(subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL))
    url = f"http://127.0.0.1:{port}"
    assert wait_healthy(url, started[0])["ok"] is True
    request = urllib.request.Request(
        f"{url}/slack/events", data=b"command=%2Fkeycheck", method="POST"
    )
    with pytest.raises(urllib.error.HTTPError) as refused:
        urllib.request.urlopen(request, timeout=5)
    assert refused.value.code == 401
