"""The regions an account can use: where an attacker's key can have left events."""

from __future__ import annotations

from typing import TYPE_CHECKING

from bot.aws.retry import aws_retry

if TYPE_CHECKING:
    from mypy_boto3_ec2 import EC2Client

ENABLED = frozenset({"opt-in-not-required", "opted-in"})


@aws_retry()
def enabled_regions(ec2: EC2Client) -> list[str]:
    """Every region enabled in the client's account (DescribeRegions, AllRegions=False)."""
    regions = ec2.describe_regions(AllRegions=False)["Regions"]
    return sorted(
        region["RegionName"]
        for region in regions
        if region.get("OptInStatus", "opt-in-not-required") in ENABLED and "RegionName" in region
    )
