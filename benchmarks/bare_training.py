"""The bare baseline for the pipeline's overhead: read the CSV, fit and score the same candidates, nothing else.

Usage: python -m benchmarks.bare_training FILE CONTRACT_JSON   (prints one JSON line)
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
from mlops_candidates.registry import catalog
from mlops_core.contract import Contract
from mlops_core.training.splits import split_rows
from sklearn.metrics import roc_auc_score

from benchmarks.processes import emit


def main(path: Path, contract: Contract) -> dict:
    started = time.perf_counter()
    frame = pd.read_csv(path)
    split = split_rows(len(frame), contract)
    X, y = frame[contract.features], frame[contract.target] == "yes"
    scores = {}
    candidates = catalog()
    for trial in candidates.trials(contract):
        pipeline = candidates.pipeline(trial, contract).fit(X.iloc[split.fit], y.iloc[split.fit])
        scores[trial.label] = (roc_auc_score(y.iloc[split.validation],
                                           pipeline.predict_proba(X.iloc[split.validation])[:, 1]), pipeline)
    best = max(scores, key=lambda name: scores[name][0])
    holdout = roc_auc_score(y.iloc[split.holdout], scores[best][1].predict_proba(X.iloc[split.holdout])[:, 1])
    return {"seconds": time.perf_counter() - started, "best": best, "holdout_roc_auc": holdout}


if __name__ == "__main__":
    emit(main(Path(sys.argv[1]), Contract.from_dict(json.loads(sys.argv[2]))))
