"""Property 18: every error the operator CLI meets ends in exit 2 and one line on stderr naming what failed and what
to do (exit 1 stays for a waited-for run that failed): run as a user runs it, another process, through its entry
point, against AWS errors, an unreachable endpoint, missing and expired credentials, a failing endpoint and bad data."""

import os
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from localcloud.runtime import free_port

EXPIRED = (b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Sender</Type>'
           b"<Code>ExpiredToken</Code><Message>The security token included in the request is expired</Message>"
           b"</Error><RequestId>5c1f6f8e-0000-4000-8000-000000000000</RequestId></ErrorResponse>")


def mlops(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mlops_cli.main", *args], capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})


@contextmanager
def endpoint_answering(status: int, body: bytes) -> Iterator[str]:
    """An HTTP endpoint that answers every request with `status` and `body`, as a failing AWS endpoint would."""

    class Answer(BaseHTTPRequestHandler):
        def do_POST(self) -> None:  # noqa: N802 - the http.server interface
            self.rfile.read(int(self.headers.get("content-length") or 0))
            self.send_response(status)
            self.send_header("content-type", "text/xml")
            self.send_header("content-length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        do_GET = do_POST

        def log_message(self, *_: object) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


NO_LOCAL_CLOUD = {"AWS_DEFAULT_REGION": "us-east-1", "AWS_ACCESS_KEY_ID": "local", "AWS_SECRET_ACCESS_KEY": "local",
                  "AWS_MAX_ATTEMPTS": "2"}


def assert_one_line(finished: subprocess.CompletedProcess, *expected: str) -> str:
    """Exit 2, and one stderr line that names the failure and says what to do (each of `expected` in it)."""
    lines = finished.stderr.splitlines()
    assert finished.returncode == 2, (finished.returncode, finished.stderr[-2000:])
    assert len(lines) == 1 and lines[0].startswith("error: "), finished.stderr[-2000:]
    for text in expected:
        assert text in lines[0], (text, lines[0])
    return lines[0]


def test_an_unreachable_endpoint_is_named_with_what_to_start(figure):
    closed = f"http://127.0.0.1:{free_port()}"

    line = assert_one_line(mlops("runs", env={**NO_LOCAL_CLOUD, "AWS_ENDPOINT_URL": closed}),
                           f"cannot reach {closed}", "make up")
    figure(18, f"an endpoint nobody listens on: exit 2, 1 line: {line.replace(closed, 'http://127.0.0.1:PORT')!r}")


def test_missing_credentials_say_how_to_provide_them(tmp_path, figure):
    env = {key: value for key, value in os.environ.items() if not key.startswith("AWS_")}
    env |= {"AWS_DEFAULT_REGION": "us-east-1", "AWS_CONFIG_FILE": str(tmp_path / "none"),
            "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"), "AWS_EC2_METADATA_DISABLED": "true"}
    finished = subprocess.run([sys.executable, "-m", "mlops_cli.main", "models"], capture_output=True, text=True,
                              timeout=300, env=env)

    assert_one_line(finished, "no usable AWS credentials", "AWS_ACCESS_KEY_ID")
    figure(18, "no credentials anywhere: exit 2, 1 line naming them and how to set them (not 'stack not found')")


def test_expired_credentials_are_named_as_such_not_as_a_missing_stack(figure):
    with endpoint_answering(400, EXPIRED) as url:
        finished = mlops("runs", env={**NO_LOCAL_CLOUD, "AWS_ENDPOINT_URL": url})

    line = assert_one_line(finished, "DescribeStacks", "ExpiredToken", "refresh them")
    assert "not found" not in line
    figure(18, "credentials AWS says are expired: exit 2, 1 line naming ExpiredToken and how to refresh them")


INTERNAL = (b'<ErrorResponse xmlns="http://cloudformation.amazonaws.com/doc/2010-05-15/"><Error><Type>Receiver'
            b"</Type><Code>InternalFailure</Code><Message>We encountered an internal error</Message></Error>"
            b"</ErrorResponse>")


BODIES = {"an AWS error document": INTERNAL, "an empty body": b"", "an HTML page": b"<html><body>502</body></html>",
          "plain text": b"Internal Server Error"}


@pytest.mark.parametrize("body", BODIES)
def test_a_failing_endpoint_is_named_with_what_it_answered(body, figure):
    with endpoint_answering(500, BODIES[body]) as url:
        finished = mlops("models", env={**NO_LOCAL_CLOUD, "AWS_ENDPOINT_URL": url})

    expected = ("answered with something that is not an AWS response" if body == "plain text"
                else "answered HTTP 500 to DescribeStacks")
    assert_one_line(finished, f"{url} {expected}", "run the command again later")
    figure(18, f"an endpoint answering HTTP 500 with {body} (after the SDK's retries): exit 2, 1 line naming the "
               "endpoint and what it answered")


@pytest.mark.e2e
def test_an_aws_error_from_a_deployed_stack_is_named_with_its_operation(stack, figure):
    finished = mlops("--stack", stack.name, "retrain", "churn", "--dataset",
                     "s3://no-such-bucket-anywhere/incoming/churn/x.csv")

    assert_one_line(finished, "AWS HeadObject failed (404", "check the names you gave")
    figure(18, "a ClientError from the stack (a dataset in a bucket that does not exist): exit 2, 1 line naming "
               "the operation and the code, not a traceback")


def test_a_text_target_with_too_many_classes_is_refused_with_what_to_do(tmp_path, figure):
    path = tmp_path / "tickets.csv"
    path.write_text("length,team\n" + "".join(f"{i},team {i % 73}\n" for i in range(400)))

    assert_one_line(mlops("contract", "infer", str(path), "--model", "tickets", "--target", "team"),
                    "'team' has 73 distinct values", "group the rare ones")
    figure(18, "a contract draft whose text target has 73 classes: exit 2, 1 line with the count, the limit (50) and "
               "what to do")


@pytest.mark.parametrize("args", [("runs", "--bogus"), ("contract",), ("promote", "churn", "two")],
                         ids=["unknown option", "missing action", "not a number"])
def test_a_usage_error_is_one_line_pointing_at_the_help(args, figure):
    line = assert_one_line(mlops(*args, env=NO_LOCAL_CLOUD), "--help`")
    figure(18, f"`mlops {' '.join(args)}`: exit 2, 1 line: {line!r}")
