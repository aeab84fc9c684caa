"""Helpers shared by every test: Slack requests, AWS fixtures with realistic keys."""
