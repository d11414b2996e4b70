"""The data directory check says what is wrong in words; it never raises at the operator."""

from __future__ import annotations

from pathlib import Path

import pytest

from bot.datadir import data_dir_problem, prepare_data_dir


@pytest.mark.parametrize("check", [prepare_data_dir, data_dir_problem])
def test_a_folder_that_cannot_be_entered_is_a_problem_not_a_crash(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, check: object
) -> None:
    """On Python 3.11, Path.exists raises PermissionError for a path under a folder the bot may
    not enter (root enters everything, so the refusal is simulated)."""

    def refuse(*_args: object, **_kwargs: object) -> bool:
        raise PermissionError(13, "Permission denied")

    data = tmp_path / "locked" / "data"
    monkeypatch.setattr(Path, "exists", refuse)
    monkeypatch.setattr(Path, "is_dir", refuse)
    monkeypatch.setattr(Path, "mkdir", refuse)
    problem = check(data)  # type: ignore[operator]
    assert problem is not None and "Permission denied" in problem
