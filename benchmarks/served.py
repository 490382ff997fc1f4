"""A database served by `finance serve` on a loopback port, with a user and an API token, for
the benchmarks that measure the app over HTTP. Only the command line is used, so an older
version of the app can be measured the same way."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx

FINANCE = (sys.executable, "-c", "from finance.cli import app; app()")
"""The `finance` command of the Python running this."""
EMAIL = "bench@example.com"
PASSWORD = "correct-horse-ledger-42\n"


def finance(*args: str, stdin: str | None = None) -> str:
    """Run a `finance` command; its standard output."""
    done = subprocess.run(
        [*FINANCE, *args],
        input=stdin,
        text=True,
        check=True,
        capture_output=True,
    )
    return done.stdout


@dataclass(frozen=True)
class Served:
    """Where the app answers, and a token for its API."""

    base: str
    token: str
    pid: int

    def peak_memory_mb(self) -> float:
        """The server process's peak resident memory (Linux's /proc), in MB."""
        status = Path(f"/proc/{self.pid}/status").read_text()
        (line,) = [line for line in status.splitlines() if line.startswith("VmHWM:")]
        return int(line.split()[1]) / 1024

    @property
    def headers(self) -> dict[str, str]:
        """The headers that sign a request in."""
        return {"Authorization": f"Bearer {self.token}"}


@contextmanager
def served(url: str, workers: int = 1) -> Iterator[Served]:
    """Migrate the empty database `url`, add the user and a token, and serve it until the block
    ends (`workers` > 1 needs `finance serve --workers`)."""
    finance("db", "upgrade", "--database-url", url)
    finance("users", "create", EMAIL, "--password-stdin", "--database-url", url, stdin=PASSWORD)
    token = finance("tokens", "create", "--user", EMAIL, "--name", "bench", "--database-url", url)
    port = _free_port()
    more = ["--workers", str(workers)] if workers > 1 else []
    server = subprocess.Popen(
        [*FINANCE, "serve", "--port", str(port), "--database-url", url, *more],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base)
        yield Served(base, token.strip(), server.pid)
    finally:
        server.terminate()
        server.wait()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_for(base: str) -> None:
    for _ in range(200):
        try:
            if httpx.get(f"{base}/health").status_code == 200:
                return
        except httpx.HTTPError:
            pass
        time.sleep(0.1)
    raise RuntimeError(f"the server at {base} did not answer /health")
