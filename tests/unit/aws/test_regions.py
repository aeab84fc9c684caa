"""The regions a key's account has enabled, from EC2 DescribeRegions (moto)."""

from __future__ import annotations

from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from bot.aws.regions import enabled_regions
from bot.aws.sessions import CLIENT_CONFIG


def test_enabled_regions_come_from_describe_regions(aws: boto3.Session) -> None:
    regions = enabled_regions(aws.client("ec2", config=CLIENT_CONFIG))
    assert "us-east-1" in regions
    assert "eu-west-1" in regions
    assert regions == sorted(regions)


def test_regions_not_opted_in_are_left_out() -> None:
    ec2: Any = boto3.client(
        "ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    answer = {
        "Regions": [
            {"RegionName": "us-east-1", "OptInStatus": "opt-in-not-required"},
            {"RegionName": "af-south-1", "OptInStatus": "opted-in"},
            {"RegionName": "ap-east-1", "OptInStatus": "not-opted-in"},
        ]
    }
    with Stubber(ec2) as stub:
        stub.add_response("describe_regions", answer, {"AllRegions": False})
        assert enabled_regions(ec2) == ["af-south-1", "us-east-1"]


def test_a_denied_describe_regions_is_an_error_not_an_empty_list() -> None:
    ec2: Any = boto3.client(
        "ec2", region_name="us-east-1", aws_access_key_id="x", aws_secret_access_key="y"
    )
    with Stubber(ec2) as stub:
        stub.add_client_error("describe_regions", "UnauthorizedOperation", http_status_code=403)
        with pytest.raises(Exception, match="UnauthorizedOperation"):
            enabled_regions(ec2)
