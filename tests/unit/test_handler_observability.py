"""Every handler uses Powertools as its templates do: a Tracer subsegment per invocation, the logger's correlation id,
and the inference function's metrics flushed by `log_metrics` with the cold-start metric."""

import ast
import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
HANDLERS = sorted((ROOT / "functions").glob("*/app.py"))

PROBE = """
import importlib.util, json, sys
from aws_xray_sdk.core import xray_recorder

class Capture:
    sent = []
    def send_entity(self, entity):
        self.sent.append(json.loads(entity.serialize()))
    def set_daemon_address(self, address):
        pass

xray_recorder.configure(emitter=Capture())
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
module = importlib.util.module_from_spec(spec)
spec.loader.exec_module(module)

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "inference", 1024, "r-1"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:inference"

module.lambda_handler(json.loads(sys.argv[2]), Context())
print("SEGMENTS " + json.dumps(Capture.sent))
print("CORRELATION " + str(module.logger.get_correlation_id()))
"""


def decorators(handler: Path) -> list[str]:
    tree = ast.parse(handler.read_text())
    [function] = [node for node in tree.body if isinstance(node, ast.FunctionDef) and node.name == "lambda_handler"]
    return [ast.unparse(decorator) for decorator in function.decorator_list]


@pytest.mark.parametrize("handler", HANDLERS, ids=lambda path: path.parent.name)
def test_every_handler_is_traced_and_logs_with_the_lambda_context(handler):
    applied = decorators(handler)

    assert any(d.startswith("logger.inject_lambda_context") for d in applied), applied
    assert any(d.startswith("tracer.capture_lambda_handler") for d in applied), applied


def test_the_inference_function_logs_the_url_request_id_and_flushes_metrics_with_the_cold_start():
    applied = decorators(ROOT / "functions/inference/app.py")

    assert "logger.inject_lambda_context(correlation_id_path=correlation_paths.LAMBDA_FUNCTION_URL)" in applied
    assert "metrics.log_metrics(capture_cold_start_metric=True)" in applied


def test_in_lambda_an_invocation_records_a_subsegment_without_the_response():
    environment = {"PATH": "/usr/bin", "PYTHONPATH": f"{ROOT / 'layers/core'}", "AWS_DEFAULT_REGION": "us-east-1",
                   "REGISTRY_TABLE": "registry", "CAPTURE_BUCKET": "capture", "POWERTOOLS_SERVICE_NAME": "stack",
                   # What Lambda sets: its task root, and the trace header of a sampled request.
                   "LAMBDA_TASK_ROOT": str(ROOT / "functions/inference"), "AWS_LAMBDA_FUNCTION_NAME": "inference",
                   "_X_AMZN_TRACE_ID": "Root=1-5759e988-bd862e3fe1be46a994272793;Parent=53995c3f42cd8ad8;Sampled=1"}

    probe = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "functions/inference/app.py"),
                            (ROOT / "events/function_url_health.json").read_text()],
                           capture_output=True, text=True, timeout=120, env=environment, cwd=ROOT)

    assert probe.returncode == 0, probe.stderr
    [line] = [line for line in probe.stdout.splitlines() if line.startswith("SEGMENTS ")]
    [segment] = json.loads(line.removeprefix("SEGMENTS "))
    assert segment["name"] == "## lambda_handler"
    assert segment["annotations"]["ColdStart"] is True
    assert segment["trace_id"] == "1-5759e988-bd862e3fe1be46a994272793"
    assert "metadata" not in segment or "lambda_handler response" not in json.dumps(segment["metadata"])
    request_id = json.loads((ROOT / "events/function_url_health.json").read_text())["requestContext"]["requestId"]
    assert f"CORRELATION {request_id}" in probe.stdout.splitlines()
