"""The CLI's one-line error messages: what failed, then what to do, for each kind of failure."""

import pytest
from botocore.exceptions import ClientError

from mlops_cli.failures import explain
from mlops_cli.stack import Stack, StackNotReadyError


def client_error(code: str, status: int, message: str = "") -> ClientError:
    return ClientError({"Error": {"Code": code, "Message": message}, "ResponseMetadata": {"HTTPStatusCode": status}},
                       "PutItem")


@pytest.mark.parametrize(("error", "advice"), [
    (client_error("ExpiredTokenException", 400, "The security token included in the request is expired"),
     "refresh them"),
    (client_error("AccessDeniedException", 400, "not authorized to perform: dynamodb:PutItem"), "not allowed"),
    (client_error("ProvisionedThroughputExceededException", 400), "wait a minute"),
    (client_error("InternalServerError", 500), "run the command again later"),
    (client_error("ResourceNotFoundException", 400, "Requested resource not found"), "check the names you gave"),
    (client_error("ValidationException", 400, "One or more parameter values were invalid"), "check the command's"),
], ids=["expired", "denied", "throttled", "5xx", "missing", "invalid"])
def test_an_aws_error_names_the_operation_and_says_what_to_do(error, advice):
    line = explain(error)

    assert "PutItem" in line and advice in line and "\n" not in line


def test_an_unexpected_error_is_named_as_a_bug_with_how_to_see_its_traceback():
    line = explain(KeyError("dataset"))

    assert line.startswith("unexpected KeyError") and "MLOPS_DEBUG=1" in line


def test_a_multi_line_message_becomes_one_line():
    assert "\n" not in explain(ValueError("first\nsecond\n- third"))


def test_a_stack_from_an_older_template_names_the_output_it_lacks():
    with pytest.raises(StackNotReadyError, match="no output FunctionLogGroupName"):
        Stack("serverless-mlops", {"DataBucketName": "data"}).output("FunctionLogGroupName")
