"""Colloquial Mandarin, Cantonese, Taiwan and Hong Kong Chinese are read as standard Mandarin
before matching (the lexicon's ``readings``), so that what works for a Mandarin question works
for them: question words, answer types, slots, near misses and clause splitting."""

from __future__ import annotations

import re
from pathlib import Path

import opencc
import pytest

from bot.analysis import analyse, asking_clauses, asking_sentences
from bot.engine import Engine
from bot.knowledge import KnowledgeError, load_knowledge
from bot.matcher import match_question
from bot.normalise import MAX_QUESTION_CHARS
from tests.helpers import FACTS, LEXICON, line_of, write_fact_base


def _standard_pattern(engine: Engine) -> re.Pattern[str]:
    standards = {r.standard for r in engine.knowledge.lexicon.readings if r.standard}
    return re.compile("|".join(sorted(standards, key=len, reverse=True)))


def _forms_of(engine: Engine) -> dict[str, list[str]]:
    forms: dict[str, list[str]] = {}
    for reading in engine.knowledge.lexicon.readings:
        forms.setdefault(reading.standard, []).append(reading.form)
    return forms


def _chinese_phrasings(engine: Engine) -> list[tuple[str, str]]:
    return [(f.id, q) for f in engine.knowledge.facts for q in f.questions_zh]


def test_the_shipped_lexicon_reads_cantonese_and_colloquial_question_words(
    engine: Engine,
) -> None:
    read = {r.form: r.standard for r in engine.knowledge.lexicon.readings}
    assert read["邊個"] == "谁"
    assert read["幾多"] == "多少"
    assert read["係"] == "是"
    assert read["啥"] == "什么"
    assert read["㗎"] == "的"


def test_each_colloquial_form_of_every_chinese_phrasing_reads_as_its_mandarin_form(
    engine: Engine,
) -> None:
    """Every standard word of every stored Chinese phrasing, written in each of its colloquial
    or Cantonese forms in turn (generated from the fact base and the table, not picked), is
    read back to the Mandarin phrasing: the same cleaned text, so the same terms."""
    pattern = _standard_pattern(engine)
    forms = _forms_of(engine)
    normaliser = engine.index.normaliser
    tried = 0
    for _fact_id, phrasing in _chinese_phrasings(engine):
        for standard in {m.group(0) for m in pattern.finditer(phrasing)}:
            for form in forms[standard]:
                written = phrasing.replace(standard, form)
                assert written != phrasing
                assert normaliser.clean(written) == normaliser.clean(phrasing), written
                tried += 1
    assert tried > 500


def _in_cantonese(engine: Engine, phrasing: str, choice: int) -> str:
    """The phrasing with every standard word the table knows in one of its forms at once."""
    forms = _forms_of(engine)
    return _standard_pattern(engine).sub(
        lambda m: forms[m.group(0)][choice % len(forms[m.group(0)])], phrasing
    )


def test_every_fact_answers_the_colloquial_form_of_its_chinese_phrasings_as_the_mandarin(
    engine: Engine,
) -> None:
    """The whole phrasing in colloquial forms (the first form of each word, then the last)
    gets the same outcome, fact and confidence as the Mandarin phrasing."""
    changed = 0
    for fact_id, phrasing in _chinese_phrasings(engine):
        mandarin = match_question(phrasing, engine.index)
        for choice in (0, -1):
            written = _in_cantonese(engine, phrasing, choice)
            changed += written != phrasing
            colloquial = match_question(written, engine.index)
            assert (colloquial.outcome, colloquial.fact, colloquial.confidence) == (
                mandarin.outcome,
                mandarin.fact,
                mandarin.confidence,
            ), (fact_id, phrasing, written)
    assert changed > 100


@pytest.mark.parametrize("config", ["s2t", "s2tw", "s2hk", "s2hkp"])
def test_traditional_taiwan_and_hong_kong_characters_read_as_the_simplified_phrasing(
    engine: Engine, config: str
) -> None:
    """OpenCC's traditional, Taiwan and Hong Kong character forms of every Chinese phrasing
    are read as the simplified phrasing (Hong Kong writes 衞 for 卫: a reading)."""
    convert = opencc.OpenCC(config).convert
    normaliser = engine.index.normaliser
    for _fact_id, phrasing in _chinese_phrasings(engine):
        assert normaliser.clean(convert(phrasing)) == normaliser.clean(phrasing), phrasing


def test_taiwan_vocabulary_finds_the_same_fact(engine: Engine) -> None:
    """Taiwan wording (OpenCC s2twp: 叢集 for 集群, 智慧 for 智能...) of every Chinese phrasing
    gets the same answer. s2twp turns 代码 into 程式碼 (program code); a stock code is 股票代號
    in Taiwan, which the lexicon knows (asked below)."""
    convert = opencc.OpenCC("s2twp").convert
    for fact_id, phrasing in _chinese_phrasings(engine):
        if "代码" in phrasing:
            continue
        mandarin = match_question(phrasing, engine.index)
        taiwan = match_question(convert(phrasing), engine.index)
        assert (taiwan.outcome, taiwan.fact) == (mandarin.outcome, mandarin.fact), (
            fact_id,
            convert(phrasing),
        )
    assert match_question("小熊電器的股票代號是多少？", engine.index).fact.id == (
        "bear-electric-listing"
    )


@pytest.mark.parametrize(
    ("question", "fact_id"),
    [
        ("美的係邊個搞起㗎？", "midea-origins"),
        ("Midea 係邊個 founded 嘅？", "midea-origins"),
        ("美的幾時上市㗎？", "midea-listing"),
        ("小熊電器係幾時上市嘅？", "bear-electric-listing"),
        ("小熊電器喺邊度㗎？", "bear-electric-profile"),
        ("雲米喺邊間交易所上市？", "viomi-ipo"),
        ("海信用咗幾多錢買科龍？", "hisense-kelon-deal-2005"),
        ("佛山智能家居集群有幾多間企業？", "cluster-enterprises-2020"),
        ("cluster 有幾多間 companies？", "cluster-enterprises-2020"),
        ("集群而家有幾多間高新企業？", "cluster-high-tech-2020"),
        ("佛山高新區係幾時成立嘅？", "zone-founding"),
        ("篇文章係邊個寫嘅？", "article-author"),
        ("點解佛山叫做家居高地？", "home-furnishing-highland"),
        ("美的啥时候上市的？", "midea-listing"),
        ("小熊电器在哪儿注册的呗？", "bear-electric-profile"),
        ("佛山高新区啥时候成立的？", "zone-founding"),
        ("那篇文章谁写的来着？", "article-author"),
        # Everyday words for what is asked.
        ("集群一年做多少生意", "cluster-turnover-2020"),  # 生意 is the turnover
        ("智能家居集群的生意额有多大", "cluster-turnover-2020"),
        ("佛山到2023年要做到什么", "goals-2023"),  # 要做到 aims: a goal, not an outcome
        ("2023年佛山力争成为什么", "goals-2023"),
        ("美的当年凑了多少钱办厂", "midea-origins"),  # 凑钱 is investment, 办厂 founding
        ("科龙最早是啥时候建厂的", "kelon-origins"),
        ("蒙娜丽莎在佛山哪个区", "monalisa-group"),  # 哪个区 asks for a place
        ("試點名單係邊日公佈嘅？", "pilot-list-inclusion"),  # 邊日 is 哪天
        # Word families: everyday verbs for founding, listing and investing.
        ("美的係點樣發家嘅", "midea-origins"),  # 发家 is founding
        ("美的是哪年上的市", "midea-listing"),  # 上的市: the verb 上市 split by 的
        ("美的幾時上嘅市", "midea-listing"),
        ("美的啥时候上的市呀", "midea-listing"),
        ("雲米在哪個交易所掛牌？", "viomi-ipo"),  # 挂牌 is listing
        ("云米在哪个交易所挂牌", "viomi-ipo"),
        ("小熊电器哪天挂牌的", "bear-electric-listing"),
        ("蒙娜丽莎是哪年挂牌的", "monalisa-group"),
        ("云米是谁投的钱", "viomi-profile"),  # 投的钱: 投钱 split by 的
        ("雲米係邊個投嘅錢", "viomi-profile"),
        ("小熊電器係幾時開辦嘅", "bear-electric-profile"),  # 开办 is founding
        ("高新区是哪年建立的", "zone-founding"),
    ],
)
def test_colloquial_and_cantonese_questions_are_answered(
    engine: Engine, question: str, fact_id: str
) -> None:
    match = match_question(question, engine.index)
    assert (match.outcome, match.fact.id if match.fact else None) == ("answer", fact_id)


#: The cluster's turnover asked with a bare measure, no year and no full question: the zone's
#: torch-enterprise revenue (营收 too, in its terse phrasings) comes second close enough that the
#: cluster's fact is offered first ("Did you mean") rather than answered since the fact base's
#: phrasings in users' styles (issue 9 item 5). Accepted, measured: held out (each dev set scored
#: by a decision fitted without it) those phrasings gain 19 right answers for 1 wrong one.
BARE_TURNOVER = ["集群营收多少", "集群营收多少来着？"]


@pytest.mark.parametrize("question", BARE_TURNOVER)
def test_a_bare_turnover_question_is_the_clusters_fact_first_never_another(
    engine: Engine, question: str
) -> None:
    match = match_question(question, engine.index)
    assert match.outcome in ("answer", "clarify"), match.outcome
    assert match.candidates[0].fact.id == "cluster-turnover-2020"


@pytest.mark.parametrize(
    "question",
    [
        "集群2019年有幾多間企業？",  # another year
        "集群2022年营业额是多少来着？",
        "海信有幾多員工？",  # a measure no fact states
        "美的而家股價係幾多？",  # another figure of the company
        "佛山高新區2023年嘅目標達到咗未？",  # the outcome of a plan
        "佛山2023年的目标实现了没有啊？",
        # A completion verb asked with a bare particle (没, 未, 冇, 吗): a review finding,
        # these were answered at 0.95-0.97 by restating the plan.
        "2023年的目标达成没",
        "2023年的目标完成没有",
        "2023年嘅目標最後達標未",
        "2023年嘅目標做到冇",
        "2023年的目标达到没",
        "科龍係邊個創辦嘅？",  # a founder no fact states
        # Everyday words for a measure no fact states.
        "小熊电器的发行价是多少",  # an issue price: no fact states one
        "蒙娜丽莎一年产多少平方米瓷砖",  # an output in square metres
        "美的一年产能有多大",
        # Cantonese nouns for what no fact states: the boss, the staff, fridges sold.
        "小熊電器嘅老細係邊個？",
        "美的有幾多個伙記？",
        "科龍而家一年賣幾多部雪櫃？",
        # Everyday verbs for what no fact states: a move, exports of a company.
        "美的什么时候搬到北滘的",
        "美的總部幾時搬去北滘㗎？",
        "小熊電器幾時搬廠㗎？",
        "美的外销多少",
        "美的每年出海卖多少",
    ],
)
def test_colloquial_and_cantonese_near_misses_are_declined(engine: Engine, question: str) -> None:
    assert match_question(question, engine.index).outcome == "decline"


@pytest.mark.parametrize(
    ("question", "wants"),
    [
        ("篇文章係邊個寫嘅？", "person"),
        ("那篇文章谁写的来着？", "person"),
        ("篇文章係誰寫的？", "person"),
        ("美的幾時上市㗎？", "date"),
        ("美的啥时候上市的？", "date"),
        ("美的多会儿上市的？", "date"),
        ("美的甚麼時候上市？", "date"),
        ("集群有幾多間企業？", "number"),
        ("集群有几多间企业？", "number"),
        ("集群有多少家企业来着？", "number"),
        ("高新區有幾大？", "number"),
        ("小熊電器喺邊度註冊？", "place"),
        ("小熊电器在哪儿注册的呗？", "place"),
        # How many with any counting word.
        ("美的一年卖几台空调", "number"),
        ("科龙一年卖多少部冰箱", "number"),
        ("集群有多少名员工", "number"),
        # Which place, which body: 邊個/哪个 before a district or a department.
        ("蒙娜麗莎係佛山邊個區嘅公司？", "place"),
        ("美的总部在哪个镇？", "place"),
        ("集群要经过省里边个部门推荐？", "person"),
        ("佛山集群是哪个单位申报的？", "person"),
    ],
)
def test_question_words_say_what_kind_of_answer_is_wanted(
    engine: Engine, question: str, wants: str
) -> None:
    assert wants in analyse(question, engine.index).wants


@pytest.mark.parametrize(
    ("message", "clauses"),
    [
        ("集群有多少家企业，另外海信有多少员工？", ["集群有多少家企业", "海信有多少员工"]),
        ("集群有幾多間企業？仲有海信有幾多員工？", ["集群有幾多間企業", "海信有幾多員工"]),
        ("美的係邊個創辦嘅？順便問下佢而家股價幾多？", ["美的係邊個創辦嘅", "佢而家股價幾多"]),
        ("美的幾時上市，還有雲米喺邊度？", ["美的幾時上市", "雲米喺邊度"]),
    ],
)
def test_a_chinese_message_asking_two_things_is_split_into_its_questions(
    engine: Engine, message: str, clauses: list[str]
) -> None:
    assert asking_clauses(message, engine.index.normaliser.read) == clauses


def test_the_part_of_a_cantonese_message_the_fact_base_does_not_hold_is_named(
    engine: Engine,
) -> None:
    match = match_question("美的係邊個創辦嘅？順便問下佢而家股價幾多？", engine.index)
    assert (match.outcome, match.fact.id) == ("answer", "midea-origins")
    assert match.unanswered == ("佢而家股價幾多",)


def test_a_long_traditional_message_is_read_from_the_sentence_that_asks(engine: Engine) -> None:
    message = (
        "我喺香港做家電生意，最近聽朋友講佛山嘅企業好多。我想知道佛山智能家居集群有幾多間企業？"
    )
    match = match_question(message, engine.index)
    assert (match.outcome, match.fact.id) == ("answer", "cluster-enterprises-2020")


READINGS = LEXICON + "readings:\n  谁: [邊個]\n  多少: [幾多]\n"


def _problems(directory: Path) -> list[str]:
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(directory)
    return [str(p) for p in caught.value.problems]


def test_a_reading_applies_to_questions_of_any_fact_base(tmp_path: Path) -> None:
    engine = Engine.load(write_fact_base(tmp_path, lexicon=READINGS))
    match = engine.ask("集群有幾多家企业？")
    assert (match.outcome, match.fact.id) == ("answer", "enterprises")
    assert engine.index.normaliser.clean("集群有幾多家企业") == "集群有多少家企业"


def test_a_form_that_a_fact_uses_is_a_problem(tmp_path: Path) -> None:
    """Stored text is indexed as written; a form in it would never meet a question's."""
    facts = FACTS.replace("集群企业数量", "集群幾多企业")
    directory = write_fact_base(tmp_path, facts=facts, lexicon=READINGS)
    assert any(
        p.startswith(f"{directory / 'figures.yaml'}:")
        and "fact 'enterprises' has '集群幾多企业', whose '幾多' questions read as '多少'" in p
        for p in _problems(directory)
    )


def test_a_lexicon_word_holding_a_form_is_a_problem(tmp_path: Path) -> None:
    lexicon = READINGS.replace("[employees, staff, 员工]", "[employees, staff, 幾多员工]")
    directory = write_fact_base(tmp_path, lexicon=lexicon)
    group_line = line_of(lexicon, "幾多员工") - 1
    assert (
        f"{directory / 'lexicon.yaml'}:{group_line}: lexicon word '幾多员工' "
        "holds '幾多', which questions read as '多少': write the standard form"
    ) in _problems(directory)


@pytest.mark.parametrize(
    ("table", "message"),
    [
        ("  谁: [邊個]\n  什么: [邊個]\n", "'邊個' is already read as '谁'"),
        (
            "  谁: [邊個]\n  邊個人: [边个人]\n",
            "reading '邊個人' holds '邊個', which is read again",
        ),
        ("  who: [邊個]\n", "reading 'who' must be Chinese characters or ''"),
        ("  谁: [bin go]\n", "'bin go' in readings must be Chinese characters"),
        (
            "  谁: [邊個邊個邊個邊個邊]\n",
            "'邊個邊個邊個邊個邊' in readings is longer than 8 characters",
        ),
        (
            "  一二三四五六七八九: [乜]\n",
            "reading '一二三四五六七八九' is longer than 8 characters",
        ),
    ],
)
def test_a_bad_reading_is_a_problem(tmp_path: Path, table: str, message: str) -> None:
    lexicon = LEXICON + "readings:\n" + table
    directory = write_fact_base(tmp_path, lexicon=lexicon)
    where = f"{directory / 'lexicon.yaml'}:{line_of(lexicon, table.splitlines()[-1].strip())}: "
    assert any(p.startswith(where) and message in p for p in _problems(directory)), _problems(
        directory
    )


def test_a_readings_table_has_at_most_2000_forms(tmp_path: Path) -> None:
    """Each form is checked against every text of the fact base and read in every message:
    a table without bound would slow loading and every answer."""
    forms = [chr(0x4E00 + n) + chr(0x4E00 + n // 100) + "咩" for n in range(2001)]
    lexicon = LEXICON + "readings:\n  什么: [" + ", ".join(forms) + "]\n"
    directory = write_fact_base(tmp_path, lexicon=lexicon)
    assert any(
        p.startswith(f"{directory / 'lexicon.yaml'}:") and "at most 2000 forms" in p
        for p in _problems(directory)
    ), _problems(directory)


def test_a_message_read_stays_within_the_question_limit(tmp_path: Path) -> None:
    """A form read as a longer standard form must not make a message longer than any message
    may be (every later step costs in proportion to its length)."""
    lexicon = LEXICON + "readings:\n  一二三四五六七八: [乜]\n"
    engine = Engine.load(write_fact_base(tmp_path, lexicon=lexicon))
    normaliser = engine.index.normaliser
    assert normaliser.clean("乜乜") == "一二三四五六七八一二三四五六七八"
    assert len(normaliser.clean("乜" * MAX_QUESTION_CHARS)) <= MAX_QUESTION_CHARS
    assert len(normaliser.read("乜" * MAX_QUESTION_CHARS)) <= MAX_QUESTION_CHARS
    assert engine.ask("乜" * 4096).outcome == "decline"


@pytest.mark.parametrize(
    "mandarin",
    [
        "宜家在佛山有工厂吗",  # IKEA
        "红木有限公司",  # rosewood
        "周边一带有哪些企业",  # the surrounding area
        "哪几大家电企业在佛山",  # which big appliance makers
        "要花很多钱吗",  # does it cost a lot
        "这边几家企业上市了",
    ],
)
def test_plain_mandarin_is_read_as_written(engine: Engine, mandarin: str) -> None:
    """A form is read as its standard only when it always means it: ordinary Mandarin that
    happens to hold the characters of a form stays as written."""
    assert engine.index.normaliser.read(mandarin) == mandarin


def _near_misses(engine: Engine) -> list[tuple[str, str]]:
    """Each Chinese phrasing naming a year, asked about three years later (earlier for a
    recent year), and each naming one of the companies, asked about a company no fact is
    about (格力, 海尔, 华为: lexicon entities): generated from the fact base."""
    swaps = {"美的": "格力", "海信": "海尔", "云米": "华为", "小熊电器": "格力", "科龙": "海尔"}
    found = []
    for fact_id, phrasing in _chinese_phrasings(engine):
        year = re.search(r"(?:19|20)\d\d", phrasing)
        if year:
            other = int(year.group(0)) + (3 if int(year.group(0)) < 2022 else -7)
            found.append((fact_id, phrasing.replace(year.group(0), str(other))))
        for company, other_company in swaps.items():
            if company in phrasing:
                found.append((fact_id, phrasing.replace(company, other_company)))
    return found


def test_chinese_near_misses_in_any_style_are_not_answered_with_the_fact(engine: Engine) -> None:
    """Another year or another company than the fact states is not answered with the fact, in
    Mandarin, in Cantonese forms (the first form of each word) or colloquial ones (the last)."""
    near_misses = _near_misses(engine)
    assert len(near_misses) > 40
    for fact_id, question in near_misses:
        for written in (question, *(_in_cantonese(engine, question, c) for c in (0, -1))):
            match = match_question(written, engine.index)
            assert not (match.answered and match.fact.id == fact_id), written


@pytest.mark.parametrize(
    ("question", "no_term"),
    [
        ("这个数据是怎么测怎么算的", "测怎"),
        ("火炬中心全名叫什么", "叫什"),
        ("集群规模呢", "模呢"),
        ("园区哪几个", "区哪"),
        ("佛山厉害吗", "害吗"),
    ],
)
def test_question_words_and_particles_make_no_bigram_with_their_neighbour(
    engine: Engine, question: str, no_term: str
) -> None:
    """怎, 什, 吗, 呢, 哪, 谁 and such only ever ask or end a question: a bigram of one of them and
    the character beside it (测怎, 叫什) is no word, and would make a question match any text
    that happens to share it."""
    normaliser = engine.index.normaliser
    assert no_term not in normaliser.terms(normaliser.clean(question))


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("美的总部喺邊個區？", "美的总部在哪个区?"),
        ("集群要经过省里边个部门推荐？", "集群要经过省里哪个部门推荐?"),
        ("美的喺邊個交易所上市", "美的在哪个交易所上市"),
        ("通知係邊個簽發㗎？", "通知是谁签发的?"),
        ("篇文章係邊個寫嘅？", "篇文章是谁写的?"),
        ("美的係邊個搞起㗎？", "美的是谁创办的?"),
        ("Midea 係邊個 founded 嘅？", "Midea 是谁 founded 的?"),
        ("創辦人係邊個", "创办人是谁"),
        ("邊個負責審核？", "谁负责审核?"),
    ],
)
def test_which_before_a_noun_and_who_before_a_verb(
    engine: Engine, written: str, read: str
) -> None:
    """邊個 is "which" before a noun (邊個區, 邊個部門) and "who" before a verb, a particle or
    nothing (邊個簽發, 係邊個？). Read text keeps its punctuation in NFKC form (？ is ?)."""
    assert engine.index.normaliser.read(written) == read


@pytest.mark.parametrize(
    ("written", "read"),
    [
        ("小熊電器嘅老細係邊個", "小熊电器的老板是谁"),
        ("美的有幾多個伙記", "美的有多少个员工"),
        ("科龍一年賣幾多部雪櫃", "科龙一年卖多少部冰箱"),
        ("呢啲冷氣機幾錢", "这些空调多少钱"),
    ],
)
def test_cantonese_everyday_nouns_read_as_mandarin(
    engine: Engine, written: str, read: str
) -> None:
    """Cantonese words for the boss (老細), staff (伙記), a fridge (雪櫃), an air conditioner
    (冷氣機), "these" (呢啲) and "how much money" (幾錢) are read as their Mandarin words, so
    the measures and products of the lexicon apply to them."""
    assert engine.index.normaliser.read(written) == read


@pytest.mark.parametrize(
    ("message", "asking"),
    [
        (
            "我在佛山市科技局实习，领导让我查一下高新区火炬企业有多少家，其中高企多少家。谢谢！",
            ["高新区火炬企业有多少家", "其中高企多少家。"],
        ),
        ("我是做外贸的，老板让我问一下，美的是哪一年上市的？", ["美的是哪一年上市的?"]),
        ("我喺順德做嘢，老細叫我問下，美的幾時上市㗎？", ["美的几时上市的?"]),
        ("帮我查一下美的什么时候上市", ["美的什么时候上市"]),
        ("我在寫報告，想了解一下，集群有多少家企業？", ["集群有多少家企业?"]),
        ("集群有多少家企业", []),
        ("集群有多少家企业，其中多少家是高企？", []),
    ],
)
def test_a_chinese_clause_or_request_that_does_not_ask_is_context(
    engine: Engine, message: str, asking: list[str]
) -> None:
    """In Chinese a comma ends a clause as a full stop does, and a request (让我查一下, 叫我問下)
    ends before what it asks for: only the clauses that ask are read as the question."""
    assert asking_sentences(engine.index.normaliser.read(message)) == asking


@pytest.mark.parametrize(
    ("message", "fact_id"),
    [
        (
            "我在佛山市科技局实习，领导让我查一下2020年高新区火炬企业有多少家，其中高企多少家。"
            "麻烦帮我看下，谢谢！",
            "zone-high-tech-2020",
        ),
        ("我是做外贸的，老板让我问一下，美的是哪一年在深交所上市的？", "midea-listing"),
        ("我喺順德做嘢，老細叫我問下，美的幾時上市㗎？", "midea-listing"),
    ],
)
def test_a_long_chinese_message_is_answered_from_the_clause_that_asks(
    engine: Engine, message: str, fact_id: str
) -> None:
    match = match_question(message, engine.index)
    assert (match.outcome, match.fact.id if match.fact else None) == ("answer", fact_id)


@pytest.mark.parametrize(
    ("written", "read_as"),
    [
        ("美的啥时候上的市", "美的啥时候上市的"),
        ("美的幾時上嘅市？", "美的几时上市的"),
        ("云米是谁投的钱呀", "云米是谁投钱的呀"),
        ("美的当年怎么起的家", "美的当年怎么起家的"),
        ("小熊上了市没有", "小熊上市了没有"),
        ("小熊電器上咗市未", "小熊电器上市了未"),
    ],
)
def test_a_word_split_by_a_particle_at_the_end_of_a_clause_reads_as_the_word(
    engine: Engine, written: str, read_as: str
) -> None:
    """Separable verbs (上市, 起家, 投钱: lexicon words of two characters) split by 的, 了 or 过
    at the end of a clause, as speech splits them, are read as the word."""
    normaliser = engine.index.normaliser
    assert normaliser.clean(written) == normaliser.clean(read_as)


@pytest.mark.parametrize(
    "written", ["美的在国内市场上的市场份额", "美的线上的市场有多大", "集群在海外市场上的市场占比"]
)
def test_a_particle_inside_a_longer_word_does_not_join_a_split_verb(
    engine: Engine, written: str
) -> None:
    """Not at the end of a clause: 上的市场 is "the market on ...", not a listing (上市)."""
    assert "上市" not in engine.index.normaliser.clean(written)


@pytest.mark.parametrize(
    ("message", "outcome"),
    [
        # A clause that names a year (or a figure) before the comma frames the question: the
        # year is the question's own, so another year's fact does not answer it (a review
        # finding: these were answered 0.80-0.98 with the 2019 or 2020 figure).
        ("2021年，高新区GDP多少", "decline"),
        ("2018年，美的销售额多少", "decline"),
        ("2016年，佛山高新区GDP占全市多少", "decline"),
        ("二〇二一年，高新区GDP是多少", "decline"),
        ("2021年嘅時候，高新區GDP係幾多？", "decline"),
        ("2019年，集群营收多少", "decline"),
        # The year the fact states, framed the same way, is answered.
        ("2019年，高新区GDP多少", "answer"),
        ("2020年，集群营收多少", "answer"),
    ],
)
def test_a_year_before_a_comma_is_part_of_the_question(
    engine: Engine, message: str, outcome: str
) -> None:
    assert match_question(message, engine.index).outcome == outcome
