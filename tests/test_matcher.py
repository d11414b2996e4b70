"""Normalisation, language detection, the three outcomes, and accuracy on the development set."""

from __future__ import annotations

from pathlib import Path

import pytest
from helpers import FACTS, LEXICON, write_fact_base

from bot.analysis import Reader, analyse, asking_clauses, asking_sentences
from bot.engine import Engine
from bot.evaluation import evaluate, load_question_set
from bot.matcher import build_index, detect_language, match_question, stem, to_simplified

QUESTIONS = Path(__file__).parent / "questions"


@pytest.mark.parametrize(
    ("text", "hint", "expected"),
    [
        ("How many enterprises?", None, "en"),
        ("集群有多少家企业？", None, "zh"),
        ("Midea是哪年成立的", None, "zh"),
        ("What is 营业额 of the cluster?", None, "en"),
        ("2020?", "zh", "zh"),
        ("???", None, "en"),
        ("@FoshanBot 营业额", None, "zh"),
    ],
)
def test_detect_language(text: str, hint: str | None, expected: str) -> None:
    assert detect_language(text, hint) == expected


def test_traditional_chinese_becomes_simplified() -> None:
    assert to_simplified("產業集群營業額") == "产业集群营业额"
    assert to_simplified("no chinese here") == "no chinese here"


@pytest.mark.parametrize(
    ("word", "stemmed"),
    [
        ("clusters", "cluster"),
        ("companies", "company"),
        ("announced", "announc"),
        ("announce", "announc"),
    ],
)
def test_stem_folds_inflections(word: str, stemmed: str) -> None:
    assert stem(word) == stemmed


def test_normalisation_strips_mentions_commands_width_and_case(engine: Engine) -> None:
    normaliser = engine.index.normaliser
    assert normaliser.clean("/ask@FoshanBot ＨＯＷ many　firms？") == "how many firms"
    assert normaliser.clean("@FoshanBot What's the TURNOVER?") == "what the turnover"


def test_numbers_in_both_languages_are_the_same_term(engine: Engine) -> None:
    normaliser = engine.index.normaliser
    english = normaliser.terms(normaliser.clean("133 billion yuan"))
    chinese = normaliser.terms(normaliser.clean("1330亿元"))
    assert set(english) & set(chinese)


def test_synonyms_from_the_lexicon_match_across_languages(engine: Engine) -> None:
    normaliser = engine.index.normaliser
    english = set(normaliser.terms(normaliser.clean("turnover")))
    chinese = set(normaliser.terms(normaliser.clean("营业额")))
    assert english & chinese


@pytest.mark.parametrize(
    ("question", "fact_id", "language"),
    [
        ("What was the cluster's turnover in 2020?", "cluster-turnover-2020", "en"),
        ("how mnay enterprises in the cluster", "cluster-enterprises-2020", "en"),
        ("@FoshanClusterBot 集群有多少家高新技术企业", "cluster-high-tech-2020", "zh"),
        ("佛山智慧家居產業集群的營業額", "cluster-turnover-2020", "zh"),
        ("/ask@FoshanClusterBot who wrote the article", "article-author", "en"),
        ("/turnover", "cluster-turnover-2020", "en"),
    ],
)
def test_answers(engine: Engine, question: str, fact_id: str, language: str) -> None:
    match = engine.ask(question)
    assert match.outcome == "answer"
    assert match.fact is not None and match.fact.id == fact_id
    assert match.language == language  # the reply's language is the question's


@pytest.mark.parametrize(
    "question",
    [
        "turnover in 2022",  # another year
        "which Zhejiang clusters are on the list",  # another place
        "how many employees does Hisense have",  # another measure
        "what is gree's revenue",  # another company
        "what is the weather in Paris",
        "who are you",
    ],
)
def test_declines_near_misses_and_unrelated_questions(engine: Engine, question: str) -> None:
    match = engine.ask(question)
    assert match.outcome == "decline"
    assert match.fact is None


def test_near_miss_names_what_contradicts(engine: Engine) -> None:
    match = engine.ask("what was the cluster turnover in 2022")
    assert "year:2022" in match.contradictions


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # Each is answered only because the misspelt word is corrected to the fact base's own.
        ("what was the turnovr of the cluster in 2020", "cluster-turnover-2020"),
        ("when was the hi-tech zone establshed", "zone-founding"),
        ("who submited the cluster for the pilot list", "pilot-list-submitted-by"),
        ("what is the sloagn about foshan and homes", "slogan"),
        # Five letters: a letter dropped inside a six-letter word.
        ("who is the autor of the article", "article-author"),
        ("what is the slgan about foshan and homes", "slogan"),
    ],
)
def test_typos_are_corrected_against_the_fact_base(
    engine: Engine, question: str, fact_id: str
) -> None:
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)


@pytest.mark.parametrize(
    ("question", "outcome"),
    [
        # The figure the fact states, or one close to it asked about approximately: answered.
        ("was the cluster turnover 133 billion yuan in 2020?", "answer"),
        ("are there 395 high-tech enterprises in the cluster?", "answer"),
        # Statements with "right?" or no verb are middling evidence: answered or asked back,
        # the fact first and no contradiction either way.
        ("the cluster has about 480 enterprises, right?", "offered first"),
        # A yes/no confirmation of the stated figure: the fact first, no contradiction; since
        # dev batches 16-17 joined the fit it sits just under the answer threshold (0.72).
        ("did the cluster have 479 enterprises?", "offered first"),
        ("the cluster had roughly 130 billion yuan turnover in 2020?", "answer"),
        ("around 400 high-tech enterprises in the cluster?", "offered first"),
        # Another figure is a near miss, also when asked approximately but far off: declined.
        ("was the cluster turnover 300 billion yuan in 2020?", "decline"),
        ("what was the turnover in 2020, 500 billion yuan?", "decline"),
        ("did the cluster have 900 enterprises?", "decline"),
        ("are there 800 high-tech enterprises in the cluster?", "decline"),
        ("the cluster has about 5000 enterprises, right?", "decline"),
    ],
)
def test_a_figure_the_fact_does_not_state_is_a_near_miss(
    engine: Engine, question: str, outcome: str
) -> None:
    match = engine.ask(question)
    if outcome == "offered first":
        assert match.outcome in ("answer", "clarify")
        assert not match.candidates[0].contradictions
        assert match.candidates[0].fact.id == (
            "cluster-high-tech-2020" if "high-tech" in question else "cluster-enterprises-2020"
        )
    else:
        assert match.outcome == outcome


WANTS_LEXICON = """\
groups:
  - kind: question
    wants: number
    words: [how many, 多少]
  - kind: question
    wants: date
    words: [when, what year, 什么时候]
"""

WANTS_FACTS = """\
topic:
  id: zone
  title: {en: The zone, zh: 园区}
facts:
  - id: zone-slogan
    questions:
      en:
        - What is the slogan of the zone?
        - The zone's slogan
      zh: [园区的口号是什么？]
    answer:
      en: "The zone's slogan is: a home for every maker."
      zh: 园区的口号是：为每一位创造者安家。
    as_of: {en: date not given by the source, zh: 来源未给出日期}
    citations:
      - source: paper
        where: {en: paragraph 2, zh: 第2段}
  - id: zone-founding
    questions:
      en:
        - When was the zone founded?
        - Founding of the zone
      zh: [园区什么时候成立？]
    answer:
      en: The zone was founded in 1992 with 35 parks.
      zh: 园区成立于1992年，有35个园。
    as_of: "1992"
    citations:
      - source: paper
        where: {en: paragraph 1, zh: 第1段}
"""


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("when was the zone founded?", "zone-founding"),
        ("how many parks did the zone have when it was founded?", "zone-founding"),
        ("what is the slogan of the zone?", "zone-slogan"),
        # "How many" or "when" of a fact that states no figure or date: declined.
        ("how many slogans does the zone have?", None),
        ("when was the slogan adopted?", None),
    ],
)
def test_how_many_and_when_need_a_fact_with_a_figure_or_a_date(
    tmp_path: Path, question: str, fact_id: str | None
) -> None:
    directory = write_fact_base(tmp_path, facts=WANTS_FACTS, lexicon=WANTS_LEXICON)
    match = Engine.load(directory).ask(question)
    if fact_id is None:
        assert match.outcome == "decline"
    else:
        assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        # A figure alone, as people paste it from an article: the one fact stating it.
        ("133 billion?", "cluster-turnover-2020"),
        ("1330亿是什么", "cluster-turnover-2020"),
        ("26.43%", "hisense-kelon-deal-2005"),
        ("2,600?", "furniture-highway-325"),
    ],
)
def test_a_figure_alone_finds_the_fact_that_states_it(
    engine: Engine, question: str, fact_id: str
) -> None:
    match = engine.ask(question)
    assert match.candidates and match.candidates[0].fact.id == fact_id
    assert match.outcome == "answer"


@pytest.mark.parametrize(
    "question",
    [
        "Who won the 2022 World Cup?",  # a year names what is asked about, not an answer
        "is 133 billion the 2022 turnover?",  # the fact's figure, but another year
        # Small round numbers are everyday ones, whichever fact happens to state them.
        "4",
        "10",
        "I am 23",
        "23 degrees tomorrow?",
        "are there 4 universities in Foshan?",
        "is the zone 10 km wide?",
        "我今年23岁",
        "有4所大学吗",
    ],
)
def test_a_figure_or_year_alone_does_not_make_a_near_miss_an_answer(
    engine: Engine, question: str
) -> None:
    assert engine.ask(question).outcome == "decline"


@pytest.mark.parametrize(
    ("question", "kind"), [("hello", "greeting"), ("谢谢！", "thanks"), ("bye", "goodbye")]
)
def test_smalltalk_is_recognised_not_answered(engine: Engine, question: str, kind: str) -> None:
    match = engine.ask(question)
    assert (match.outcome, match.smalltalk, match.fact) == ("decline", kind, None)


def test_greeting_with_a_question_answers_the_question(engine: Engine) -> None:
    assert engine.ask("hi! what was the turnover in 2020?").outcome == "answer"


def test_clarify_offers_the_close_candidates(engine: Engine) -> None:
    """No entity named and the candidates are about different ones: ask which is meant."""
    match = engine.ask("when was it founded?")
    assert match.outcome == "clarify"
    ids = {c.fact.id for c in match.candidates}
    # Four facts tell a founding date; the three closest are offered.
    assert "midea-origins" in ids
    assert ids <= {"midea-origins", "kelon-origins", "viomi-profile", "bear-electric-profile"}
    assert 2 <= len(match.candidates) <= 3


def test_naming_the_entity_answers_where_it_was_asked_back(engine: Engine) -> None:
    assert engine.ask("when was Kelon founded?").fact.id == "kelon-origins"  # type: ignore[union-attr]


def test_close_related_facts_answer_instead_of_asking_back(engine: Engine) -> None:
    match = engine.ask("how many of the cluster firms are high-tech?")
    assert match.outcome == "answer"
    runner_up = match.runner_up
    assert runner_up is not None and match.confidence - runner_up.confidence < 0.1
    assert runner_up.fact.id in match.fact.related  # type: ignore[union-attr]


def test_confidence_orders_outcomes(engine: Engine) -> None:
    answered = engine.ask("How many enterprises are in the smart home cluster?")
    declined = engine.ask("how many employees does Midea have")
    assert 0 <= declined.confidence < answered.confidence <= 1


def test_lang_hint_decides_only_when_the_question_has_no_words(engine: Engine) -> None:
    assert engine.ask("2020 ???", language_hint="zh").language == "zh"
    assert engine.ask("what was the turnover", language_hint="zh").language == "en"
    assert engine.ask("what was the turnover", forced_language="zh").language == "zh"


@pytest.mark.parametrize(
    "question",
    [
        "What was the turnover of the smart home cluster in 2020? " + "blah " * 5000,
        "佛山智能家居产业集群2020年营业额是多少？" + "啊" * 5000,
    ],
    ids=["en", "zh"],
)
def test_very_long_input_is_cut_not_rejected(engine: Engine, question: str) -> None:
    # Only the first 1,000 characters are read; a question there is still answered.
    match = engine.ask(question)
    assert match.outcome == "answer"
    assert match.fact is not None and match.fact.id == "cluster-turnover-2020"
    assert len(match.question) <= 1000


def test_empty_and_symbol_only_questions_decline(engine: Engine) -> None:
    for question in ("", "   ", "?!", "<b></b>", "👍"):
        assert engine.ask(question).outcome == "decline"


def test_index_works_on_another_fact_base(tiny_engine: Engine) -> None:
    assert tiny_engine.ask("how many companies are in the cluster").fact.id == "enterprises"  # type: ignore[union-attr]
    assert tiny_engine.ask("turnover of the Zhejiang cluster").outcome == "decline"
    index = build_index(tiny_engine.knowledge)
    assert match_question("集群营业额", index).fact.id == "turnover"  # type: ignore[union-attr]


#: Accuracy on all development batches (1-4 by the team, 5-7 from outside, tuned on since) may not
#: fall below these figures; precision of given answers (answers that were right, of all answers
#: given) is the figure that matters most. Figures at first sight and after tuning are in
#: tests/questions/README.md. Batch 7 joined at 95.4% precision (it was 96.7% on batches 1-6):
#: the floor was set from that measured figure, not kept by tuning.
# Pooled over every dev-batch file: a new, harder batch lowers it without any answer changing
# (dev-batch-16 joined at 71.8% answerable at first sight; the pool went 0.83+ -> 0.829).
DEV_SET_FLOOR = {"overall": 0.86, "in_scope": 0.82, "out_of_scope": 0.93, "precision": 0.95}


def test_development_set_accuracy_floor(engine: Engine) -> None:
    items = [
        i for path in sorted(QUESTIONS.glob("dev-batch-*.yaml")) for i in load_question_set(path)
    ]
    assert len(items) >= 550 and sum(1 for i in items if not i.in_scope) >= 170
    report = evaluate(engine, items)
    assert report.accuracy() >= DEV_SET_FLOOR["overall"]
    assert report.accuracy(report.in_scope) >= DEV_SET_FLOOR["in_scope"]
    assert report.accuracy(report.out_of_scope) >= DEV_SET_FLOOR["out_of_scope"]
    given = [r for r in report.results if r.match.outcome == "answer"]
    assert report.accuracy(given) >= DEV_SET_FLOOR["precision"]
    for result in report.in_scope:
        if result.correct:  # every correct answer is cited
            assert result.match.fact is not None and result.match.fact.citations


NAME_LEXICON = LEXICON.replace(
    "smalltalk:",
    "  - kind: entity\n    words: [zhong yuan, 钟源]\n"
    "  - kind: term\n    words: [yuan, rmb, 元]\nsmalltalk:",
)
AUTHOR_FACT = """\
  - id: wire-author
    questions:
      en:
        - Who wrote the wire copy?
        - Author of the wire story
        - Which reporter filed the wire?
      zh: [通稿是谁写的？, 通稿作者, 哪位记者写的通稿？]
    keywords: [Zhong Yuan, 钟源, reporter]
    answer: {en: The wire copy was written by the reporter Zhong Yuan., zh: 通稿由记者钟源撰写。}
    as_of: "2021"
    citations:
      - source: paper
        where: {en: byline, zh: 署名}
"""


@pytest.mark.parametrize(
    ("text", "present", "absent"),
    [
        ("who is zhong yuan", "zhong_yuan", "yuan"),
        ("Zhong  Yuan?", "zhong_yuan", "yuan"),
        ("133 billion yuan", "yuan", "zhong_yuan"),
        ("how many yuan", "yuan", "zhong_yuan"),
    ],
)
def test_a_lexicon_name_is_one_term_never_split(
    tmp_path: Path, text: str, present: str, absent: str
) -> None:
    engine = Engine.load(write_fact_base(tmp_path, lexicon=NAME_LEXICON))
    terms = engine.index.normaliser.terms(engine.index.normaliser.clean(text))
    assert present in terms and absent not in terms


def test_a_name_containing_a_unit_does_not_capture_money_questions(tmp_path: Path) -> None:
    engine = Engine.load(
        write_fact_base(tmp_path, facts=FACTS + AUTHOR_FACT, lexicon=NAME_LEXICON)
    )
    match = engine.ask("cluster turnover in yuan")
    assert match.fact is not None and match.fact.id == "turnover"
    assert "wire-author" not in [c.fact.id for c in match.candidates]
    assert engine.ask("who is Zhong Yuan?").fact.id == "wire-author"  # type: ignore[union-attr]


#: A question answered on its own, and the same question after sentences of context naming other
#: years, places, companies and figures: slots and conflicts are read from the part that asks,
#: so the context does not turn the right fact into a conflict.
CONTEXT_SENTENCES = [
    "I visited Shenzhen and Hangzhou in 2019 with my uncle.",
    "My parents bought a Haier fridge back in the 80s, it still works.",
    "We have imported sofas from Guangdong since 2015. Our partner in Lagos says hello.",
]
ASKED_ALONE = [
    ("What was the cluster's turnover in 2020?", "cluster-turnover-2020"),
    ("When was Kelon founded?", "kelon-origins"),
    ("When was the Foshan hi-tech zone approved by the State Council?", "zone-founding"),
]


@pytest.mark.parametrize("context", CONTEXT_SENTENCES)
@pytest.mark.parametrize(("question", "fact_id"), ASKED_ALONE)
def test_context_sentences_do_not_conflict_with_the_question(
    engine: Engine, context: str, question: str, fact_id: str
) -> None:
    alone = engine.ask(question)
    assert alone.outcome == "answer" and alone.fact and alone.fact.id == fact_id
    match = engine.ask(f"{context} {question}")
    assert match.outcome == "answer" and match.fact and match.fact.id == fact_id
    assert not [r for r in match.contradictions if not r.startswith("answer-type")]


#: The part that asks names no subject ("When did it go public?"), so the context sentences
#: fill it in: the company they name is the subject, but their other words (a town, a trade, a
#: year of reading) are only the asker's circumstances, not something the fact must state.
FILLED_FROM_CONTEXT = [
    (
        "A friend from Shunde told me about Bear Electric. When did it go public?",
        "bear-electric-listing",
    ),
    (
        "We are importers of kitchen appliances. Foshan is said to make a lot of China's "
        "microwave ovens. What is the figure?",
        "microwave-share",
    ),
    (
        "I read a 2021 report on the smart home cluster. How many of its companies are high-tech?",
        "cluster-high-tech-2020",
    ),
]


@pytest.mark.parametrize(("message", "fact_id"), FILLED_FROM_CONTEXT)
def test_words_filled_in_from_context_are_no_conflict(
    engine: Engine, message: str, fact_id: str
) -> None:
    match = engine.ask(message)
    assert match.candidates and match.candidates[0].fact.id == fact_id
    assert match.candidates[0].confidence > engine.index.decision.conflict_ceiling
    assert not [r for r in match.candidates[0].contradictions if not r.startswith("filled:")]


@pytest.mark.parametrize(
    ("message", "asking"),
    [
        (
            "I saw a 2021 story about it — how many companies are in the cluster?",
            ["how many companies are in the cluster?"],
        ),
        (
            "Before I buy their shares, the basics first - when did Midea list?",
            ["when did Midea list?"],
        ),
        ("What was the turnover in 2020?", []),
        ("How much is 15-20 percent of 133 billion?", []),
        ("佛山2016—2020年的营业额是多少？", []),
        ("What was the turnover 2016—2020?", []),
    ],
)
def test_a_dash_between_sentences_ends_one(message: str, asking: list[str]) -> None:
    assert asking_sentences(message) == asking


def test_a_span_of_years_is_not_cut_into_sentences(engine: Engine) -> None:
    """'2016—2020' asks for the whole span: the fact of the last year alone does not answer."""
    assert engine.ask("佛山2016—2020年的营业额是多少？").outcome != "answer"


@pytest.mark.parametrize(
    "message",
    [
        "I visited Foshan last spring. What was the cluster's turnover in 2023?",
        "My uncle works in Shunde. How many employees does the cluster have?",
    ],
)
def test_a_conflict_in_the_part_that_asks_still_counts(engine: Engine, message: str) -> None:
    assert engine.ask(message).outcome != "answer"


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Where did Midea start out?", "midea-origins"),
        ("How did Kelon get started?", "kelon-origins"),
        ("美的是怎么起步的", "midea-origins"),
        ("When did Bear Electric start out?", "bear-electric-profile"),
    ],
)
def test_founding_asked_in_everyday_words(engine: Engine, question: str, fact_id: str) -> None:
    # Read as founding, not as the founder or the listing: answered with the fact.
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)


@pytest.mark.parametrize(
    ("message", "fact_id", "not_held"),
    [
        (
            "Where did Midea start out, and how many employees does it have today?",
            "midea-origins",
            "employees",
        ),
        (
            "How did Kelon get started? Also what is its share price now?",
            "kelon-origins",
            "share price",
        ),
        # A yes/no part after a question is a part of its own.
        ("What's the goal for 2023, and did they actually hit it?", "goals-2023", "hit it"),
        ("Who founded Midea, and is it still run by his family?", "midea-origins", "family"),
        (
            "Who wrote the Foshan News story, and who translated it?",
            "article-author",
            "translated",
        ),
    ],
)
def test_a_compound_message_answers_the_part_it_can(
    engine: Engine, message: str, fact_id: str, not_held: str
) -> None:
    match = engine.ask(message)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)
    assert any(not_held in part for part in match.unanswered)


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("Who wrote the Foshan News piece on the cluster?", "article-author"),
        ("When was the Foshan News piece on the cluster published?", "article-publication"),
    ],
)
def test_the_article_is_the_foshan_news_piece(engine: Engine, question: str, fact_id: str) -> None:
    match = engine.ask(question)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)


@pytest.mark.parametrize(("word", "kept"), [("write", "write"), ("house", "house")])
def test_a_short_word_is_not_taken_for_a_longer_one_it_begins(
    engine: Engine, word: str, kept: str
) -> None:
    from bot.analysis import _correct_typo

    assert _correct_typo(word, engine.index) == kept  # "write" is no typo of "writer"


@pytest.mark.parametrize(
    "message",
    [
        "I run an import business in Lagos. How big were the cluster's sales in 2020? "
        "And who founded Midea?",
        "Who founded Midea? Also, what is its share price today?",
        "Bear Electric keeps showing up in my notes. Which exchnage is it listed on?",
        "佛山高新区是首批国家高新区之一吗？首批一共有多少家？",
    ],
)
def test_one_reader_per_message_reads_each_part_as_it_reads_alone(
    engine: Engine, message: str
) -> None:
    # match_question shares one Reader between a message, its sentences and its clauses.
    index = engine.index
    reader = Reader(index)
    parts = [message, *asking_sentences(message), *asking_clauses(message)]
    for part in parts + parts[::-1]:
        assert analyse(part, index, reader=reader) == analyse(part, index)
