"""`eval --compare REF`: what a change to the fact base did, against a git revision or a saved
result."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from helpers import run_cli, write_fact_base

from bot.teach import teach

GIT_ENV = {
    "GIT_AUTHOR_NAME": "Curator",
    "GIT_AUTHOR_EMAIL": "curator@example.org",
    "GIT_COMMITTER_NAME": "Curator",
    "GIT_COMMITTER_EMAIL": "curator@example.org",
}
QUESTIONS = (
    "- {q: 'What was the turnover in 2020?', expect: turnover, kind: en}\n"
    "- {q: 'workforce size of the cluster', expect: enterprises, kind: en}\n"
    "- {q: 'turnover in 2022', expect: decline, kind: near-miss}\n"
)


def git(repo: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(repo), *args],
        check=True,
        capture_output=True,
        env=GIT_ENV | {"HOME": str(repo)},
    )


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A project with a committed tiny fact base and a question set."""
    repo = tmp_path / "project"
    write_fact_base(repo / "knowledge")
    (repo / "questions.yaml").write_text(QUESTIONS, encoding="utf-8")
    git(repo, "init", "-q")
    git(repo, "add", ".")
    git(repo, "commit", "-q", "-m", "fact base")
    return repo


def compare(repo: Path, reference: str, *extra: str):  # type: ignore[no-untyped-def]
    return run_cli(
        "--knowledge",
        str(repo / "knowledge"),
        "eval",
        str(repo / "questions.yaml"),
        "--compare",
        reference,
        *extra,
        env=GIT_ENV,
    )


def test_compare_with_a_git_revision_lists_what_changed(repo: Path) -> None:
    teach(repo / "knowledge", "cluster workforce size", "enterprises")
    result = compare(repo, "HEAD")
    assert result.returncode == 0, result.stderr
    assert "1 questions changed: 1 fixed, 0 broken, 0 other." in result.stdout
    assert "fixed   [en] 'workforce size of the cluster'" in result.stdout
    assert "decline (wrong) -> answer enterprises (right)" in result.stdout
    assert "What was the turnover" not in result.stdout  # unchanged questions are not listed
    # The working tree is untouched: the revision was read with git show.
    status = subprocess.run(
        ["git", "-C", str(repo), "status", "--porcelain"], capture_output=True, text=True
    ).stdout
    assert status.split() == ["M", "knowledge/figures.yaml"]


def test_compare_with_a_saved_result(repo: Path, tmp_path: Path) -> None:
    saved = tmp_path / "before.json"
    before = run_cli(
        "--knowledge",
        str(repo / "knowledge"),
        "eval",
        str(repo / "questions.yaml"),
        "--json",
        "--save",
        str(saved),
    )
    assert before.returncode == 0 and saved.is_file()
    teach(repo / "knowledge", "cluster workforce size", "enterprises")
    result = compare(repo, str(saved), "--json")
    changed = json.loads(result.stdout)["changed"]
    assert [(c["question"], c["verdict"]) for c in changed] == [
        ("workforce size of the cluster", "fixed")
    ]
    assert changed[0]["before"]["outcome"] == "decline"
    assert changed[0]["after"] == {"outcome": "answer", "fact_id": "enterprises", "correct": True}


def test_nothing_changed(repo: Path) -> None:
    assert "0 questions changed" in compare(repo, "HEAD").stdout


def test_an_unknown_reference_is_a_clear_error(repo: Path) -> None:
    result = compare(repo, "no-such-revision")
    assert result.returncode == 2
    assert "'no-such-revision' is neither a saved result file nor a git revision" in result.stderr
