"""Finding: a card Slack took but answered too late for the client was posted again."""

from __future__ import annotations

import http.client
import socket
import threading
from collections.abc import Iterator
from typing import BinaryIO
from urllib.parse import urlsplit

import pytest

from bot.slack.messenger import Messenger, SlackDeliveryError, make_client
from bot.standins.slack import SlackStandIn


class AnswerLost:
    """A TCP hop in front of the stand-in that hands every request on, lets the stand-in
    do it, then drops the connection without an answer: a load balancer giving up on a
    slow Slack, or a client timing out just after Slack posted."""

    def __init__(self, target: str) -> None:
        parts = urlsplit(target)
        self.host, self.port = parts.hostname or "127.0.0.1", parts.port or 80
        self._socket = socket.create_server(("127.0.0.1", 0))
        self.url = f"http://127.0.0.1:{self._socket.getsockname()[1]}/api/"
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self) -> None:
        while True:
            try:
                conn, _ = self._socket.accept()
            except OSError:
                return
            with conn:
                self._forward(conn.makefile("rb"))

    def _forward(self, reader: BinaryIO) -> None:
        method, path, _ = reader.readline().decode().split(" ", 2)
        headers: dict[str, str] = {}
        while header := reader.readline().decode().strip():
            name, _, value = header.partition(":")
            headers[name.strip()] = value.strip()
        body = reader.read(int(headers.get("Content-Length", "0")))
        upstream = http.client.HTTPConnection(self.host, self.port, timeout=5)
        upstream.request(method, path, body=body, headers=headers)
        upstream.getresponse().read()
        upstream.close()

    def close(self) -> None:
        self._socket.close()


@pytest.fixture
def lost(slack: SlackStandIn) -> Iterator[AnswerLost]:
    hop = AnswerLost(slack.url)
    yield hop
    hop.close()


def test_a_post_whose_answer_was_lost_is_not_sent_again(
    slack: SlackStandIn, lost: AnswerLost
) -> None:
    messenger = Messenger(make_client(slack.token or "xoxb-test", lost.url, backoff=0.01))

    with pytest.raises(SlackDeliveryError, match="connection_error"):
        messenger.post_message("C0ALERTS", "the card")

    assert len(slack.calls_to("chat.postMessage")) == 1
    assert len(slack.channel_messages("C0ALERTS")) == 1
