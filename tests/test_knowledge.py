"""The loader and every validator rule: a tiny broken fact base, the exact FILE:LINE message."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FACTS, LEXICON, SOURCES, line_of, write_fact_base

from bot.knowledge import KnowledgeError, load_knowledge


def problems_of(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return [str(p) for p in caught.value.problems]


def test_loads_a_valid_fact_base_into_records(tiny_dir: Path) -> None:
    knowledge, warnings = load_knowledge(tiny_dir)
    assert [f.id for f in knowledge.facts] == ["turnover", "enterprises"]
    turnover = knowledge.fact("turnover")
    assert turnover is not None
    assert turnover.answer.zh == "2020年集群营业额为1330亿元。"
    assert turnover.citations[0].source_id == "paper"
    assert turnover.shortcut == "turnover"
    assert knowledge.sources["paper"].date == "2021-08-12"  # YAML dates become text
    assert knowledge.summary() == "2 facts, 1 sources, 1 topics, 1 shortcuts"
    assert warnings == []


def test_records_are_frozen(tiny_dir: Path) -> None:
    knowledge, _ = load_knowledge(tiny_dir)
    with pytest.raises(AttributeError):
        knowledge.facts[0].id = "other"  # type: ignore[misc]


def test_yaml_syntax_error_names_file_and_parser_line(tmp_path: Path) -> None:
    broken = FACTS.replace("    shortcut: turnover\n", "    shortcut: [turnover\n")
    directory = write_fact_base(tmp_path, facts=broken)
    [message] = problems_of(directory)
    assert message.startswith(f"{directory / 'figures.yaml'}:")
    assert "YAML syntax error" in message
    line = int(message.split(":")[1])
    assert line >= line_of(broken, "shortcut: [turnover")


@pytest.mark.parametrize(
    ("change", "needle", "expected"),
    [
        (
            ("    shortcut: turnover\n", "    shortcut: turnover\n    colour: red\n"),
            "colour: red",
            "unknown field 'colour' in fact 'turnover' (allowed: answer, as_of, attributes, citations, id, keywords, note, questions, related, shortcut)",
        ),
        (
            ('    as_of: "2020"\n', ""),
            "- id: turnover",
            "fact 'turnover' is missing required field 'as_of'",
        ),
        (
            ('    as_of: "2020"\n', "    as_of: around 2020\n"),
            "as_of: around 2020",
            "'as_of' of fact 'turnover' is text ('around 2020'): give it in both languages, "
            "as_of: {en: ..., zh: ...} (a plain date like 2020 or 2021-08-12 is enough alone)",
        ),
        (
            ('    as_of: "2020"\n', "    as_of: {en: around 2020}\n"),
            "as_of: {en: around 2020}",
            "'as_of' of fact 'turnover' is missing the 'zh' text",
        ),
        (
            ("where: {en: paragraph 7, zh: 第7段}", "where: paragraph 7"),
            "where: paragraph 7",
            "'where' of a citation of fact 'turnover' must be in both languages, "
            "e.g. where: {en: paragraph 7, zh: 第7段}",
        ),
        (
            ("where: {en: paragraph 7, zh: 第7段}", "where: {en: paragraph 7}"),
            "where: {en: paragraph 7}",
            "'where' of a citation of fact 'turnover' is missing the 'zh' text",
        ),
        (
            (
                "      - source: paper\n        where: {en: paragraph 7, zh: 第7段}\n        quote",
                "      - source: nowhere\n        where: {en: paragraph 7, zh: 第7段}\n        quote",
            ),
            "source: nowhere",
            "fact 'turnover' cites unknown source 'nowhere'",
        ),
        (
            ("    related: [enterprises]", "    related: [missing-fact]"),
            "- id: turnover",
            "fact 'turnover' lists unknown related fact 'missing-fact'",
        ),
        (
            ("    shortcut: turnover", "    shortcut: Turn-Over"),
            "shortcut: Turn-Over",
            "shortcut 'Turn-Over' of fact 'turnover' is not a valid Telegram command (1-32 characters: a-z, 0-9, _)",
        ),
        (
            ("    shortcut: turnover", "    shortcut: help"),
            "shortcut: help",
            "shortcut 'help' of fact 'turnover' clashes with the built-in /help",
        ),
        (
            ("      zh: 2020年集群营业额", "      zz: 2020年集群营业额"),
            "answer:",
            "'answer' of fact 'turnover' is missing the 'zh' text",
        ),
        (
            (
                "      en:\n        - What was the turnover in 2020?\n        - How much revenue did the cluster make?\n"
                "        - Cluster turnover\n",
                "      en: []\n",
            ),
            "en: []",
            "fact 'turnover' has no 'en' questions",
        ),
        (
            (
                "        quote: registered a turnover of 133 billion yuan",
                "        quote: " + " ".join(["word"] * 45),
            ),
            "quote: word",
            "evidence quote of fact 'turnover' has 45 words; keep it under 40 (answers are in our own words)",
        ),
        (
            ("  - id: turnover", "  - id: Turnover_2020"),
            "id: Turnover_2020",
            "fact id 'Turnover_2020' may only use a-z, 0-9 and '-'",
        ),
    ],
    ids=[
        "unknown-field",
        "missing-field",
        "as-of-text-in-one-language",
        "as-of-missing-chinese",
        "where-in-one-language",
        "where-missing-chinese",
        "unknown-source",
        "unknown-related",
        "invalid-shortcut",
        "builtin-shortcut",
        "missing-language",
        "empty-questions",
        "long-quote",
        "bad-id",
    ],
)
def test_each_rule_reports_file_and_line(
    tmp_path: Path, change: tuple[str, str], needle: str, expected: str
) -> None:
    old, new = change
    assert old in FACTS
    facts = FACTS.replace(old, new)
    if "Turnover_2020" in new:
        facts = facts.replace("related: [enterprises]", "related: []")
    directory = write_fact_base(tmp_path, facts=facts)
    problems = problems_of(directory)
    assert f"{directory / 'figures.yaml'}:{line_of(facts, needle)}: {expected}" in problems


def test_duplicate_ids_across_files_name_both_places(tmp_path: Path) -> None:
    directory = write_fact_base(tmp_path)
    second = FACTS.replace("id: figures", "id: more").replace("    shortcut: turnover\n", "")
    second = second.replace("2020年营业额是多少？", "另一个问题一").replace(
        "集群营收多少？", "另一个问题二"
    )
    (directory / "more.yaml").write_text(second, encoding="utf-8")
    problems = problems_of(directory)
    first_line = line_of(FACTS, "- id: turnover")
    assert (
        f"{directory / 'more.yaml'}:{line_of(second, '- id: turnover')}: duplicate fact id 'turnover' "
        f"(first at {directory / 'figures.yaml'}:{first_line})"
    ) in problems


def test_same_phrasing_on_two_facts(tmp_path: Path) -> None:
    facts = FACTS.replace("How many firms?", "cluster TURNOVER")  # same question, other case
    directory = write_fact_base(tmp_path, facts=facts)
    assert (
        f"{directory / 'figures.yaml'}:{line_of(facts, '- id: enterprises')}: "
        "question 'cluster TURNOVER' is on both 'turnover' and 'enterprises'"
    ) in problems_of(directory)


def test_duplicate_shortcut(tmp_path: Path) -> None:
    facts = FACTS.replace("  - id: enterprises\n", "  - id: enterprises\n    shortcut: turnover\n")
    directory = write_fact_base(tmp_path, facts=facts)
    assert (
        f"{directory / 'figures.yaml'}:{line_of(facts, '- id: enterprises')}: "
        "shortcut 'turnover' is used by 'turnover' and 'enterprises'"
    ) in problems_of(directory)


def test_every_problem_is_reported_not_just_the_first(tmp_path: Path) -> None:
    facts = FACTS.replace("    shortcut: turnover", "    shortcut: help").replace(
        "source: paper", "source: nowhere"
    )
    directory = write_fact_base(tmp_path, facts=facts)
    problems = problems_of(directory)
    assert len(problems) == 3  # the shortcut and two unknown sources


def test_source_problems(tmp_path: Path) -> None:
    sources = SOURCES.replace(
        "    url: https://example.org/paper\n", "    url: example.org/paper\n    colour: red\n"
    )
    directory = write_fact_base(tmp_path, sources=sources)
    problems = problems_of(directory)
    path = directory / "sources.yaml"
    assert (
        f"{path}:{line_of(sources, 'url:')}: url of source 'paper' must start with http:// or https://"
        in problems
    )
    assert any(
        p.startswith(f"{path}:{line_of(sources, 'colour')}: unknown field 'colour'")
        for p in problems
    )


#: A topic id 61 characters long: one over the limit (its /topics button data is "t:<id>").
LONG_TOPIC = "figures-" + "x" * 53
#: A source id 61 characters long: one over the limit fact ids have too.
LONG_SOURCE = "paper-" + "x" * 55


@pytest.mark.parametrize(
    ("file", "change", "needle", "expected"),
    [
        (
            "figures.yaml",
            ("  - id: turnover\n", '  - id: "turnover\\n"\n'),
            'id: "turnover',
            "fact id 'turnover\\n' may only use a-z, 0-9 and '-'",
        ),
        (
            "figures.yaml",
            ("  id: figures\n", '  id: "figures\\n"\n'),
            'id: "figures',
            "topic id 'figures\\n' may only use a-z, 0-9 and '-'",
        ),
        (
            "sources.yaml",
            ("  - id: paper\n", '  - id: "paper\\n"\n'),
            'id: "paper',
            "source id 'paper\\n' may only use a-z, 0-9 and '-'",
        ),
        (
            "figures.yaml",
            ("  id: figures\n", f"  id: {LONG_TOPIC}\n"),
            LONG_TOPIC,
            f"topic id '{LONG_TOPIC}' is longer than 60 characters "
            "(it must fit in the /topics buttons)",
        ),
        (
            "sources.yaml",
            ("  - id: paper\n", f"  - id: {LONG_SOURCE}\n"),
            LONG_SOURCE,
            f"source id '{LONG_SOURCE}' is longer than 60 characters "
            "(like a fact id: it is typed in citations and shown in curators' messages)",
        ),
    ],
    ids=[
        "fact-id-line-break",
        "topic-id-line-break",
        "source-id-line-break",
        "long-topic-id",
        "long-source-id",
    ],
)
def test_ids_are_checked_whole_and_within_their_length(
    tmp_path: Path, file: str, change: tuple[str, str], needle: str, expected: str
) -> None:
    # An id is checked as written: a quoted "turnover\n" is refused, not silently trimmed.
    texts = {"figures.yaml": FACTS, "sources.yaml": SOURCES}
    old, new = change
    assert old in texts[file]
    texts[file] = texts[file].replace(old, new, 1)
    directory = write_fact_base(
        tmp_path, facts=texts["figures.yaml"], sources=texts["sources.yaml"]
    )
    problems = problems_of(directory)
    assert f"{directory / file}:{line_of(texts[file], needle)}: {expected}" in problems


def test_lexicon_word_in_two_groups(tmp_path: Path) -> None:
    lexicon = LEXICON.replace("[employees, staff, 员工]", "[employees, revenue, 员工]")
    directory = write_fact_base(tmp_path, lexicon=lexicon)
    assert (
        f"{directory / 'lexicon.yaml'}:{line_of(lexicon, '[employees, revenue')}: "
        f"'revenue' is already in the group on line {line_of(lexicon, 'kind: measure')}"
    ) in problems_of(directory)


def test_fewer_than_three_phrasings_is_a_warning_not_an_error(tmp_path: Path) -> None:
    facts = FACTS.replace("        - How many firms?\n", "")
    directory = write_fact_base(tmp_path, facts=facts)
    _, warnings = load_knowledge(directory)
    assert [str(w) for w in warnings] == [
        f"{directory / 'figures.yaml'}:{line_of(facts, 'How many enterprises') - 1}: warning: fact 'enterprises' "
        "has only 2 'en' questions; 3 or more help users find it"
    ]


def test_missing_folder_is_one_clear_problem(tmp_path: Path) -> None:
    assert problems_of(tmp_path / "nowhere") == [
        f"{tmp_path / 'nowhere'}:0: fact base folder not found"
    ]


def test_unsafe_yaml_tags_are_refused(tmp_path: Path) -> None:
    facts = FACTS.replace(
        '    as_of: "2020"\n', "    as_of: !!python/object/apply:os.system ['true']\n", 1
    )
    directory = write_fact_base(tmp_path, facts=facts)
    problems = problems_of(directory)
    assert (
        f"{directory / 'figures.yaml'}:{line_of(facts, 'as_of: !!python')}: unsupported YAML tag "
        "'tag:yaml.org,2002:python/object/apply:os.system'" in problems
    )


MORE_FACTS = """\
topic:
  id: more
  title: {en: More, zh: 更多}
facts:
  - id: founding
    questions:
      en:
        - When was the cluster founded?
        - Founding year of the cluster
        - Since when does the cluster exist?
      zh: [集群哪年成立？, 集群成立时间, 集群什么时候创立的？]
    answer: {en: It was founded in 1992., zh: 1992年成立。}
    as_of: "1992"
    citations:
      - source: paper
        where: {en: paragraph 1, zh: 第1段}
    related: [turnover]
"""


@pytest.mark.parametrize(
    ("broken_file", "breakage"),
    [
        # One indentation error in each kind of file: the other files cite its sources, relate
        # to its facts, or are cited by it; none of them is at fault.
        ("sources.yaml", ("  - id: paper\n", "   - id: paper\n")),
        ("figures.yaml", ("  - id: enterprises\n", "   - id: enterprises\n")),
        ("more.yaml", ("  - id: founding\n", "   - id: founding\n")),
    ],
)
def test_one_broken_file_is_reported_once_and_the_others_on_their_own(
    tmp_path: Path, broken_file: str, breakage: tuple[str, str]
) -> None:
    directory = write_fact_base(
        tmp_path, facts=FACTS.replace("related: [enterprises]", "related: [founding]")
    )
    (directory / "more.yaml").write_text(MORE_FACTS, encoding="utf-8")
    path = directory / broken_file
    path.write_text(path.read_text(encoding="utf-8").replace(*breakage), encoding="utf-8")
    problems = problems_of(directory)
    assert len(problems) == 1, problems
    assert problems[0].startswith(f"{path}:") and ": YAML syntax error" in problems[0]


def test_a_broken_file_does_not_hide_real_problems_elsewhere(tmp_path: Path) -> None:
    directory = write_fact_base(
        tmp_path, facts=FACTS.replace("where: {en: paragraph 7, zh: 第7段}\n", "where: \n", 1)
    )
    (directory / "more.yaml").write_text(
        MORE_FACTS.replace("  - id: founding\n", "   - id: founding\n"), encoding="utf-8"
    )
    problems = problems_of(directory)
    assert len(problems) == 2
    assert any("more.yaml" in p and "YAML syntax error" in p for p in problems)
    assert any("figures.yaml" in p and "missing required field 'where'" in p for p in problems)


def test_a_lexicon_phrase_of_too_many_words_is_a_problem_not_a_crash(tmp_path: Path) -> None:
    """Every lexicon phrase becomes part of the index's tokenising pattern, one level per word:
    a phrase of hundreds of words crashed loading with a RecursionError."""
    long_phrase = " ".join(f"word{n}" for n in range(500))
    lexicon = LEXICON.replace("[employees, staff, 员工]", f"[employees, {long_phrase}, 员工]")
    directory = write_fact_base(tmp_path, lexicon=lexicon)
    assert (
        f"{directory / 'lexicon.yaml'}:{line_of(lexicon, '[employees, word0')}: "
        "'word0 word1 word2 …' has 500 words; a lexicon phrase may have at most 12"
    ) in problems_of(directory)
