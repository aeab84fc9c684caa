"""Slack: Block Kit builders (pure) and the messenger that posts within Slack's limits."""
