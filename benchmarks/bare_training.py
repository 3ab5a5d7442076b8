"""The bare baseline for the pipeline's overhead: read the CSV once, fit and score the contract's trials (each
candidate once, or a search's configurations) one after another, nothing else.

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
    candidates, trials = catalog(), 0
    best_score, best_trial, best_pipeline = float("-inf"), "", None
    for trial in candidates.trials(contract):
        pipeline = candidates.pipeline(trial, contract).fit(X.iloc[split.fit], y.iloc[split.fit])
        score = roc_auc_score(y.iloc[split.validation], pipeline.predict_proba(X.iloc[split.validation])[:, 1])
        trials += 1
        if score > best_score:  # only the best is kept: holding every fitted trial would grow with the search
            best_score, best_trial, best_pipeline = score, trial.trial_id, pipeline
    holdout = roc_auc_score(y.iloc[split.holdout], best_pipeline.predict_proba(X.iloc[split.holdout])[:, 1])
    return {"seconds": time.perf_counter() - started, "trials": trials, "best": best_trial, "holdout_roc_auc": holdout}


if __name__ == "__main__":
    emit(main(Path(sys.argv[1]), Contract.from_dict(json.loads(sys.argv[2]))))
