"""Malformed requests over raw HTTP: refused with a 4xx, never read to the end, never a 500.

A length that is missing, malformed or too big is never read.
Each request sends its headers and a first chunk of body, then keeps the connection
open: a server that reads "to the end of the stream" would never answer.
"""

from __future__ import annotations

import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from bot.standins.slack import SlackStandIn
from tests.conftest import REPO
from tests.e2e.test_processes import environment, free_port, started, wait_healthy

__all__ = ["started"]

ANSWER_WITHIN = 5.0


def ask(url: str, path: str, headers: dict[str, str], body: bytes = b"x" * 1024) -> str:
    """The status line the server answers with while the body is still unfinished."""
    parts = urlsplit(url)
    head = "".join(f"{name}: {value}\r\n" for name, value in headers.items())
    request = f"POST {path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{head}\r\n".encode()
    with socket.create_connection((parts.hostname, parts.port), timeout=ANSWER_WITHIN) as conn:
        conn.sendall(request + body)
        try:
            answer = conn.recv(200)
        except TimeoutError:
            return "no answer: the server is still reading"
    return answer.decode(errors="replace").splitlines()[0]


@pytest.mark.parametrize(
    ("headers", "status"),
    [
        ({"Content-Length": "-1"}, "400"),
        ({"Content-Length": "lots"}, "400"),
        ({"Transfer-Encoding": "chunked"}, "411"),
        ({}, "411"),
        ({"Content-Length": str(300 * 1024 * 1024)}, "413"),
    ],
)
@pytest.mark.parametrize("path", ["/slack/events", "/sns"])
def test_a_body_of_unknown_or_excessive_length_is_refused_unread(
    served: str, path: str, headers: dict[str, str], status: str
) -> None:
    assert ask(served, path, headers).split()[1:2] == [status]


def test_keycheck_serve_refuses_a_negative_content_length_before_reading(
    slack: SlackStandIn, tmp_path: Path, started: list[subprocess.Popen[bytes]]
) -> None:
    port = free_port()
    env = environment(slack, tmp_path, port)
    command = [sys.executable, "-m", "bot", "serve", "--host", "127.0.0.1", "--port", str(port)]
    started.append(subprocess.Popen(command, cwd=REPO, env=env, stderr=subprocess.DEVNULL))
    url = f"http://127.0.0.1:{port}"
    wait_healthy(url, started[0])

    line = ask(url, "/slack/events", {"Content-Length": "-1"}, b"y" * (1024 * 1024))

    assert line.split()[1:2] == ["400"]


def post_raw(url: str, body: bytes, headers: dict[str, str]) -> int:
    request = urllib.request.Request(f"{url}/slack/events", data=body, headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return error.code


@pytest.mark.parametrize(
    ("body", "timestamp", "status"),
    [
        (b"command=%2Fkeycheck", "soon", 401),
        (b"command=%2Fkeycheck", "-17", 401),
        (b"command=%2Fkeycheck&text=\xff\xfe", str(int(time.time())), 400),
    ],
)
def test_a_non_numeric_timestamp_or_non_utf8_body_is_refused_not_a_500(
    served: str, body: bytes, timestamp: str, status: int
) -> None:
    headers = {"X-Slack-Request-Timestamp": timestamp, "X-Slack-Signature": "v0=" + "0" * 64}
    assert post_raw(served, body, headers) == status
