"""One pin list: every version a layer installs is the version the tests run with."""

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def pins(path: Path) -> dict[str, str]:
    lines = (line.split("#")[0].strip() for line in path.read_text().splitlines())
    return dict(line.split("==") for line in lines if "==" in line)


@pytest.mark.parametrize("layer", ["core", "numpy", "data", "sklearn", "onnx", "ort", "plots"])
def test_layer_pins_match_the_constraints_file(layer):
    constraints = pins(ROOT / "constraints.txt")

    layer_pins = pins(ROOT / "layers" / layer / "requirements.txt")

    assert {name: constraints.get(name) for name in layer_pins} == layer_pins
