"""Each function's unzipped size (its code plus its layers) in a `sam build` output, against Lambda's limit and the
project's budgets. `make sizes` runs `sam build` first."""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from localcloud.template import load_template  # noqa: E402 - after the path set-up

MB = 1024 * 1024  # Lambda's "250 MB" is 262,144,000 bytes: megabytes of 2**20 bytes
LAMBDA_LIMIT = 262_144_000
BUDGETS = {"InferenceFunction": 150 * MB}


@dataclass(frozen=True)
class FunctionSize:
    """A function's code size, its layers' sizes, and the limit it must stay under."""

    function: str
    code: int
    layers: dict[str, int]
    limit: int

    @property
    def total(self) -> int:
        return self.code + sum(self.layers.values())

    @property
    def ok(self) -> bool:
        return self.total <= self.limit


def tree_size(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file() and not f.is_symlink())


def resources(template: dict, kind: str) -> dict[str, dict]:
    return {name: r for name, r in template["Resources"].items() if r["Type"] == kind}


def measure(template: dict, build_dir: Path) -> list[FunctionSize]:
    sizes = []
    for name, function in resources(template, "AWS::Serverless::Function").items():
        layers = [ref["Ref"] for ref in function["Properties"].get("Layers", [])]
        sizes.append(FunctionSize(name, tree_size(build_dir / name),
                                  {layer: tree_size(build_dir / layer) for layer in layers},
                                  min(LAMBDA_LIMIT, BUDGETS.get(name, LAMBDA_LIMIT))))
    return sizes


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--build-dir", type=Path, default=ROOT / ".aws-sam/build")
    args = parser.parse_args(argv)
    template = load_template(ROOT / "template.yaml")
    print(f"{'function':<20} {'code':>9} {'layers':>10} {'unzipped':>10} {'limit':>9}  layers")
    sizes = measure(template, args.build_dir)
    for size in sizes:
        layers = ", ".join(f"{name} {value / MB:.1f}" for name, value in size.layers.items())
        print(f"{size.function:<20} {size.code / MB:>6.2f} MB {sum(size.layers.values()) / MB:>7.1f} MB "
              f"{size.total / MB:>7.1f} MB {size.limit / MB:>6.0f} MB  {layers}"
              + ("" if size.ok else "  OVER THE LIMIT"))
    over = [size.function for size in sizes if not size.ok]
    if over:
        print(f"over the limit: {', '.join(over)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
