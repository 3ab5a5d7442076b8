"""Scoring with ONNX Runtime, which executes no code from the model file."""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import numpy as np
import onnxruntime

from mlops_core.contract import ONNX_METADATA_KEY
from mlops_core.scoring import Prediction


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
        started = time.perf_counter()
        options = onnxruntime.SessionOptions()
        options.intra_op_num_threads = 1
        session = onnxruntime.InferenceSession(data, options, providers=["CPUExecutionProvider"])
        meta = json.loads(session.get_modelmeta().custom_metadata_map[ONNX_METADATA_KEY])
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
            numeric = kind in ("number", "integer")
            values = column.astype(np.float32) if numeric else column.astype(str).astype(object)
            feed[self.inputs[name]] = values.reshape(-1, 1)
        return self.run(feed)

    def run(self, feed: dict[str, np.ndarray]) -> Prediction:
        """Score a feed keyed by ONNX input name, each an (n, 1) array of float32 or str objects."""
        outputs = self.session.run(None, feed)
        if self.task == "regression":
            return Prediction(values=outputs[0].ravel().astype(np.float64))
        return Prediction(values=outputs[0].astype(str), probabilities=outputs[1].astype(np.float64),
                          classes=self.classes)
