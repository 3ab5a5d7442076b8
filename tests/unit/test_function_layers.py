"""Each function imports only what its layers hold (plus the runtime's boto3): checked in a process where every
other installed package is blocked, because the local runtime and the tests share one virtual environment."""

import json
import subprocess
import sys
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

from localcloud.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template(ROOT / "template.yaml")
# What the python3.12 Lambda runtime provides without any layer.
RUNTIME = {"boto3", "botocore", "s3transfer", "jmespath", "python-dateutil", "six", "urllib3"}
FUNCTIONS = {name: resource["Properties"] for name, resource in TEMPLATE["Resources"].items()
             if resource["Type"] == "AWS::Serverless::Function"}

PROBE = """
import importlib.abc, importlib.util, json, os, sys
blocked = set(json.loads(sys.argv[1]))

class Blocker(importlib.abc.MetaPathFinder):
    def find_spec(self, name, path=None, target=None):
        if name.split(".")[0] in blocked:
            raise ModuleNotFoundError(f"No module named {name!r} (not in this function's layers)", name=name)
        return None

sys.meta_path.insert(0, Blocker())
spec = importlib.util.spec_from_file_location("handler", sys.argv[2])
spec.loader.exec_module(importlib.util.module_from_spec(spec))
exec(sys.argv[3] if len(sys.argv) > 3 else "")
"""


def normalized(name: str) -> str:
    return name.lower().replace("_", "-")


def layer_packages(layer: str) -> set[str]:
    folder = ROOT / TEMPLATE["Resources"][layer]["Properties"]["ContentUri"]
    lines = (line.split("#")[0].strip() for line in (folder / "requirements.txt").read_text().splitlines())
    return {normalized(line.split("==")[0]) for line in lines if line}


# The project's own packages, each shipped by one layer (the editable install maps them all to this checkout).
PROJECT_PACKAGES = {"CoreLayer": "mlops_core", "CandidatesLayer": "mlops_candidates"}


def blocked_modules(layers: list[str]) -> list[str]:
    allowed = {normalized(name) for name in RUNTIME} | {p for layer in layers for p in layer_packages(layer)}
    installed = sorted(module for module, distributions in packages_distributions().items()
                       if not module.startswith("_") and module not in PROJECT_PACKAGES.values()
                       and not any(normalized(d) in allowed for d in distributions))
    return installed + [package for layer, package in PROJECT_PACKAGES.items() if layer not in layers]


def project_path(layers: list[str]) -> str:
    """PYTHONPATH holding the project packages of these layers, as their layers ship them."""
    return ":".join(str(ROOT / TEMPLATE["Resources"][layer]["Properties"]["ContentUri"])
                    for layer in PROJECT_PACKAGES if layer in layers)


def template_variables(function: str) -> dict[str, str]:
    """Every environment variable the template gives the function: parameter defaults, placeholders for resources."""
    variables = {**TEMPLATE["Globals"]["Function"]["Environment"]["Variables"],
                 **FUNCTIONS[function].get("Environment", {}).get("Variables", {})}
    parameters = TEMPLATE["Parameters"]

    def value(spec) -> str:
        if isinstance(spec, dict) and spec.get("Ref") in parameters:
            return str(parameters[spec["Ref"]]["Default"])
        return spec if isinstance(spec, str) else "placeholder"

    return {name: value(spec) for name, spec in variables.items()}


def import_handler(function: str, layers: list[str], then: str = "") -> subprocess.CompletedProcess:
    environment = {"PYTHONPATH": project_path(layers), "AWS_DEFAULT_REGION": "us-east-1", "PATH": "/usr/bin",
                   **template_variables(function)}
    handler = ROOT / FUNCTIONS[function]["CodeUri"] / "app.py"
    return subprocess.run([sys.executable, "-c", PROBE, json.dumps(blocked_modules(layers)), str(handler), then],
                          capture_output=True, text=True, timeout=120, env=environment, cwd=ROOT)


@pytest.mark.parametrize("function", sorted(FUNCTIONS))
def test_a_function_imports_with_only_its_own_layers(function):
    probe = import_handler(function, layers_of(function))

    assert probe.returncode == 0, probe.stderr[-2000:]


def test_the_check_fails_when_a_needed_layer_is_missing():
    probe = import_handler("TrainFunction", ["CoreLayer", "NumpyLayer", "DataLayer", "CandidatesLayer"])

    assert probe.returncode != 0 and "not in this function's layers" in probe.stderr


def test_the_check_fails_when_the_candidates_layer_is_missing():
    layers = [layer for layer in layers_of("TrainFunction") if layer != "CandidatesLayer"]

    probe = import_handler("TrainFunction", layers)

    assert probe.returncode != 0 and "mlops_candidates" in probe.stderr


def layers_of(function: str) -> list[str]:
    return [ref["Ref"] for ref in FUNCTIONS[function].get("Layers", [])]


def test_the_export_step_exports_a_fitted_candidate_without_pandas(tmp_path):
    from mlops_candidates.registry import catalog
    from mlops_core.contract import Contract
    from mlops_core.data.tabular import model_frame
    from mlops_core.training.fitting import fit_trial
    from mlops_core.training.serialization import dump_pipeline

    from mlops_cli.samples import CHURN_CONTRACT, churn

    contract = Contract.from_dict(CHURN_CONTRACT)
    for estimator in ("logistic_regression", "random_forest", "hist_gradient_boosting"):
        pipeline = catalog().get(estimator).pipeline({}, contract)
        fitted = fit_trial(pipeline, model_frame(churn(300, seed=1), contract), contract)
        (tmp_path / f"{estimator}.skops").write_bytes(dump_pipeline(fitted.pipeline))
    (tmp_path / "contract.json").write_text(json.dumps(contract.to_dict()))
    export = f"""
from pathlib import Path
from mlops_core.contract import Contract
from mlops_core.training.onnx_export import export_onnx
from mlops_core.training.serialization import load_pipeline
contract = Contract.from_json(Path("{tmp_path}/contract.json").read_bytes())
for path in sorted(Path("{tmp_path}").glob("*.skops")):
    path.with_suffix(".onnx").write_bytes(export_onnx(load_pipeline(path.read_bytes()), contract))
"""

    probe = import_handler("ExportFunction", layers_of("ExportFunction"), export)

    assert probe.returncode == 0, probe.stderr[-2000:]
    assert len(list(tmp_path.glob("*.onnx"))) == 3


def test_the_evaluate_step_scores_an_onnx_model_without_scikit_learn(tmp_path):
    from mlops_candidates.registry import catalog
    from mlops_core.contract import Contract
    from mlops_core.data.tabular import model_frame
    from mlops_core.training.fitting import fit_trial
    from mlops_core.training.onnx_export import export_onnx

    from mlops_cli.samples import CHURN_CONTRACT, churn

    contract = Contract.from_dict(CHURN_CONTRACT)
    fitted = fit_trial(catalog().get("random_forest").pipeline({}, contract),
                       model_frame(churn(300, seed=1), contract), contract)
    (tmp_path / "model.onnx").write_bytes(export_onnx(fitted.pipeline, contract))
    churn(200, seed=2).to_csv(tmp_path / "data.csv", index=False)
    (tmp_path / "contract.json").write_text(json.dumps(contract.to_dict()))
    evaluate = f"""
from pathlib import Path
from mlops_core.contract import Contract
from mlops_core.scoring import METRICS
from mlops_core.serving.onnx_model import OnnxModel
from mlops_core.data.tabular import load_frame
contract = Contract.from_json(Path("{tmp_path}/contract.json").read_bytes())
frame = load_frame(Path("{tmp_path}/data.csv"), "csv", contract)
prediction = OnnxModel.load(Path("{tmp_path}/model.onnx").read_bytes()).predict(frame)
for name in ("roc_auc", "f1_macro", "log_loss", "accuracy"):
    prediction.score(frame[contract.target].to_numpy(), METRICS[name])
"""

    probe = import_handler("EvaluateFunction", layers_of("EvaluateFunction"), evaluate)

    assert probe.returncode == 0, probe.stderr[-2000:]
