"""Turning a SAM template into a CloudFormation template that moto can deploy, and remembering local paths."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

CODE_BUCKET = "localcloud-code"
SUBSTITUTION = re.compile(r"\$\{([A-Za-z0-9_]+)\}")


class _CfnLoader(yaml.SafeLoader):
    """YAML with CloudFormation's short-form intrinsics (!Ref, !GetAtt, !Sub, ...)."""


def _intrinsic(loader: _CfnLoader, suffix: str, node: yaml.Node) -> dict[str, Any]:
    name = suffix if suffix in ("Ref", "Condition") else f"Fn::{suffix}"
    if isinstance(node, yaml.ScalarNode):
        value: Any = loader.construct_scalar(node)
        if suffix == "GetAtt":
            value = value.split(".", 1)
    elif isinstance(node, yaml.SequenceNode):
        value = loader.construct_sequence(node, deep=True)
    else:
        value = loader.construct_mapping(node, deep=True)
    return {name: value}


_CfnLoader.add_multi_constructor("!", _intrinsic)


def load_template(path: Path) -> dict[str, Any]:
    return yaml.load(path.read_text(), _CfnLoader)  # noqa: S506 - a SafeLoader subclass


def samconfig_parameters(path: Path, environment: str) -> dict[str, str]:
    """`parameter_overrides` of one environment of a samconfig.toml, as `sam deploy --config-env` reads them."""
    if not path.exists():
        return {}
    section = tomllib.loads(path.read_text()).get(environment, {}).get("deploy", {}).get("parameters", {})
    overrides = section.get("parameter_overrides", [])
    items = shlex.split(overrides) if isinstance(overrides, str) else overrides
    return dict(item.split("=", 1) for item in items)


@dataclass
class PreparedTemplate:
    """The CloudFormation template to deploy, plus each function's and layer's local folder."""

    body: dict[str, Any]
    code_paths: dict[str, Path] = field(default_factory=dict)


def prepare(template_path: Path, parameters: dict[str, str], region: str, account: str) -> PreparedTemplate:
    """Point code at placeholder S3 keys, inline state machine definitions, translate SAM, apply substitutions."""
    from samtranslator.translator.transform import transform

    root = template_path.parent
    template = load_template(template_path)
    code_paths: dict[str, Path] = {}
    for resource in template.get("Resources", {}).values():
        props = resource.get("Properties", {})
        for key in ("CodeUri", "ContentUri"):
            if isinstance(props.get(key), str):
                code_paths[props[key].rstrip("/")] = root / props[key]
                props[key] = f"s3://{CODE_BUCKET}/{props[key].rstrip('/')}"
        if isinstance(props.get("DefinitionUri"), str):
            props["Definition"] = json.loads((root / props.pop("DefinitionUri")).read_text())

    pseudo = {"AWS::Region": region, "AWS::AccountId": account, "AWS::Partition": "aws"}
    body = transform(template, {**pseudo, **parameters}, _NoManagedPolicies())
    for resource in body["Resources"].values():
        if resource["Type"] == "AWS::StepFunctions::StateMachine":
            _apply_substitutions(resource["Properties"])
    _collapse_aliases(body)
    return PreparedTemplate(body, code_paths)


def _collapse_aliases(body: dict[str, Any]) -> None:
    """moto's CloudFormation has no Lambda aliases: a reference to an alias becomes one to its function."""
    aliases = {name: resource["Properties"]["FunctionName"] for name, resource in body["Resources"].items()
               if resource["Type"] == "AWS::Lambda::Alias"}
    for name in aliases:
        del body["Resources"][name]
    def to_function(node: dict[str, Any]) -> Any:
        return aliases[node["Ref"]] if set(node) == {"Ref"} and node["Ref"] in aliases else None

    body["Resources"] = rewrite(body["Resources"], to_function)
    body["Outputs"] = rewrite(body.get("Outputs", {}), to_function)


def rewrite(value: Any, replace: Callable[[dict[str, Any]], Any]) -> Any:
    """Walk a template fragment; each object for which `replace` returns something other than None becomes that."""
    if isinstance(value, dict):
        replaced = replace(value)
        if replaced is not None:
            return replaced
        return {key: rewrite(item, replace) for key, item in value.items()}
    if isinstance(value, list):
        return [rewrite(item, replace) for item in value]
    return value


class _NoManagedPolicies:
    """samtranslator asks IAM for managed policy ARNs; the local runtime enforces no IAM."""

    def load(self) -> dict[str, str]:
        return {}


def _apply_substitutions(props: dict[str, Any]) -> None:
    """moto ignores DefinitionSubstitutions: fold them into the definition as an Fn::Join."""
    substitutions = props.pop("DefinitionSubstitutions", None)
    if not substitutions:
        return
    definition = props.pop("Definition", None)
    text = json.dumps(definition) if definition is not None else _joined_text(props.pop("DefinitionString"))
    parts: list[Any] = []
    position = 0
    for match in SUBSTITUTION.finditer(text):
        if match.group(1) not in substitutions:
            raise ValueError(f"state machine definition uses ${{{match.group(1)}}} without a substitution")
        parts += [text[position:match.start()], substitutions[match.group(1)]]
        position = match.end()
    parts.append(text[position:])
    props["DefinitionString"] = {"Fn::Join": ["", parts]}


def _joined_text(value: Any) -> str:
    if isinstance(value, str):
        return value
    if isinstance(value, dict) and "Fn::Join" in value:
        separator, pieces = value["Fn::Join"]
        return separator.join(_joined_text(piece) for piece in pieces)
    raise ValueError(f"cannot read a state machine definition from {value!r}")
