"""Fact attributes, the question read into the same slots, answer-type fit, and the fitted
decision (its parameters are data that must match the fact base)."""

from __future__ import annotations

import hashlib
import json
from dataclasses import replace
from pathlib import Path

import pytest
from helpers import FACTS, LEXICON, write_fact_base

from bot.analysis import analyse
from bot.bench import synthetic_knowledge
from bot.decision import DECISION_FILE, FEATURES, HEURISTIC, DecisionModel, knowledge_fingerprint
from bot.engine import Engine
from bot.fitting import fit, fit_logistic, format_held_out, held_out
from bot.index import Index, build_index
from bot.knowledge import KnowledgeBase, KnowledgeError, load_knowledge

KNOWLEDGE = Path(__file__).parent.parent / "knowledge"

ATTRIBUTED_LEXICON = LEXICON.replace(
    "groups:\n",
    "attributes:\n  entity: [cluster, zhejiang]\n  measure: [turnover, enterprises, employees]\n"
    "groups:\n",
).replace(
    "  - kind: measure\n    words: [turnover",
    "  - kind: measure\n    name: turnover\n    words: [turnover",
)


def _with_attributes(attributes: str) -> str:
    return FACTS.replace(
        "    shortcut: turnover\n", f"    attributes: {attributes}\n    shortcut: turnover\n"
    )


def test_decision_parameters_match_the_fact_base(engine: Engine) -> None:
    """After a fact base change run `python -m bot fit` and commit knowledge/decision.json."""
    data = json.loads((KNOWLEDGE / DECISION_FILE).read_text(encoding="utf-8"))
    assert data["fingerprint"] == knowledge_fingerprint(engine.knowledge), (
        "knowledge/decision.json was fitted on another fact base: run `python -m bot fit`"
    )
    assert data["features"] == list(FEATURES)
    assert engine.index.decision.fitted
    assert not [w for w in engine.warnings if DECISION_FILE in w.file]


def _one_json_hash(knowledge: KnowledgeBase) -> str:
    """What the fingerprint is: the hash of one JSON text of what the decision depends on."""
    facts = [
        [f.id, list(f.questions), list(f.keywords), f.answer.en, f.answer.zh,
         list(f.attributes.entity), list(f.attributes.measure), f.attributes.period,
         list(f.attributes.answer)]
        for f in knowledge.facts
    ]  # fmt: skip
    lexicon = knowledge.lexicon
    groups = [[g.kind, list(g.words), g.wants, g.name] for g in lexicon.groups]
    data = [facts, groups, list(lexicon.home_places), sorted(lexicon.vocabulary.items())]
    text = json.dumps(data, ensure_ascii=False, sort_keys=True)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


@pytest.mark.parametrize("facts", [None, 0, 1, 1000, 2345])
def test_the_fingerprint_hashes_one_json_text_of_the_fact_base(
    engine: Engine, facts: int | None
) -> None:
    """Computed a slice of facts at a time (memory at 100,000 facts), the same hash."""
    knowledge = engine.knowledge
    if facts is not None:
        knowledge = synthetic_knowledge(facts, shipped=knowledge)
    assert knowledge_fingerprint(knowledge) == _one_json_hash(knowledge)


def test_every_shipped_fact_says_what_it_states(engine: Engine) -> None:
    vocabulary = engine.knowledge.lexicon.vocabulary
    for fact in engine.knowledge.facts:
        attributes = fact.attributes
        assert attributes.entity and attributes.measure and attributes.answer, fact.id
        assert set(attributes.entity) <= set(vocabulary["entity"]), fact.id
        assert set(attributes.measure) <= set(vocabulary["measure"]), fact.id


def test_attributes_load_as_records(tmp_path: Path) -> None:
    directory = write_fact_base(
        tmp_path,
        facts=_with_attributes(
            '{entity: cluster, measure: [turnover], period: "2020", answer: figure}'
        ),
        lexicon=ATTRIBUTED_LEXICON,
    )
    knowledge, _ = load_knowledge(directory)
    attributes = knowledge.facts[0].attributes
    assert (attributes.entity, attributes.measure, attributes.period, attributes.answer) == (
        ("cluster",),
        ("turnover",),
        "2020",
        ("figure",),
    )


@pytest.mark.parametrize(
    ("attributes", "message"),
    [
        (
            "{entity: cluster, measure: profit, answer: figure}",
            "fact 'turnover' has measure 'profit', which the lexicon's attributes vocabulary does not list",
        ),
        (
            "{entity: Cluster, measure: turnover, answer: figure}",
            "fact 'turnover' has entity 'Cluster', which the lexicon's attributes vocabulary does not list",
        ),
        (
            "{entity: cluster, measure: turnover, answer: amount}",
            "unknown answer type 'amount' of fact 'turnover'",
        ),
        (
            '{entity: cluster, measure: turnover, period: "last year", answer: figure}',
            "period 'last year' of fact 'turnover' is not a year or a range of years",
        ),
        (
            "{entity: cluster, answer: figure}",
            "'attributes' of fact 'turnover' is missing required field 'measure'",
        ),
    ],
)
def test_attribute_values_are_checked_against_the_vocabulary(
    tmp_path: Path, attributes: str, message: str
) -> None:
    directory = write_fact_base(
        tmp_path, facts=_with_attributes(attributes), lexicon=ATTRIBUTED_LEXICON
    )
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(directory)
    assert any(message in str(p) for p in raised.value.problems), raised.value.problems


def test_a_group_name_must_be_in_the_vocabulary(tmp_path: Path) -> None:
    lexicon = ATTRIBUTED_LEXICON.replace("name: turnover", "name: sales")
    with pytest.raises(KnowledgeError) as raised:
        load_knowledge(write_fact_base(tmp_path, lexicon=lexicon))
    assert any(
        "group name 'sales' is not in the attributes vocabulary" in str(p)
        for p in raised.value.problems
    )


@pytest.mark.parametrize(
    ("question", "entities", "measures", "years", "wants"),
    [
        ("What was the cluster's turnover in 2020?", {"cluster"}, {"turnover"}, {"2020"}, set()),
        ("佛山高新区2019年的GDP是多少", {"foshan", "zone"}, {"gdp"}, {"2019"}, set()),
        ("who founded Midea", {"midea"}, {"founder"}, set(), set()),
        ("Who wrote the article?", {"article"}, set(), set(), {"person"}),
        ("when did Kelon start", {"kelon"}, set(), set(), {"date"}),
        (
            "how many high tech firms in the zone",
            {"zone"},
            {"high-tech", "enterprises"},
            set(),
            {"number"},
        ),
        (
            "Did Foshan reach its 2023 goal?",
            {"foshan"},
            {"outcome", "goal"},
            {"2023"},
            {"yes-no", "outcome"},
        ),
        ("目标实现了吗", set(), {"goal", "outcome"}, set(), {"yes-no", "outcome"}),
        ("Is Midea listed?", {"midea"}, {"listing"}, set(), {"yes-no"}),
        # Names asked for, in any wording; not a measure's value, a time or a choice:
        ("Which zone topped the index?", {"zone"}, set(), set(), {"name"}),
        ("Can you list all 43 clusters?", {"cluster"}, set(), set(), {"name"}),
        (
            "What is Viomi's Foshan company called?",
            {"viomi", "foshan"},
            {"names", "enterprises"},
            set(),
            {"name"},
        ),
        ("广东另外三个集群叫什么", {"guangdong", "cluster"}, {"names"}, set(), {"name"}),
        ("Which national target does the list tie into?", {"china"}, {"goal"}, set(), set()),
        ("Which is right, 1,864 or 2,931?", set(), set(), set(), set()),
        ("Which period is that microwave share from?", {"microwave-ovens"}, set(), set(), set()),
    ],
)
def test_questions_are_read_into_the_facts_slots(
    engine: Engine,
    question: str,
    entities: set[str],
    measures: set[str],
    years: set[str],
    wants: set[str],
) -> None:
    analysis = analyse(question, engine.index)
    assert (
        set(analysis.entities),
        set(analysis.measures),
        set(analysis.years),
        set(analysis.wants),
    ) == (
        entities,
        measures,
        years,
        wants,
    )


@pytest.mark.parametrize(
    ("question", "fact_id", "fits", "clashes"),
    [
        ("who wrote the article", "article-author", 1.0, 0.0),
        ("who published the 2021 list", "pilot-list-count", 0.0, 1.0),
        ("when was Midea founded", "midea-origins", 1.0, 0.0),
        ("how many enterprises are in the cluster", "cluster-enterprises-2020", 1.0, 0.0),
        ("how many brands are household names", "household-brands", 0.0, 1.0),
        ("where is Bear Electric registered", "bear-electric-profile", 1.0, 0.0),
        ("Did Foshan reach its 2023 goal?", "goals-2023", 0.0, 1.0),
        ("What is Foshan's goal for 2023?", "goals-2023", 0.0, 0.0),
        ("What does Foshan plan to achieve by 2023?", "goals-2023", 0.0, 0.0),
        ("What does Foshan aim to have achieved by 2023?", "goals-2023", 0.0, 0.0),
        # "Where ... from" asks for a source, which a newspaper or company gives:
        ("Where does the article's photo come from?", "article-author", 1.0, 0.0),
        ("文章的配图来自哪里", "article-author", 1.0, 0.0),
        # Who or what something is does not say when, whatever year its answer mentions:
        ("when did the Torch Center publish the list", "torch-center", 0.0, 1.0),
        ("Torch Center list release date", "torch-center", 0.0, 1.0),
        ("火炬中心的名单是哪一天公布的", "torch-center", 0.0, 1.0),
        ("Torch Center list release date", "pilot-list-inclusion", 1.0, 0.0),  # states it
        # An outcome asked anywhere in the question, not only by its first word:
        (
            "How many innovative clusters has China built so far?",
            "national-goal-100-clusters",
            0.0,
            1.0,
        ),
        ("Is Foshan already a National Manufacturing Innovation Center?", "goals-2023", 0.0, 1.0),
        ("So did the zone actually meet its 2025 plan?", "zone-leading-clusters-plan", 0.0, 1.0),
        ("国家级创新型产业集群已经建成多少个？", "national-goal-100-clusters", 0.0, 1.0),
        ("佛山真的建成国家制造业创新中心了吗", "goals-2023", 0.0, 1.0),
        # "Where did it rank" asks for a place in a ranking, which a figure gives:
        (
            "Where did the zone rank in the manufacturing index?",
            "zone-manufacturing-index",
            1.0,
            0.0,
        ),
        ("Where was the hi-tech zone ranked in 2020?", "zone-manufacturing-index", 1.0, 0.0),
        # Names asked for: a count, a rank or a date alone does not give them.
        ("Which zone topped the manufacturing index?", "zone-manufacturing-index", 0.0, 1.0),
        ("Which were the other Guangdong clusters on the list?", "pilot-list-guangdong", 0.0, 1.0),
        ("广东另外三个入选的集群叫什么？", "pilot-list-guangdong", 0.0, 1.0),
        ("Can you list all the clusters on the 2021 list?", "pilot-list-count", 0.0, 1.0),
        ("Which other clusters are on the 2021 list?", "pilot-list-other-named", 0.0, 0.0),
        ("Which zone put the cluster forward for the list?", "pilot-list-submitted-by", 0.0, 0.0),
        ("Which Shunde company first passed 10 billion yuan?", "midea-sales-2000", 0.0, 0.0),
        ("Who approved the setting up of the zone?", "zone-founding", 1.0, 0.0),
        ("Which year was the hi-tech zone set up?", "zone-founding", 1.0, 0.0),
        # No date and no period: a year in passing does not say when.
        ("By what year should China have 100 clusters?", "national-goal-100-clusters", 0.0, 1.0),
        ("Which year is the 380.5 billion yuan output from?", "zone-output-2016", 0.0, 0.0),
    ],
)
def test_answer_type_fits_what_is_asked(
    engine: Engine, question: str, fact_id: str, fits: float, clashes: float
) -> None:
    from bot.matcher import rank_candidates

    analysis = analyse(question, engine.index)
    candidate = next(
        c for c in rank_candidates(analysis, question, engine.index) if c.fact.id == fact_id
    )
    features = dict(zip(FEATURES, candidate.features, strict=True))
    assert (features["type_fit"], features["type_clash"]) == (fits, clashes)


#: Questions the fitted decision must not answer with the fact their words point at: the fact
#: states a plan, not an outcome; a date, not a person; the cluster, not another batch.
NOT_ANSWERED = [
    ("Did Foshan reach its 2023 goal?", "goals-2023"),
    ("Has the hi-tech zone achieved its 2025 plan?", "zone-leading-clusters-plan"),
    ("Who founded Viomi?", "viomi-profile"),
    ("How many clusters were in the third batch of pilots?", "first-batch-pilots"),
    ("Does Midea make robots?", "midea-origins"),
    # An attribute the fact does not state (the lexicon's measures), in any wording:
    ("What is the job title of the article's author?", "article-author"),
    ("文章作者的职务是什么", "article-author"),
    ("What's the occupation of Midea's founder?", "midea-origins"),
]


#: Every word of a stored phrasing (token-set similarity 1), and an outcome the fact does not
#: state: the conflict counts (only a stored question asked as it is is exempt).
OUTCOME_NEAR_MISSES = [
    (
        "Will Foshan become a National Manufacturing Innovation Center? Has it already?",
        "goals-2023",
    ),
    (
        "How many national-level innovative industrial clusters have actually been built?",
        "national-goal-100-clusters",
    ),
]


@pytest.mark.parametrize(("question", "fact_id"), NOT_ANSWERED + OUTCOME_NEAR_MISSES)
def test_near_misses_are_not_answered_with_the_fact_they_resemble(
    engine: Engine, question: str, fact_id: str
) -> None:
    match = engine.ask(question)
    assert not (match.outcome == "answer" and match.fact and match.fact.id == fact_id)


def test_confidence_is_a_probability_from_the_fitted_weights(engine: Engine) -> None:
    match = engine.ask("What was the turnover of the Foshan smart home cluster in 2020?")
    best = match.candidates[0]
    assert match.outcome == "answer"
    assert best.confidence == round(engine.index.decision.probability(best.features), 4)
    assert match.confidence >= engine.index.decision.answer_threshold


def test_another_fact_base_without_parameters_uses_the_heuristic(tiny_engine: Engine) -> None:
    assert tiny_engine.index.decision is HEURISTIC
    assert tiny_engine.ask("how many companies are in the cluster").fact.id == "enterprises"  # type: ignore[union-attr]


def test_stale_parameters_are_a_warning_that_says_to_refit(tiny_dir: Path) -> None:
    model = DecisionModel(
        weights=tuple([0.0] * len(FEATURES)),
        mean=tuple([0.0] * len(FEATURES)),
        scale=tuple([1.0] * len(FEATURES)),
        fingerprint="old",
    )
    (tiny_dir / DECISION_FILE).write_text(json.dumps(model.to_json()), encoding="utf-8")
    engine = Engine.load(tiny_dir)
    assert engine.index.decision.fitted
    assert [w.message for w in engine.warnings if DECISION_FILE in w.file] == [
        "decision parameters were fitted on another version of the fact base: run `python -m bot fit`"
    ]


def test_logistic_regression_learns_a_separable_rule() -> None:
    rows = [(float(x), float(y)) for x in range(10) for y in range(10)]
    labels = [x > y for x, y in rows]
    weights, bias, mean, scale = fit_logistic(rows, labels)
    model = DecisionModel(tuple(weights), bias, tuple(mean), tuple(scale))
    assert weights[0] > 0 > weights[1]
    assert model.probability((9.0, 0.0)) > 0.95 > 0.05 > model.probability((0.0, 9.0))


def test_index_without_a_model_is_the_heuristic(engine: Engine) -> None:
    assert build_index(engine.knowledge).decision is HEURISTIC


#: The issue's confident wrong answers, tried as a new user would: each now declines (showing
#: the fact it resembles as a suggestion) instead of answering with that fact.
ISSUE_NEAR_MISSES = [
    ("What is the turnover of Foshan's ceramic industry?", "pillar-industries"),
    ("What share of China's refrigerators does Foshan make?", "microwave-share"),
    ("Does Midea make robots?", "midea-origins"),
    ("Who leads the Torch Center?", "torch-center"),
    ("Did Foshan reach its 2023 goal?", "goals-2023"),
]


@pytest.mark.parametrize(("question", "resembles"), ISSUE_NEAR_MISSES)
def test_a_decline_still_shows_the_fact_it_resembles(
    engine: Engine, question: str, resembles: str
) -> None:
    match = engine.ask(question)
    assert match.outcome == "decline"
    assert resembles in [c.fact.id for c in match.candidates]
    assert 1 <= len(match.candidates) <= 3


def test_switched_off_the_decision_takes_those_near_misses_for_their_fact(engine: Engine) -> None:
    """The tables above test the mechanism: without the conflict cap (slots and answer types),
    or with the hand-set heuristic instead of the fitted decision, most are read as the fact
    they resemble: it comes first, and it is answered, or offered, or at least given more
    confidence than the working decision gives it (the cap, not the ranking, declines them)."""
    from bot.matcher import match_question

    uncapped = replace(engine.index, decision=replace(engine.index.decision, conflict_ceiling=1.0))
    heuristic = replace(engine.index, decision=HEURISTIC)

    def taken_for(question: str, fact_id: str, index: Index) -> bool:
        working = {c.fact.id: c.confidence for c in engine.ask(question).candidates}
        switched_off = match_question(question, index)
        first = switched_off.candidates[0] if switched_off.candidates else None
        return (
            first is not None
            and first.fact.id == fact_id
            and (
                switched_off.outcome in ("answer", "clarify")
                or (index is uncapped and first.confidence > working.get(fact_id, 0.0))
            )
        )

    taken = [
        question
        for question, fact_id in NOT_ANSWERED + ISSUE_NEAR_MISSES
        if any(taken_for(question, fact_id, index) for index in (uncapped, heuristic))
    ]
    assert len(taken) >= 5, taken


@pytest.mark.parametrize(
    ("message", "fact_id", "not_held"),
    [
        ("Who founded Midea? Also what is its stock price today?", "midea-origins", "stock price"),
        (
            "When did Midea list on the Shenzhen Stock Exchange, and what was its share price on the first day?",
            "midea-listing",
            "share price",
        ),
        (
            "佛山家居产业集群的规模现在有多大？佛山常住人口又是多少？",
            "home-furnishing-trillion",
            "人口",
        ),
        (
            "What was the hi-tech zone's GDP in 2019, and what was it in 2021?",
            "zone-gdp-2019",
            "2021",
        ),
        (
            "How many enterprises are in the cluster, and how many employees do they have?",
            "cluster-enterprises-2020",
            "employees",
        ),
    ],
)
def test_a_compound_message_answers_the_part_it_can_and_names_the_other(
    engine: Engine, message: str, fact_id: str, not_held: str
) -> None:
    from bot.matcher import match_message
    from bot.render import format_match_text

    match = engine.ask(message)
    assert (match.outcome, match.fact and match.fact.id) == ("answer", fact_id)
    assert len(match.unanswered) == 1 and not_held in match.unanswered[0]
    assert not_held in format_match_text(engine.knowledge, match).split("\n\n")[-1]
    # The mechanism: the message taken whole says nothing about the part it cannot answer.
    assert match_message(message, engine.index).unanswered == ()


@pytest.mark.parametrize(
    "question", ["what do you know?", "What can you do?", "你能回答什么", "你能回答什麼？"]
)
def test_what_can_you_do_lists_the_topics(engine: Engine, question: str) -> None:
    from bot.render import format_match_text

    match = engine.ask(question)
    assert (match.outcome, match.smalltalk) == ("decline", "capabilities")
    reply = format_match_text(engine.knowledge, match)
    for topic in engine.knowledge.topics:
        assert topic.title.get(match.language) in reply


def test_a_measure_the_attributes_list_is_not_a_contradiction(engine: Engine) -> None:
    """Monalisa's fact says "in Nanhai District", not "headquartered": its attributes say it
    states the headquarters, so the question's measure does not count against it."""
    from bot.matcher import rank_candidates

    question = "Where is Monalisa headquartered?"
    candidates = rank_candidates(analyse(question, engine.index), question, engine.index)
    monalisa = next(c for c in candidates if c.fact.id == "monalisa-group")
    assert not [r for r in monalisa.contradictions if r.startswith("measure:")]
    assert "headquarters" in monalisa.fact.attributes.measure


def test_leave_one_set_out_scores_each_set_with_a_decision_fitted_without_it(
    tiny_dir: Path, tmp_path: Path
) -> None:
    sets = {
        "a.yaml": '- {q: "cluster revenue", expect: turnover}\n'
        '- {q: "what is the weather", expect: decline}\n',
        "b.yaml": '- {q: "how many firms are in the cluster", expect: enterprises}\n'
        '- {q: "turnover of the Zhejiang cluster", expect: decline, kind: near-miss}\n',
    }
    paths = []
    for name, text in sets.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
        paths.append(tmp_path / name)
    knowledge, _ = load_knowledge(tiny_dir)
    results = held_out(knowledge, paths)
    assert [r.name for r in results] == ["a.yaml", "b.yaml"]
    for result, others in zip(results, ([paths[1]], [paths[0]]), strict=True):
        alone = fit(knowledge, others)[0]
        assert (result.model.weights, result.model.answer_threshold) == (
            alone.weights,
            alone.answer_threshold,
        )
        assert len(result.report.results) == 2
    table = format_held_out(results)
    assert table.splitlines()[-1].startswith("all (each held out)")


@pytest.mark.parametrize("question", ["How tall is the tallest building in Foshan?"])
def test_a_question_about_something_else_in_a_known_place_is_declined_not_asked_back(
    engine: Engine, question: str
) -> None:
    """Asking back ("Did you mean") on a question nobody can answer costs more than it helps:
    the fit weighs each such one against ``CLARIFY_COST`` helpful ones."""
    assert engine.ask(question).outcome == "decline"


@pytest.mark.parametrize(
    "question", ["how many dragon boats does Shunde have?", "how many temples does Shunde have?"]
)
def test_a_count_of_something_unknown_in_a_known_place_is_never_answered(
    engine: Engine, question: str
) -> None:
    """Words the fact base does not know ("dragon boats") weigh little, so "how many ... in
    Shunde" reads close to the furniture makers along Highway 325: never answered, though
    since the refit of session 4 it is asked back ("Did you mean") at about 0.35 (known gap:
    unknown words are not yet evidence that a question is about something else)."""
    assert engine.ask(question).outcome != "answer"


@pytest.mark.parametrize(
    ("wrong_every", "given_below_the_sure_ones"),
    [
        # Below the 500th, four right answers to each wrong one: 80% is not worth it (a wrong
        # answer costs six right ones), so (nearly) only the 500 sure ones are given.
        (5, range(0, 26)),
        # Nine right to each wrong one (90%): worth answering, (nearly) all of them.
        (10, range(450, 501)),
    ],
)
def test_the_answer_threshold_weighs_each_wrong_answer_against_right_ones(
    wrong_every: int, given_below_the_sure_ones: range
) -> None:
    """Nearly, not exactly: the threshold is the mean of the best one over resamples of the
    questions (see ``choose_thresholds``), and in a resample the first wrong answers below the
    sure ones may be missing; 500 questions each side make that a few answers either way."""
    from bot.fitting import WRONG_ANSWER_COST, Outcome, choose_thresholds

    assert WRONG_ANSWER_COST == 6.0  # the reasoning above (see fitting.py)
    # 1000 answerable questions, best first; every n-th from the 500th on is wrong.
    outcomes = [
        Outcome("set", (1000 - n) / 1000, not (n >= 500 and n % wrong_every == 0), True, True)
        for n in range(1000)
    ]
    threshold, _ = choose_thresholds(outcomes)
    given = [o for o in outcomes if o.confidence >= threshold]
    assert len(given) - 500 in given_below_the_sure_ones


def test_a_new_question_set_weighs_as_much_as_an_old_big_one() -> None:
    from bot.fitting import Outcome, choose_thresholds

    # An old, easy set: 1000 right answers from 0.99 down to 0.50. A new set: 600 answers from
    # 0.95 down to 0.51, one in three below 0.70 wrong (worth less than it costs).
    easy = [Outcome("old", 0.99 - n * 0.49 / 999, True, True, True) for n in range(1000)]
    new = [
        Outcome("new", 0.95 - n * 0.00075, not (n >= 340 and n % 3 == 1), True, True)
        for n in range(600)
    ]
    wrong = [o for o in new if not o.right]

    def wrong_given(outcomes: list[Outcome]) -> int:
        threshold, _ = choose_thresholds(outcomes)
        return len([o for o in wrong if o.confidence >= threshold])

    # Near the new set's first wrong answer: few of its 87 wrong answers down there are given.
    assert wrong_given(easy + new) < 20
    # Question by question, the old set's 400 right answers below 0.70 would take it lower.
    assert wrong_given(easy + [replace(o, group="old") for o in new]) > 50


def test_a_set_of_one_wrong_answer_does_not_outweigh_big_sets() -> None:
    from bot.fitting import Outcome, choose_thresholds

    # Three sets of 120 right answers from 0.99 down to 0.50, and a curator's set of one
    # question answered wrongly at 0.95: it weighs as one sixtieth of a set, not as a set.
    big = [
        Outcome(name, 0.99 - n * 0.49 / 119, True, True, True)
        for name in ("a", "b", "c")
        for n in range(120)
    ]
    one = [Outcome("one", 0.95, False, False, True)]
    assert choose_thresholds(big + one)[0] < 0.51  # (nearly) all 360 right answers given


@pytest.mark.parametrize(
    ("outcomes", "lowest"),
    [
        # A small set forgives no wrong answer: one right one at 0.9, two wrong below it.
        ([(0.9, True), (0.05, False), (0.0, False)], 0.9),
        # Declines only (nothing right to answer): nothing is answered below the cautious 0.99.
        ([(0.4, False), (0.3, False)], 0.99),
        # Tied confidences are answered together: the threshold never splits a tie.
        ([(0.95, True), (0.8, True), (0.8, False), (0.8, False), (0.7, False)], 0.95),
    ],
)
def test_a_few_questions_never_lower_the_threshold_to_their_wrong_answers(
    outcomes: list[tuple[float, bool]], lowest: float
) -> None:
    """A curator's small question set alone: a wrong answer costs six right ones, so a handful
    of questions never takes the threshold down to its wrong answers."""
    from bot.fitting import Outcome, choose_thresholds

    threshold, _ = choose_thresholds(
        [Outcome("set", confidence, right, right, True) for confidence, right in outcomes]
    )
    assert threshold > max(confidence for confidence, right in outcomes if not right)
    assert threshold > lowest - 0.01


def test_without_any_question_the_threshold_is_the_cautious_one() -> None:
    from bot.fitting import choose_thresholds

    assert choose_thresholds([]) == (0.99, 0.99)
