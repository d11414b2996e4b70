"""The code stays as the style guide says: ruff lint and format clean (line length 99)."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent


def ruff(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
    )


@pytest.mark.skipif(
    shutil.which("ruff") is None
    and subprocess.run([sys.executable, "-m", "ruff", "--version"], capture_output=True).returncode
    != 0,
    reason="ruff is installed with the test extra",
)
def test_ruff_lint_and_format_are_clean() -> None:
    lint = ruff("check", "bot", "tests")
    assert lint.returncode == 0, lint.stdout
    form = ruff("format", "--check", "bot", "tests")
    assert form.returncode == 0, form.stdout
