"""``bench``: its figures (strict JSON, fixed keys), the question sets it reads, and the BM25
baseline beside the engine or one line saying why it was skipped. Nothing here is timed."""

from __future__ import annotations

import json
import os
import pty
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import run_cli

from bot import bench
from bot.baseline import baseline_missing

KEYS = {
    "fact_base", "facts", "question_sets", "questions", "rounds", "decision", "cold_start_s",
    "index_build_s", "index_build_cpu_s", "first_question_ms", "warm_up_max_ms", "p50_us",
    "p99_us", "max_us", "cpu_p50_us", "cpu_p99_us", "cpu_max_us", "peak_rss_mb", "baseline",
    "baseline_skipped", "p50_ratio", "cpu_p50_ratio", "p99_ratio", "cpu_p99_ratio",
}  # fmt: skip
BASELINE_KEYS = {
    "name", "index_build_s", "p50_us", "p99_us", "max_us", "cpu_p50_us", "cpu_p99_us",
    "cpu_max_us",
}  # fmt: skip
LABELS = [
    "fact base:", "questions:", "decision:", "index build:", "first question:", "per question:",
    "peak RSS:", "baseline:",
]  # fmt: skip


def _strict_json(text: str) -> dict:
    def refuse(constant: str) -> None:
        raise ValueError(f"not strict JSON: {constant}")

    return json.loads(text, parse_constant=refuse)


@pytest.fixture
def question_set(tmp_path: Path) -> Path:
    path = tmp_path / "mixed.yaml"
    path.write_text(
        "- {q: 'whats the cluster turnover', expect: ['133 billion'], kind: keywords}\n"
        "- {q: '集群企业数', expect: ['479'], kind: zh}\n"
        "- {q: 'tell me a joke', expect: null, kind: unrelated}\n"
        "- kind: followup_en\n"
        "  turns:\n"
        "  - {q: 'how many firms are in the cluster?', expect: ['479']}\n"
        "  - {q: 'and how many are high-tech?', expect: ['395']}\n",
        encoding="utf-8",
    )
    return path


def test_json_has_every_figure_and_the_baseline_side_by_side(question_set: Path) -> None:
    result = run_cli("bench", "--questions", str(question_set), "--rounds", "2", "--json")
    assert result.returncode == 0, result.stderr
    assert result.stderr == ""  # no progress with --json
    figures = _strict_json(result.stdout)
    assert set(figures) == KEYS
    assert figures["fact_base"] == "shipped" and figures["question_sets"] == ["mixed.yaml"]
    assert figures["questions"] == 5 and figures["rounds"] == 2  # dialogue turns count too
    assert figures["decision"] == "fitted"  # the engine's decision layer is timed with it
    assert figures["cold_start_s"] > 0 and figures["peak_rss_mb"] > 0
    assert figures["max_us"] >= figures["p99_us"] >= figures["p50_us"] > 0
    assert figures["first_question_ms"] > 0 and figures["warm_up_max_ms"] > 0
    if baseline_missing() is None:  # the test extra installs rank-bm25 and jieba
        assert set(figures["baseline"]) == BASELINE_KEYS and figures["baseline_skipped"] is None
        assert figures["p99_ratio"] > 0 and figures["cpu_p99_ratio"] > 0
        assert figures["p50_ratio"] > 0 and figures["cpu_p50_ratio"] > 0
    else:
        assert figures["baseline"] is None and figures["baseline_skipped"]


def test_synthetic_fact_base_uses_synthetic_questions() -> None:
    result = run_cli(
        "bench", "--facts", "300", "--count", "60", "--rounds", "1", "--no-baseline", "--json"
    )
    figures = _strict_json(result.stdout)
    assert figures["facts"] == 300 and figures["questions"] == 60
    assert figures["question_sets"] == ["synthetic"]
    assert figures["decision"] == "fitted"  # the shipped fit: its features are general
    assert figures["cold_start_s"] is None  # built in memory, nothing to start cold
    assert figures["baseline"] is None and figures["p99_ratio"] is None
    assert figures["cpu_p99_ratio"] is None
    assert figures["baseline_skipped"] == "not asked for (--no-baseline)"


def test_text_report_lists_the_figures_and_the_baseline(question_set: Path) -> None:
    result = run_cli("bench", "--questions", str(question_set), "--rounds", "1")
    lines = result.stdout.splitlines()
    assert [line.split(":")[0] + ":" for line in lines if not line.startswith(("cold", "eng"))][
        : len(LABELS)
    ] == LABELS
    assert lines[1].startswith("questions:          5 (mixed.yaml), each timed 1x")
    baseline = next(line for line in lines if line.startswith("baseline:"))
    if baseline_missing() is None:
        assert "BM25 (rank-bm25 + jieba): p50 " in baseline
        assert lines[-1].startswith("engine / baseline:") and "x at p50, " in lines[-1]
        assert "x at p99 (in CPU time " in lines[-1]
    else:
        assert "skipped: " in baseline and "not installed" in baseline


def test_without_rank_bm25_or_jieba_one_line_says_the_baseline_is_skipped(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(bench, "baseline_missing", lambda: "rank_bm25 not installed (...)")
    result = bench.run_bench(facts=200, count=20, rounds=1)
    assert result["baseline"] is None and result["p99_ratio"] is None
    report = bench.format_bench(result).splitlines()
    assert [line for line in report if "baseline" in line] == [
        "baseline:           skipped: rank_bm25 not installed (...)"
    ]


def test_baseline_missing_names_the_missing_packages(monkeypatch: pytest.MonkeyPatch) -> None:
    import importlib.util

    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name: None if name == "jieba" else real(name)
    )
    assert baseline_missing() == "jieba not installed (pip install -e '.[test]')"


def test_default_question_sets_are_every_set_beside_the_fact_base(tmp_path: Path) -> None:
    project = tmp_path / "project"
    (project / "knowledge").mkdir(parents=True)
    (project / "tests" / "questions").mkdir(parents=True)
    for name in ("b.yaml", "a.yaml"):
        (project / "tests" / "questions" / name).write_text("- {q: hi}\n", encoding="utf-8")
    assert [p.name for p in bench.default_question_sets(project / "knowledge")] == [
        "a.yaml",
        "b.yaml",
    ]
    shared = tmp_path / "shared" / "questions"
    shared.mkdir(parents=True)
    (shared / "outside-dev-a.yaml").write_text("- {q: hi}\n", encoding="utf-8")
    assert bench.default_question_sets(project / "knowledge")[-1] == shared / "outside-dev-a.yaml"


def test_warm_up_reports_the_first_question_and_the_slowest() -> None:
    # A clock that each question moves on by its length in milliseconds: the first question
    # takes 3 ms, the slowest 8 ms, the last 1 ms.
    now = [0.0]

    def ask(question: str) -> None:
        now[0] += len(question) / 1000

    assert bench.warm_up(["abc", "abcdefgh", "a"], ask, clock=lambda: now[0]) == (3.0, 8.0)


@pytest.mark.parametrize(
    "arguments",
    [
        ("--facts", "50", "--count", "0"),
        ("--facts", "50", "--count", "-3"),
        ("--facts", "0", "--count", "10"),
        ("--facts", "50", "--count", "10", "--rounds", "0"),
    ],
)
def test_counts_below_one_are_refused_with_a_usage_error(arguments: tuple[str, ...]) -> None:
    result = run_cli("bench", *arguments, "--no-baseline")
    assert result.returncode == 2 and result.stdout == ""
    assert "must be at least 1" in result.stderr and "Traceback" not in result.stderr


@pytest.mark.parametrize(
    "arguments", [{"facts": 50, "count": 0}, {"facts": 0}, {"facts": 50, "rounds": 0}]
)
def test_run_bench_refuses_counts_below_one(arguments: dict[str, int]) -> None:
    with pytest.raises(ValueError, match="must be at least 1"):
        bench.run_bench(baseline=False, **arguments)


@pytest.mark.parametrize(
    ("content", "message"),
    [
        ("{q: not a list}", "expected a list of questions"),
        ("- {kind: en}\n", "no questions in"),
        ("- [unclosed\n", "mixed.yaml: "),
    ],
)
def test_unreadable_question_sets_are_refused(tmp_path: Path, content: str, message: str) -> None:
    path = tmp_path / "mixed.yaml"
    path.write_text(content, encoding="utf-8")
    result = run_cli("bench", "--questions", str(path), "--rounds", "1", "--no-baseline")
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith("error: ") and message in result.stderr


@pytest.mark.parametrize(("json_flag", "shows_progress"), [((), True), (("--json",), False)])
def test_progress_on_a_terminal_only_without_json(
    json_flag: tuple[str, ...], shows_progress: bool
):
    controller, terminal = pty.openpty()
    try:
        process = subprocess.run(
            [sys.executable, "-m", "bot", "bench", "--facts", "100", "--count", "20"]
            + ["--rounds", "1", "--no-baseline", *json_flag],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
        )
        os.close(terminal)
        terminal = -1
        seen = b""
        while True:
            try:
                chunk = os.read(controller, 4096)
            except OSError:  # the terminal's other end is closed: all read
                break
            if not chunk:
                break
            seen += chunk
    finally:
        os.close(controller)
        if terminal >= 0:
            os.close(terminal)
    assert process.returncode == 0
    assert (b"bench: timing round 1 of 1" in seen) is shows_progress
    assert (seen == b"") is not shows_progress
