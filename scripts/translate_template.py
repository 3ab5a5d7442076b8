"""Write the template as CloudFormation after the SAM transform, for scanners that do not expand SAM themselves.

checkov on the raw SAM template misses what the transform generates (IAM policies, the Function URL's AuthType);
this is what CloudFormation deploys. Usage: python scripts/translate_template.py OUT [--config-env ENV]
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localcloud.template import prepare, samconfig_parameters  # noqa: E402 - after the path set-up


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("output", type=Path)
    parser.add_argument("--config-env", default="prod", help="samconfig.toml environment whose parameters to use")
    args = parser.parse_args(argv)
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    parameters = samconfig_parameters(ROOT / "samconfig.toml", args.config_env)
    prepared = prepare(ROOT / "template.yaml", parameters, os.environ["AWS_DEFAULT_REGION"], "123456789012")
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(prepared.body, indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
