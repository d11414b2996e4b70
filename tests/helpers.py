"""Small builders for tests: tiny fact bases on disk, and fact records."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from bot.bench import read_questions
from bot.decision import CONFLICTS, FEATURES, has_conflict
from bot.engine import Engine

SOURCES = """\
sources:
  - id: paper
    title: The Paper
    publisher: Daily News
    date: 2021-08-12
    url: https://example.org/paper
    language: en
"""

LEXICON = """\
groups:
  - kind: term
    words: [enterprises, companies, 企业, 公司]
  - kind: measure
    words: [turnover, revenue, 营业额]
  - kind: measure
    words: [employees, staff, 员工]
  - kind: place
    words: [zhejiang, 浙江]
smalltalk:
  greeting:
    words: [hello, 你好]
    reply: {en: Hello!, zh: 你好！}
"""

FACTS = """\
topic:
  id: figures
  title: {en: Figures, zh: 数据}
facts:
  - id: turnover
    shortcut: turnover
    questions:
      en:
        - What was the turnover in 2020?
        - How much revenue did the cluster make?
        - Cluster turnover
      zh: [2020年营业额是多少？, 集群营收多少？, 集群的营业额]
    answer:
      en: The cluster's turnover was 133 billion yuan in 2020.
      zh: 2020年集群营业额为1330亿元。
    as_of: "2020"
    citations:
      - source: paper
        where: {en: paragraph 7, zh: 第7段}
        quote: registered a turnover of 133 billion yuan
    related: [enterprises]
  - id: enterprises
    questions:
      en:
        - How many enterprises are in the cluster?
        - Number of companies in the cluster
        - How many firms?
      zh: [集群有多少家企业？, 集群企业数量, 有几家公司？]
    answer:
      en: The cluster had 479 enterprises in 2020.
      zh: 2020年集群有479家企业。
    as_of: "2020"
    citations:
      - source: paper
        where: {en: paragraph 7, zh: 第7段}
"""


def write_fact_base(
    directory: Path, facts: str = FACTS, sources: str = SOURCES, lexicon: str | None = LEXICON
) -> Path:
    """Write a tiny fact base (one topic file, sources, lexicon) and return its folder."""
    directory.mkdir(parents=True, exist_ok=True)
    (directory / "figures.yaml").write_text(textwrap.dedent(facts), encoding="utf-8")
    (directory / "sources.yaml").write_text(textwrap.dedent(sources), encoding="utf-8")
    if lexicon is not None:
        (directory / "lexicon.yaml").write_text(textwrap.dedent(lexicon), encoding="utf-8")
    return directory


def line_of(text: str, needle: str, occurrence: int = 1) -> int:
    """1-based line number of the ``occurrence``-th line containing ``needle``."""
    seen = 0
    for number, line in enumerate(text.splitlines(), start=1):
        if needle in line:
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"{needle!r} not found")


def cli_environment(extra: dict[str, str] | None = None) -> dict[str, str]:
    """This process's environment without bot settings (TELEGRAM_*, BOT_*), plus ``extra``."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    environment.update(extra or {})
    return environment


def run_cli(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """``python -m bot ARGS`` as a user runs it, with no bot settings leaking in from outside."""
    return subprocess.run(
        [sys.executable, "-m", "bot", *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=cli_environment(env),
        timeout=120,
    )


def seed_declined(data_dir: Path, questions: list[str], at: list[str] | None = None) -> None:
    """Declined questions in the curation database, in one transaction (as if users had asked
    them at the times ``at``, default now)."""
    import contextlib
    import sqlite3

    from bot.records import DATABASE_NAME, Records

    assert Records(data_dir).check_writable() is None  # creates the schema
    times = at or [""] * len(questions)
    with contextlib.closing(sqlite3.connect(data_dir / DATABASE_NAME)) as connection, connection:
        connection.executemany(
            "INSERT INTO questions"
            " (asked_at, question, language, chat_type, outcome, fact_id, confidence)"
            " VALUES (coalesce(nullif(?, ''), strftime('%Y-%m-%dT%H:%M:%S', 'now')), ?, 'en',"
            " 'private', 'decline', NULL, 0.1)",
            list(zip(times, questions, strict=True)),
        )


#: The project's question sets and the outside development set beside the project (absent on
#: a machine without ../shared): the messages tests run every question through.
QUESTION_SETS = Path(__file__).parent / "questions"
OUTSIDE_DEV = Path(__file__).parents[2] / "shared" / "questions" / "outside-dev-a.yaml"
EVERY_QUESTION_SET = [*sorted(p.name for p in QUESTION_SETS.glob("*.yaml")), OUTSIDE_DEV.name]


def messages_of(question_set: str) -> list[str]:
    """Every message of one of ``EVERY_QUESTION_SET`` (skips when the outside set is absent)."""
    path = OUTSIDE_DEV if question_set == OUTSIDE_DEV.name else QUESTION_SETS / question_set
    if not path.is_file():
        pytest.skip(f"{path} is not here (the shared question sets live beside the project)")
    return read_questions([path])


def assert_no_conflict(engine: Engine, question: str, fact_id: str) -> None:
    """``fact_id`` is among the candidates for ``question`` and no conflict caps it (the
    message names the conflicts that fired, and the contradictions)."""
    candidate = next((c for c in engine.ask(question).candidates if c.fact.id == fact_id), None)
    assert candidate is not None, f"{fact_id} is not a candidate"
    fired = [name for name in CONFLICTS if candidate.features[FEATURES.index(name)]]
    assert not has_conflict(candidate.features), (fired, candidate.contradictions)


def assert_conflict_or_absent(engine: Engine, question: str, fact_id: str) -> None:
    """``fact_id`` is not a candidate for ``question``, or a conflict caps it."""
    candidate = next((c for c in engine.ask(question).candidates if c.fact.id == fact_id), None)
    assert candidate is None or has_conflict(candidate.features), candidate.contradictions
