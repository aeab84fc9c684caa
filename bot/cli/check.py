"""`keycheck check KEY`: what AWS says about a key now, as /keycheck shows it in Slack."""

from __future__ import annotations

import argparse

from bot.domain.keys import TERMINAL_USAGE, parse_key_id
from bot.domain.policies import DENY_ALL, REVOKE_SESSIONS
from bot.models import KeyReport
from bot.respond.keyreport import build_key_report
from bot.runtime.compose import aws_sessions
from bot.runtime.settings import load_settings


def add(sub: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    parser = sub.add_parser("check", help="describe an access key: owner, status, policies")
    parser.add_argument("key", help="the AKIA… or ASIA… access key id")
    parser.add_argument("--format", choices=("text", "json"), default="text")
    parser.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    key_id = parse_key_id(args.key, usage=TERMINAL_USAGE)
    report = build_key_report(aws_sessions(load_settings()), key_id)
    print(report.model_dump_json(indent=2) if args.format == "json" else report_text(report))
    return 1 if report.error else 0


def report_text(report: KeyReport) -> str:
    """The report for a terminal: one fact a line, warnings first where they matter."""
    owner = (
        f"role {report.role_arn} (session {report.session_name or '?'})"
        if report.role_arn
        else f"IAM user {report.user_name}"
        if report.user_name
        else "unknown"
    )
    used = "never"
    if report.last_used_at:
        used = f"{report.last_used_at:%Y-%m-%d %H:%M} UTC"
        used += f", {report.last_used_service or '?'} in {report.last_used_region or '?'}"
    rows = [
        ("Access key", f"{report.access_key_id} ({report.kind.value})"),
        ("Account", report.account_id or "unknown"),
        ("Owner", owner),
        ("Status", report.status or "-"),
        ("Created", f"{report.created:%Y-%m-%d %H:%M} UTC" if report.created else "-"),
        ("Last used", used),
        ("Attached", ", ".join(report.attached_policies) or "-"),
        ("Inline", ", ".join(report.inline_policies) or "-"),
        ("Other keys", ", ".join(report.other_keys) or "-"),
    ]
    lines = [f"{label:<11} {value}" for label, value in rows]
    lines += [f"!           {flag}" for flag in flags(report)]
    if report.error:
        lines.append(f"Error       {report.error}")
    return "\n".join(lines)


def flags(report: KeyReport) -> list[str]:
    """What a responder must not miss about the principal's policies."""
    found = []
    if report.admin_attached:
        found.append("AdministratorAccess is attached")
    if report.quarantine_attached:
        found.append("AWS attached its compromised-key quarantine policy")
    if report.deny_all_attached:
        found.append(f"{DENY_ALL} is in place")
    if report.revoke_attached:
        found.append(f"{REVOKE_SESSIONS} is in place")
    return found
