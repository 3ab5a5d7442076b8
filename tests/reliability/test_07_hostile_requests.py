"""Property 7: hostile inference requests never get a 5xx and the function stays up: schemathesis (negative and
positive) against the model's own OpenAPI document, deeply nested JSON, invalid UTF-8, oversized bodies, bodies that
are not JSON by their content type, odd methods, paths and field names."""

import json
import urllib.error
import urllib.request
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from mlops_cli.samples import CHURN_RECORD

pytestmark = pytest.mark.e2e
EXAMPLES = 300


def post(url: str, body: bytes | None, content_type: str = "application/json", method: str = "POST") -> int:
    request = urllib.request.Request(url, data=body, method=method, headers={"content-type": content_type})
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


NOT_JSON = ["text/plain", "text/csv", "text/html; charset=utf-8", "application/xml",
            "application/x-www-form-urlencoded", "multipart/form-data; boundary=x", "application/octet-stream",
            "image/png", "application/x-ndjson", "application/json; charset=utf-16", "application/json;charset=",
            "application/jsonx", "*/*", "json", ";"]


def test_a_body_in_a_content_type_other_than_json_gets_415_naming_json(served, figure):
    url = served[2] + "models/served/"
    valid = {"predict": json.dumps({"records": [CHURN_RECORD]}).encode(),
             "feedback": json.dumps({"labels": [{"request_id": "r", "label": "no"}]}).encode()}
    answers = {}
    for route, body in valid.items():
        for content_type in NOT_JSON:
            request = urllib.request.Request(url + route, data=body, method="POST",
                                             headers={"content-type": content_type})
            try:
                urllib.request.urlopen(request, timeout=60)  # noqa: S310 - the local URL
                answers[(route, content_type)] = (200, "")
            except urllib.error.HTTPError as error:
                answers[(route, content_type)] = (error.code, json.loads(error.read())["error"])

    assert {status for status, _ in answers.values()} == {415}, answers
    assert all("application/json" in message or "UTF-8" in message for _, message in answers.values())
    figure(7, f"{len(answers)} valid bodies sent as {len(NOT_JSON)} content types other than JSON (form, CSV, XML, "
              f"binary, UTF-16, ...): all {sorted({s for s, _ in answers.values()})}, naming application/json")


ODD_REQUESTS = [
    ("PUT", "models/served/predict", b"{}"), ("DELETE", "models/served", None), ("PATCH", "models/served", b"{}"),
    ("OPTIONS", "models/served/predict", None), ("HEAD", "models/served", None), ("GET", "models/%00", None),
    ("GET", "models/served%0A", None), ("POST", "models/served%0A/predict", b"{}"),
    ("GET", "models/" + "a" * 5000, None), ("GET", "models/%C0%AF/openapi.json", None),
    ("GET", "models/served/predict", None), ("GET", "%", None),
    ("POST", "models/served/predict?records=1&&==&x=%ZZ", b'{"records": []}'),
    ("POST", "models/served/predict", b'{"records": [{"\\ud800": 1}]}'),
    ("POST", "models/served/predict", json.dumps({"records": [{"k" * 100_000: 1}]}).encode()),
    ("POST", "models/served/predict", b'{"\\udfff": [], "records": [{}]}'),
    ("POST", "models/served/feedback", b'{"labels": [{"request_id": "\\ud800", "label": "no", "\\u0000": 1}]}'),
    ("POST", "models/served/feedback", b'{"labels": [{"request_id": "r", "row": 1e308, "label": "no"}]}'),
    ("POST", "models/served/predict", b'{"records": [{"tenure_months": ' + b"9" * 5000 + b"}]}"),
]


def test_odd_methods_paths_queries_and_field_names_get_a_4xx(served, figure):
    statuses = [post(served[2] + path, body, method=method) for method, path, body in ODD_REQUESTS]

    assert all(400 <= status < 500 for status in statuses), list(zip(ODD_REQUESTS, statuses, strict=True))
    figure(7, f"{len(statuses)} odd requests (PUT/DELETE/PATCH/OPTIONS/HEAD, NUL and newline in paths, a 5,000 "
              "character name, lone surrogates and a 100,000 character field name, 5,000-digit numbers): statuses "
              f"{sorted(set(statuses))}, 0 >= 500")
