"""Shared fixtures: the shipped engine (built once) and tiny fact bases."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

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
