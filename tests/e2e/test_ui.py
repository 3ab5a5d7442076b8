"""`mlops ui` over the local runtime: a model with real runs and monitor passes, read through the app's pages (read
calls only), then in a real browser (headless Chromium from the system's packages): the rendered DOM, where every
request went, and screenshots (written to $UI_SCREENSHOTS too when it is set: `make screenshots`)."""

import os
import re
import shutil
import threading
import time
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import boto3
import pytest
from mlops_core.aws.run_store import RUNNING, SUPPRESSED
from mlops_core.contract import Contract

from mlops_cli import operations
from mlops_cli.samples import CHURN_CONTRACT, churn
from mlops_cli.stack import Stack
from mlops_cli.ui.app import create_app, make_server
from tests.e2e.conftest import automatic_runs, new_model, wait_for

pytestmark = pytest.mark.e2e

CHROMIUM = os.environ.get("CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
READ_ONLY = re.compile(r"(Get|List|Query|Scan|Describe|Head|BatchGet)[A-Za-z0-9]*")


def serve_and_monitor(stack, model: str, frame) -> dict:
    operations.send_traffic(stack, model, frame, "churned")
    time.sleep(1.1)  # S3 times objects to the second; a pass takes what was written before its window ends
    [found] = operations.run_monitor(stack, [model])
    return found


@pytest.fixture(scope="module")
def watched(cloud, tmp_path_factory):
    """Champion v1 from an upload; a steady pass, a drifted one, and the retraining run the drift alarm started."""
    stack = Stack.find(cloud.stack_name)
    model = new_model(stack, tmp_path_factory.mktemp("ui"), "ui-watched")
    serve_and_monitor(stack, model, churn(300, seed=10, noise=0.1))
    serve_and_monitor(stack, model, churn(300, seed=11, noise=0.1, drift=1.0))
    wait_for(lambda: next((r for r in automatic_runs(stack, model) if r["status"] not in (RUNNING, SUPPRESSED)),
                          None))
    first, second = sorted(stack.runs.list(model), key=lambda run: run["started_at"])
    return stack, model, first, second


@contextmanager
def sdk_calls():
    """The (service, operation) of every AWS call this thread makes meanwhile (clients created meanwhile)."""
    calls, thread = [], threading.get_ident()

    def record(model, **_):
        if threading.get_ident() == thread:
            calls.append((model.service_model.service_name, model.name))

    events = boto3._get_default_session().events
    events.register("before-call", record)
    try:
        yield calls
    finally:
        events.unregister("before-call", record)


def pages(model: str, first: dict, second: dict) -> list[str]:
    return ["/", f"/models/{model}", f"/models/{model}/runs", f"/models/{model}/runs/{first['run_id']}",
            f"/models/{model}/runs/{second['run_id']}/report",
            f"/models/{model}/compare?a={first['run_id']}&b={second['run_id']}"]


def test_every_page_answers_and_the_whole_session_only_reads(watched):
    stack, model, first, second = watched
    with sdk_calls() as calls:
        client = create_app(Stack.find(stack.name)).test_client()
        statuses = {path: client.get(path).status_code for path in pages(model, first, second)}

    assert set(statuses.values()) == {200}, statuses
    assert {service for service, _ in calls} >= {"cloudformation", "dynamodb", "s3", "cloudwatch", "stepfunctions"}
    assert [call for call in calls if not READ_ONLY.fullmatch(call[1])] == []


def test_every_page_forbids_scripts_and_fetches_from_anywhere(watched):
    stack, model, first, second = watched
    client = create_app(Stack.find(stack.name)).test_client()

    policies = {client.get(path).headers["Content-Security-Policy"] for path in pages(model, first, second)}

    [policy] = policies
    assert policy.startswith("default-src 'none';") and "script-src" not in policy and "connect-src" not in policy


@pytest.fixture(scope="module")
def browser():
    if not CHROMIUM:
        pytest.skip("no Chromium on PATH: `make browser` installs Debian's (as root, or with sudo), or set CHROMIUM "
                    "to a Chromium binary")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        # Chromium will not start its sandbox as root (CI runs as root); the pages it loads are our own.
        launched = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def ui(watched):
    server = make_server(Stack.find(watched[0].name))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.effective_port}"
    server.close()


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    """Where screenshots go: a temporary folder, copied to $UI_SCREENSHOTS at the end when it is set."""
    folder = tmp_path_factory.mktemp("screenshots")
    yield folder
    target = os.environ.get("UI_SCREENSHOTS")
    if target:
        Path(target).mkdir(parents=True, exist_ok=True)
        for shot in folder.glob("*.png"):
            shutil.copy(shot, Path(target) / shot.name)


@pytest.fixture
def page(browser):
    """A page that records every URL it requested."""
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    opened = context.new_page()
    opened.requested = []
    opened.on("request", lambda request: opened.requested.append(request.url))
    yield opened
    context.close()


def visit(page, url: str, shot: Path | None = None, full_page: bool = True):
    """Load a page (it must answer 200) and save its screenshot: the whole page, or what the window shows."""
    response = page.goto(url)
    assert response.status == 200, url
    if shot:
        page.screenshot(path=str(shot), full_page=full_page)
    return page


def outside(requested: list[str]) -> list[str]:
    return [url for url in requested if urlparse(url).scheme != "data" and urlparse(url).hostname != "127.0.0.1"]


def test_the_model_page_shows_the_champion_timeline_versions_alarms_and_the_monitor_charts(page, watched, ui, shots):
    stack, model, first, second = watched
    view, status = operations.model_view(stack, model), operations.monitor_status(stack, model)

    visit(page, f"{ui}/models/{model}", shots / "ui-model.png")

    assert page.title() == f"Model {model} · mlops ui"
    assert page.locator("#timeline li").count() == len(view["history"])
    assert page.locator("#timeline a").first.inner_text() in (first["run_id"], second["run_id"])
    assert page.locator("#versions tbody tr").count() == len(view["versions"])
    states = dict(zip(page.locator("#alarms tbody td:nth-child(1)").all_inner_texts(),
                      page.locator("#alarms tbody td:nth-child(2)").all_inner_texts(), strict=True))
    assert states == {alarm["AlarmName"]: alarm["StateValue"] for alarm in status["alarms"]}
    for chart in ("#drift-chart", "#quality-chart"):
        assert page.locator(f"{chart} img").evaluate("image => image.complete && image.naturalWidth > 0")
    drifted = [p for p in status["passes"] if p.get("drift")][0]["drift"]["drifted"]
    assert sorted(page.locator("#drift tr.differs td:first-child").all_inner_texts()) == sorted(drifted)
    assert outside(page.requested) == []


def test_the_run_page_lists_the_trials_best_first_and_links_the_report(page, watched, ui, shots):
    stack, model, first, _ = watched
    trials = operations.trials(stack, first)

    visit(page, f"{ui}/models/{model}/runs/{first['run_id']}", shots / "ui-run.png")

    assert page.title() == f"Run {first['run_id']} · mlops ui"
    assert page.locator("#trials tbody td:nth-child(2)").all_inner_texts() == [t["trial_id"] for t in trials]
    page.locator("#report-link a").click()
    assert page.title() == f"{model} run {first['run_id']}"
    assert outside(page.requested) == []


def test_the_report_page_shows_every_figure_and_the_metrics_of_report_json(page, watched, ui, shots):
    from mlops_core.reporting.html import fmt  # how the report writes a number

    stack, model, _, second = watched
    report = operations.report_json(stack, second)

    visit(page, f"{ui}/models/{model}/runs/{second['run_id']}/report", shots / "ui-report.png", full_page=False)

    assert page.title() == f"{model} run {second['run_id']}"
    shown = page.locator("figure[data-figure]").evaluate_all("figures => figures.map(f => f.dataset.figure)")
    assert sorted(shown) == sorted(f["id"] for f in report["figures"])
    assert page.locator("figure[data-figure] svg").count() == len(report["figures"])
    cells = page.locator("#comparison table").first.locator("tr").evaluate_all(
        "rows => rows.map(row => Array.from(row.cells, cell => cell.innerText))")
    assert report["metrics"] and {name: value for name, value in cells if name in report["metrics"]} == {
        name: fmt(value) for name, value in report["metrics"].items()}
    assert outside(page.requested) == []


def test_the_compare_page_pairs_both_reports_figures_and_metrics(page, watched, ui, shots):
    stack, model, first, second = watched
    reports = [operations.report_json(stack, run) for run in (first, second)]

    visit(page, f"{ui}/models/{model}/compare?a={first['run_id']}&b={second['run_id']}", shots / "ui-compare.png",
          full_page=False)

    assert page.title() == f"Compare {first['run_id']} and {second['run_id']} · mlops ui"
    ids = {f["id"] for report in reports for f in report["figures"]}
    assert set(page.locator(".pair").evaluate_all("pairs => pairs.map(p => p.dataset.figure)")) == ids
    for figure in ids:
        sides = sum(figure in {f["id"] for f in report["figures"]} for report in reports)
        assert page.locator(f'.pair[data-figure="{figure}"] img').count() == sides
    rows = page.locator("#metrics tbody tr")
    shown = {rows.nth(i).locator("td").first.inner_text(): [float(rows.nth(i).locator("td").nth(k).get_attribute(
        "data-value")) for k in (1, 2)] for i in range(rows.count())}
    assert shown == {name: [reports[0]["metrics"][name], reports[1]["metrics"][name]] for name in reports[0]["metrics"]}
    assert outside(page.requested) == []


def test_the_models_and_runs_pages_list_what_the_stack_holds(page, watched, ui, shots):
    stack, model, first, second = watched

    visit(page, f"{ui}/", shots / "ui-models.png")
    listed = page.locator("#models tbody td:first-child").all_inner_texts()
    visit(page, f"{ui}/models/{model}/runs", shots / "ui-runs.png")
    runs = page.locator("#runs tbody td:nth-child(3)").all_inner_texts()

    assert model in listed
    assert [run for run in runs if run in (first["run_id"], second["run_id"])] == [second["run_id"], first["run_id"]]
    assert outside(page.requested) == []


# Last: the run it adds would show in the screenshots above.
def test_a_run_still_going_has_no_report_and_the_pages_say_so(watched):
    stack, model, first, _ = watched
    client = create_app(Stack.find(stack.name)).test_client()
    stack.runs.claim({"model": model, "run_id": "still-going", "trigger": "manual", "execution": "still-going"})

    page = client.get(f"/models/{model}/runs/still-going").get_data(as_text=True)
    report = client.get(f"/models/{model}/runs/still-going/report")

    assert "This run has no report" in page and "(RUNNING) has not written it yet" in page
    assert report.status_code == 404 and "has no report" in report.get_data(as_text=True)


def test_a_model_without_a_version_yet_has_a_page_and_an_unknown_one_is_not_found(watched):
    stack = watched[0]
    client = create_app(Stack.find(stack.name)).test_client()
    operations.put_contract(stack, Contract.from_dict({**CHURN_CONTRACT, "model": "ui-unversioned"}))

    page = client.get("/models/ui-unversioned")
    unknown = client.get("/models/ui-never-heard-of")

    assert page.status_code == 200 and "no version registered yet" in page.get_data(as_text=True)
    assert unknown.status_code == 404 and "ui-never-heard-of" in unknown.get_data(as_text=True)
