"""The local Function URL: template rewriting, the payload format 2.0 event, AuthType, and the response rules."""

import base64
import json

import pytest

from localcloud.function_urls import FunctionUrlServer, detach
from localcloud.runtime import free_port
from mlops_cli.inference_client import InferenceClient, InferenceError

TEMPLATE = {
    "Parameters": {"AuthType": {"Type": "String", "Default": "AWS_IAM"}},
    "Resources": {
        "ApiFunction": {"Type": "AWS::Lambda::Function", "Properties": {}},
        "ApiFunctionUrl": {"Type": "AWS::Lambda::Url", "Properties": {
            "TargetFunctionArn": {"Ref": "ApiFunction"}, "AuthType": {"Ref": "AuthType"}}},
    },
    "Outputs": {"Url": {"Value": {"Fn::GetAtt": ["ApiFunctionUrl", "FunctionUrl"]}}},
}


def copy() -> dict:
    return json.loads(json.dumps(TEMPLATE))


def test_url_resources_are_detached_and_outputs_point_at_the_local_address():
    body = copy()

    [url] = detach(body, {}, lambda _: 9999)

    assert "ApiFunctionUrl" not in body["Resources"]
    assert (url.function_logical_id, url.auth_type) == ("ApiFunction", "AWS_IAM")
    assert body["Outputs"]["Url"]["Value"] == "http://127.0.0.1:9999/"
    assert detach(copy(), {"AuthType": "NONE"}, lambda _: 9999)[0].auth_type == "NONE"


class Recorder:
    """Stands in for the function: records each event and answers what it is told to."""

    def __init__(self, result=None, errored=False) -> None:
        self.events, self.result, self.errored = [], result, errored

    def __call__(self, name: str, event: dict) -> tuple[str, bool]:
        self.events.append(event)
        return json.dumps(self.result), self.errored


@pytest.fixture
def serve():
    servers = []

    def start(auth_type: str, function: Recorder) -> str:
        body = copy()
        [url] = detach(body, {"AuthType": auth_type}, lambda _: free_port())
        servers.append(FunctionUrlServer(url, "api", function, "123456789012").start())
        return url.url

    yield start
    for server in servers:
        server.stop()


def test_an_iam_url_refuses_an_unsigned_request_and_accepts_a_sigv4_signed_one(serve, monkeypatch):
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "test-key")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "test-secret")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-1")
    function = Recorder({"statusCode": 200, "body": '{"ok": true}'})
    url = serve("AWS_IAM", function)

    with pytest.raises(InferenceError) as refused:
        InferenceClient(url, signed=False).get("health")
    answer = InferenceClient(url, signed=True).post("models/m/predict", {"records": []})

    assert refused.value.status == 403 and answer == {"ok": True}
    authorization = function.events[0]["headers"]["authorization"]
    assert authorization.startswith("AWS4-HMAC-SHA256 Credential=test-key/")
    assert "/eu-west-1/lambda/aws4_request" in authorization


def test_the_event_is_payload_format_2_with_text_bodies_as_is_and_binary_ones_in_base64(serve):
    import urllib.request

    function = Recorder({"statusCode": 204})
    url = serve("NONE", function)
    for content_type, body in (("application/json", b'{"a": 1}'), ("application/octet-stream", b"\xff\x00")):
        request = urllib.request.Request(url + "models/m/predict?x=1&x=2", data=body, method="POST",
                                         headers={"content-type": content_type, "cookie": "a=1; b=2"})
        urllib.request.urlopen(request, timeout=10).close()

    text, binary = function.events
    assert (text["version"], text["routeKey"], text["rawPath"], text["rawQueryString"]) == (
        "2.0", "$default", "/models/m/predict", "x=1&x=2")
    assert text["queryStringParameters"] == {"x": "1,2"} and text["cookies"] == ["a=1", "b=2"]
    assert text["requestContext"]["http"]["method"] == "POST" and text["requestContext"]["accountId"] == "anonymous"
    assert (text["body"], text["isBase64Encoded"]) == ('{"a": 1}', False)
    assert (base64.b64decode(binary["body"]), binary["isBase64Encoded"]) == (b"\xff\x00", True)


@pytest.mark.parametrize(("result", "errored", "status", "body"), [
    ({"statusCode": 422, "headers": {"content-type": "application/json"}, "body": '{"error": "x"}'}, False, 422,
     {"error": "x"}),
    ({"statusCode": 200, "body": base64.b64encode(b'{"b": 2}').decode(), "isBase64Encoded": True}, False, 200,
     {"b": 2}),
    ({"plain": "dict"}, False, 200, {"plain": "dict"}),
    ({"errorMessage": "boom"}, True, 502, {"Message": "Internal Server Error"}),
])
def test_the_result_becomes_the_response_by_the_function_url_rules(serve, result, errored, status, body):
    url = serve("NONE", Recorder(result, errored))

    try:
        answer, answered = InferenceClient(url, signed=False).get("anything"), 200
    except InferenceError as error:
        answer, answered = error.body, error.status

    assert (answered, answer) == (status, body)
