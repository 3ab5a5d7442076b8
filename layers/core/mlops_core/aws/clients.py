"""The one place AWS clients are made. boto3 follows AWS_ENDPOINT_URL, so the same code runs on AWS, locally and in
tests."""

from __future__ import annotations

import boto3


def client(service: str):
    """A boto3 client for `service`, configured from the environment like any AWS SDK."""
    return boto3.client(service)
