"""One line for any error the CLI meets: what failed, then what to do about it."""

from __future__ import annotations

import os
import urllib.error

from botocore.exceptions import (
    BotoCoreError,
    ClientError,
    ConnectionClosedError,
    ConnectTimeoutError,
    CredentialRetrievalError,
    EndpointConnectionError,
    NoCredentialsError,
    NoRegionError,
    PartialCredentialsError,
    ReadTimeoutError,
    SSOError,
    TokenRetrievalError,
)
from botocore.parsers import ResponseParserError
from mlops_core.errors import ArtifactIntegrityError, ContractError, MlopsError, NotFoundError, RegistryConflictError

from .inference_client import InferenceError
from .operations import MonitorFailedError, RunTimeoutError
from .stack import StackError

MAX_CHARS = 1000
REJECTED_CREDENTIALS = {"ExpiredToken", "ExpiredTokenException", "RequestExpired", "InvalidClientTokenId",
                        "UnrecognizedClientException", "InvalidAccessKeyId", "SignatureDoesNotMatch",
                        "InvalidSignatureException", "AuthFailure", "InvalidToken", "TokenRefreshRequired"}
DENIED = {"AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "Forbidden", "403"}
THROTTLED = {"Throttling", "ThrottlingException", "TooManyRequestsException", "RequestLimitExceeded",
             "ProvisionedThroughputExceededException", "SlowDown", "RequestThrottled"}
MISSING = {"ResourceNotFoundException", "NoSuchBucket", "NoSuchKey", "NoSuchVersion", "404", "NotFound",
           "StateMachineDoesNotExist", "ExecutionDoesNotExist"}
HINTS = {
    NotFoundError: "list what exists with `mlops models` or `mlops runs`",
    ContractError: "fix the contract (docs/contract.md), or draft one with `mlops contract infer`",
    RegistryConflictError: "someone else changed the model at the same time: check `mlops models NAME` and retry",
    ArtifactIntegrityError: "the stored bytes do not match their record: train again with `mlops retrain NAME`",
    RunTimeoutError: "it may still be running: follow it with `mlops runs --model NAME`, or wait longer (--timeout)",
    MonitorFailedError: "its log says why (CloudWatch Logs, or the `make up` console); fix it and run it again",
    MlopsError: "see docs/cli.md for the command",
    TimeoutError: "nothing answered in time: run the command again; if it persists, check the stack",
}


def explain(error: BaseException) -> str:
    """What failed and what to do, on one line (a message that already names a `command` keeps it as its advice)."""
    what, todo = _describe(error)
    text = " ".join(what.split()) if "`" in what or not todo else f"{' '.join(what.split())}; {todo}"
    return text if len(text) <= MAX_CHARS else text[:MAX_CHARS - 3] + "..."


def _describe(error: BaseException) -> tuple[str, str]:
    if isinstance(error, ClientError):
        return _client_error(error)
    if isinstance(error, BotoCoreError):
        return _sdk_error(error)
    if isinstance(error, ResponseParserError):
        return (f"{_endpoint()} answered with something that is not an AWS response ({error})",
                "check AWS_ENDPOINT_URL (locally: the address `make up` prints), or run the command again later")
    if isinstance(error, InferenceError):
        return _inference_error(error)
    if isinstance(error, urllib.error.URLError):
        return (f"cannot reach the inference URL ({error.reason})",
                "check that the stack is up (`make up` locally) and its InferenceUrl output")
    for kind, hint in HINTS.items():
        if isinstance(error, kind):
            return str(error), hint
    if isinstance(error, StackError):
        return str(error), ""  # it names what to do
    if isinstance(error, OSError):
        where = f"{error.filename}: " if error.filename is not None else ""
        return f"{where}{error.strerror or error}", "check the path, its permissions and the disk"
    if isinstance(error, ValueError):
        return str(error), "check the command's arguments (`mlops COMMAND --help`)"
    return (f"unexpected {type(error).__name__}: {error}",
            "this is a bug: run again with MLOPS_DEBUG=1 for the traceback and report it with the command")


def _client_error(error: ClientError) -> tuple[str, str]:
    details = error.response.get("Error", {})
    code = str(details.get("Code", "Unknown"))
    status = error.response.get("ResponseMetadata", {}).get("HTTPStatusCode", 0)
    message = details.get("Message") or (f"HTTP {status}" if status else "no message")
    what = f"AWS {error.operation_name} failed ({code}: {message})"
    if code in REJECTED_CREDENTIALS:
        return what, ("your AWS credentials were rejected (expired or invalid): refresh them (`aws sso login`, "
                      "`aws configure`, or new AWS_* environment variables) and run the command again")
    if code in DENIED or status == 403:
        return what, "your AWS identity is not allowed to do this: use credentials that are (AWS_PROFILE)"
    if code in THROTTLED:
        return what, "AWS is throttling requests: wait a minute and run the command again"
    if status >= 500 or code in ("InternalError", "InternalFailure", "ServiceUnavailable"):
        return (f"{_endpoint()} answered HTTP {status or code} to {error.operation_name}",
                "run the command again later; if it persists, check the service (locally: the `make up` console)")
    if code in MISSING or status == 404:
        return what, ("it does not exist where your AWS SDK points: check the names you gave, the stack "
                      "(--stack or MLOPS_STACK) and the region (AWS_DEFAULT_REGION)")
    return what, "check the command's arguments, the stack (--stack or MLOPS_STACK) and the region (AWS_DEFAULT_REGION)"


def _sdk_error(error: BotoCoreError) -> tuple[str, str]:
    if isinstance(error, NoCredentialsError | PartialCredentialsError):
        return (f"no usable AWS credentials ({error})",
                "run `aws configure` or `aws sso login`, or set AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY "
                "(any values for the local runtime)")
    if isinstance(error, TokenRetrievalError | SSOError | CredentialRetrievalError):
        return f"your AWS credentials could not be refreshed ({error})", "run `aws sso login` (or renew them)"
    if isinstance(error, NoRegionError):
        return f"no AWS region is set ({error})", "export AWS_DEFAULT_REGION (us-east-1 for the local runtime)"
    if isinstance(error, EndpointConnectionError | ConnectTimeoutError | ReadTimeoutError | ConnectionClosedError):
        where = error.kwargs.get("endpoint_url", _endpoint())
        if os.environ.get("AWS_ENDPOINT_URL"):
            return (f"cannot reach {where}",
                    "start the local runtime with `make up`, or unset AWS_ENDPOINT_URL to use AWS")
        return f"cannot reach {where}", "check your network connection and AWS_DEFAULT_REGION"
    return f"AWS SDK error: {error}", "check your credentials, AWS_DEFAULT_REGION and AWS_ENDPOINT_URL"


def _inference_error(error: InferenceError) -> tuple[str, str]:
    what = f"the inference URL answered {error}"
    if error.status in (401, 403):
        return what, "sign the request with credentials allowed lambda:InvokeFunctionUrl (docs/deploy.md)"
    if error.status >= 500:
        return what, "look up its request id in the inference function's log, then run the command again"
    return what, "fix the request (GET models/NAME/openapi.json on the URL describes it)"


def _endpoint() -> str:
    return os.environ.get("AWS_ENDPOINT_URL") or "AWS"
