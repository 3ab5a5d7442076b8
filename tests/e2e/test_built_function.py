"""The inference function as `sam build` leaves it, run by Python 3.12 from the build directory alone.

Nothing from this project's virtual environment is on the path except what the Lambda runtime itself provides
(boto3 and its pure-Python dependencies); the handler, mlops_core, NumPy and ONNX Runtime come from the built
function and layer folders. CI builds them (`make sizes`) before `make test`.
"""

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest

from tests.conftest import EVENTS, ROOT

pytestmark = pytest.mark.e2e

BUILD = ROOT / ".aws-sam/build"
LAYERS = ["CoreLayer", "NumpyLayer", "OrtLayer"]
# What the python3.12 Lambda runtime has without layers.
RUNTIME_PACKAGES = ["boto3", "botocore", "s3transfer", "jmespath", "dateutil", "six", "urllib3"]


def find_python312() -> str | None:
    """A working python3.12: on PATH, or one pyenv installed (its shim only works when selected)."""
    installed = sorted(Path.home().glob(".pyenv/versions/3.12*/bin/python3.12"))
    candidates = [shutil.which("python3.12"), *map(str, installed)]
    for candidate in filter(None, candidates):
        if subprocess.run([candidate, "-c", "import sys; assert sys.version_info[:2] == (3, 12)"],
                          capture_output=True, timeout=30).returncode == 0:
            return candidate
    return None


PYTHON312 = find_python312()

RUN = """
import importlib.util, json, sys
sys.path[:0] = json.loads(sys.argv[1])
spec = importlib.util.spec_from_file_location("app", sys.argv[2])
app = importlib.util.module_from_spec(spec)
spec.loader.exec_module(app)

class Context:
    function_name, memory_limit_in_mb, aws_request_id = "inference", 1024, "built"
    invoked_function_arn = "arn:aws:lambda:us-east-1:123456789012:function:inference"

response = app.lambda_handler(json.loads(sys.argv[3]), Context())
import numpy, onnxruntime
print(json.dumps({"response": response, "numpy": numpy.__file__, "onnxruntime": onnxruntime.__file__,
                  "python": sys.version_info[:2]}))
"""


@pytest.fixture
def runtime_dir(tmp_path):
    """The boto3 the Lambda runtime provides, taken from this environment (pure Python, any 3.x)."""
    import importlib

    folder = tmp_path / "runtime"
    folder.mkdir()
    for name in RUNTIME_PACKAGES:
        source = Path(importlib.import_module(name).__file__)
        target = source.parent if source.name == "__init__.py" else source
        (folder / target.name).symlink_to(target)
    return folder


@pytest.mark.skipif(not (BUILD / "InferenceFunction").exists(), reason="no sam build output: run `make build`")
@pytest.mark.skipif(PYTHON312 is None, reason="no Python 3.12 interpreter on this machine")
def test_the_built_inference_function_answers_a_sample_event_on_python_3_12(served, runtime_dir):
    stack, model, _ = served
    event = json.loads((EVENTS / "function_url_predict.json").read_text().replace("/models/churn", f"/models/{model}"))
    path = [str(BUILD / "InferenceFunction"), *(str(BUILD / layer / "python") for layer in LAYERS), str(runtime_dir)]
    environment = {name: value for name, value in os.environ.items() if name.startswith("AWS_")}
    environment |= {"REGISTRY_TABLE": stack.outputs["RegistryTableName"],
                    "CAPTURE_BUCKET": stack.outputs["CaptureBucketName"], "POWERTOOLS_SERVICE_NAME": "inference"}

    # -I -S: no user site, no site-packages, no PYTHONPATH: only the folders above.
    run = subprocess.run([str(PYTHON312), "-I", "-S", "-c", RUN, json.dumps(path),
                          str(BUILD / "InferenceFunction/app.py"), json.dumps(event)],
                         capture_output=True, text=True, timeout=120, env=environment)

    assert run.returncode == 0, run.stderr[-3000:]
    result = json.loads(run.stdout.strip().splitlines()[-1])
    assert result["python"] == [3, 12]
    assert result["numpy"].startswith(str(BUILD / "NumpyLayer"))
    assert result["onnxruntime"].startswith(str(BUILD / "OrtLayer"))
    assert result["response"]["statusCode"] == 200, result["response"]
    assert json.loads(result["response"]["body"])["version"] == 2
