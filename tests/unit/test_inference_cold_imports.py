"""The inference function's cold start imports only what a request needs: no boto3 (botocore clients do), no
Powertools event handler (its own resolver does), no library the X-Ray Tracer would patch beyond botocore."""

import subprocess
import sys

from tests.conftest import ROOT

PROBE = """
import importlib.util, sys
spec = importlib.util.spec_from_file_location("handler", sys.argv[1])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
print(" ".join(sorted({name.split(".")[0] for name in sys.modules} | {name for name in sys.modules
                                                                      if name.startswith("aws_lambda_powertools.")})))
"""


def test_the_inference_handler_starts_without_boto3_the_event_handler_package_or_unpatched_libraries():
    environment = {"PATH": "/usr/bin", "PYTHONPATH": str(ROOT / "layers/core"), "AWS_DEFAULT_REGION": "us-east-1",
                   "REGISTRY_TABLE": "registry", "CAPTURE_BUCKET": "capture", "POWERTOOLS_SERVICE_NAME": "stack",
                   "LAMBDA_TASK_ROOT": str(ROOT / "functions/inference"), "AWS_LAMBDA_FUNCTION_NAME": "inference"}

    probe = subprocess.run([sys.executable, "-c", PROBE, str(ROOT / "functions/inference/app.py")],
                           capture_output=True, text=True, timeout=120, env=environment, cwd=ROOT)

    assert probe.returncode == 0, probe.stderr
    imported = set(probe.stdout.split())
    assert {"botocore", "onnxruntime", "aws_xray_sdk"} <= imported  # the probe sees the handler's imports
    assert not imported & {"boto3", "s3transfer", "aws_lambda_powertools.event_handler", "requests", "sqlite3"}
