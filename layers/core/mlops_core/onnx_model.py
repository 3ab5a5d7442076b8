"""Exporting a fitted pipeline to ONNX and scoring with ONNX Runtime, which executes no code from the file."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np

from .contract import Contract
from .prediction import Prediction

METADATA_KEY = "mlops"


def export_onnx(pipeline, contract: Contract) -> bytes:
    """One input per feature column; probabilities as a plain tensor; the contract's columns in the metadata."""
    from skl2onnx import to_onnx
    from skl2onnx.common.data_types import FloatTensorType, StringTensorType

    inputs = [(name, FloatTensorType([None, 1]) if contract.columns[name].numeric else StringTensorType([None, 1]))
              for name in contract.features]
    options = {"zipmap": False} if contract.task == "classification" else None
    model = to_onnx(pipeline, initial_types=inputs, options=options)
    classes = [str(c) for c in pipeline.classes_] if contract.task == "classification" else []
    entry = model.metadata_props.add()
    entry.key, entry.value = METADATA_KEY, json.dumps({
        "task": contract.task, "target": contract.target, "classes": classes,
        "features": {name: contract.columns[name].type for name in contract.features},
    })
    return model.SerializeToString()


@dataclass
class OnnxModel:
    """An ONNX Runtime session plus what the metadata says about its inputs and classes."""

    session: object
    task: str
    features: dict[str, str]
    inputs: dict[str, str]
    classes: list[str]
    load_seconds: float

    @classmethod
    def load(cls, data: bytes) -> OnnxModel:
        import onnxruntime

        started = time.perf_counter()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        meta = json.loads(session.get_modelmeta().custom_metadata_map[METADATA_KEY])
        # skl2onnx may rename a column to make a valid input name; inputs keep the features' order.
        inputs = dict(zip(meta["features"], (i.name for i in session.get_inputs()), strict=True))
        return cls(session, meta["task"], meta["features"], inputs, meta["classes"], time.perf_counter() - started)

    def missing_columns(self, columns: Mapping[str, Any]) -> list[str]:
        return [name for name in self.features if name not in columns]

    def predict(self, columns: Mapping[str, Any]) -> Prediction:
        """Score columns by feature name (a DataFrame or a dict of arrays)."""
        feed = {}
        for name, kind in self.features.items():
            column = np.asarray(columns[name])
            values = column.astype(str).astype(object) if kind == "category" else column.astype(np.float32)
            feed[self.inputs[name]] = values.reshape(-1, 1)
        return self.run(feed)

    def run(self, feed: dict[str, np.ndarray]) -> Prediction:
        """Score a feed keyed by ONNX input name, each an (n, 1) array of float32 or str objects."""
        outputs = self.session.run(None, feed)
        if self.task == "regression":
            return Prediction(values=outputs[0].ravel().astype(np.float64))
        return Prediction(values=outputs[0].astype(str), probabilities=outputs[1].astype(np.float64),
                          classes=self.classes)
