"""The package-size check: a function's total is its code plus its layers, held to Lambda's limit or a budget."""

from scripts.package_sizes import BUDGETS, LAMBDA_LIMIT, MB, measure

TEMPLATE = {"Resources": {
    "InferenceFunction": {"Type": "AWS::Serverless::Function", "Properties": {"Layers": [{"Ref": "Serve"}]}},
    "TrainFunction": {"Type": "AWS::Serverless::Function", "Properties": {"Layers": [{"Ref": "Ml"}]}},
    "Serve": {"Type": "AWS::Serverless::LayerVersion"},
    "Ml": {"Type": "AWS::Serverless::LayerVersion"},
}}


def write(path, size):
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("wb") as handle:
        handle.truncate(size)


def test_a_function_is_measured_with_its_layers_against_its_budget(tmp_path):
    write(tmp_path / "InferenceFunction/app.py", 1000)
    write(tmp_path / "Serve/python/numpy/core.so", 151 * MB)
    write(tmp_path / "TrainFunction/app.py", 500)
    write(tmp_path / "Ml/python/sklearn/a.so", 200 * MB)

    sizes = {size.function: size for size in measure(TEMPLATE, tmp_path)}

    assert sizes["InferenceFunction"].total == 151 * MB + 1000
    assert sizes["InferenceFunction"].limit == BUDGETS["InferenceFunction"] and not sizes["InferenceFunction"].ok
    assert sizes["TrainFunction"].limit == LAMBDA_LIMIT and sizes["TrainFunction"].ok
