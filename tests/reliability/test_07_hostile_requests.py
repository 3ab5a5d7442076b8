"""Property 7: hostile inference requests never get a 5xx and the function stays up: schemathesis (negative and
positive) against the model's own OpenAPI document, deeply nested JSON, invalid UTF-8, oversized bodies."""

import json
import urllib.error
import urllib.request
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.e2e
EXAMPLES = 300


def post(url: str, body: bytes, content_type: str = "application/json") -> int:
    request = urllib.request.Request(url, data=body, method="POST", headers={"content-type": content_type})
    try:
        with urllib.request.urlopen(request, timeout=60) as response:  # noqa: S310 - the local URL
            return response.status
    except urllib.error.HTTPError as error:
        return error.code


def fuzz(url: str, mode: schemathesis.GenerationMode) -> Counter:
    with urllib.request.urlopen(url + "models/served/openapi.json", timeout=30) as response:  # noqa: S310
        schema = schemathesis.openapi.from_dict(json.loads(response.read()))
    strategy = st.one_of([operation.ok().as_strategy(generation_mode=mode)
                          for operation in schema.get_all_operations()])
    statuses: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck))
    @given(case=strategy)
    def check(case):
        status = case.call(base_url=url.rstrip("/"), timeout=60).status_code
        statuses[status] += 1
        assert status < 500, (case.method, case.formatted_path, case.body)

    check()
    return statuses


@pytest.mark.parametrize("mode", [schemathesis.GenerationMode.NEGATIVE, schemathesis.GenerationMode.POSITIVE],
                         ids=["negative", "positive"])
def test_schemathesis_finds_no_server_error(served, mode, figure):
    statuses = fuzz(served[2], mode)

    assert sum(statuses.values()) >= EXAMPLES
    figure(7, f"schemathesis {mode.value}: {sum(statuses.values())} generated requests, statuses "
              f"{dict(sorted(statuses.items()))}, 0 >= 500")


def test_nested_json_invalid_utf8_and_oversized_bodies_get_4xx_and_the_service_stays_up(served, figure):
    url = served[2] + "models/served/predict"
    bodies = {
        "nested 100,000 deep": b"[" * 100_000 + b"]" * 100_000,
        "nested objects 50,000 deep": b'{"a":' * 50_000 + b"1" + b"}" * 50_000,
        "invalid UTF-8": b'{"records": [{"contract_type": "\xff\xfe"}]}',
        "a lone surrogate": b'{"records": [{"contract_type": "\\ud800"}]}',
        "6 MB of records": json.dumps({"records": [{"x": "y" * 1000}] * 6000}).encode(),
        "just under 6 MB of spaces": b" " * (6 * 1024 * 1024 - 1000),
        "binary": bytes(range(256)) * 100,
        "NaN": b'{"records": [{"tenure_months": NaN}]}',
    }
    statuses = {name: post(url, body) for name, body in bodies.items()}
    health = urllib.request.urlopen(served[2] + "health", timeout=30)  # noqa: S310

    assert all(400 <= status < 500 for status in statuses.values()), statuses
    assert health.status == 200
    figure(7, f"{len(bodies)} crafted bodies (nesting 100,000 deep, invalid UTF-8, 6 MB, binary, NaN): statuses "
              f"{sorted(set(statuses.values()))}, 0 >= 500; /health 200 afterwards")
