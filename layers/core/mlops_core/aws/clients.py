"""The one place AWS clients are made. Both kinds follow AWS_ENDPOINT_URL, so the same code runs on AWS, locally and
in tests."""

from __future__ import annotations

from functools import cache

import botocore.session


@cache
def _session() -> botocore.session.Session:
    """One botocore session per process, so every API client shares its loaded endpoint and service data."""
    return botocore.session.get_session()


def api_client(service: str):
    """A botocore client for `service`: the API calls alone, without boto3's resource and transfer layers, whose
    import the inference function's cold start would pay."""
    return _session().create_client(service)


def client(service: str):
    """A boto3 client for `service` (with the transfer methods, e.g. `download_fileobj`), configured from the
    environment like any AWS SDK."""
    import boto3  # here, not at the top: importing this module must not import boto3 for `api_client`

    return boto3.client(service)
