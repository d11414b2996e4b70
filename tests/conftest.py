"""Shared fixtures: the shipped engine (built once), tiny fact bases, the Bot API stand-in and
loopback ports."""

from __future__ import annotations

import shutil
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from fake_telegram import FakeTelegram, serve, stop  # noqa: E402
from helpers import write_fact_base  # noqa: E402

from bot.engine import Engine  # noqa: E402


@pytest.fixture(scope="session")
def engine() -> Engine:
    """The engine on the shipped fact base."""
    return Engine.load()


@pytest.fixture
def tiny_dir(tmp_path: Path) -> Path:
    """A valid two-fact knowledge folder to break in tests."""
    return write_fact_base(tmp_path / "knowledge")


@pytest.fixture
def tiny_engine(tiny_dir: Path) -> Engine:
    return Engine.load(tiny_dir)


@dataclass
class Api:
    """The local Bot API stand-in: its state, its base URL and its port."""

    fake: FakeTelegram
    url: str
    port: int


@pytest.fixture
def api() -> Iterator[Api]:
    fake = FakeTelegram()
    server, url = serve(fake)
    try:
        yield Api(fake, url, server.server_address[1])
    finally:
        stop(fake, server)


@pytest.fixture
def closed_port() -> Iterator[int]:
    """A loopback port held for this test: bound, so no one else is handed it, but not
    listening, so connecting is refused; the bot may still listen on it (SO_REUSEADDR)."""
    with socket.socket() as held:
        held.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        held.bind(("127.0.0.1", 0))
        yield int(held.getsockname()[1])


def isolated_network_available() -> bool:
    """Whether a command can run in a network namespace of its own (``unshare -n``, as root),
    where DNS and every non-loopback address fail at once and nothing leaves the machine."""
    if not shutil.which("unshare"):
        return False
    return subprocess.run(["unshare", "-n", "true"], capture_output=True).returncode == 0
