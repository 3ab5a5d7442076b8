"""`mlops ui`: a read-only web app over a stack (Flask, served by waitress): models, runs, trials, reports."""

from __future__ import annotations

import base64
from typing import Any

from flask import Flask, Response, render_template, request
from markupsafe import Markup
from mlops_core.errors import InvalidNameError, NotFoundError

from mlops_cli.stack import Stack

from . import views

LOOPBACK = ("127.0.0.1", "localhost", "::1")
# Pages and served reports alike: nothing loads from anywhere, no script runs, styles and SVG images inline.
SECURITY_HEADERS = {
    "Content-Security-Policy": "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
                               "frame-ancestors 'none'; form-action 'self'; base-uri 'none'",
    "X-Content-Type-Options": "nosniff", "Referrer-Policy": "no-referrer", "Cache-Control": "no-store",
}
MAX_RUNS = 1000


def create_app(stack: Stack, host: str = "127.0.0.1") -> Flask:
    """The app over `stack`; it answers only requests addressed to `host` or a loopback name (no DNS rebinding)."""
    app = Flask(__name__)
    app.config["TRUSTED_HOSTS"] = list(dict.fromkeys([host, *LOOPBACK]))
    app.jinja_env.filters["svg_image"] = svg_image
    app.jinja_env.filters["number"] = number

    @app.get("/")
    def home() -> str:
        return render_template("home.html", **views.home(stack))

    @app.get("/models/<name>")
    def model(name: str) -> str:
        return render_template("model.html", **views.model(stack, name))

    @app.get("/models/<name>/runs")
    def runs(name: str) -> str:
        limit = min(max(request.args.get("limit", views.RUNS_SHOWN, type=int), 1), MAX_RUNS)
        rows = app.extensions.setdefault("mlops_run_rows", views.run_rows(stack))  # one per app, made on first use
        return render_template("runs.html", **views.runs(rows, name, limit))

    @app.get("/models/<name>/runs/<run_id>")
    def run(name: str, run_id: str) -> str:
        return render_template("run.html", model=name, **views.run(stack, name, run_id))

    @app.get("/models/<name>/runs/<run_id>/report")
    def report(name: str, run_id: str) -> Response:
        return Response(views.report_html(stack, name, run_id), mimetype="text/html")

    @app.get("/models/<name>/compare")
    def compare(name: str) -> str:
        first, second = request.args.get("a", ""), request.args.get("b", "")
        if not first or not second:
            raise ValueError("name two runs to compare: ?a=RUN&b=RUN (the runs page has a form)")
        return render_template("compare.html", **views.compare(stack, name, first, second))

    @app.errorhandler(NotFoundError)
    def not_found(error: Exception) -> tuple[str, int]:
        return render_template("error.html", title="Not found", message=str(error)), 404

    @app.errorhandler(InvalidNameError)
    @app.errorhandler(ValueError)
    def bad_request(error: Exception) -> tuple[str, int]:
        return render_template("error.html", title="Bad request", message=str(error)), 400

    @app.after_request
    def secured(response: Response) -> Response:
        response.headers.update(SECURITY_HEADERS)
        return response

    return app


def svg_image(svg: str | None, alt: str) -> Markup:
    """An SVG as an <img> data URI: drawn like inline SVG, but nothing in it can run or fetch."""
    if not svg:
        return Markup("")
    encoded = base64.b64encode(svg.encode()).decode()
    return Markup('<img class="chart" alt="{}" src="data:image/svg+xml;base64,{}">').format(alt, encoded)


def number(value: Any, digits: int = 4) -> str:
    """A metric as the pages show it: rounded to `digits` decimals, '-' when there is none."""
    if value is None:
        return "-"
    return str(value) if isinstance(value, bool) or not isinstance(value, int | float) else f"{value:.{digits}f}"


def make_server(stack: Stack, host: str = "127.0.0.1", port: int = 0):
    """A waitress server for the app, bound but not yet serving (port 0: any free port; see `effective_port`)."""
    from waitress import create_server

    return create_server(create_app(stack, host), host=host, port=port, threads=4, ident="mlops-ui")


def serve(stack: Stack, host: str, port: int, announce=print) -> None:
    """Serve the app until interrupted."""
    server = make_server(stack, host, port)
    shown = f"[{host}]" if ":" in host else host
    announce(f"mlops ui for stack {stack.name}: http://{shown}:{server.effective_port}/ (read-only; Ctrl-C stops it)")
    server.run()  # until Ctrl-C, after which waitress closes it
