"""Smoke-test a deployed stack from its Outputs: store a contract, upload sample data, wait for the run to promote
a champion, and call the inference URL (SigV4-signed when its AuthType is AWS_IAM). Exits non-zero on any failure.

Usage: python scripts/smoke_test.py [--stack NAME] [--model NAME]   (the AWS SDK's usual credentials and region)
"""

from __future__ import annotations

import argparse
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "layers/core"), str(ROOT / "layers/candidates")]

from mlops_core.contract import Contract  # noqa: E402 - after the path set-up

from mlops_cli import operations  # noqa: E402
from mlops_cli.samples import CHURN_CONTRACT, CHURN_RECORD, churn  # noqa: E402
from mlops_cli.stack import Stack  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--stack", help="stack name (default: $MLOPS_STACK or serverless-mlops)")
    parser.add_argument("--model", default="smoke-churn")
    parser.add_argument("--timeout", type=float, default=1800)
    args = parser.parse_args(argv)
    stack = Stack.find(args.stack)
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": args.model}))
    with tempfile.TemporaryDirectory() as folder:
        data = Path(folder) / "smoke.csv"
        churn(2000, seed=11).to_csv(data, index=False)
        trigger = operations.upload(stack, data, args.model)
    print(f"uploaded {trigger.dataset.uri}; waiting for run {trigger.run_id}", flush=True)
    run = operations.wait_for_run(stack, args.model, trigger.run_id, args.timeout)
    if run["status"] != "SUCCEEDED":
        print(f"run {run['run_id']} {run['status']}: {run.get('message')}", file=sys.stderr)
        return 1
    champion = stack.registry.alias(args.model)
    answer = stack.inference.post(f"models/{args.model}/predict", {"records": [CHURN_RECORD]})
    print(f"run {run['run_id']} SUCCEEDED (v{run['version']}); the URL answered with v{answer['version']}: "
          f"{answer['predictions'][0]}")
    return 0 if champion and answer["version"] == champion["version"] else 1


if __name__ == "__main__":
    sys.exit(main())
