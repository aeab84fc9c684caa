"""Every Slack call keycheck makes: one WebClient, the SDK's retry handlers, 1 message/s/channel.

Slack's documented posting limit is one message per second per channel ("short
bursts allowed", but without a guarantee), so posts and updates into one channel
are spaced a second apart by a per-channel scheduler, while other channels go on
without waiting. Throttling (429 + Retry-After), 5xx and dropped connections are
retried by the SDK's own handlers on the client (a post only when it never reached
Slack, so a slow Slack never gets it twice); nothing else retries, so two retry layers
never multiply. A Slack error becomes a SlackDeliveryError that names the
method, the channel and Slack's error code, and nothing more: never a token.
"""

from __future__ import annotations

import logging
import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any
from urllib.error import URLError

from slack_sdk import WebClient
from slack_sdk.errors import SlackApiError, SlackClientError
from slack_sdk.http_retry import RetryHandler
from slack_sdk.http_retry.builtin_handlers import (
    ConnectionErrorRetryHandler,
    RateLimitErrorRetryHandler,
    ServerErrorRetryHandler,
)
from slack_sdk.http_retry.builtin_interval_calculators import BackoffRetryIntervalCalculator
from slack_sdk.http_retry.request import HttpRequest
from slack_sdk.http_retry.response import HttpResponse
from slack_sdk.http_retry.state import RetryState

from bot.domain.redact import redact_secrets, redact_value
from bot.errors import KeycheckError
from bot.slack.blocks import Message
from bot.slack.response_url import hooks_origin, post_response, response_body

logger = logging.getLogger(__name__)

SLACK_API_URL = "https://slack.com/api/"
CHANNEL_ID = re.compile(r"[CGD][A-Z0-9]{2,}")
POST_INTERVAL = 1.0


class SlackDeliveryError(KeycheckError):
    """Slack refused or could not take a call; `code` is Slack's error (or `connection_error`)."""

    def __init__(self, method: str, code: str, channel: str = "") -> None:
        where = f" in {channel}" if channel else ""
        super().__init__(f"Slack {method}{where} failed: {code}")
        self.method, self.code, self.channel = method, code, channel


@dataclass(frozen=True)
class Place:
    """A channel, and the thread in it (None: the channel itself)."""

    channel: str
    thread_ts: str | None = None

    @classmethod
    def of(cls, channel: str, thread_ts: str, *, fallback: Place | None = None) -> Place:
        """An incident's thread when it has one (the audit lives there), else the fallback."""
        if channel and thread_ts:
            return cls(channel, thread_ts)
        return fallback or cls(channel, thread_ts or None)


@dataclass(frozen=True)
class PostedMessage:
    """Where a message landed: the channel id (even when posted by name) and its ts."""

    channel: str
    ts: str


# Slack's answers when keycheck cannot post in a conversation (a private channel or DM it is
# not in, an archived one): only the request's response_url reaches the person there.
UNREACHABLE = frozenset(
    {"channel_not_found", "not_in_channel", "method_not_supported_for_channel_type", "is_archived"}
)


# Calls that make something new each time: re-sent after Slack may have taken them, they
# would post twice (a slow Slack answers a card after the client gave up on it).
NOT_RESENT = ("chat.postMessage", "chat.postEphemeral", "files.completeUploadExternal")


class ConnectionRetryHandler(ConnectionErrorRetryHandler):
    """The SDK's retry on dropped connections, except for a NOT_RESENT call whose request
    may have reached Slack: only one refused before it was sent goes again."""

    def _can_retry(
        self,
        *,
        state: RetryState,
        request: HttpRequest,
        response: HttpResponse | None = None,
        error: Exception | None = None,
    ) -> bool:
        refused = isinstance(error, URLError) and isinstance(error.reason, ConnectionRefusedError)
        if request.url.rsplit("/", 1)[-1] in NOT_RESENT and not refused:
            return False
        return super()._can_retry(state=state, request=request, response=response, error=error)


def retry_handlers(
    *, rate_limit_retries: int = 3, server_error_retries: int = 2, backoff: float = 0.5
) -> list[RetryHandler]:
    """The SDK's handlers for 429 (honouring Retry-After), 500/503 and dropped connections."""
    interval = BackoffRetryIntervalCalculator(backoff_factor=backoff)
    return [
        RateLimitErrorRetryHandler(max_retry_count=rate_limit_retries),
        ServerErrorRetryHandler(max_retry_count=server_error_retries, interval_calculator=interval),
        ConnectionRetryHandler(max_retry_count=2, interval_calculator=interval),
    ]


def make_client(
    token: str, base_url: str = SLACK_API_URL, *, timeout: int = 15, backoff: float = 0.5
) -> WebClient:
    """The one WebClient keycheck builds; Bolt copies its retry handlers into its own clients."""
    url = base_url if base_url.endswith("/") else base_url + "/"
    return WebClient(
        token=token, base_url=url, timeout=timeout, retry_handlers=retry_handlers(backoff=backoff)
    )


def install_retry_handlers(client: WebClient) -> WebClient:
    """Add whichever of our handlers a client given to us lacks (one of each kind)."""
    # The SDK's own connection handler would re-send a post Slack may have taken: ours instead.
    client.retry_handlers[:] = [
        h for h in client.retry_handlers if type(h) is not ConnectionErrorRetryHandler
    ]
    present = {type(handler) for handler in client.retry_handlers}
    client.retry_handlers.extend(h for h in retry_handlers() if type(h) not in present)
    return client


class ChannelPacer:
    """Spaces messages into one channel `interval` apart; channels never wait on each other.

    A caller reserves the next free slot under the lock and sleeps outside it, so
    concurrent posters into one channel queue in order and others pass straight through.
    """

    def __init__(
        self,
        interval: float = POST_INTERVAL,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self.interval, self.clock, self.sleep = interval, clock, sleep
        self._lock = threading.Lock()
        self._next: dict[str, float] = {}

    def wait(self, channel: str) -> None:
        with self._lock:
            now = self.clock()
            slot = max(now, self._next.get(channel, now))
            self._next[channel] = slot + self.interval
        if slot > now:
            self.sleep(slot - now)

    def alias(self, name: str, channel_id: str) -> None:
        """A channel first posted to by name shares its schedule with its id from then on."""
        with self._lock:
            if name in self._next:
                latest = max(self._next.pop(name), self._next.get(channel_id, 0.0))
                self._next[channel_id] = latest


class Messenger:
    """The methods other parts call; each is one Slack Web API call (files: three)."""

    def __init__(
        self,
        client: WebClient,
        *,
        pacer: ChannelPacer | None = None,
    ) -> None:
        self.client = install_retry_handlers(client)
        self.pacer = pacer or ChannelPacer()
        self._ids: dict[str, str] = {}
        self._ids_lock = threading.Lock()
        self.hooks_origin = hooks_origin(str(self.client.base_url))
        self._names: dict[str, str] = {}

    def _channel(self, channel: str) -> str:
        """The id for a channel we posted to by name; Slack's other methods want ids."""
        with self._ids_lock:
            return self._ids.get(channel, channel)

    def _learn(self, given: str, channel_id: str) -> None:
        if given != channel_id:
            with self._ids_lock:
                known = given in self._ids
                self._ids[given] = channel_id
            if not known:
                self.pacer.alias(given, channel_id)

    def _call(self, method: str, channel: str, send: Callable[[], Any]) -> Any:
        try:
            return send()
        except SlackApiError as error:
            code = str(error.response.get("error") or f"http_{error.response.status_code}")
        except (SlackClientError, URLError, OSError) as error:
            code = f"connection_error ({type(error).__name__})"
        logger.warning("slack %s failed channel=%s error=%s", method, channel or "-", code)
        raise SlackDeliveryError(method, code, channel)

    def post_message(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        *,
        reply_broadcast: bool = False,
        metadata: dict[str, Any] | None = None,
    ) -> PostedMessage:
        """Post (paced per channel) and return where it landed; keep `channel` for later updates.

        `reply_broadcast` shows a thread reply in the channel too, for what cannot wait.
        `metadata` (Slack's message metadata: event_type, event_payload) marks the message
        so that `find_marked` can tell later whether a post whose answer was lost landed.
        """
        text, blocks = redact_secrets(text), redact_value(blocks)
        target = self._channel(channel)
        self.pacer.wait(target)
        broadcast = True if reply_broadcast and thread_ts else None  # None: not sent at all
        response = self._call(
            "chat.postMessage",
            target,
            lambda: self.client.chat_postMessage(
                channel=target,
                text=text,
                blocks=blocks,
                thread_ts=thread_ts,
                unfurl_links=False,
                unfurl_media=False,
                reply_broadcast=broadcast,
                metadata=metadata,
            ),
        )
        posted = PostedMessage(channel=str(response["channel"]), ts=str(response["ts"]))
        self._learn(channel, posted.channel)
        return posted

    def post(
        self,
        channel: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
        *,
        reply_broadcast: bool = False,
    ) -> str:
        """Post and return the message ts."""
        return self.post_message(
            channel, text, blocks, thread_ts, reply_broadcast=reply_broadcast
        ).ts

    def post_to(self, place: Place, message: Message) -> PostedMessage:
        """Post where asked; in a public channel keycheck is not in yet, join it first."""
        text, blocks = message
        try:
            return self.post_message(place.channel, text, blocks, thread_ts=place.thread_ts)
        except SlackDeliveryError as error:
            if error.code != "not_in_channel":
                raise
        self.join(place.channel)
        return self.post_message(place.channel, text, blocks, thread_ts=place.thread_ts)

    def update(
        self, channel: str, ts: str, text: str, blocks: list[dict[str, Any]] | None = None
    ) -> None:
        """Replace a message's text and blocks (paced like a post: Slack counts both)."""
        text, blocks = redact_secrets(text), redact_value(blocks)
        target = self._channel(channel)
        self.pacer.wait(target)
        self._call(
            "chat.update",
            target,
            lambda: self.client.chat_update(channel=target, ts=ts, text=text, blocks=blocks),
        )

    def ephemeral(
        self,
        channel: str,
        user: str,
        text: str,
        blocks: list[dict[str, Any]] | None = None,
        thread_ts: str | None = None,
    ) -> None:
        """A message only `user` sees (not paced: Slack rates these per app, not per channel)."""
        text, blocks = redact_secrets(text), redact_value(blocks)
        target = self._channel(channel)
        self._call(
            "chat.postEphemeral",
            target,
            lambda: self.client.chat_postEphemeral(
                channel=target, user=user, text=text, blocks=blocks, thread_ts=thread_ts
            ),
        )

    def open_view(self, trigger_id: str, view: dict[str, Any]) -> str:
        """Open a modal (within the trigger's three seconds) and return its view id."""
        view = redact_value(view)
        response = self._call(
            "views.open", "", lambda: self.client.views_open(trigger_id=trigger_id, view=view)
        )
        return str(response["view"]["id"])

    def update_view(self, view_id: str, view: dict[str, Any]) -> None:
        view = redact_value(view)
        self._call("views.update", "", lambda: self.client.views_update(view_id=view_id, view=view))

    def update_view_by_external_id(self, external_id: str, view: dict[str, Any]) -> None:
        """Update a modal another process opened: it knows the external id, not the view id."""
        self._call(
            "views.update",
            "",
            lambda: self.client.views_update(external_id=external_id, view=view),
        )

    def upload(
        self, channel: str, thread_ts: str | None, files: list[tuple[str, bytes]], comment: str
    ) -> None:
        """Share files into a channel or thread with one comment (files_upload_v2's three calls)."""
        target = self._channel(channel)
        comment, files = redact_secrets(comment), redact_value(files)
        uploads = [{"filename": name, "content": data, "title": name} for name, data in files]
        self._call(
            "files.uploadV2",
            target,
            lambda: self.client.files_upload_v2(
                file_uploads=uploads, channel=target, thread_ts=thread_ts, initial_comment=comment
            ),
        )

    def create_channel(self, name: str, *, private: bool = False) -> str:
        response = self._call(
            "conversations.create",
            name,
            lambda: self.client.conversations_create(name=name, is_private=private),
        )
        return str(response["channel"]["id"])

    def invite(self, channel: str, users: list[str]) -> None:
        target = self._channel(channel)
        self._call(
            "conversations.invite",
            target,
            lambda: self.client.conversations_invite(channel=target, users=users),
        )

    def join(self, channel: str) -> None:
        target = self._channel(channel)
        self._call(
            "conversations.join", target, lambda: self.client.conversations_join(channel=target)
        )

    def pin(self, channel: str, ts: str) -> None:
        target = self._channel(channel)
        self._call("pins.add", target, lambda: self.client.pins_add(channel=target, timestamp=ts))

    def archive(self, channel: str) -> None:
        target = self._channel(channel)
        self._call(
            "conversations.archive",
            target,
            lambda: self.client.conversations_archive(channel=target),
        )

    def permalink(self, channel: str, ts: str) -> str:
        target = self._channel(channel)
        response = self._call(
            "chat.getPermalink",
            target,
            lambda: self.client.chat_getPermalink(channel=target, message_ts=ts),
        )
        return str(response["permalink"])

    def usergroup_members(self, group_id: str) -> list[str]:
        response = self._call(
            "usergroups.users.list",
            "",
            lambda: self.client.usergroups_users_list(usergroup=group_id),
        )
        return [str(user) for user in response["users"]]

    def user_by_email(self, email: str) -> str | None:
        """The Slack user id registered with `email`, or None when Slack knows nobody by it."""
        try:
            response = self._call(
                "users.lookupByEmail", "", lambda: self.client.users_lookupByEmail(email=email)
            )
        except SlackDeliveryError as error:
            if error.code == "users_not_found":
                return None
            raise
        return str(response["user"]["id"])

    def open_dm(self, user: str) -> str:
        """The direct message channel with one user (opened if new): where to post to them."""
        response = self._call(
            "conversations.open", "", lambda: self.client.conversations_open(users=user)
        )
        return str(response["channel"]["id"])

    def respond(
        self,
        response_url: str,
        message: Message,
        *,
        in_channel: bool = False,
        thread_ts: str | None = None,
        replace_original: bool = False,
    ) -> None:
        """Answer through a request's response_url (ephemeral unless `in_channel`)."""
        text, blocks = redact_secrets(message[0]), redact_value(message[1])
        body = response_body(
            text,
            blocks,
            in_channel=in_channel,
            thread_ts=thread_ts,
            replace_original=replace_original,
        )
        code = post_response(response_url, body, self.hooks_origin)
        if code:
            logger.warning("slack response_url failed error=%s", code)
            raise SlackDeliveryError("response_url", code)

    def real_name(self, user_id: str) -> str:
        """A person's name for fallback texts (users.info, cached); "" if Slack can't say."""
        if user_id in self._names:
            return self._names[user_id]
        try:
            response = self._call("users.info", "", lambda: self.client.users_info(user=user_id))
        except SlackDeliveryError:
            return ""
        user = response["user"]
        profile = user.get("profile") or {}
        name = str(user.get("real_name") or profile.get("real_name") or user.get("name") or "")
        self._names[user_id] = name
        return name

    def find_marked(
        self, channel: str, thread_ts: str | None, metadata: dict[str, Any], *, pages: int = 5
    ) -> PostedMessage | None:
        """The message posted with exactly this `metadata`, among the channel's newest
        messages (or the thread's), or None: read before posting again after a doubt."""
        target = self.channel_id(channel)
        cursor = ""
        for _ in range(pages):
            response = self._call(
                "conversations.replies" if thread_ts else "conversations.history",
                target,
                partial(self._history_page, target, thread_ts, cursor),
            )
            for message in response.get("messages") or []:
                if message.get("metadata") == metadata:
                    return PostedMessage(channel=target, ts=str(message["ts"]))
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                return None
        return None

    def _history_page(self, channel: str, thread_ts: str | None, cursor: str) -> Any:
        after = cursor or None
        if thread_ts:
            return self.client.conversations_replies(
                channel=channel, ts=thread_ts, include_all_metadata=True, limit=200, cursor=after
            )
        return self.client.conversations_history(
            channel=channel, include_all_metadata=True, limit=200, cursor=after
        )

    def channel_id(self, channel: str, *, pages: int = 20) -> str:
        """The id of a channel given by id or name: history is read by id only, and a
        process that has not posted yet has not learned it from a post's answer."""
        known = self._channel(channel)
        if CHANNEL_ID.fullmatch(known):
            return known
        name, cursor = known.removeprefix("#"), ""
        for _ in range(pages):
            response = self._call("conversations.list", known, partial(self._channel_page, cursor))
            for found in response.get("channels") or []:
                if found.get("name") == name:
                    self._learn(channel, str(found["id"]))
                    return str(found["id"])
            cursor = str((response.get("response_metadata") or {}).get("next_cursor") or "")
            if not cursor:
                break
        raise SlackDeliveryError("conversations.list", "channel_not_found", known)

    def _channel_page(self, cursor: str) -> Any:
        return self.client.conversations_list(
            types="public_channel,private_channel",
            exclude_archived=True,
            limit=200,
            cursor=cursor or None,
        )
