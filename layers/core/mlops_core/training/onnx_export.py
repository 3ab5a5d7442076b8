"""Exporting a fitted scikit-learn pipeline to ONNX (skl2onnx), with the contract's columns in its metadata."""

from __future__ import annotations

import json

from skl2onnx import to_onnx
from skl2onnx.common.data_types import FloatTensorType, StringTensorType

from mlops_core.contract import ONNX_METADATA_KEY, Contract
from mlops_core.training import feature_converters

# The largest graph a run exports: the inference function holds every champion it serves in memory.
MAX_ONNX_BYTES = 20 * 2**20


def export_onnx(pipeline, contract: Contract) -> bytes:
    """One input per feature column; probabilities as a plain tensor; the contract's columns in the metadata."""
    inputs = [(name, FloatTensorType([None, 1]) if contract.columns[name].numeric else StringTensorType([None, 1]))
              for name in contract.features]
    feature_converters.register()
    options = {"zipmap": False} if contract.task == "classification" else None
    model = to_onnx(pipeline, initial_types=inputs, options=options)
    classes = [str(c) for c in pipeline.classes_] if contract.task == "classification" else []
    entry = model.metadata_props.add()
    entry.key, entry.value = ONNX_METADATA_KEY, json.dumps({
        "task": contract.task, "target": contract.target, "classes": classes,
        "features": {name: contract.columns[name].type for name in contract.features},
    })
    return model.SerializeToString()
