"""`python -m localcloud` (`make up`): serve the stack on a local AWS endpoint until interrupted."""

from __future__ import annotations

import argparse
import sys
import threading
from pathlib import Path

from .runtime import DEFAULT_PORT, NOT_EMULATED, LocalCloud


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="localcloud", description=__doc__)
    parser.add_argument("--template", default="template.yaml", type=Path)
    parser.add_argument("--port", default=DEFAULT_PORT, type=int)
    parser.add_argument("--url-port", default=DEFAULT_PORT + 1, type=int,
                        help="port of the first Lambda Function URL (the next ones follow)")
    parser.add_argument("--stack-name", default="serverless-mlops")
    parser.add_argument("--parameter", action="append", default=[], metavar="KEY=VALUE",
                        help="a template parameter override (repeatable)")
    args = parser.parse_args(argv)
    parameters = dict(item.split("=", 1) for item in args.parameter)
    cloud = LocalCloud(args.template, port=args.port, stack_name=args.stack_name, parameters=parameters,
                       url_port=args.url_port, schedules=True)
    cloud.host.log_listeners.append(_print_log)
    try:
        cloud.start()
    except OSError as error:
        print(f"localcloud: cannot start: {error}; stop that process, or serve on other ports "
              "(make up PORT=<port>, or --port and --url-port)", file=sys.stderr)
        return 1
    print(f"AWS endpoint: {cloud.endpoint}  (region us-east-1, any credentials)")
    print(f"stack {cloud.stack_name} outputs:")
    for key, value in cloud.outputs.items():
        print(f"  {key:<28} {value}")
    print(f"\nexport AWS_ENDPOINT_URL={cloud.endpoint} AWS_DEFAULT_REGION=us-east-1 "
          "AWS_ACCESS_KEY_ID=local AWS_SECRET_ACCESS_KEY=local")
    print(f"then: mlops runs   or   aws s3 cp data.csv s3://{cloud.outputs.get('DataBucketName')}/incoming/<model>/")
    print(f"the monitor runs every {cloud.outputs.get('MonitorIntervalMinutes')} minutes (now: mlops monitor run); "
          "alarms are evaluated within a second of new metric data\n")
    print(NOT_EMULATED)
    print("\nCtrl-C to stop.", flush=True)
    try:
        threading.Event().wait()
    except KeyboardInterrupt:
        pass
    finally:
        cloud.stop()
    return 0


def _print_log(function: str, text: str) -> None:
    for line in text.splitlines():
        print(f"[{function}] {line}", file=sys.__stdout__, flush=True)


if __name__ == "__main__":
    sys.exit(main())
