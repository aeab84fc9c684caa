"""The timeline in Slack: a progress line while regions come in, then the summary.

Pure Block Kit from the report. Event fields are attacker-controlled (user agents, IPs,
role names), so every value goes through `bot.slack.format`.
"""

from __future__ import annotations

from bot.analysis.catalog import RULES, Phase
from bot.analysis.findings import call_name
from bot.analysis.footprint import FootprintItem
from bot.analysis.report import DerivedKey, IpSummary, RegionProgress, RegionResult, TimelineReport
from bot.analysis.summary import top_events
from bot.models import Finding, TimelineEvent
from bot.slack.blocks import (
    SUMMARY_BUDGET,
    TEXT_LIMIT,
    Block,
    Message,
    context,
    section,
    text_length,
)
from bot.slack.card_story import SEVERITY_EMOJI
from bot.slack.console import DEFAULT_REGION, cloudtrail_history, links_line
from bot.slack.footprint import packed
from bot.slack.format import clean, code, local_time, plain, utc_datetime
from bot.slack.ids import ActionId, ButtonValue

MAX_IPS = 8
MAX_FAILURES = 8
MAX_LINKED_REGIONS = 3
MAX_KEY_BUTTONS = 10
VALUE_LIMIT = 2000  # Slack's cap on a button's value
TOP_EVENTS = 10
# Slack takes 50 blocks in a message; two are kept for what the budget leaves out.
MAX_BLOCKS = 48
IN_THE_FILES = "in the CSV and JSON"
# Kept back for the short headings and "… and N more" notes between the listings.
NOTES_RESERVE = 400


class Budget:
    """What the summary may still carry, in characters and blocks, so Slack never refuses it.

    Every part takes what it needs from the same budget, in the order a responder reads;
    a part that does not fit says how much it left out and where to find it.
    """

    def __init__(
        self, characters: int = SUMMARY_BUDGET - NOTES_RESERVE, blocks: int = MAX_BLOCKS
    ) -> None:
        self.characters = characters
        self.blocks = blocks

    def take(self, block: Block) -> bool:
        size = text_length(block)
        if self.blocks < 1 or size > self.characters:
            return False
        self.characters -= size
        self.blocks -= 1
        return True

    def listing(self, head: str, lines: list[str]) -> Block | None:
        """A section of `head` and the lines that fit, then how many more are in the files."""
        room = min(TEXT_LIMIT, self.characters) - 80
        shown: list[str] = []
        size = len(head)
        for line in lines:
            if size + len(line) + 1 > room:
                break
            shown.append(line)
            size += len(line) + 1
        rest = len(lines) - len(shown)
        more = [f"… and {rest} more — {IN_THE_FILES}"] if rest else []
        block = section("\n".join([head, *shown, *more]))
        return block if shown and self.take(block) else None


def _count(count: int, word: str) -> str:
    return f"{count} {word}{'' if count == 1 else 's'}"


def _failure_line(result: RegionResult) -> str:
    where = "all regions" if result.region == "*" else result.region
    key = f" ({code(result.key_id, 24)})" if result.key_id else ""
    return f"✗ {clean(where, 40)}{key}: {clean(result.error, 160)}"


# -- progress ------------------------------------------------------------------------------


def progress_text(progress: RegionProgress) -> str:
    """'us-east-1 ✓ 212 events · 9 of 17 regions'; a failed region shows ✗ and its error."""
    result = progress.result
    region = "all regions" if result.region == "*" else result.region
    derived = bool(result.key_id) and result.key_id != progress.root_key
    unit = "regions" if progress.keys <= 1 else f"lookups ({progress.keys} keys)"
    if result.ok:
        head = f"{region} ✓ {_count(result.events, 'event')}"
    else:
        head = f"{region} ✗ {plain(result.error, 120)}"
    via = f" ({result.key_id})" if derived else ""
    return f"{head}{via} · {progress.done} of {progress.total} {unit}"


def progress_message(
    key_id: str, progress: RegionProgress | None, failures: list[RegionResult]
) -> tuple[str, list[Block]]:
    """The one message updated as lookups finish: the latest line and every failure so far."""
    line = progress_text(progress) if progress else "listing the account's enabled regions…"
    text = f"⏳ CloudTrail timeline of {key_id}: {line}"
    blocks = [section(f"⏳ *CloudTrail timeline* of {code(key_id, 24)}\n{clean(line, 300)}")]
    if failures:
        lines = [_failure_line(result) for result in failures[:MAX_FAILURES]]
        if len(failures) > MAX_FAILURES:
            lines.append(f"… and {len(failures) - MAX_FAILURES} more failed")
        blocks.append(context("\n".join(lines)))
    return text, blocks


def done_message(report: TimelineReport) -> tuple[str, list[Block]]:
    """The progress message's final state."""
    lookups = len(report.lookups)
    failed = len(report.failed)
    status = "⚠️" if failed else "✅"
    line = f"{_count(len(report.events), 'event')} from {_count(lookups, 'lookup')}" + (
        f", {failed} failed" if failed else ""
    )
    text = f"{status} CloudTrail timeline of {report.key_id}: {line}"
    blocks = [section(f"{status} *CloudTrail timeline* of {code(report.key_id, 24)}: {line}")]
    if report.failed:
        blocks.append(context("\n".join(_failure_line(r) for r in report.failed[:MAX_FAILURES])))
    return text, blocks


# -- summary -------------------------------------------------------------------------------


def _overview(report: TimelineReport) -> Block:
    first = local_time(report.first_seen) if report.first_seen else "—"
    last = local_time(report.last_seen) if report.last_seen else "—"
    regions = ", ".join(clean(r, 30) for r in report.regions[:12]) or "none"
    account = code(report.account_id, 14) if report.account_id else "the bot's account"
    window = f"{local_time(report.start)} → {local_time(report.end)}"
    return section(
        f"*First seen* {first}\n*Last seen* {last}\n*Regions with activity* {regions}\n"
        f"*Account* {account} · *window* {window}"
    )


def _ip_line(ip: IpSummary) -> str:
    if ip.kind == "aws":
        where = "AWS service"
    elif ip.kind == "unreadable":
        where = "not an IP address"
    else:
        where = clean(ip.location, 60) or "location unknown"
    known = {True: "known network", False: "*unknown network*", None: ""}[ip.known]
    parts = [where, known, _count(ip.events, "event")]
    return f"• {code(ip.ip, 60)} " + " · ".join(part for part in parts if part)


def _ips(report: TimelineReport) -> Block:
    lines = [_ip_line(ip) for ip in report.ips[:MAX_IPS]]
    if len(report.ips) > MAX_IPS:
        lines.append(f"… and {len(report.ips) - MAX_IPS} more addresses")
    return section("*Source IPs*\n" + ("\n".join(lines) or "none"))


def _finding_line(finding: Finding) -> str:
    emoji = SEVERITY_EMOJI[finding.severity]
    rule = code(finding.rule.value, 40)
    return f"{emoji} {rule} {finding.technique} — {clean(finding.summary, 400)}"


def findings_by_phase(findings: list[Finding]) -> list[tuple[Phase, list[Finding]]]:
    """Recon → persistence → privilege escalation → defense evasion → impact, then the rest."""
    phases: dict[Phase, list[Finding]] = {}
    for finding in findings:
        phases.setdefault(RULES[finding.rule].phase, []).append(finding)
    return sorted(phases.items())


def _findings(report: TimelineReport, budget: Budget) -> list[Block]:
    if not report.findings:
        return [section("*Findings*\nNo rule fired on these events.")]
    blocks = [section("*Findings*")]
    budget.take(blocks[0])
    left_out = 0
    for phase, findings in findings_by_phase(report.findings):
        lines = [_finding_line(finding) for finding in findings]
        block = budget.listing(f"*{phase.label}*", lines)
        if block is None:
            left_out += len(findings)
        else:
            blocks.append(block)
    if left_out:
        blocks.append(context(f"… and {left_out} more findings — {IN_THE_FILES}"))
    return blocks


def _key_text(key: DerivedKey) -> str:
    """Which key, made how, by which key, when, for which user or role, and its state now."""
    role = f" as {code(key.role_arn, 120)}" if key.role_arn else ""
    user = f" for user {code(key.user_name, 64)}" if key.user_name else ""
    when = f" at {utc_datetime(key.minted_at)}" if key.minted_at else ""
    state = f" · now *{clean(key.status, 80)}*" if key.status else ""
    return (
        f"{code(key.access_key_id, 24)} minted by {code(key.derived_from, 24)} "
        f"with `{clean(key.via, 40)}`{user}{role}{when}{state}"
    )


def _key_block(key: DerivedKey, report: TimelineReport, incident_id: str) -> Block:
    account = key.account_id or report.account_id
    text = _key_text(key)
    value = ButtonValue(k=key.access_key_id, a=account, i=incident_id).encode()
    button = {
        "type": "button",
        "action_id": ActionId.CONTAIN_ALL.value,
        "text": {"type": "plain_text", "text": "Contain", "emoji": True},
        "style": "danger",
        "value": value,
    }
    return {**section(text), "accessory": button}


def _keys(report: TimelineReport, incident_id: str, budget: Budget) -> list[Block]:
    if not report.keys:
        return []
    blocks = [section(f"*Keys it minted* ({len(report.keys)})")]
    budget.take(blocks[0])
    for key in report.keys[:MAX_KEY_BUTTONS]:
        block = _key_block(key, report, incident_id)
        if not budget.take(block):
            break
        blocks.append(block)
    rest = report.keys[len(blocks) - 1 :]
    if rest:
        also = budget.listing("*Also minted*", [code(k.access_key_id, 24) for k in rest])
        blocks.append(also or context(f"… and {len(rest)} more keys — {IN_THE_FILES}"))
    return blocks


def _footprint_line(item: FootprintItem) -> str:
    state = f" — now *{clean(item.state, 80)}*" if item.state else ""
    by = f" by {code(item.by_key, 24)}" if item.by_key else ""
    return f"• {clean(item.label, 300)}{state}{by} at {utc_datetime(item.time)}"


def _contain_footprint(report: TimelineReport, incident_id: str) -> Block | None:
    """ "Contain everything it left behind", carrying the items; None when they do not fit."""
    value = ButtonValue(
        k=report.key_id, a=report.account_id, i=incident_id, f=packed(report.footprint)
    ).encode()
    if len(value) > VALUE_LIMIT:
        return None
    return {
        "type": "actions",
        "elements": [
            {
                "type": "button",
                "action_id": ActionId.CONTAIN_FOOTPRINT.value,
                "text": {"type": "plain_text", "text": "Contain everything it left behind"},
                "style": "danger",
                "value": value,
            }
        ],
    }


def _footprint(report: TimelineReport, incident_id: str, budget: Budget) -> list[Block]:
    """What the chain left behind, each with its state read back from IAM, and one button."""
    if not report.footprint:
        return []
    lines = [_footprint_line(item) for item in report.footprint]
    block = budget.listing(f"*Footprint* ({len(report.footprint)}): what it left behind", lines)
    blocks = [block] if block else [context(f"Footprint: {len(lines)} items — {IN_THE_FILES}")]
    button = _contain_footprint(report, incident_id)
    if button is not None and budget.take(button):
        return [*blocks, button]
    command = f"`keycheck footprint {report.key_id} --contain`"
    return [*blocks, context(f"To contain it all from a terminal: {command}")]


def event_line(event: TimelineEvent) -> str:
    tags = " ".join(code(tag.value, 40) for tag in event.tags)
    error = f" ✗ {clean(event.error_code, 60)}" if event.error_code else ""
    return (
        f"`{utc_datetime(event.time)}` {clean(event.region, 30)} {code(call_name(event), 80)}"
        f"{error} from {code(event.source_ip, 60)} {tags}"
    )


def _top(report: TimelineReport, budget: Budget) -> list[Block]:
    events = top_events(report.events, TOP_EVENTS)
    block = budget.listing("*Most important events*", [event_line(e) for e in events])
    return [block] if block else []


def summary_message(report: TimelineReport, incident_id: str = "") -> Message:
    """The summary posted in the incident's thread once every lookup has answered.

    However many findings, keys and failures there are, it stays within Slack's limits
    (SUMMARY_BUDGET characters, 50 blocks): what does not fit is counted, and is in the
    files posted with it.
    """
    worst = max((f.severity for f in report.findings), key=lambda s: s.rank, default=None)
    mark = SEVERITY_EMOJI[worst] if worst else "⚪"
    text = (
        f"{mark} Timeline of {report.key_id}: {_count(len(report.events), 'event')}, "
        f"{_count(len(report.findings), 'finding')}, {_count(len(report.keys), 'minted key')}"
    )
    header = {"type": "header", "text": {"type": "plain_text", "text": plain(text, 150)}}
    budget = Budget()
    head = [header, _overview(report), _ips(report), *_links(report)]
    failed = _failures(report)
    for block in [*head, *failed]:
        budget.take(block)
    body = [
        *_findings(report, budget),
        *_keys(report, incident_id, budget),
        *_footprint(report, incident_id, budget),
        *_top(report, budget),
    ]
    return text, [*head, *body, *failed]


def _links(report: TimelineReport) -> list[Block]:
    """CloudTrail's own Event history for the key, in each region it was active in (first few)."""
    regions = report.regions[:MAX_LINKED_REGIONS] or [DEFAULT_REGION]
    links = [(f"CloudTrail {clean(r, 30)}", cloudtrail_history(report.key_id, r)) for r in regions]
    return [context(f"Open in AWS: {links_line(links)}")]


def _failures(report: TimelineReport) -> list[Block]:
    """The lookups that failed: first claim on the budget, since they say what is missing."""
    if not report.failed:
        return []
    lines = [_failure_line(result) for result in report.failed[:MAX_FAILURES]]
    if len(report.failed) > MAX_FAILURES:
        lines.append(f"… and {len(report.failed) - MAX_FAILURES} more failed")
    return [context("*Lookups that failed* (the timeline is incomplete)\n" + "\n".join(lines))]


def plain_summary(report: TimelineReport) -> Message:
    """The summary as text alone: what is posted when Slack refuses the full one."""
    text, _ = summary_message(report)
    findings = ", ".join(sorted({f.rule.value for f in report.findings})) or "none"
    lines = [
        text,
        f"Findings: {plain(findings, 1500)}",
        f"Failed lookups: {len(report.failed)}. Every event is in the CSV and JSON above.",
    ]
    return "\n".join(lines), []


def failure_message(key_id: str, reason: str) -> Message:
    """The progress message's end when the timeline could not be fetched: blocks replaced too."""
    text = f"✗ CloudTrail timeline of {key_id} failed: {plain(reason, 300)}"
    line = f"✗ *CloudTrail timeline* of {code(key_id, 24)} failed: {clean(reason, 1500)}"
    return text, [section(line)]
