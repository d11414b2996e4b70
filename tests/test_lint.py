"""`validate` warnings about how questions will be answered (never failing): ambiguous
phrasings and keywords that capture another fact's questions."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FACTS, LEXICON, line_of, run_cli, write_fact_base

from bot.engine import Engine
from bot.evaluation import parse_item
from bot.lint import ambiguous_phrasings, attribute_gaps, keyword_captures

#: 'turnover' gets a phrasing that is really the enterprises fact's question.
AMBIGUOUS = FACTS.replace(
    "        - Cluster turnover\n",
    "        - Cluster turnover\n        - How many enterprises are in the cluster now?\n",
)
#: 'turnover' gets keywords, one of which is in a question the enterprises fact answers.
KEYWORDS = FACTS.replace(
    "    answer:\n      en: The cluster's turnover",
    "    keywords: [turnover, 133 billion]\n    answer:\n      en: The cluster's turnover",
)


def test_a_phrasing_another_fact_matches_as_well_is_ambiguous(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path / "kb", facts=AMBIGUOUS)
    text = (directory / "figures.yaml").read_text(encoding="utf-8")
    warnings = sorted(str(w) for w in ambiguous_phrasings(Engine.load(directory)))
    new = line_of(text, "How many enterprises are in the cluster now?")
    old = line_of(text, "- How many enterprises are in the cluster?")
    path = directory / "figures.yaml"
    # Each of the two phrasings is reported at its own line, naming the other's.
    assert len(warnings) == 2
    by_line = {int(w.split(":")[1]): w for w in warnings}
    assert (
        "ambiguous phrasing 'How many enterprises are in the cluster now?' of 'turnover'"
        in (by_line[new])
    )
    assert "matches 'enterprises' as well" in by_line[new] and f"{path}:{old})" in by_line[new]
    assert "of 'enterprises'" in by_line[old] and f"{path}:{new})" in by_line[old]


def test_the_shipped_phrasings_are_all_told_apart_but_one_pair(engine: Engine) -> None:
    # The one: 'licensed high-tech enterprises in the cluster' is also what the enterprises
    # fact states (479 enterprises, 395 of them high-tech); the two facts are related.
    warnings = ambiguous_phrasings(engine)
    assert len(warnings) <= 1


def test_a_keyword_that_captures_a_question_another_fact_answers(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path / "kb", facts=KEYWORDS)
    engine = Engine.load(directory)
    items = [
        # The question set says the enterprises fact answers this one; 'turnover' takes it.
        parse_item({"q": "turnover and companies", "expect": "enterprises"}, "set.yaml item 1"),
        # Answered by the fact the set expects: nothing to say.
        parse_item(
            {"q": "What was the turnover in 2020?", "expect": "turnover"}, "set.yaml item 2"
        ),
    ]
    assert engine.ask("turnover and companies").fact.id == "turnover"  # type: ignore[union-attr]
    text = (directory / "figures.yaml").read_text(encoding="utf-8")
    assert [str(w) for w in keyword_captures(engine, items)] == [
        f"{directory / 'figures.yaml'}:{line_of(text, 'keywords:')}: warning: keyword "
        "'turnover' of 'turnover' captures 'turnover and companies', which 'enterprises' "
        "answers (set.yaml item 1)"
    ]


def test_validate_prints_the_warnings_and_still_passes(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path / "kb", facts=AMBIGUOUS)
    questions = tmp_path / "q.yaml"
    questions.write_text(
        "- {q: 'turnover and companies', expect: enterprises}\n", encoding="utf-8"
    )
    result = run_cli("validate", str(directory), "--questions", str(questions))
    assert result.returncode == 0
    assert result.stdout.startswith("OK: 2 facts")
    assert "warning: ambiguous phrasing 'How many enterprises are in the cluster now?'" in (
        result.stderr
    )


def test_validate_teach_and_fit_read_development_sets_never_check_sets(tmp_path: Path) -> None:
    """A check set kept beside the development sets stays unread until it is scored: its
    questions must not reach curators (and developers) through warnings or teach's report."""
    from bot.evaluation import default_question_sets
    from bot.fitting import default_question_sets as fitting_sets

    questions = tmp_path / "tests" / "questions"
    questions.mkdir(parents=True)
    for name in ("check-batch-8.yaml", "dev-batch-1.yaml", "dialogues-1.yaml"):
        turns = "- kind: followup\n  turns: [{q: hi, expect: null}]\n"
        single = "- {q: hi, expect: null, kind: greeting}\n"
        (questions / name).write_text(turns if "dialogues" in name else single, encoding="utf-8")
    assert [p.name for p in default_question_sets(tmp_path / "knowledge")] == ["dev-batch-1.yaml"]
    assert [p.name for p in fitting_sets(tmp_path / "knowledge")] == ["dev-batch-1.yaml"]


#: The tiny fact base with attributes: 'turnover' states the turnover; 'enterprises' the count.
ATTRIBUTED_LEXICON = (
    LEXICON.replace(
        "groups:\n",
        "attributes:\n  entity: [cluster]\n  measure: [turnover, enterprises, employees]\n"
        "groups:\n",
    )
    .replace(
        "  - kind: term\n    words: [enterprises",
        "  - kind: term\n    name: enterprises\n    words: [enterprises",
    )
    .replace(
        "  - kind: measure\n    words: [turnover",
        "  - kind: measure\n    name: turnover\n    words: [turnover",
    )
    .replace(
        "  - kind: place\n",
        "  - kind: question\n    wants: person\n    words: [who]\n  - kind: place\n",
    )
)
ATTRIBUTED = FACTS.replace(
    "    shortcut: turnover\n",
    '    attributes: {entity: cluster, measure: turnover, period: "2020", answer: figure}\n'
    "    shortcut: turnover\n",
).replace(
    "  - id: enterprises\n",
    "  - id: enterprises\n    attributes: {entity: cluster, measure: enterprises, answer: figure}\n",
)


@pytest.mark.parametrize(
    ("phrasing", "gap"),
    [
        # The turnover fact asked as 'what did its companies take in': reads as enterprises.
        ("What did the cluster's companies take in?", "measure enterprises"),
        ("What was the turnover in 2019?", "year 2019"),
        ("Who reported the cluster's turnover?", "an answer of another type than figure"),
    ],
)
def test_a_phrasing_its_own_attributes_do_not_cover_is_an_attribute_gap(
    tmp_path: Path, phrasing: str, gap: str
) -> None:
    facts = ATTRIBUTED.replace("        - Cluster turnover\n", f"        - {phrasing}\n")
    directory = write_fact_base(tmp_path / "kb", facts=facts, lexicon=ATTRIBUTED_LEXICON)
    text = (directory / "figures.yaml").read_text(encoding="utf-8")
    assert [str(w) for w in attribute_gaps(Engine.load(directory))] == [
        f"{directory / 'figures.yaml'}:{line_of(text, phrasing)}: warning: phrasing "
        f"'{phrasing}' of 'turnover' asks for {gap}, which its attributes do not list: add "
        "what the answer states to the attributes, or reword the phrasing"
    ]


def test_phrasings_their_attributes_cover_are_no_attribute_gap(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path / "kb", facts=ATTRIBUTED, lexicon=ATTRIBUTED_LEXICON)
    assert attribute_gaps(Engine.load(directory)) == []


def test_validate_prints_attribute_gaps(tmp_path: Path) -> None:
    facts = ATTRIBUTED.replace(
        "        - Cluster turnover\n", "        - What did the cluster's companies take in?\n"
    )
    directory = write_fact_base(tmp_path / "kb", facts=facts, lexicon=ATTRIBUTED_LEXICON)
    result = run_cli("validate", str(directory))
    assert result.returncode == 0
    assert "warning: phrasing 'What did the cluster's companies take in?' of 'turnover'" in (
        result.stderr
    )
