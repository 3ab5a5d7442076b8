"""Local TCP ports: whether one can be served on, and which process holds it when it cannot."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
from pathlib import Path

PROC = Path("/proc")
LISTEN = "0A"


class PortInUseError(OSError):
    """A port the runtime must serve on is held by another process."""

    def __init__(self, port: int, purpose: str) -> None:
        holder = port_holder(port)
        super().__init__(f"port {port} ({purpose}) is already in use by "
                         + (holder or "another process (this system does not say which)"))
        self.port, self.holder = port, holder


def port_is_free(port: int) -> bool:
    """Whether a server can bind 127.0.0.1:port now (as an HTTP server does: address reuse on)."""
    with socket.socket() as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind(("127.0.0.1", port))
        except OSError:
            return False
        return True


def require_free(port: int, purpose: str) -> None:
    if not port_is_free(port):
        raise PortInUseError(port, purpose)


def port_holder(port: int) -> str | None:
    """'pid N (command line)' of the process listening on the port, when this machine lets us see it."""
    pid = _pid_from_proc(port) or _pid_from_ss(port)
    if pid is None:
        return None
    try:
        command = (PROC / str(pid) / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace").strip()
    except OSError:
        command = ""
    return f"pid {pid}" + (f" ({command[:200]})" if command else "")


def _pid_from_proc(port: int) -> int | None:
    """Linux: the listening socket's inode in /proc/net/tcp{,6}, then the process holding that inode open."""
    inodes = set()
    for table in ("tcp", "tcp6"):
        try:
            lines = (PROC / "net" / table).read_text().splitlines()[1:]
        except OSError:
            continue
        for line in lines:
            fields = line.split()
            if len(fields) > 9 and fields[3] == LISTEN and int(fields[1].rsplit(":", 1)[1], 16) == port:
                inodes.add(f"socket:[{fields[9]}]")
    if not inodes:
        return None
    for process in PROC.iterdir():
        if not process.name.isdigit():
            continue
        try:
            for fd in (process / "fd").iterdir():
                if os.readlink(fd) in inodes:
                    return int(process.name)
        except OSError:  # another user's process, or one that just ended
            continue
    return None


def _pid_from_ss(port: int) -> int | None:
    if shutil.which("ss") is None:
        return None
    try:
        listed = subprocess.run(["ss", "-Hltnp", f"sport = :{port}"],  # noqa: S603, S607 - fixed arguments
                                capture_output=True, text=True, timeout=5).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    found = re.search(r"pid=(\d+)", listed)
    return int(found.group(1)) if found else None
