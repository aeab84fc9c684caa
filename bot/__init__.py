"""keycheck: Slack chatops for the hours after an AWS access key leaks."""

__version__ = "0.1.0"
