"""Settings come from the environment, with Slack's standard names and comma lists."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from bot.config import Settings


def test_env_names_and_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SLACK_BOT_TOKEN", "xoxb-secret-token")
    monkeypatch.setenv("SLACK_API_URL", "http://127.0.0.1:9/api")
    monkeypatch.setenv("KEYCHECK_RESPONDERS", "U1, U2")
    monkeypatch.setenv("KEYCHECK_KNOWN_CIDRS", "10.1.2.3/8,192.168.0.0/16")
    monkeypatch.setenv("KEYCHECK_APPROVED_REGIONS", "us-east-1,eu-west-1")
    settings = Settings(_env_file=None)
    assert settings.responders == ["U1", "U2"]
    assert settings.known_cidrs == ["10.0.0.0/8", "192.168.0.0/16"]
    assert settings.approved_regions == ["us-east-1", "eu-west-1"]
    assert settings.slack_api_url == "http://127.0.0.1:9/api/"
    assert "xoxb-secret-token" not in repr(settings)


def test_deny_by_default(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KEYCHECK_RESPONDERS", raising=False)
    assert Settings(_env_file=None).responders == []


def test_bad_cidr_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KEYCHECK_KNOWN_CIDRS", "10.0.0.0/33")
    with pytest.raises(ValidationError):
        Settings(_env_file=None)
