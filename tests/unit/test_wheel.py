"""The project's wheel holds every module of its packages: they are found, not listed by hand."""

import shutil
import subprocess
import sys
import zipfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = {"mlops_core": ROOT / "layers/core/mlops_core", "mlops_cli": ROOT / "mlops_cli",
            "localcloud": ROOT / "localcloud"}


def test_the_wheel_holds_every_module_of_every_package(tmp_path):
    source = tmp_path / "source"  # setuptools builds in the source tree: a copy keeps this one clean
    for folder in PACKAGES.values():
        shutil.copytree(folder, source / folder.relative_to(ROOT), ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", source)
    subprocess.run([sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--no-build-isolation",
                    "--wheel-dir", str(tmp_path), str(source)], check=True, capture_output=True, timeout=300)
    [wheel] = tmp_path.glob("*.whl")

    shipped = set(zipfile.ZipFile(wheel).namelist())

    sources = {f"{name}/{path.relative_to(folder).as_posix()}" for name, folder in PACKAGES.items()
               for path in folder.rglob("*.py")}
    assert "mlops_core/pipeline/steps/train.py" in sources
    assert sources - shipped == set()
