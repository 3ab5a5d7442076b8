"""The import rules in pyproject.toml hold on this tree, and a wrong import breaks them with its chain."""

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT_IMPORTS = Path(sys.executable).with_name("lint-imports")


def lint_imports(tree: Path) -> subprocess.CompletedProcess:
    """lint-imports as `make lint` runs it, on a tree laid out like this repository."""
    environment = {"PATH": "/usr/bin:/bin", "PYTHONPATH": f"{tree / 'layers/core'}:{tree}"}
    return subprocess.run([str(LINT_IMPORTS), "--no-cache"], cwd=tree, env=environment, capture_output=True,
                          text=True, timeout=120)


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the code the contracts cover, to break on purpose."""
    for part in ("layers/core/mlops_core", "mlops_cli", "localcloud", "functions"):
        shutil.copytree(ROOT / part, tmp_path / part, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    return tmp_path


def test_the_import_rules_hold_on_this_tree():
    result = lint_imports(ROOT)

    assert result.returncode == 0, result.stdout
    assert "0 broken" in result.stdout


def test_serving_importing_the_data_part_breaks_the_rules_and_names_the_chain(tree):
    (tree / "layers/core/mlops_core/serving/shortcut.py").write_text("from mlops_core.data.tabular import load_frame\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "mlops_core.serving.shortcut -> mlops_core.data.tabular" in result.stdout
    assert "Serving and monitoring never import pandas" in result.stdout


def test_a_domain_module_creating_its_own_aws_client_breaks_the_rules(tree):
    (tree / "layers/core/mlops_core/training/uploads.py").write_text("import boto3\n\nS3 = boto3.client('s3')\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "mlops_core.training.uploads -> boto3" in result.stdout


def test_a_handler_reaching_into_another_part_breaks_the_rules(tree):
    handler = tree / "functions/inference/app.py"
    handler.write_text(handler.read_text() + "\nfrom mlops_core.pipeline.services import Services\n")

    result = lint_imports(tree)

    assert result.returncode != 0
    assert "functions.inference.app -> mlops_core.pipeline.services" in result.stdout
