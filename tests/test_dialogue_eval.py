"""Dialogue sets: every turn judged in its context, follow-up turns reported on their own."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from helpers import run_cli

from bot.dialogue_eval import evaluate_dialogues, load_dialogue_set
from bot.engine import Engine

QUESTIONS = Path(__file__).parent / "questions"

DIALOGUES = """\
- kind: followup
  turns:
    - {q: "Who founded Midea?", expect: midea-origins}
    - {q: "when?", expect: ["1968"]}
    - {q: "what about 2019?", expect: decline}
    - {q: "source?", expect: ["companieshistory"]}
- kind: followup
  turns:
    - {q: "what is the slogan?", expect: slogan}
    - {q: "when?", expect: ["1968"]}
"""


def test_dialogue_set_reports_followup_turns_separately(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.yaml"
    path.write_text(DIALOGUES, encoding="utf-8")
    result = run_cli("eval", str(path), "--json")
    assert result.returncode == 0, result.stderr
    figures = json.loads(result.stdout)
    assert figures["first_turns"] == 1.0
    assert figures["followup_turns"] == 3 / 4
    assert figures["failures"] == ["when?"]
    text = run_cli("eval", str(path)).stdout
    assert "follow-up turns           75.0%  (3/4)" in text
    assert "[followup #2, turn 2] 'when?'" in text
    assert run_cli("eval", str(path), "--min-accuracy", "80").returncode == 1


def test_a_turn_without_expect_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "dialogues.yaml"
    path.write_text("- kind: x\n  turns:\n    - {q: hello}\n", encoding="utf-8")
    result = run_cli("eval", str(path))
    assert result.returncode == 2 and "turn 1 needs 'q' and 'expect'" in result.stderr


#: Follow-up turns right at least: dialogues-1 (written outside the team) was 62.2% at first
#: sight with the conversation engine and 91.6% after tuning; dialogues-2 83.6% at first sight,
#: 87.9% after tuning (tests/questions/README.md). A little room for matcher changes.
FOLLOWUP_FLOORS = {"dialogues-1.yaml": 0.89, "dialogues-2.yaml": 0.86}


@pytest.mark.parametrize(("name", "floor"), FOLLOWUP_FLOORS.items())
def test_dialogue_set_followup_floor(engine: Engine, name: str, floor: float) -> None:
    report = evaluate_dialogues(engine, load_dialogue_set(QUESTIONS / name))
    assert report.share(report.followups) >= floor
