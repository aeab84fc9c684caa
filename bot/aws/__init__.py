"""Every boto3 call keycheck makes, each behind a small function that takes its client."""
