"""One fresh process: what one Train step does for one trial with N rows (load, fit, score, save, parity
predictions); one JSON line.

Usage: python -m benchmarks.train_process FILE CONTRACT_JSON TRIAL_JSON
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

from mlops_candidates.registry import catalog
from mlops_core.contract import Contract
from mlops_core.data.tabular import load_frame
from mlops_core.training.fitting import fit_trial, sklearn_prediction
from mlops_core.training.serialization import dump_pipeline
from mlops_core.training.splits import split_rows
from mlops_core.training.trial import Trial

from benchmarks.handler_process import peak_rss_mb
from benchmarks.processes import emit

if __name__ == "__main__":
    path, contract = Path(sys.argv[1]), Contract.from_dict(json.loads(sys.argv[2]))
    pipeline = catalog().pipeline(Trial.from_dict(json.loads(sys.argv[3])), contract)
    base = peak_rss_mb()
    started = time.perf_counter()
    frame = load_frame(path, "csv", contract)
    fitted = fit_trial(pipeline, frame, contract)
    artifact = dump_pipeline(fitted.pipeline)
    parity = frame.iloc[split_rows(len(frame), contract).parity]
    sklearn_prediction(fitted.pipeline, parity[contract.features], contract)
    emit({"seconds": time.perf_counter() - started, "fit_seconds": fitted.fit_seconds, "rows": len(frame),
          "artifact_bytes": len(artifact), "peak_rss_mb": peak_rss_mb(), "base_rss_mb": base})
