"""The local Slack workspace: channels, messages, views, files and people, and the methods on them.

Every method answers as slack.com documents it: the same argument names, the same
result fields and the same `error` codes. Where Slack's behaviour is undocumented the
stand-in is the stricter of the plausible choices, so a mistake shows up in tests:
a `thread_ts` naming no message is refused (`thread_not_found`) instead of quietly
starting a new thread, and `chat.update`, `pins.add` and the `files.*` methods take
channel ids only, as Slack's reference says, while `chat.postMessage` and
`chat.postEphemeral` also accept a `#name`.
"""

from __future__ import annotations

import base64
import itertools
import re
import secrets
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from bot.slack.blocks import text_length
from bot.standins.slack_blocks import BLOCKS_TOTAL_TEXT, block_errors, view_errors

Json = dict[str, Any]

BOT_USER_ID = "U0KEYCHECK"
BOT_ID = "B0KEYCHECK"
APP_ID = "A0KEYCHECK"
TEAM_ID = "T0KEYCHECK"
TEAM_URL = "https://keycheck-standin.slack.com/"
ALERTS_CHANNEL_ID = "C0ALERTS"
ALERTS_CHANNEL_NAME = "security-alerts"
TS_BASE_US = 1_700_000_000_000_000
TRIGGER_TTL = 3.0
VIEW_STACK_LIMIT = 3
MAX_TEXT = 40_000
CHANNEL_NAME = re.compile(r"\A[a-z0-9_-]{1,80}\Z")
# A response_url answers five times within thirty minutes of the request that carried it.
RESPONSE_URL_USES = 5
RESPONSE_URL_TTL = 30 * 60.0
RESPONSE_TYPES = frozenset({"ephemeral", "in_channel"})

DEFAULT_USERS = {
    "U0ALICE": "alice",
    "U0BOB": "bob",
    "U0MALLORY": "mallory",
}
DEFAULT_USERGROUPS = {"S0RESPONDERS": ("U0ALICE", "U0BOB")}


class SlackError(Exception):
    """An `ok: false` answer, with Slack's error code and its validation messages."""

    def __init__(self, error: str, messages: Sequence[str] = ()) -> None:
        super().__init__(error)
        self.error = error
        self.messages = list(messages)


@dataclass
class Channel:
    id: str
    name: str
    members: set[str]
    is_private: bool = False
    archived: bool = False
    pins: list[str] = field(default_factory=list)
    # A direct message with one person (conversations.open): `name` is that person's id.
    is_im: bool = False

    def info(self) -> Json:
        if self.is_im:
            return {"id": self.id, "is_im": True, "user": self.name, "is_open": True}
        return {
            "id": self.id,
            "name": self.name,
            "is_channel": not self.is_private,
            "is_private": self.is_private,
            "is_im": self.is_im,
            "is_archived": self.archived,
            "is_member": BOT_USER_ID in self.members,
            "num_members": len(self.members),
        }


@dataclass
class Message:
    channel: str
    ts: str
    text: str
    blocks: list[Json]
    posted_at: float
    thread_ts: str = ""
    ephemeral_to: str = ""
    files: list[str] = field(default_factory=list)
    edits: int = 0
    replies: list[str] = field(default_factory=list)
    broadcast: bool = False  # a thread reply also shown in the channel (reply_broadcast)
    metadata: Json | None = None


@dataclass
class StoredFile:
    id: str
    name: str
    length: int
    title: str = ""
    content: bytes | None = None

    def info(self) -> Json:
        return {
            "id": self.id,
            "name": self.name,
            "title": self.title or self.name,
            "size": len(self.content or b""),
        }


@dataclass
class View:
    id: str
    view: Json
    hash: str
    seq: str
    root_id: str
    channel: str = ""
    user: str = ""


@dataclass
class Hook:
    """A response_url: one person's way back to where they asked, counted and timed."""

    channel: str
    user: str
    issued: float
    source_ts: str = ""
    command: bool = False
    used: int = 0


@dataclass
class Trigger:
    channel: str
    user: str
    issued: float
    used: bool = False


def _text(params: Json, name: str) -> str:
    value = params.get(name)
    return value if isinstance(value, str) else ""


def _flag(body: Json, name: str) -> bool:
    """Slack's documented examples send these as "true"/"false" strings; booleans work too."""
    value = body.get(name, False)
    if isinstance(value, bool):
        return value
    if value in ("true", "false"):
        return bool(value == "true")
    raise SlackError("invalid_payload")


def _user_json(user_id: str, name: str, *, is_bot: bool) -> Json:
    return {
        "id": user_id,
        "team_id": TEAM_ID,
        "name": name,
        "real_name": name.title(),
        "deleted": False,
        "is_bot": is_bot,
        "tz": "Etc/UTC",
        "profile": {"display_name": name, "real_name": name.title()},
    }


class Workspace:
    """All state of one stand-in workspace; every public method holds the lock."""

    def __init__(
        self,
        *,
        users: Mapping[str, str],
        usergroups: Mapping[str, Sequence[str]],
        clock: Callable[[], float],
        strict_triggers: bool = False,
        lock: threading.RLock | None = None,
    ) -> None:
        self.lock = lock or threading.RLock()
        self.clock = clock
        self.strict_triggers = strict_triggers
        self.upload_base = ""
        self.users: dict[str, Json] = {
            BOT_USER_ID: _user_json(BOT_USER_ID, "keycheck", is_bot=True)
        }
        self.usergroups = {group: list(members) for group, members in usergroups.items()}
        self.channels: dict[str, Channel] = {}
        self.messages: dict[tuple[str, str], Message] = {}
        self.views: dict[str, View] = {}
        self.triggers: dict[str, Trigger] = {}
        self.files: dict[str, StoredFile] = {}
        self.hooks: dict[str, Hook] = {}
        self.emails: dict[str, str] = {}
        self._ts = itertools.count(1)
        self._ids = itertools.count(1)
        self.add_channel(ALERTS_CHANNEL_NAME, ALERTS_CHANNEL_ID)
        for user_id, name in users.items():
            self.add_user(user_id, name)

    # -- configuration -------------------------------------------------------------------------

    def add_user(
        self, user_id: str, name: str, *, channels: Iterable[str] = (ALERTS_CHANNEL_ID,)
    ) -> None:
        with self.lock:
            self.users[user_id] = _user_json(user_id, name, is_bot=False)
            for channel_id in channels:
                self.channels[channel_id].members.add(user_id)

    def add_channel(
        self,
        name: str,
        channel_id: str = "",
        *,
        members: Iterable[str] = (),
        bot_member: bool = True,
        is_private: bool = False,
        is_im: bool = False,
    ) -> Channel:
        with self.lock:
            channel = Channel(
                id=channel_id or self._new_id("D" if is_im else "C"),
                name=name,
                members=set(members) | ({BOT_USER_ID} if bot_member else set()),
                is_private=is_private or is_im,
                is_im=is_im,
            )
            self.channels[channel.id] = channel
            return channel

    def set_email(self, user_id: str, email: str) -> None:
        """The address in a user's profile, which users.lookupByEmail finds them by."""
        with self.lock:
            self.users[user_id]["profile"]["email"] = email
            self.emails[email.lower()] = user_id

    def issue_trigger(self, channel: str, user: str) -> str:
        with self.lock:
            trigger_id = f"{next(self._ids)}.{TEAM_ID}.trigger"
            self.triggers[trigger_id] = Trigger(channel=channel, user=user, issued=self.clock())
            return trigger_id

    # -- lookups ------------------------------------------------------------------------------

    def find_channel(self, ref: object, *, by_name: bool = False) -> Channel:
        """A channel by id, or by `#name`/`name` where the method accepts names."""
        if isinstance(ref, str) and ref in self.channels:
            return self.channels[ref]
        if by_name and isinstance(ref, str):
            name = ref.removeprefix("#")
            for channel in self.channels.values():
                if channel.name == name:
                    return channel
        raise SlackError("channel_not_found")

    def top_level(self, channel_id: str) -> list[Message]:
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel == channel_id
                and (not m.thread_ts or m.broadcast)
                and not m.ephemeral_to
            ),
            key=lambda m: m.ts,
        )

    def replies(self, channel_id: str, thread_ts: str) -> list[Message]:
        return sorted(
            (
                m
                for m in self.messages.values()
                if m.channel == channel_id and m.thread_ts == thread_ts and not m.ephemeral_to
            ),
            key=lambda m: m.ts,
        )

    def message_json(self, message: Message, *, metadata: bool = False) -> Json:
        """A message as conversations.history shows it, in its latest version; its metadata
        only when asked for (`include_all_metadata`)."""
        data: Json = {
            "type": "message",
            "ts": message.ts,
            "text": message.text,
            "user": BOT_USER_ID,
            "bot_id": BOT_ID,
            "app_id": APP_ID,
            "team": TEAM_ID,
            "blocks": message.blocks,
        }
        if message.thread_ts:
            data["thread_ts"] = message.thread_ts
        if message.broadcast:
            data["subtype"] = "thread_broadcast"
        if message.replies:
            data.update(
                thread_ts=message.ts,
                reply_count=len(message.replies),
                latest_reply=message.replies[-1],
            )
        if message.edits:
            data["edited"] = {"user": BOT_USER_ID, "ts": message.ts}
        if message.files:
            data["files"] = [self.files[file_id].info() for file_id in message.files]
        if message.ephemeral_to:
            data["ephemeral_to"] = message.ephemeral_to
        if metadata and message.metadata is not None:
            data["metadata"] = message.metadata
        return data

    # -- shared checks --------------------------------------------------------------------------

    def _new_id(self, prefix: str) -> str:
        return f"{prefix}0{next(self._ids):08d}"

    def _next_ts(self) -> str:
        micros = TS_BASE_US + next(self._ts) * 100
        return f"{micros // 1_000_000}.{micros % 1_000_000:06d}"

    @staticmethod
    def _visible(channel: Channel) -> Channel:
        if channel.is_private and BOT_USER_ID not in channel.members:
            raise SlackError("channel_not_found")
        return channel

    @staticmethod
    def _writable(channel: Channel) -> None:
        """A private channel or DM the bot is not in is one it cannot see, as in Slack."""
        if channel.is_private and BOT_USER_ID not in channel.members:
            raise SlackError("channel_not_found")
        if channel.archived:
            raise SlackError("is_archived")
        if BOT_USER_ID not in channel.members:
            raise SlackError("not_in_channel")

    @staticmethod
    def _content(params: Json, *, require: bool = True) -> tuple[str, list[Json]]:
        text = _text(params, "text")
        blocks = params.get("blocks", [])
        if not isinstance(blocks, list):
            raise SlackError("invalid_blocks_format")
        errors = block_errors(blocks)
        if errors:
            raise SlackError("invalid_blocks", errors)
        if text_length(blocks) > BLOCKS_TOTAL_TEXT:
            raise SlackError("msg_blocks_too_long")
        if require and not text and not blocks and not params.get("attachments"):
            raise SlackError("no_text")
        if len(text) > MAX_TEXT:
            raise SlackError("msg_too_long")
        return text, blocks

    def _thread(self, channel: Channel, thread_ts: object) -> str:
        """The parent ts for a reply; a reply's own ts threads under its parent, as in Slack."""
        if thread_ts in (None, ""):
            return ""
        parent = self.messages.get((channel.id, str(thread_ts)))
        if parent is None or parent.ephemeral_to:
            raise SlackError("thread_not_found")
        return parent.thread_ts or parent.ts

    def _store(self, message: Message) -> Message:
        self.messages[(message.channel, message.ts)] = message
        if message.thread_ts and not message.ephemeral_to:
            self.messages[(message.channel, message.thread_ts)].replies.append(message.ts)
        return message

    def _user(self, user_id: object) -> str:
        if not isinstance(user_id, str) or user_id not in self.users:
            raise SlackError("user_not_found")
        return user_id

    # -- chat ------------------------------------------------------------------------------------

    def chat_post_message(self, params: Json) -> Json:
        channel = self.find_channel(params.get("channel"), by_name=True)
        self._writable(channel)
        text, blocks = self._content(params)
        thread = self._thread(channel, params.get("thread_ts"))
        metadata = _metadata(params.get("metadata"))
        message = self._store(
            Message(
                channel.id,
                self._next_ts(),
                text,
                blocks,
                self.clock(),
                thread_ts=thread,
                metadata=metadata,
            )
        )
        message.broadcast = bool(thread) and _param_flag(params.get("reply_broadcast"))
        return {"channel": channel.id, "ts": message.ts, "message": self.message_json(message)}

    def chat_update(self, params: Json) -> Json:
        channel = self._visible(self.find_channel(params.get("channel")))
        message = self.messages.get((channel.id, _text(params, "ts")))
        if message is None or message.ephemeral_to:
            raise SlackError("message_not_found")
        if channel.archived:
            raise SlackError("is_archived")
        if "text" not in params and "blocks" not in params:
            raise SlackError("no_text")
        text, blocks = self._content(
            {
                "text": params.get("text", message.text),
                "blocks": params.get("blocks", message.blocks),
            }
        )
        message.text, message.blocks, message.edits = text, blocks, message.edits + 1
        data = self.message_json(message)
        return {"channel": channel.id, "ts": message.ts, "text": text, "message": data}

    def chat_post_ephemeral(self, params: Json) -> Json:
        channel = self.find_channel(params.get("channel"), by_name=True)
        self._writable(channel)
        user = self._user(params.get("user"))
        if user not in channel.members:
            raise SlackError("user_not_in_channel")
        text, blocks = self._content(params)
        thread = self._thread(channel, params.get("thread_ts"))
        message = self._store(
            Message(
                channel.id,
                self._next_ts(),
                text,
                blocks,
                self.clock(),
                thread_ts=thread,
                ephemeral_to=user,
            )
        )
        return {"message_ts": message.ts}

    def chat_get_permalink(self, params: Json) -> Json:
        channel = self._visible(self.find_channel(params.get("channel")))
        message = self.messages.get((channel.id, _text(params, "message_ts")))
        if message is None or message.ephemeral_to:
            raise SlackError("message_not_found")
        link = f"{TEAM_URL}archives/{channel.id}/p{message.ts.replace('.', '')}"
        if message.thread_ts:
            link += f"?thread_ts={message.thread_ts}&cid={channel.id}"
        return {"channel": channel.id, "permalink": link}

    # -- views -----------------------------------------------------------------------------------

    def _take_trigger(self, trigger_id: object) -> Trigger:
        if not isinstance(trigger_id, str) or not trigger_id:
            raise SlackError("invalid_trigger_id")
        trigger = self.triggers.get(trigger_id)
        if trigger is None:
            if self.strict_triggers:
                raise SlackError("invalid_trigger_id")
            return Trigger(channel="", user="", issued=self.clock())
        if trigger.used:
            raise SlackError("exchanged_trigger_id")
        if self.clock() - trigger.issued > TRIGGER_TTL:
            raise SlackError("expired_trigger_id")
        trigger.used = True
        return trigger

    @staticmethod
    def _valid_view(view: object) -> Json:
        errors = view_errors(view)
        if errors or not isinstance(view, dict):
            raise SlackError("invalid_arguments", errors)
        return view

    def view_json(self, view: View) -> Json:
        stack = [v.id for v in self.views.values() if v.root_id == view.root_id]
        previous = stack[stack.index(view.id) - 1] if stack.index(view.id) else None
        return {
            **view.view,
            "id": view.id,
            "hash": view.hash,
            "team_id": TEAM_ID,
            "app_id": APP_ID,
            "bot_id": BOT_ID,
            "root_view_id": view.root_id,
            "previous_view_id": previous,
            "state": {"values": {}},
        }

    def _new_view(self, body: Json, trigger: Trigger, root_id: str = "") -> View:
        view_id = self._new_id("V")
        view = View(
            view_id,
            body,
            f"{self.clock():.6f}.{view_id}",
            self._next_ts(),
            root_id or view_id,
            trigger.channel,
            trigger.user,
        )
        self.views[view_id] = view
        return view

    def views_open(self, params: Json) -> Json:
        body = self._valid_view(params.get("view"))
        trigger = self._take_trigger(params.get("trigger_id"))
        return {"view": self.view_json(self._new_view(body, trigger))}

    def views_push(self, params: Json) -> Json:
        body = self._valid_view(params.get("view"))
        trigger = self._take_trigger(params.get("trigger_id"))
        stacks = [v for v in self.views.values() if not trigger.user or v.user == trigger.user]
        if not stacks:
            raise SlackError("not_found")
        root_id = stacks[-1].root_id
        if sum(v.root_id == root_id for v in self.views.values()) >= VIEW_STACK_LIMIT:
            raise SlackError("push_limit_reached")
        parent = self.views[root_id]
        trigger = Trigger(parent.channel, parent.user, trigger.issued)
        return {"view": self.view_json(self._new_view(body, trigger, root_id))}

    def views_update(self, params: Json) -> Json:
        body = self._valid_view(params.get("view"))
        target = params.get("view_id") or None
        external = params.get("external_id") or None
        view = next(
            (
                v
                for v in self.views.values()
                if v.id == target or (external and v.view.get("external_id") == external)
            ),
            None,
        )
        if view is None:
            raise SlackError("not_found")
        if params.get("hash") and params["hash"] != view.hash:
            raise SlackError("hash_conflict")
        view.view, view.hash = body, f"{self.clock():.6f}.{view.id}.{next(self._ids)}"
        return {"view": self.view_json(view)}

    # -- conversations and pins --------------------------------------------------------------------

    def conversations_create(self, params: Json) -> Json:
        name = _text(params, "name")
        if not name:
            raise SlackError("invalid_name_required")
        if len(name) > 80:
            raise SlackError("invalid_name_maxlength")
        if not CHANNEL_NAME.match(name):
            raise SlackError("invalid_name_specials")
        if any(channel.name == name for channel in self.channels.values()):
            raise SlackError("name_taken")
        private = str(params.get("is_private", "")).lower() in {"1", "true"}
        return {"channel": self.add_channel(name, is_private=private).info()}

    def conversations_invite(self, params: Json) -> Json:
        channel = self.find_channel(params.get("channel"))
        self._writable(channel)
        raw = params.get("users", "")
        users = [u.strip() for u in (raw.split(",") if isinstance(raw, str) else raw) if u.strip()]
        if not users:
            raise SlackError("no_user")
        for user in users:
            if self._user(user) == BOT_USER_ID:
                raise SlackError("cant_invite_self")
        if all(user in channel.members for user in users):
            raise SlackError("already_in_channel")
        channel.members.update(users)
        return {"channel": channel.info()}

    def conversations_archive(self, params: Json) -> Json:
        channel = self.find_channel(params.get("channel"))
        if channel.archived:
            raise SlackError("already_archived")
        self._writable(channel)
        channel.archived = True
        return {}

    def conversations_info(self, params: Json) -> Json:
        return {"channel": self._visible(self.find_channel(params.get("channel"))).info()}

    def conversations_join(self, params: Json) -> Json:
        channel = self._visible(self.find_channel(params.get("channel")))
        if channel.archived:
            raise SlackError("is_archived")
        if channel.is_private:
            raise SlackError("method_not_supported_for_channel_type")
        joined = BOT_USER_ID in channel.members
        channel.members.add(BOT_USER_ID)
        return {"channel": channel.info(), **({"warning": "already_in_channel"} if joined else {})}

    def pins_add(self, params: Json) -> Json:
        channel = self.find_channel(params.get("channel"))
        self._writable(channel)
        message = self.messages.get((channel.id, _text(params, "timestamp")))
        if message is None or message.ephemeral_to:
            raise SlackError("message_not_found")
        if message.ts in channel.pins:
            raise SlackError("already_pinned")
        channel.pins.append(message.ts)
        return {}

    # -- files (files_upload_v2: get URL, POST the bytes, complete) -------------------------------

    def files_get_upload_url_external(self, params: Json) -> Json:
        name = _text(params, "filename")
        try:
            length = int(params.get("length", 0))
        except (TypeError, ValueError):
            length = 0
        if not name or length <= 0:
            raise SlackError("invalid_arguments", ["filename and a positive length are required"])
        stored = StoredFile(id=self._new_id("F"), name=name, length=length)
        self.files[stored.id] = stored
        return {"upload_url": f"{self.upload_base}upload/v1/{stored.id}", "file_id": stored.id}

    def receive_upload(self, file_id: str, body: bytes) -> bool:
        with self.lock:
            stored = self.files.get(file_id)
            if stored is None or stored.content is not None:
                return False
            stored.content = body
            return True

    def _uploaded(self, entries: object) -> list[StoredFile]:
        if not isinstance(entries, list) or not entries:
            raise SlackError("invalid_arguments", ["files must be a non-empty JSON array"])
        found = []
        for entry in entries:
            stored = self.files.get(entry.get("id", "")) if isinstance(entry, dict) else None
            if stored is None:
                raise SlackError("file_not_found")
            if stored.content is None or len(stored.content) != stored.length:
                raise SlackError("invalid_arguments", [f"{stored.id} was not uploaded in full"])
            stored.title = str(entry.get("title") or stored.name)
            found.append(stored)
        return found

    def files_complete_upload_external(self, params: Json) -> Json:
        stored = self._uploaded(params.get("files"))
        target = params.get("channel_id") or _text(params, "channels").split(",")[0]
        if target:
            channel = self.find_channel(target)
            self._writable(channel)
            thread = self._thread(channel, params.get("thread_ts"))
            self._store(
                Message(
                    channel.id,
                    self._next_ts(),
                    _text(params, "initial_comment"),
                    [],
                    self.clock(),
                    thread_ts=thread,
                    files=[f.id for f in stored],
                )
            )
        return {"files": [f.info() for f in stored]}

    # -- people ----------------------------------------------------------------------------------

    def usergroups_users_list(self, params: Json) -> Json:
        group = params.get("usergroup")
        if not isinstance(group, str) or group not in self.usergroups:
            raise SlackError("no_such_subteam")
        return {"users": list(self.usergroups[group])}

    def users_lookup_by_email(self, params: Json) -> Json:
        email = _text(params, "email")
        if not email:
            raise SlackError("invalid_arguments")
        user_id = self.emails.get(email.lower())
        if user_id is None:
            raise SlackError("users_not_found")
        return {"user": self.users[user_id]}

    def conversations_open(self, params: Json) -> Json:
        """A 1:1 direct message with `users` (one id), the same channel each time, as Slack."""
        users = [u for u in _text(params, "users").split(",") if u]
        if not users:
            raise SlackError("users_list_not_supplied")
        if len(users) > 1:
            raise SlackError("method_not_supported_for_channel_type")
        user = self._user(users[0])
        for channel in self.channels.values():
            if channel.is_im and channel.name == user:
                return {"no_op": True, "already_open": True, "channel": {"id": channel.id}}
        channel = Channel(self._new_id("D"), user, {user, BOT_USER_ID}, is_im=True)
        self.channels[channel.id] = channel
        return {"channel": {"id": channel.id}}

    def users_info(self, params: Json) -> Json:
        return {"user": self.users[self._user(params.get("user"))]}

    def auth_test(self, params: Json) -> Json:
        return {
            "url": TEAM_URL,
            "team": "keycheck stand-in",
            "user": "keycheck",
            "team_id": TEAM_ID,
            "user_id": BOT_USER_ID,
            "bot_id": BOT_ID,
        }

    # -- response_url: the way back Slack hands an app with a command or an interaction ---------

    def issue_hook(
        self, channel: str, user: str, *, source_ts: str = "", command: bool = False
    ) -> str:
        """A response_url for one person in one conversation (for a click: on one message)."""
        with self.lock:
            key = f"{self._new_id('H')}/{secrets.token_hex(12)}"
            self.hooks[key] = Hook(channel, user, self.clock(), source_ts, command)
            kind = "commands" if command else "actions"
            return f"{self.upload_base}hooks/{kind}/{TEAM_ID}/{key}"

    def respond(self, path: str, body: Json) -> Json:
        """One POST to a response_url, held to Slack's rules; SlackError when refused.

        Slack documents five uses within thirty minutes, `ephemeral` (the default) or
        `in_channel`, `thread_ts` for a reply, and `replace_original`/`delete_original` for
        the message an interaction came from, never a slash command's. It posts where the
        app itself may not (a private channel or DM it is not in), which is its point.
        """
        parts = path.strip("/").split("/")
        hook = self.hooks.get("/".join(parts[3:])) if len(parts) == 5 else None
        if hook is None or parts[1] != ("commands" if hook.command else "actions"):
            raise SlackError("no_service")
        if self.clock() - hook.issued > RESPONSE_URL_TTL:
            raise SlackError("expired_url")
        if hook.used >= RESPONSE_URL_USES:
            raise SlackError("used_url")
        kind = body.get("response_type", "ephemeral")
        if kind not in RESPONSE_TYPES:
            raise SlackError("invalid_response_type")
        replace, delete = _flag(body, "replace_original"), _flag(body, "delete_original")
        if hook.command and (replace or delete):
            raise SlackError("cannot_replace_command_message")
        channel = self.channels.get(hook.channel)
        if channel is None:
            raise SlackError("channel_not_found")
        if channel.archived:
            raise SlackError("channel_is_archived")
        source = self._source(channel, hook) if replace or delete else None
        only_delete = delete and not ({"text", "blocks"} & body.keys())
        text, blocks = ("", []) if only_delete else self._content(body)
        if delete and source is not None:
            del self.messages[(channel.id, source.ts)]
            if only_delete:
                hook.used += 1
                return {}
        elif replace and source is not None:
            source.text, source.blocks, source.edits = text, blocks, source.edits + 1
            hook.used += 1
            return self.message_json(source)
        thread = self._thread(channel, body.get("thread_ts"))
        to = hook.user if kind == "ephemeral" else ""
        message = Message(
            channel.id,
            self._next_ts(),
            text,
            blocks,
            self.clock(),
            thread_ts=thread,
            ephemeral_to=to,
        )
        hook.used += 1
        return self.message_json(self._store(message))

    def _source(self, channel: Channel, hook: Hook) -> Message:
        message = self.messages.get((channel.id, hook.source_ts))
        if message is None:
            raise SlackError("message_not_found")
        return message

    # -- history -------------------------------------------------------------------------------

    def _readable(self, params: Json) -> Channel:
        """History is read by id, from a channel the bot is in (`*:history` scopes)."""
        channel = self.find_channel(params.get("channel"))
        if BOT_USER_ID not in channel.members:
            raise SlackError("not_in_channel")
        return channel

    def _page(self, messages: list[Message], params: Json, *, limit: int) -> Json:
        """One page of `messages` (already in the method's order), cursor-paginated."""
        start = _cursor_offset(params.get("cursor"))
        size = _limit(params.get("limit"), default=limit)
        page = messages[start : start + size]
        more = start + size < len(messages)
        metadata = _param_flag(params.get("include_all_metadata"))
        return {
            "messages": [self.message_json(m, metadata=metadata) for m in page],
            "has_more": more,
            "response_metadata": {"next_cursor": _cursor(start + size) if more else ""},
        }

    def conversations_history(self, params: Json) -> Json:
        """Top-level messages, newest first, between `oldest` and `latest` (exclusive unless
        `inclusive`), as Slack documents the method."""
        channel = self._readable(params)
        oldest = _ts_param(params.get("oldest"), 0.0)
        latest = _ts_param(params.get("latest"), float("inf"))
        inclusive = _param_flag(params.get("inclusive"))
        window = [
            m
            for m in reversed(self.top_level(channel.id))
            if (oldest <= float(m.ts) <= latest if inclusive else oldest < float(m.ts) < latest)
        ]
        return {"pin_count": len(channel.pins), **self._page(window, params, limit=100)}

    def conversations_list(self, params: Json) -> Json:
        """Channels of the asked `types` (public_channel by default), by id order, paginated."""
        types = set(_text(params, "types").split(",")) - {""} or {"public_channel"}
        unknown = types - {"public_channel", "private_channel", "im", "mpim"}
        if unknown:
            raise SlackError("invalid_types")
        listed = [
            c
            for c in sorted(self.channels.values(), key=lambda c: c.id)
            if ("private_channel" if c.is_private else "public_channel") in types
            and not (c.archived and _param_flag(params.get("exclude_archived")))
            and (not c.is_private or BOT_USER_ID in c.members)
        ]
        start = _cursor_offset(params.get("cursor"))
        size = _limit(params.get("limit"), default=100)
        more = start + size < len(listed)
        return {
            "channels": [c.info() for c in listed[start : start + size]],
            "response_metadata": {"next_cursor": _cursor(start + size) if more else ""},
        }

    def conversations_replies(self, params: Json) -> Json:
        """A thread, its parent first then the replies oldest first; `ts` may name a reply."""
        channel = self._readable(params)
        parent = self.messages.get((channel.id, _text(params, "ts")))
        if parent is None or parent.ephemeral_to:
            raise SlackError("thread_not_found")
        root = self.messages[(channel.id, parent.thread_ts or parent.ts)]
        thread = [root, *self.replies(channel.id, root.ts)]
        return self._page(thread, params, limit=1000)

    # -- dispatch --------------------------------------------------------------------------------

    def call(self, method: str, params: Json) -> Json:
        """Run one Web API method; raise SlackError for an `ok: false` answer."""
        handler = _METHODS.get(method)
        if handler is None:
            raise SlackError("unknown_method")
        with self.lock:
            return {"ok": True, **handler(self, params)}


_METHODS: dict[str, Callable[[Workspace, Json], Json]] = {
    "auth.test": Workspace.auth_test,
    "chat.postMessage": Workspace.chat_post_message,
    "chat.update": Workspace.chat_update,
    "chat.postEphemeral": Workspace.chat_post_ephemeral,
    "chat.getPermalink": Workspace.chat_get_permalink,
    "views.open": Workspace.views_open,
    "views.update": Workspace.views_update,
    "views.push": Workspace.views_push,
    "conversations.create": Workspace.conversations_create,
    "conversations.invite": Workspace.conversations_invite,
    "conversations.archive": Workspace.conversations_archive,
    "conversations.info": Workspace.conversations_info,
    "conversations.join": Workspace.conversations_join,
    "pins.add": Workspace.pins_add,
    "files.getUploadURLExternal": Workspace.files_get_upload_url_external,
    "files.completeUploadExternal": Workspace.files_complete_upload_external,
    "usergroups.users.list": Workspace.usergroups_users_list,
    "users.info": Workspace.users_info,
    "users.lookupByEmail": Workspace.users_lookup_by_email,
    "conversations.open": Workspace.conversations_open,
    "conversations.history": Workspace.conversations_history,
    "conversations.replies": Workspace.conversations_replies,
    "conversations.list": Workspace.conversations_list,
}
METHODS = frozenset(_METHODS)


def _metadata(value: object) -> Json | None:
    """chat.postMessage's `metadata`: an `event_type` and an `event_payload` object."""
    if value in (None, ""):
        return None
    if not isinstance(value, dict):
        raise SlackError("invalid_metadata_format")
    event_type, payload = value.get("event_type"), value.get("event_payload")
    if not isinstance(event_type, str) or not event_type or not isinstance(payload, dict):
        raise SlackError("invalid_metadata_schema")
    return {"event_type": event_type, "event_payload": payload}


def _param_flag(value: object) -> bool:
    """A Web API form flag: Slack's clients send 1/0, "true"/"false" or a boolean."""
    return value in (True, 1, "1", "true", "True")


def _ts_param(value: object, default: float) -> float:
    if value in (None, ""):
        return default
    try:
        return float(str(value))
    except ValueError:
        raise SlackError("invalid_ts_oldest") from None


def _limit(value: object, *, default: int) -> int:
    """Slack's `limit`: at most 999 for history (1000 for replies), never below one."""
    if value in (None, ""):
        return default
    try:
        return max(1, min(int(str(value)), 999))
    except ValueError:
        raise SlackError("invalid_limit") from None


def _cursor(offset: int) -> str:
    return base64.b64encode(f"next_ts:{offset}".encode()).decode()


def _cursor_offset(value: object) -> int:
    if value in (None, ""):
        return 0
    try:
        return int(base64.b64decode(str(value)).decode().removeprefix("next_ts:"))
    except ValueError:
        raise SlackError("invalid_cursor") from None
