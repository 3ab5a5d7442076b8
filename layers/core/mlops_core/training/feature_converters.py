"""skl2onnx shape calculators and converters for the transforms of features.py; `register()` makes them known.

Each graph computes what the Python transform computes, in the input's float type. DateParts needs the ai.onnx
string operators RegexFullMatch and StringSplit, which exist from opset 20 (export_onnx uses skl2onnx's latest
tested opset, 22 with skl2onnx 1.20); ONNX Runtime implements both in its default CPU build.
"""

from __future__ import annotations

import numpy as np
from onnx import TensorProto
from skl2onnx import update_registered_converter
from skl2onnx.common.data_types import FloatTensorType, StringTensorType, guess_numpy_type, guess_proto_type
from skl2onnx.common.utils import check_input_and_output_numbers

from mlops_core.dates import DATE_PATTERN, DAYS_IN_MONTH
from mlops_core.training.features import Clip, DateParts, Ratio, SignedLog

DATE_OPSET = 20
# What an invalid date string is replaced by before splitting: Cast fails on text that is not a number.
_PLACEHOLDER_DATE = "1970-01-01"


class _Graph:
    """Adds nodes and constants to a converter's container under unique names."""

    def __init__(self, scope, container, tensor_type=None):
        self.scope, self.container = scope, container
        tensor_type = tensor_type or FloatTensorType()
        self.dtype, self.proto = guess_numpy_type(tensor_type), guess_proto_type(tensor_type)

    def const(self, values, proto: int | None = None) -> str:
        values = np.asarray(values)
        name = self.scope.get_unique_variable_name("const")
        content = values.ravel().tolist() if proto == TensorProto.STRING else values.ravel()
        self.container.add_initializer(name, proto or self.proto, list(values.shape), content)
        return name

    def int64(self, values) -> str:
        return self.const(np.asarray(values, dtype=np.int64), TensorProto.INT64)

    def float(self, values) -> str:
        return self.const(np.asarray(values, dtype=self.dtype))

    def node(self, op_type: str, inputs: list[str], outputs: int | list[str] = 1, **attrs) -> str | list[str]:
        names = outputs if isinstance(outputs, list) else [
            self.scope.get_unique_variable_name(op_type.lower()) for _ in range(outputs)]
        self.container.add_node(op_type, inputs, names, name=self.scope.get_unique_operator_name(op_type), **attrs)
        return names[0] if len(names) == 1 else names


def _joined_input(graph: _Graph, operator) -> str:
    """The transform's columns as one tensor: skl2onnx passes the columns of a top-level model one input each."""
    names = [variable.full_name for variable in operator.inputs]
    return names[0] if len(names) == 1 else graph.node("Concat", names, axis=1)


def _float_graph(scope, operator, container) -> tuple[_Graph, str, str]:
    graph = _Graph(scope, container, operator.inputs[0].type)
    return graph, _joined_input(graph, operator), operator.outputs[0].full_name


def _output_type(operator, tensor_type, width: int) -> None:
    check_input_and_output_numbers(operator, input_count_range=[1, None], output_count_range=1)
    if len({type(variable.type) for variable in operator.inputs}) != 1:
        raise TypeError(f"{operator.raw_operator.__class__.__name__} takes columns of one type")
    operator.outputs[0].type = tensor_type([operator.inputs[0].get_first_dimension(), width])


def _same_shape(operator) -> None:
    _output_type(operator, operator.inputs[0].type.__class__, operator.raw_operator.n_features_in_)


def _one_column(operator) -> None:
    _output_type(operator, operator.inputs[0].type.__class__, 1)


def _date_columns(operator) -> None:
    if not isinstance(operator.inputs[0].type, StringTensorType):
        raise TypeError(f"DateParts takes string columns, got {operator.inputs[0].type}")
    _output_type(operator, FloatTensorType, operator.raw_operator.n_features_in_ * len(operator.raw_operator.parts))


def convert_signed_log(scope, operator, container) -> None:
    graph, x, out = _float_graph(scope, operator, container)
    magnitude = graph.node("Log", [graph.node("Add", [graph.node("Abs", [x]), graph.float([1.0])])])
    graph.node("Mul", [graph.node("Sign", [x]), magnitude], [out])


def convert_clip(scope, operator, container) -> None:
    graph, x, out = _float_graph(scope, operator, container)
    model = operator.raw_operator
    upper, lower = graph.float(model.upper_.reshape(1, -1)), graph.float(model.lower_.reshape(1, -1))
    capped = graph.node("Where", [graph.node("Greater", [x, upper]), upper, x])
    graph.node("Where", [graph.node("Less", [capped, lower]), lower, capped], [out])


def convert_ratio(scope, operator, container) -> None:
    graph, x, out = _float_graph(scope, operator, container)
    a = graph.node("Gather", [x, graph.int64([0])], axis=1)
    b = graph.node("Gather", [x, graph.int64([1])], axis=1)
    defined = graph.node("Greater", [graph.node("Abs", [b]), graph.float([operator.raw_operator.eps])])
    quotient = graph.node("Div", [a, graph.node("Where", [defined, b, graph.float([1.0])])])
    graph.node("Where", [defined, quotient, graph.float([np.nan])], [out])


def convert_date_parts(scope, operator, container) -> None:
    graph = _Graph(scope, container)
    x, out, model = _joined_input(graph, operator), operator.outputs[0].full_name, operator.raw_operator
    if container.target_opset_onnx < DATE_OPSET:
        raise RuntimeError(f"DateParts exports with ai.onnx opset {DATE_OPSET} or later (RegexFullMatch, "
                           f"StringSplit); the target is {container.target_opset_onnx}")
    matched = graph.node("RegexFullMatch", [x], pattern=DATE_PATTERN)
    safe = graph.node("Where", [matched, x, graph.const(np.asarray([_PLACEHOLDER_DATE], dtype=object),
                                                        TensorProto.STRING)])
    pieces, _ = graph.node("StringSplit", [safe], 2, delimiter="-", maxsplit=2)

    def first(text: str, delimiter: str) -> str:
        split, _ = graph.node("StringSplit", [text], 2, delimiter=delimiter, maxsplit=1)
        return graph.node("Gather", [split, graph.int64(0)], axis=2)

    def piece(index: int) -> str:
        return graph.node("Gather", [pieces, graph.int64(index)], axis=2)

    day_text = first(first(piece(2), "T"), " ")
    year, month, day = (graph.node("Cast", [text], to=TensorProto.INT64) for text in (piece(0), piece(1), day_text))
    i64 = graph.int64

    def divides(divisor: int) -> str:
        return graph.node("Equal", [graph.node("Mod", [year, i64(divisor)]), i64(0)])

    leap = graph.node("Or", [graph.node("And", [divides(4), graph.node("Not", [divides(100)])]), divides(400)])
    february_extra = graph.node("Cast", [graph.node("And", [leap, graph.node("Equal", [month, i64(2)])])],
                                to=TensorProto.INT64)
    month_index = graph.node("Sub", [graph.node("Clip", [month, i64(1), i64(12)]), i64(1)])
    length = graph.node("Add", [graph.node("Gather", [i64(DAYS_IN_MONTH), month_index], axis=0), february_extra])
    checks = [matched,
              graph.node("GreaterOrEqual", [month, i64(1)]), graph.node("LessOrEqual", [month, i64(12)]),
              graph.node("GreaterOrEqual", [day, i64(1)]), graph.node("LessOrEqual", [day, length])]
    valid = checks[0]
    for check in checks[1:]:
        valid = graph.node("And", [valid, check])

    # features.weekday, node for node; every operand is non-negative, so integer Div and Mod floor.
    january_or_february = graph.node("Cast", [graph.node("LessOrEqual", [month, i64(2)])], to=TensorProto.INT64)
    shifted = graph.node("Add", [graph.node("Sub", [year, january_or_february]), i64(400)])
    year_of_era = graph.node("Mod", [shifted, i64(400)])
    month_from_march = graph.node("Mod", [graph.node("Add", [month, i64(9)]), i64(12)])
    days_before_month = graph.node("Div", [graph.node("Add", [graph.node("Mul", [month_from_march, i64(153)]),
                                                              i64(2)]), i64(5)])
    day_of_year = graph.node("Add", [days_before_month, graph.node("Sub", [day, i64(1)])])
    leap_days = graph.node("Sub", [graph.node("Div", [year_of_era, i64(4)]),
                                   graph.node("Div", [year_of_era, i64(100)])])
    day_of_era = graph.node("Add", [graph.node("Add", [graph.node("Mul", [year_of_era, i64(365)]), leap_days]),
                                    day_of_year])
    weekday = graph.node("Mod", [graph.node("Add", [day_of_era, i64(2)]), i64(7)])

    values = {"year": year, "month": month, "day": day, "weekday": weekday}
    nan = graph.float([np.nan])
    columns = [graph.node("Unsqueeze", [graph.node("Where", [valid, graph.node("Cast", [values[part]],
                                                                                to=TensorProto.FLOAT), nan]),
                                        i64([2])]) for part in model.parts]
    stacked = graph.node("Concat", columns, axis=2) if len(columns) > 1 else columns[0]
    graph.node("Reshape", [stacked, i64([0, -1])], [out])


def register() -> None:
    """Make skl2onnx convert the feature transforms; idempotent."""
    for model, shape, convert in ((SignedLog, _same_shape, convert_signed_log), (Clip, _same_shape, convert_clip),
                                  (Ratio, _one_column, convert_ratio), (DateParts, _date_columns, convert_date_parts)):
        update_registered_converter(model, f"MlopsCore{model.__name__}", shape, convert, overwrite=True)
