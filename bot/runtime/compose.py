"""Composition: every long-lived part built once, each given only what it uses.

This is the one place that knows the whole house. A pipeline that needs another's
part (respond redrawing ingest's card, ingest handing each stored alert to
auto-containment) gets it here, as a plain callable, so the pipelines never import
each other.
"""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor
from functools import partial

from slack_sdk import WebClient

from bot.aws.sessions import Sessions
from bot.aws.sts import get_access_key_info
from bot.config import Settings
from bot.ingest.alarms import alarm_completer
from bot.ingest.cards import Cards
from bot.ingest.enrich import Enricher
from bot.ingest.pipeline import CardPosted, Ingest
from bot.investigate.picture import TimelinePictures
from bot.investigate.post import TimelinePoster
from bot.investigate.report_sections import footprint_section, watch_section
from bot.investigate.reporting import Reports
from bot.models import Incident
from bot.respond.authorization import Responders
from bot.respond.autocontain import AutoContainer
from bot.respond.blast_radius import BlastRadii
from bot.respond.cases import IncidentCases
from bot.respond.incident_channel import IncidentChannels
from bot.respond.incident_echo import IncidentEcho
from bot.respond.keyreport import build_key_report
from bot.respond.lookup import KeyLookup
from bot.respond.open_items import open_items
from bot.respond.owner import Owners, contain_as_keycheck, mention_responders
from bot.respond.responder import Responder
from bot.respond.triage import Triage
from bot.respond.verify import ContainmentCheck
from bot.respond.watch import Watcher
from bot.runtime.pools import BoundedPool
from bot.services import Services
from bot.slack.messenger import ChannelPacer, Messenger, make_client
from bot.store import Store, open_store

# Threads for the AWS work behind Slack requests, apart from Bolt's own few threads, so
# that a slow IAM never delays the next acknowledgement.
WORK_THREADS = 8
# Timelines and look-ups, apart from containment: anyone may ask for them, so they get
# few threads and a short queue, and never the threads containment runs on.
READ_THREADS = 2
READ_WAITING = 4


def slack_client(settings: Settings) -> WebClient:
    """The one WebClient, with Slack's own retry handlers for 429, 5xx and dropped connections."""
    return make_client(
        settings.slack_bot_token.get_secret_value(), settings.slack_api_url, timeout=10
    )


def aws_sessions(settings: Settings) -> Sessions:
    """The bot's own AWS session and the responder role it assumes in each key's account."""
    return Sessions(
        region=settings.aws_region,
        role_name=settings.responder_role_name,
        external_id=settings.responder_external_id.get_secret_value(),
    )


def key_account(sessions: Sessions, key_id: str) -> str:
    """The account a key belongs to, asked with the bot's own credentials."""
    return get_access_key_info(sessions.own_client("sts"), key_id)


def store_of(settings: Settings) -> Store:
    return open_store(settings.store_url, region=settings.aws_region)


def responder_of(settings: Settings, store: Store, sessions: Sessions) -> Responder:
    """The response pipeline alone, for the terminal: the same action log as Slack.

    A containment from the terminal starts its watch in the store, for `serve` or
    `worker` (or `keycheck watch`) to poll.
    """
    watch = watcher_of(settings, store, sessions, Messenger(slack_client(settings)))
    return Responder(
        store,
        sessions,
        key_report=partial(build_key_report, sessions),
        contained=watch.after_containment,
    )


def watcher_of(
    settings: Settings, store: Store, sessions: Sessions, messenger: Messenger
) -> Watcher:
    """The watch on contained keys, as long and as often as the settings say."""
    return Watcher(
        store,
        sessions,
        messenger,
        channel=settings.alerts_channel,
        minutes=settings.watch_minutes,
        poll_seconds=settings.watch_poll_seconds,
    )


def containment_check(sessions: Sessions, blast: BlastRadii | None = None) -> ContainmentCheck:
    """The check that containment holds, for the terminal and for Slack."""
    key_report = partial(build_key_report, sessions)
    return ContainmentCheck(sessions, key_report, blast or BlastRadii(sessions))


def blast_radius_later(enricher: Enricher, blast: BlastRadii, cards: Cards) -> CardPosted:
    """Once a card is in Slack, assess its key's principal and redraw the card with it.

    The card never waits: the assessment reads several IAM policies and classifies
    thousands of actions, so it runs on the blast radius's own thread afterwards.
    """

    def card_posted(incident: Incident) -> None:
        report = enricher.report(incident.access_key_id) if incident.access_key_id else None
        if report is None or report.error:
            return
        blast.later(report, lambda _: cards.refresh(incident, report))

    return card_posted


def both(*hooks: CardPosted) -> CardPosted:
    """Several things filled in once a card is posted, each on its own thread."""

    def card_posted(incident: Incident) -> None:
        for hook in hooks:
            hook(incident)

    return card_posted


def owners_of(
    settings: Settings,
    parts: tuple[Store, Sessions, Messenger],
    enricher: Enricher,
    cards: Cards,
    responders: Responders,
    responder: Responder,
) -> Owners:
    """ "Was this you?", asked of the key's owner; the card shows what was found."""
    store, sessions, messenger = parts
    owners = Owners(
        store,
        sessions,
        messenger,
        tag=settings.owner_tag,
        key_report=enricher.report,
        refresh_card=cards.refresh,
        call_in=lambda: mention_responders(settings.responder_group, responders.everyone()),
        contain=contain_as_keycheck(responder) if settings.owner_denial_contains else None,
    )
    enricher.owner = owners.known
    return owners


def reports_of(
    settings: Settings, parts: tuple[Store, Sessions, Messenger], check: ContainmentCheck
) -> Reports:
    store, sessions, messenger = parts
    return Reports(
        store,
        messenger,
        sessions,
        evidence_bucket=settings.evidence_bucket,
        open_items=open_items(check, store),
        sections=[footprint_section(store), watch_section(store)],
    )


def build_reports(settings: Settings) -> Reports:
    """The report alone, for the terminal: the same store, Slack only when it is shared."""
    sessions = aws_sessions(settings)
    parts = (store_of(settings), sessions, Messenger(slack_client(settings)))
    return reports_of(settings, parts, containment_check(sessions))


def build_services(
    settings: Settings, *, client: WebClient | None = None, sessions: Sessions | None = None
) -> Services:
    """Everything long-lived, built once per process."""
    sessions = sessions or aws_sessions(settings)
    store = store_of(settings)
    # Every part posts through one messenger, which echoes a declared incident's thread
    # (alert replies, action results, the card's redraws) into the incident's own channel.
    pacer = ChannelPacer(settings.slack_post_interval)
    messenger = IncidentEcho(client or slack_client(settings), store, pacer=pacer)
    key_report = partial(build_key_report, sessions)
    blast = BlastRadii(sessions)
    # One context cache for every card, so an action's read-back is what cards show.
    enricher = Enricher(settings, key_report=key_report, blast=blast.cached)
    cards = Cards(store, messenger, enricher)
    responders = Responders(settings, messenger.usergroup_members)
    watch = watcher_of(settings, store, sessions, messenger)
    responder = Responder(store, sessions, key_report=key_report, contained=watch.after_containment)
    owners = owners_of(
        settings, (store, sessions, messenger), enricher, cards, responders, responder
    )
    verify = containment_check(sessions, blast)
    ingest = Ingest(
        settings,
        store,
        messenger,
        enricher,
        complete_alarm=alarm_completer(sessions, settings),
        contain=AutoContainer(responder, settings.auto_contain).contain,
        card_posted=both(blast_radius_later(enricher, blast, cards), owners.later),
    )
    return Services(
        settings=settings,
        store=store,
        sessions=sessions,
        messenger=messenger,
        responders=responders,
        responder=responder,
        cards=cards,
        lookup=KeyLookup(store, messenger, key_report, partial(key_account, sessions), blast),
        cases=IncidentCases(store, sessions, key_report, name_of=messenger.real_name),
        channels=IncidentChannels(
            store,
            messenger,
            responders=responders.everyone,
            card=cards.message,
            refresh_card=cards.refresh,
            report_of=cards.fresh_report,
        ),
        triage=Triage(store, messenger, cards.refresh),
        blast=blast,
        verify=verify,
        timelines=TimelinePoster(
            settings, sessions, messenger, store, after=TimelinePictures(store, messenger)
        ),
        ingest=ingest,
        work=ThreadPoolExecutor(max_workers=WORK_THREADS, thread_name_prefix="respond"),
        reads=BoundedPool(READ_THREADS, READ_WAITING, "reads"),
        watch=watch,
        owners=owners,
        reports=reports_of(settings, (store, sessions, messenger), verify),
    )
