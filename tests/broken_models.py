"""ONNX artifacts that fail as a challenger can: bytes ONNX Runtime cannot load, a model it loads but cannot run."""

import json

import onnx
from mlops_core.contract import ONNX_METADATA_KEY

UNLOADABLE = b"\x08\x07\x12\x04not an ONNX graph"


def unscorable(artifact: bytes) -> bytes:
    """The same model with its features paired to the wrong inputs (rotated by one): ONNX Runtime loads it, then
    refuses every run (a column fed to an input of another type)."""
    model = onnx.load_from_string(artifact)
    entry = next(entry for entry in model.metadata_props if entry.key == ONNX_METADATA_KEY)
    meta = json.loads(entry.value)
    names = list(meta["features"])
    meta["features"] = {name: meta["features"][name] for name in names[1:] + names[:1]}
    entry.value = json.dumps(meta)
    return model.SerializeToString()
