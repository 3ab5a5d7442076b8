"""The inference function's HTTP layer answers every request as Powertools' LambdaFunctionUrlResolver would."""

import base64
import copy

import pytest
from aws_lambda_powertools.event_handler import LambdaFunctionUrlResolver
from aws_lambda_powertools.event_handler import Response as PowertoolsResponse
from mlops_core.serving.function_url import FunctionUrlResolver, Response

from tests.conftest import load_event


class Refused(ValueError):
    pass


def routed(app, respond):
    """The same routes and handlers on either resolver; `respond(status, body)` builds its response."""

    @app.get("/health")
    def health():
        return {"status": "ok"}

    @app.get("/models/<name>")
    def describe(name):
        if name == "boom":
            raise RuntimeError("boom")
        if name == "refused":
            raise Refused("bad name")
        return {"model": name, "value": 0.1, "missing": None}

    @app.post("/models/<name>/feedback")
    def feedback(name):
        return respond(202, {"model": name, "accepted": 1})

    @app.exception_handler(ValueError)
    def refuse(error):
        return respond(400, {"error": str(error)})

    @app.exception_handler(Exception)
    def failed(error):
        return respond(500, {"error": type(error).__name__})

    @app.not_found
    def no_route(_):
        return respond(404, {"error": "no route"})

    return app


def powertools_respond(status, body):
    return PowertoolsResponse(status_code=status, content_type="application/json", body=body)


def event(method, path):
    sample = copy.deepcopy(load_event("function_url_health"))
    sample["rawPath"] = sample["requestContext"]["http"]["path"] = path
    sample["requestContext"]["http"]["method"] = method
    return sample


CASES = [("GET", "/health"), ("GET", "/models/churn"), ("GET", "/models/a%20b"), ("GET", "/models/a.b-c_d~e"),
         ("POST", "/models/churn/feedback"), ("GET", "/models/churn/feedback"), ("GET", "/models/boom"),
         ("GET", "/models/refused"), ("GET", "/nope"), ("GET", "/health/"), ("GET", "/models/a/b"),
         ("DELETE", "/health"), ("get", "/health"), ("GET", "/models/")]


@pytest.mark.parametrize(("method", "path"), CASES)
def test_a_request_gets_the_answer_powertools_gives(method, path):
    ours = routed(FunctionUrlResolver(), Response).resolve(event(method, path), None)
    theirs = routed(LambdaFunctionUrlResolver(), powertools_respond).resolve(event(method, path), None)

    assert ours == theirs


def test_the_request_exposes_the_body_and_headers_whatever_their_case():
    sample = event("POST", "/models/churn/predict") | {"body": base64.b64encode(b"{}").decode(),
                                                      "isBase64Encoded": True}
    sample["headers"] = {"Content-Type": "application/json"}
    app = routed(FunctionUrlResolver(), Response)
    app.resolve(sample, None)

    request = app.current_event
    assert (request.body, request.is_base64_encoded, request.header("content-type")) == ("e30=", True,
                                                                                        "application/json")
    assert request.request_id == sample["requestContext"]["requestId"]


def test_an_exception_without_a_handler_propagates():
    app = FunctionUrlResolver()

    @app.get("/health")
    def health():
        raise KeyError("x")

    with pytest.raises(KeyError):
        app.resolve(event("GET", "/health"), None)
