"""Teaching a phrasing: the fact's own file keeps its comments and layout, the whole fact base
is validated before anything is written, and the effect on other questions is reported."""

from __future__ import annotations

import fcntl
import io
import os
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from helpers import FACTS, line_of, run_cli, write_fact_base

import bot.teach
from bot.teach import TeachError, round_trip_yaml, teach

#: The tiny fact base with the things a curator's file has: comments, a folded answer, a
#: flow-style list, quoted text and blank lines.
COMMENTED = "# Figures of the cluster. Keep the 2020 facts together.\n" + FACTS.replace(
    "  - id: turnover\n", "\n  # The headline figure (paragraph 7).\n  - id: turnover\n"
).replace(
    "        - Cluster turnover\n",
    "        - Cluster turnover   # terse style\n",
).replace(
    "      en: The cluster had 479 enterprises in 2020.\n",
    "      en: >-\n        The cluster had 479\n        enterprises in 2020.\n",
).replace('    as_of: "2020"\n', "    as_of: '2020'   # the year the figure is for\n", 1)


@pytest.fixture
def base(tmp_path: Path) -> Path:
    return write_fact_base(tmp_path / "knowledge", facts=COMMENTED)


@pytest.mark.parametrize(
    "path", sorted(Path(__file__).parent.parent.joinpath("knowledge").glob("*.yaml")), ids=str
)
def test_every_shipped_file_round_trips_unchanged(path: Path) -> None:
    # What teach relies on: loading and dumping a curator's file changes nothing.
    text = path.read_text(encoding="utf-8")
    assert add_phrasing_round_trip(text) == text


def add_phrasing_round_trip(text: str) -> str:
    yaml = round_trip_yaml()
    out = io.StringIO()
    yaml.dump(yaml.load(text), out)
    return out.getvalue()


def test_teach_adds_one_line_and_keeps_everything_else(base: Path) -> None:
    path = base / "figures.yaml"
    before = path.read_text(encoding="utf-8")
    result = teach(base, "  how much  money did the cluster make ", "turnover")
    after = path.read_text(encoding="utf-8")
    assert after == before.replace(
        "        - Cluster turnover   # terse style\n",
        "        - Cluster turnover   # terse style\n"
        "        - how much money did the cluster make\n",
    )
    assert result.language == "en" and result.answered_by_fact
    assert "+        - how much money did the cluster make" in result.diff


def test_teach_a_chinese_question_into_a_flow_list(base: Path) -> None:
    path = base / "figures.yaml"
    before = path.read_text(encoding="utf-8")
    result = teach(base, "集群一年赚多少钱", "turnover")
    assert result.language == "zh"
    assert path.read_text(encoding="utf-8") == before.replace(
        "      zh: [2020年营业额是多少？, 集群营收多少？, 集群的营业额]\n",
        "      zh: [2020年营业额是多少？, 集群营收多少？, 集群的营业额, 集群一年赚多少钱]\n",
    )


def test_teach_quotes_a_question_that_yaml_would_misread(base: Path) -> None:
    teach(base, "turnover: how much?", "turnover")
    text = (base / "figures.yaml").read_text(encoding="utf-8")
    assert "        - 'turnover: how much?'\n" in text


def test_an_invalid_result_is_refused_and_the_file_left_untouched(base: Path) -> None:
    path = base / "figures.yaml"
    before = path.read_bytes()
    with pytest.raises(TeachError, match="would not validate") as refused:
        teach(base, "How many firms?", "turnover")  # a phrasing of 'enterprises'
    assert [str(p) for p in refused.value.problems] == [
        # Lines as they would be with the new phrasing (one line above the enterprises fact).
        f"{path}:{line_of(before.decode(), '- id: enterprises') + 1}: "
        "question 'How many firms?' is on both 'turnover' and 'enterprises'"
    ]
    assert path.read_bytes() == before
    assert sorted(p.name for p in base.iterdir()) == [
        "figures.yaml",
        "lexicon.yaml",
        "sources.yaml",
    ]


@pytest.mark.parametrize(
    ("question", "fact_id", "message"),
    [
        ("What was the turnover in 2020?", "turnover", "already a phrasing of 'turnover'"),
        ("anything", "no-such-fact", "no fact 'no-such-fact'"),
        ("   ", "turnover", "empty"),
    ],
)
def test_teach_refuses_before_touching_anything(
    base: Path, question: str, fact_id: str, message: str
) -> None:
    before = (base / "figures.yaml").read_bytes()
    with pytest.raises(TeachError, match=message):
        teach(base, question, fact_id)
    assert (base / "figures.yaml").read_bytes() == before


def test_teach_reports_other_questions_whose_reply_changed(base: Path) -> None:
    # 'workforce size' is unknown to the tiny base; taught to 'enterprises', a question set
    # question that declined before is now answered.
    result = teach(
        base, "cluster workforce size", "enterprises", ["workforce size of the cluster"]
    )
    assert [c.question for c in result.changes] == ["workforce size of the cluster"]
    assert result.changes[0].before.startswith("decline")
    assert result.changes[0].after.startswith("answer enterprises")


def test_dry_run_writes_nothing(base: Path) -> None:
    before = (base / "figures.yaml").read_bytes()
    result = teach(base, "how much money did the cluster make", "turnover", dry_run=True)
    assert "+        - how much money did the cluster make" in result.diff
    assert (base / "figures.yaml").read_bytes() == before


def test_teach_command(base: Path) -> None:
    result = run_cli("--knowledge", str(base), "teach", "cluster money made", "turnover")
    assert result.returncode == 0, result.stderr
    assert "+        - cluster money made" in result.stdout
    assert "Now: answer turnover" in result.stdout
    refused = run_cli("--knowledge", str(base), "teach", "How many firms?", "turnover")
    assert refused.returncode == 1
    text = (base / "figures.yaml").read_text(encoding="utf-8")
    place = f"{base / 'figures.yaml'}:{line_of(text, '- id: enterprises') + 1}:"
    assert f"{place} question 'How many firms?' is on both" in refused.stderr
    assert "left as it was" in refused.stderr


#: How long a test waits for another thread before it gives up: a guard against a hang when the
#: code is broken, never reached when it works (no timing is asserted).
HANG_GUARD = 60


class Worker(threading.Thread):
    """A teaching in a worker thread, as the bot runs an "add to" press; keeps its outcome."""

    def __init__(self, name: str, action: Callable[[], object]) -> None:
        super().__init__(name=name, daemon=True)
        self.action = action
        self.outcome: object = None

    def run(self) -> None:
        try:
            self.outcome = self.action()
        except Exception as error:  # shown by the test's assertion
            self.outcome = error


def test_two_teachings_at_once_keep_both_phrasings(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Two admins press "add to" at the same moment. The first is validating its change when
    # the second starts; the second waits for the first to write, then adds its phrasing to
    # the file as the first left it (without the wait, one "Added" phrasing would be lost).
    first_validating = threading.Event()
    second_arrived = threading.Event()  # waiting for the lock, or (with none) validating
    validate = bot.teach._validate_copy

    def validating(*args: Any) -> Any:
        if threading.current_thread().name == "first":
            first_validating.set()
            assert second_arrived.wait(HANG_GUARD)
        else:
            second_arrived.set()
        return validate(*args)

    class AnnouncedLock:
        """The teaching lock, telling the test when the second teaching waits for it."""

        def __init__(self) -> None:
            self.lock = threading.Lock()

        def __enter__(self) -> None:
            if threading.current_thread().name == "second":
                second_arrived.set()
            self.lock.acquire()

        def __exit__(self, *exc: object) -> None:
            self.lock.release()

    monkeypatch.setattr(bot.teach, "_validate_copy", validating)
    monkeypatch.setattr(bot.teach, "_TEACHING", AnnouncedLock())
    first = Worker("first", lambda: teach(base, "how much money did the cluster make", "turnover"))
    second = Worker("second", lambda: teach(base, "cluster money made", "turnover"))
    first.start()
    assert first_validating.wait(HANG_GUARD)
    second.start()
    for worker in (first, second):
        worker.join(HANG_GUARD)
    assert [type(w.outcome).__name__ for w in (first, second)] == ["TeachResult"] * 2
    text = (base / "figures.yaml").read_text(encoding="utf-8")
    assert "        - how much money did the cluster make\n        - cluster money made\n" in text


def folder_lock(directory: Path) -> str:
    """Whether another process could take the fact base folder's lock now."""
    descriptor = os.open(directory, os.O_RDONLY)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        return "held"
    finally:
        os.close(descriptor)
    return "free"


def test_a_teaching_holds_the_folder_lock_that_other_processes_wait_for(
    base: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # `python -m bot teach` beside a running bot: the two processes exclude each other with an
    # exclusive flock on the fact base folder, held from reading the file to writing it.
    seen: list[str] = []
    validate = bot.teach._validate_copy

    def validating(*args: Any) -> Any:
        seen.append(folder_lock(base))
        return validate(*args)

    monkeypatch.setattr(bot.teach, "_validate_copy", validating)
    teach(base, "how much money did the cluster make", "turnover")
    assert seen == ["held"]
    assert folder_lock(base) == "free"
