"""The command line, run as users run it: ``python -m bot ...`` in a subprocess."""

from __future__ import annotations

import datetime as dt
import json
import random
import string
from pathlib import Path

from helpers import FACTS, run_cli, seed_declined, write_fact_base

from bot.curation import MAX_GROUPED


def test_help_lists_the_commands() -> None:
    result = run_cli("--help")
    assert result.returncode == 0
    for command in ("validate", "facts", "ask", "chat", "eval", "bench", "run"):
        assert command in result.stdout


def test_validate_shipped_fact_base() -> None:
    result = run_cli("validate")
    assert result.returncode == 0
    assert result.stdout.startswith("OK: 51 facts, 23 sources, 8 topics, 13 shortcuts")


def test_validate_broken_copy_exits_1_with_file_and_line(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path, facts=FACTS.replace("source: paper", "source: nowhere"))
    result = run_cli("validate", str(directory))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert lines[0].startswith(f"{directory / 'figures.yaml'}:")
    assert lines[0].endswith("fact 'turnover' cites unknown source 'nowhere'")
    assert lines[-1] == "2 problems found; the fact base was not loaded."


def test_knowledge_dir_from_environment(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path)
    result = run_cli("validate", env={"BOT_KNOWLEDGE_DIR": str(directory)})
    assert result.stdout.startswith("OK: 2 facts")


def test_facts_json_is_the_whole_fact_base() -> None:
    facts = json.loads(run_cli("facts", "--json").stdout)
    assert len(facts) == 51
    for fact in facts:
        assert {"id", "topic", "questions", "answer", "citations", "related", "shortcut"} <= set(
            fact
        )
        assert fact["answer"]["en"] and fact["answer"]["zh"]
        assert all(
            c["url"].startswith("http") and c["title"] and c["publisher"]
            for c in fact["citations"]
        )


def test_facts_by_topic() -> None:
    result = run_cli("facts", "--topic", "goals")
    assert "goals-2023" in result.stdout and "cluster-turnover-2020" not in result.stdout
    assert run_cli("facts", "--topic", "nope").returncode == 2


def test_ask_json_reads_stdin_one_object_per_line() -> None:
    result = run_cli(
        "ask",
        "--json",
        stdin="What was the turnover in 2020?\nhow many employees does Midea have\n你好\n",
    )
    records = [json.loads(line) for line in result.stdout.splitlines()]
    assert [r["outcome"] for r in records] == ["answer", "decline", "decline"]
    assert records[0]["citations"][0]["url"].startswith("https://")
    assert records[2]["language"] == "zh"


def test_ask_with_lang_forces_the_answer_language() -> None:
    record = json.loads(
        run_cli("ask", "--json", "--lang", "zh", "What was the turnover in 2020?").stdout
    )
    assert record["language"] == "zh" and "1330亿元" in record["answer"]


def test_eval_prints_figures_and_fails_below_min_accuracy(tmp_path: Path) -> None:
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {q: 'What was the turnover in 2020?', expect: ['133 billion'], kind: en}\n"
        "- {q: 'turnover in 2022', expect: null, kind: near-miss}\n"
        "- {q: 'hello', expect: ['no such text'], kind: en}\n",
        encoding="utf-8",
    )
    result = run_cli("eval", str(questions))
    assert result.returncode == 0
    assert "overall                                66.7%  (2/3)" in result.stdout
    assert "near-miss" in result.stdout and "failures (1):" in result.stdout
    assert run_cli("eval", str(questions), "--min-accuracy", "90").returncode == 1


def test_chat_answers_until_quit(tmp_path: Path) -> None:
    result = run_cli(
        "chat",
        stdin="/help\nwhen was it founded?\n1\nWhat was the turnover in 2020?\n/quit\nnever read\n",
        env={"BOT_DATA_DIR": str(tmp_path)},
    )
    assert result.returncode == 0
    assert "/topics" in result.stdout and "133 billion yuan" in result.stdout
    assert "Did you mean" in result.stdout and "He Xiangjian" in result.stdout
    assert "never read" not in result.stdout


def test_run_without_token_says_what_to_set() -> None:
    result = run_cli("run")
    assert result.returncode == 2
    assert "TELEGRAM_BOT_TOKEN" in result.stderr


def test_unanswered_groups_only_the_most_recent_questions(tmp_path: Path) -> None:
    chooser = random.Random(4)
    vocabulary = ["".join(chooser.choices(string.ascii_lowercase, k=7)) for _ in range(3000)]
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(hours=2)
    times = [(moment + dt.timedelta(seconds=n)).strftime("%Y-%m-%dT%H:%M:%S") for n in range(2500)]
    texts = [" ".join(chooser.choices(vocabulary, k=60)) + "?" for _ in times]
    seed_declined(tmp_path, texts, times)
    result = run_cli("unanswered", "--json", "--top", "5000", env={"BOT_DATA_DIR": str(tmp_path)})
    assert result.returncode == 0, result.stderr
    groups = json.loads(result.stdout)
    assert sum(group["count"] for group in groups) == MAX_GROUPED
    assert min(group["last_asked"] for group in groups) == times[500]


def test_make_says_what_it_is_doing_before_each_install() -> None:
    # The first `make run` takes about a minute installing: it must not be silent meanwhile.
    lines = (Path(__file__).parent.parent / "Makefile").read_text(encoding="utf-8").splitlines()
    installs = [n for n, line in enumerate(lines) if "pip install" in line or "-m venv" in line]
    assert installs
    for number in installs:
        recipe = lines[:number]
        start = max(n for n, line in enumerate(recipe) if not line.startswith("\t"))
        assert any(line.startswith("\t@echo ") for line in lines[start:number]), lines[number]
