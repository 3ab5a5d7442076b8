"""`mlops`: the operator CLI. Works against the local runtime (AWS_ENDPOINT_URL) and AWS alike."""

from __future__ import annotations

import argparse
import json
import os
import sys
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, NoReturn

from mlops_core.aws.run_store import FAILED, REJECTED
from mlops_core.contract import Contract, check_name
from mlops_core.errors import InvalidNameError, NotFoundError
from mlops_core.pipeline.triggers import Trigger

from . import batch_predict, failures, operations, render
from .inference_client import json_records
from .stack import Stack
from .tables import Table, read_table, write_csv


def main(argv: list[str] | None = None) -> int:
    """Exit 0 on success, 1 when a waited-for run failed, 2 on any error (one line on stderr, no traceback)."""
    args = _parser().parse_args(argv)
    try:
        return args.command(args) or 0
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    except Exception as error:
        if os.environ.get("MLOPS_DEBUG"):
            raise
        print(f"error: {failures.explain(error)}", file=sys.stderr)
        return 2


def _contract_infer(args: argparse.Namespace) -> int:
    import pandas as pd
    from mlops_core.data.drafting import draft_contract
    from mlops_core.data.tabular import TEXT_ENCODING, dataset_format

    path = Path(args.file)
    parquet = dataset_format(path.name) == "parquet"
    frame = pd.read_parquet(path) if parquet else pd.read_csv(path, encoding=TEXT_ENCODING)
    contract, notes = draft_contract(frame, args.model, args.target, args.task)
    text = json.dumps(contract.to_dict(), indent=2)
    if args.output:
        Path(args.output).write_text(text + "\n")
        print(f"wrote {args.output}", file=sys.stderr)
    else:
        print(text)
    for note in notes:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _contract_put(args: argparse.Namespace) -> int:
    from mlops_candidates.registry import catalog

    contract = Contract.from_json(Path(args.file).read_bytes())
    # Refused here, naming the unknown candidate, parameter or value, rather than on the next run's Validate step.
    trials = catalog().trials(contract)
    version_id = operations.put_contract(Stack.find(args.stack), contract)
    print(f"stored contract v{contract.version} of {contract.model} (sha256 {contract.sha256[:12]}, "
          f"object version {version_id}); a run fits {len(trials)} trial(s) first")
    return 0


def _upload(args: argparse.Namespace) -> int:
    stack = Stack.find(args.stack)
    trigger = operations.upload(stack, Path(args.file), args.model, args.name)
    print(f"uploaded {trigger.dataset.uri} (version {trigger.dataset.version_id}); run {trigger.run_id}")
    return _wait_and_show(stack, trigger, args) if args.wait else 0


def _retrain(args: argparse.Namespace) -> int:
    stack = Stack.find(args.stack)
    trigger = operations.retrain(stack, args.name, args.dataset)
    print(f"started run {trigger.run_id} on {trigger.dataset.uri} (version {trigger.dataset.version_id})")
    return _wait_and_show(stack, trigger, args) if args.wait else 0


def _wait_and_show(stack: Stack, trigger: Trigger, args: argparse.Namespace) -> int:
    run = operations.wait_for_run(stack, trigger.model, trigger.run_id, args.timeout)
    render.runs([run])
    return _waited_exit(run)


def _runs(args: argparse.Namespace) -> int:
    stack = Stack.find(args.stack)
    if args.action == "compare":
        runs = [operations.find_run(stack, run_id, args.model) for run_id in (args.first, args.second)]
        _emit(args, operations.compare_runs(stack, *runs), render.compared_runs)
        return 0
    if args.wait:
        newest = operations.wait_for_newest(stack, args.model, args.timeout)
        _emit(args, [newest], render.runs)
        return _waited_exit(newest)
    if args.model:
        runs = stack.runs.list(args.model, limit=args.limit)
    else:
        runs = operations.newest_runs(stack, args.limit)
    _emit(args, runs, render.runs)
    return 0


def _trials(args: argparse.Namespace) -> int:
    stack = Stack.find(args.stack)
    run = operations.find_run(stack, args.run, args.model)
    records = operations.trials(stack, run)
    if not records:
        raise NotFoundError(f"run {args.run!r} of {run['model']!r} recorded no trials (status {run['status']})")
    _emit(args, records, render.trials)
    return 0


def _report(args: argparse.Namespace) -> int:
    import webbrowser

    stack = Stack.find(args.stack)
    run = operations.find_run(stack, args.run, args.model)
    target = Path(args.output or f"{run['run_id']}.html")
    target.write_bytes(operations.report_page(stack, run))
    print(target)
    if args.open:
        webbrowser.open(target.resolve().as_uri())
    return 0


def _candidates_list(args: argparse.Namespace) -> int:
    from mlops_candidates.registry import catalog

    candidates = catalog()
    _emit(args, [{"name": c.name, "tasks": list(c.tasks), "defaults": c.defaults, "space": c.space.to_data(),
                  "summary": c.summary} for c in candidates.candidates.values()]
          + [{"name": name, "tasks": [], "defaults": {}, "space": {}, "summary": f"BROKEN: {reason}"}
             for name, reason in candidates.broken.items()], render.candidates)
    return 0


def _candidates_check(args: argparse.Namespace) -> int:
    """Exit 1 when any check fails."""
    from mlops_candidates.registry import catalog

    from .candidate_checks import check_catalog

    candidates = catalog()
    names = [name if name in candidates.broken else candidates.get(name, "the candidate name").name
             for name in args.names]
    checks = [check.to_dict() for check in check_catalog(candidates, names)]
    _emit(args, checks, render.candidate_checks)
    failed = [c for c in checks if not c["passed"]]
    if failed and not args.json:
        print(f"{len(failed)} of {len(checks)} checks failed", file=sys.stderr)
    return 1 if failed else 0


def _waited_exit(run: dict[str, Any]) -> int:
    return 1 if run["status"] in (FAILED, REJECTED) else 0


def _models(args: argparse.Namespace) -> int:
    stack = Stack.find(args.stack)
    if args.name:
        _emit(args, operations.model_view(stack, args.name), render.model)
    else:
        _emit(args, operations.models(stack), render.models)
    return 0


def _logs(args: argparse.Namespace) -> int:
    lines = operations.run_logs(Stack.find(args.stack), args.run, args.model)
    _emit(args, [{"timestamp": datetime.fromtimestamp(line.timestamp / 1000, UTC).isoformat(timespec="milliseconds"),
                  "function": line.function, "line": line.document or line.message} for line in lines],
          render.log_lines)
    return 0


def _promote(args: argparse.Namespace) -> int:
    operations.promote(Stack.find(args.stack), args.name, args.version, args.reason, args.alias)
    print(f"{args.name}: {args.alias} -> v{args.version}")
    return 0


def _predict(args: argparse.Namespace) -> int:
    client = Stack.find(args.stack).inference
    described = client.get(f"models/{args.name}")
    schema, contract = described["request_schema"], described["contract"]
    table = read_table(Path(args.file)) if args.file else Table.of_records(
        json_records(args.json if args.json is not None else sys.stdin.read()))
    target = contract.get("target") if contract.get("target") in table.columns else None
    scored = batch_predict.score(client, args.name, table.records(schema, drop=target),
                                 schema["properties"]["records"]["maxItems"], lambda line: print(line, file=sys.stderr))
    doc = scored.document(args.name)
    if target:
        doc["metrics"] = batch_predict.label_metrics(contract["task"], target, table.labels(target, contract["task"]),
                                                     scored.predictions)
        print(batch_predict.describe_metrics(doc["metrics"]), file=sys.stderr)
    if args.output:
        write_csv(Path(args.output), table, *scored.columns())
        print(f"wrote {args.output}: {len(table.rows)} rows with their predictions", file=sys.stderr)
        doc.pop("predictions")
    print(json.dumps(doc, indent=2))
    return 0


def _feedback(args: argparse.Namespace) -> int:
    labels = json.loads(args.json if args.json is not None else sys.stdin.read())
    doc = labels if isinstance(labels, dict) else {"labels": labels}
    print(json.dumps(Stack.find(args.stack).inference.post(f"models/{args.name}/feedback", doc), indent=2))
    return 0


def _monitor_run(args: argparse.Namespace) -> int:
    passes = operations.run_monitor(Stack.find(args.stack), args.models)
    _emit(args, passes, render.passes)
    failed = operations.failed_passes(passes)
    if failed is not None:
        raise failed
    return 0


def _monitor_status(args: argparse.Namespace) -> int:
    _emit(args, operations.monitor_status(Stack.find(args.stack), args.name, args.limit), render.monitor_status)
    return 0


def _monitor_alarms(args: argparse.Namespace) -> int:
    result = operations.sync_alarms(Stack.find(args.stack), args.name)
    print(f"{args.name}: alarms {', '.join(result['alarms'])}")
    for note in result["notes"]:
        print(f"note: {note}", file=sys.stderr)
    return 0


def _rollback(args: argparse.Namespace) -> int:
    version = operations.rollback(Stack.find(args.stack), args.name, args.reason)
    print(f"{args.name}: champion rolled back to v{version}")
    return 0


def _ui(args: argparse.Namespace) -> int:
    from .ui.app import serve

    serve(Stack.find(args.stack), args.host, args.port, lambda line: print(line, file=sys.stderr))
    return 0


def _emit(args: argparse.Namespace, data: Any, human) -> None:
    if args.json:
        print(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        human(data)


class _Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line like every other error (subcommands inherit the class)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, f"error: {message}; see `{self.prog} --help`\n")


def model_name(value: str) -> str:
    """An argument that names a model: refused before anything is sent if it is not a valid name in full."""
    try:
        return check_name(value, "the model name")
    except InvalidNameError as error:
        raise argparse.ArgumentTypeError(str(error)) from error


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="mlops", description=__doc__)
    parser.add_argument("--stack", help="stack name (default: $MLOPS_STACK or serverless-mlops)")
    commands = parser.add_subparsers(required=True, metavar="COMMAND")

    contract = commands.add_parser("contract", help="draft and store data contracts").add_subparsers(
        required=True, metavar="ACTION")
    infer = contract.add_parser("infer", help="draft a contract from a CSV or Parquet file")
    infer.add_argument("file")
    infer.add_argument("--model", required=True, type=model_name)
    infer.add_argument("--target", required=True)
    infer.add_argument("--task", choices=["classification", "regression"])
    infer.add_argument("--output", "-o", help="write the contract here instead of stdout")
    infer.set_defaults(command=_contract_infer)
    put = contract.add_parser("put", help="store a contract as the model's current version")
    put.add_argument("file")
    put.set_defaults(command=_contract_put)

    upload = commands.add_parser("upload", help="upload a dataset; this starts a pipeline run")
    upload.add_argument("file")
    upload.add_argument("--model", required=True, type=model_name)
    upload.add_argument("--name", help="object name under incoming/<model>/ (default: the file's name)")
    _wait_options(upload, "wait for the run; exit 1 if it failed")
    upload.set_defaults(command=_upload)

    retrain = commands.add_parser("retrain", help="start a manual run on the newest upload (or --dataset)")
    retrain.add_argument("name", type=model_name)
    retrain.add_argument("--dataset", help="s3:// URI of the dataset (default: the newest under incoming/NAME/)")
    _wait_options(retrain, "wait for the run; exit 1 if it failed")
    retrain.set_defaults(command=_retrain)

    runs = commands.add_parser("runs", help="list pipeline runs, newest first")
    runs.add_argument("--model", type=model_name)
    _wait_options(runs, "wait until the newest run ends; exit 1 if it failed or was rejected")
    runs.add_argument("--limit", type=int, default=20)
    runs.add_argument("--json", action="store_true")
    runs.set_defaults(command=_runs, action=None)
    compare = runs.add_subparsers(metavar="ACTION").add_parser(
        "compare", help="two runs side by side: data, contract, code, best trial, metrics, decision")
    compare.add_argument("first", metavar="RUN_A")
    compare.add_argument("second", metavar="RUN_B")
    compare.add_argument("--model", type=model_name, help="the runs' model (default: found among recent runs)")
    compare.add_argument("--json", action="store_true")
    compare.set_defaults(action="compare")

    trials = commands.add_parser("trials", help="a run's trials as a leaderboard, best first")
    trials.add_argument("run", metavar="RUN")
    trials.add_argument("--model", type=model_name, help="the run's model (default: found among recent runs)")
    trials.add_argument("--json", action="store_true")
    trials.set_defaults(command=_trials)

    report = commands.add_parser("report", help="save a run's report (HTML) to a file, and open it")
    report.add_argument("run", metavar="RUN")
    report.add_argument("-o", "--output", metavar="FILE", help="where to write it (default: ./<run id>.html)")
    report.add_argument("--open", action="store_true", help="open it in the web browser")
    report.add_argument("--model", type=model_name, help="the run's model (default: found among recent runs)")
    report.set_defaults(command=_report)

    candidates = commands.add_parser("candidates", help="the candidate models this checkout deploys").add_subparsers(
        required=True, metavar="ACTION")
    listed = candidates.add_parser("list", help="every registered candidate, its tasks and search space")
    listed.add_argument("--json", action="store_true")
    listed.set_defaults(command=_candidates_list)
    check = candidates.add_parser("check", help="fit, export, parity, size and latency checks; exit 1 on a failure")
    check.add_argument("names", nargs="*", metavar="NAME", help="candidates to check (default: all)")
    check.add_argument("--json", action="store_true")
    check.set_defaults(command=_candidates_check)

    models = commands.add_parser("models", help="list models, or one model's versions and champion history")
    models.add_argument("name", nargs="?", type=model_name)
    models.add_argument("--json", action="store_true")
    models.set_defaults(command=_models)

    logs = commands.add_parser("logs", help="a run's function log lines, in the order they were written")
    logs.add_argument("run", help="the run id (`mlops runs` lists them)")
    logs.add_argument("--model", help="the run's model: reads only the log written while the run went on")
    logs.add_argument("--json", action="store_true")
    logs.set_defaults(command=_logs)

    promote = commands.add_parser("promote", help="make a version the champion")
    promote.add_argument("name", type=model_name)
    promote.add_argument("version", type=int)
    promote.add_argument("--reason")
    promote.add_argument("--alias", default="champion", choices=["champion", "challenger"],
                         help="challenger: score it in the shadow of the champion on captured requests")
    promote.set_defaults(command=_promote)

    predict = commands.add_parser("predict", help="score records with a model's champion via the inference URL")
    predict.add_argument("name", type=model_name)
    source = predict.add_mutually_exclusive_group()
    source.add_argument("--json", help='records as JSON: [{"feature": value, ...}, ...] (default: read stdin)')
    source.add_argument("--file", "--csv", dest="file",
                        help="records from a CSV (header row) or Parquet file, any number of rows; a target column "
                             "is left out and the predictions scored against it")
    predict.add_argument("--output", "-o", help="write the input rows with their predictions here as CSV")
    predict.set_defaults(command=_predict)

    feedback = commands.add_parser("feedback", help="send ground-truth labels for earlier predictions")
    feedback.add_argument("name", type=model_name)
    feedback.add_argument("--json", help='[{"request_id": ..., "row": 0, "label": ...}, ...] (default: read stdin)')
    feedback.set_defaults(command=_feedback)

    monitor = commands.add_parser("monitor", help="drift, live quality and alarms").add_subparsers(
        required=True, metavar="ACTION")
    monitor_run = monitor.add_parser("run", help="run the monitor now (it also runs on its schedule)")
    monitor_run.add_argument("models", nargs="*", type=model_name,
                             help="models to look at (default: every model with a champion)")
    monitor_run.add_argument("--json", action="store_true")
    monitor_run.set_defaults(command=_monitor_run)
    status = monitor.add_parser("status", help="a model's alarms and latest monitor passes")
    status.add_argument("name", type=model_name)
    status.add_argument("--limit", type=int, default=10)
    status.add_argument("--json", action="store_true")
    status.set_defaults(command=_monitor_status)
    alarms = monitor.add_parser("alarms", help="create or update a model's alarms for its current champion")
    alarms.add_argument("name", type=model_name)
    alarms.set_defaults(command=_monitor_alarms)

    ui = commands.add_parser("ui", help="a read-only web app: models, runs, trials, reports, two runs compared")
    ui.add_argument("--host", default="127.0.0.1",
                    help="address to listen on (default 127.0.0.1: this machine only; the app reads the stack "
                         "with your credentials)")
    ui.add_argument("--port", type=int, default=8765, help="port to listen on (default 8765)")
    ui.set_defaults(command=_ui)

    rollback = commands.add_parser("rollback", help="move the champion back to the previous one")
    rollback.add_argument("name", type=model_name)
    rollback.add_argument("--reason")
    rollback.set_defaults(command=_rollback)
    return parser


def _wait_options(parser: argparse.ArgumentParser, help_text: str) -> None:
    parser.add_argument("--wait", action="store_true", help=help_text)
    parser.add_argument("--timeout", type=float, default=900,
                        help="with --wait: seconds to wait at most, then exit 2 (default 900)")


if __name__ == "__main__":
    sys.exit(main())
