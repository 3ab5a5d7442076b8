"""Property 19: a second runtime asked to serve on a port that another process holds (the endpoint's, or a function
URL's) exits at once, non-zero, with one line naming the port and the process holding it."""

import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit

import pytest

from localcloud.runtime import free_port

pytestmark = pytest.mark.e2e
ROOT = Path(__file__).resolve().parents[2]


def second_runtime(port: int, url_port: int) -> subprocess.CompletedProcess:
    """`make up` in another process; a runtime that hangs fails the test at the timeout."""
    return subprocess.run([sys.executable, "-m", "localcloud", "--port", str(port), "--url-port", str(url_port)],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)


def held_ports(cloud, stack) -> dict[str, tuple[int, int]]:
    url_port = urlsplit(stack.outputs["InferenceUrl"]).port
    return {"the AWS endpoint": (cloud.port, free_port()), "the function URL InferenceFunctionUrl": (free_port(),
                                                                                                      url_port)}


@pytest.mark.parametrize("held", ["the AWS endpoint", "the function URL InferenceFunctionUrl"])
def test_a_second_runtime_on_a_held_port_exits_naming_the_port_and_its_holder(cloud, stack, held, figure):
    port, url_port = held_ports(cloud, stack)[held]
    holding = port if held == "the AWS endpoint" else url_port

    finished = second_runtime(port, url_port)

    [line] = finished.stderr.splitlines()
    assert finished.returncode == 1 and finished.stdout == ""
    assert f"port {holding} ({held}) is already in use by pid {os.getpid()} (" in line, line
    figure(19, f"{held}'s port held by a running runtime: the second exited {finished.returncode}, printing "
               "nothing but one line naming the port and the holder (its pid and command line)")
