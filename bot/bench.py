"""Benchmarks: cold start, index build, time per question and memory, with a BM25 baseline timed
side by side on the same questions.

On the shipped fact base the questions are the question sets (the team's, plus the outside
development set when ``../shared/questions/`` is there), long chatty messages included; on a
synthetic fact base of any size (realistic bilingual phrasings, so the index sees real
vocabulary) they are its own phrasings with typos, dropped words, chatty context and misses.
"""

from __future__ import annotations

import gc
import random
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import yaml

from bot.baseline import NAME as BASELINE_NAME
from bot.baseline import Bm25Baseline, baseline_missing
from bot.decision import knowledge_fingerprint
from bot.engine import read_decision
from bot.knowledge import (
    Bilingual,
    Citation,
    Fact,
    KnowledgeBase,
    Source,
    Topic,
    default_knowledge_dir,
    load_knowledge,
)
from bot.matcher import build_index, match_question

#: Above this many facts the baseline is not run: jieba and rank-bm25 take minutes there.
BASELINE_MAX_FACTS = 5000
#: Chatty context around a question, as people write to a bot.
_CHATTY = [
    ("Hi! I'm writing a report on industrial clusters in Guangdong for my university paper. "
     "My editor wants numbers.", "Thanks a lot!"),
    ("Quick question for a school project, hope you can help.", "Cheers"),
    ("我在写一篇关于广东产业集群的报告，老师要求有具体数据。", "谢谢！"),
]  # fmt: skip

_SYLLABLES = (
    "ka", "lo", "mi", "ran", "shu", "tai", "ven", "bo", "zhi", "qua", "lin", "fen",
    "hao", "pe", "dor", "sen", "wu", "xi", "ya", "mo", "ren", "tech", "tron",
)  # fmt: skip
_HANZI = "华宏远创兴达盛美安信通恒泰科新锐鼎佳联合云智光源海天明德嘉合博瑞"
_MEASURES = [
    ("turnover", "营业额", "billion yuan", "亿元"),
    ("number of employees", "员工人数", "people", "人"),
    ("exports", "出口额", "million dollars", "万美元"),
    ("profit", "利润", "million yuan", "万元"),
    ("number of patents", "专利数量", "patents", "项"),
    ("output value", "产值", "billion yuan", "亿元"),
    ("investment", "投资额", "million yuan", "万元"),
    ("market share", "市场占有率", "percent", "%"),
]
_CITIES = [
    ("Foshan", "佛山"),
    ("Shunde", "顺德"),
    ("Nanhai", "南海"),
    ("Guangzhou", "广州"),
    ("Dongguan", "东莞"),
]


def _entity(rng: random.Random) -> tuple[str, str]:
    name = "".join(rng.choice(_SYLLABLES) for _ in range(rng.randint(2, 3))).capitalize()
    return (
        f"{name} {rng.choice(['Electric', 'Furniture', 'Lighting', 'Ceramics', 'Home'])}",
        "".join(rng.choice(_HANZI) for _ in range(rng.randint(2, 4))),
    )


def synthetic_knowledge(
    size: int, seed: int = 7, shipped: KnowledgeBase | None = None
) -> KnowledgeBase:
    """A fact base of ``size`` facts about made-up companies, each with 6 bilingual phrasings."""
    rng = random.Random(seed)
    if shipped is None:  # its lexicon is the synthetic base's
        shipped, _ = load_knowledge()
    source = Source(
        id="synthetic",
        title="Synthetic",
        publisher="bench",
        url="https://example.invalid/",
        language="en",
    )
    facts = []
    citations = (
        Citation(source_id="synthetic", where="table"),
    )  # one shared record, as in a table
    entities = [_entity(rng) for _ in range(max(size // 4, 1))]
    for number in range(size):
        en_name, zh_name = rng.choice(entities)
        measure, measure_zh, unit, unit_zh = rng.choice(_MEASURES)
        city, city_zh = rng.choice(_CITIES)
        year = rng.randint(1995, 2025)
        value = round(rng.uniform(1, 900), 1)
        facts.append(
            Fact(
                id=f"fact-{number}",
                topic="synthetic",
                questions_en=(
                    f"What was the {measure} of {en_name} in {year}?",
                    f"How much {measure} did {en_name} in {city} report for {year}?",
                    f"{en_name} {measure} {year}",
                ),
                questions_zh=(
                    f"{city_zh}{zh_name}{year}年的{measure_zh}是多少？",
                    f"{zh_name}{year}年{measure_zh}多少",
                    f"{year}年{zh_name}的{measure_zh}",
                ),
                answer=Bilingual(
                    en=f"In {year}, the {measure} of {en_name} ({city}) was {value} {unit}.",
                    zh=f"{year}年，{city_zh}{zh_name}的{measure_zh}为{value}{unit_zh}。",
                ),
                as_of=str(year),
                citations=citations,
            )
        )
    return KnowledgeBase(
        facts=tuple(facts),
        sources={"synthetic": source},
        topics=(Topic("synthetic", Bilingual("Synthetic", "合成"), "synthetic"),),
        lexicon=shipped.lexicon,
        directory=Path("."),
        updated="synthetic",
    )


def _questions(knowledge: KnowledgeBase, count: int, seed: int = 11) -> list[str]:
    """Questions as users send them: stored phrasings with typos, dropped words and chatty
    context, plus misses."""
    rng = random.Random(seed)
    misses = [
        "hello",
        "what is the weather today",
        "who won the match",
        "佛山有什么好吃的",
        "tell me a joke",
    ]
    questions = []
    for _ in range(count):
        roll = rng.random()
        if roll < 0.1:
            questions.append(rng.choice(misses))
            continue
        fact = rng.choice(knowledge.facts)
        text = rng.choice(fact.questions)
        words = text.split()
        if roll < 0.4 and len(words) > 3:
            words.pop(rng.randrange(len(words)))
        if roll < 0.6 and words:
            position = rng.randrange(len(words))
            word = words[position]
            if len(word) > 4:
                cut = rng.randrange(1, len(word) - 1)
                words[position] = word[:cut] + word[cut + 1] + word[cut] + word[cut + 2 :]
        text = " ".join(words)
        if roll > 0.85:  # long chatty messages cost most: about one in seven
            before, after = rng.choice(_CHATTY)
            text = f"{before} {text} {after}"
        questions.append(text)
    return questions


def default_question_sets(knowledge_dir: str | Path | None = None) -> list[Path]:
    """Every question set beside the fact base (``../tests/questions/*.yaml``, dialogues
    included), plus ``../../shared/questions/outside-dev-a.yaml`` when it is there."""
    root = Path(knowledge_dir or default_knowledge_dir()).resolve().parent
    sets = sorted((root / "tests" / "questions").glob("*.yaml"))
    outside = root.parent / "shared" / "questions" / "outside-dev-a.yaml"
    return sets + ([outside] if outside.is_file() else [])


class QuestionSetError(ValueError):
    """A question set that cannot be read."""


def read_questions(paths: Sequence[Path]) -> list[str]:
    """Every message of the sets: each ``q``, and each turn's ``q`` of a dialogue."""
    questions: list[str] = []
    for path in paths:
        try:
            entries = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
        except (OSError, UnicodeDecodeError, yaml.YAMLError) as error:
            raise QuestionSetError(f"{path}: {error}") from error
        if not isinstance(entries, list):
            raise QuestionSetError(f"{path}: expected a list of questions")
        for entry in entries:
            turns = entry.get("turns") if isinstance(entry, dict) else None
            for item in turns if isinstance(turns, list) else [entry]:
                if isinstance(item, dict) and isinstance(item.get("q"), str) and item["q"]:
                    questions.append(item["q"])
    if not questions:
        raise QuestionSetError(f"no questions in {', '.join(map(str, paths)) or 'no files'}")
    return questions


def _cold_start_seconds(knowledge_dir: str | None) -> float:
    """Import + load + index in a fresh interpreter, as a user starting the bot would see it."""
    code = (
        "import time; t = time.perf_counter()\n"
        "from bot.engine import Engine\n"
        f"Engine.load({knowledge_dir!r})\n"
        "print(time.perf_counter() - t)\n"
    )
    started = time.perf_counter()
    output = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    total = time.perf_counter() - started
    return min(float(output.stdout.strip() or total), total)


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _percentiles(per_question_us: list[float]) -> dict[str, float]:
    ordered = sorted(per_question_us)
    count = len(ordered)
    return {
        "p50_us": round(ordered[(count - 1) // 2], 1),
        "p99_us": round(ordered[max(0, -(-count * 99 // 100) - 1)], 1),
        "max_us": round(ordered[-1], 1),
    }


def _median(values: list[int]) -> float:
    ordered = sorted(values)
    middle = len(ordered) // 2
    return ordered[middle] if len(ordered) % 2 else (ordered[middle - 1] + ordered[middle]) / 2


Progress = Callable[[str], None]


def run_bench(
    facts: int | None = None,
    question_files: Sequence[Path] | None = None,
    count: int = 3000,
    rounds: int = 5,
    knowledge_dir: str | None = None,
    baseline: bool = True,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Measure the engine, and the BM25 baseline on the same questions in the same run.

    Each question is timed ``rounds`` times (after one untimed warm-up pass), engine and
    baseline one after the other in alternating order, so machine noise hits both; a question's
    time is the median of its rounds, and p50/p99 are taken over questions. Figures are in
    seconds, microseconds and megabytes (strict JSON: no NaN, ``None`` where not measured).
    """
    if min(count, rounds, 1 if facts is None else facts) < 1:
        raise ValueError(f"facts, count and rounds must be at least 1: {facts}, {count}, {rounds}")
    say = progress or (lambda _message: None)
    # Cold start is measured on a fact base on disk only (a synthetic one is built in memory).
    say("cold start (a fresh interpreter loads and indexes the fact base)")
    cold_start = _cold_start_seconds(knowledge_dir) if facts is None else None
    # The decision layer the engine runs (``knowledge/decision.json``) is timed too; a synthetic
    # fact base uses the shipped one (its features are general, only the fit is not).
    shipped, _ = load_knowledge(knowledge_dir)
    decision, _problem = read_decision(shipped)
    if facts is None:
        knowledge = shipped
    else:
        say(f"making a synthetic fact base of {facts} facts")
        knowledge = synthetic_knowledge(facts, shipped=shipped)
    if question_files is None and facts is None:
        question_files = default_question_sets(knowledge_dir)
    if question_files:
        asked = read_questions(question_files)
        source = [Path(p).name for p in question_files]
    else:
        asked = _questions(knowledge, count)
        source = ["synthetic"]
    gc.collect()
    say("building the index")
    # What the engine does on load once the files are read: the fact base's fingerprint (which
    # says whether the decision was fitted on it) and the index.
    started, started_cpu = time.perf_counter(), time.process_time()
    knowledge_fingerprint(knowledge)
    index = build_index(knowledge, decision)
    build_seconds = time.perf_counter() - started
    build_cpu_seconds = time.process_time() - started_cpu
    say("warming up")
    # Regexes, OpenCC, typo tables: built or cached on first use, so the first question and
    # the slowest of this pass are the ones a user can wait for after a start.
    first_question_ms, warm_up_max_ms = warm_up(
        asked, lambda question: match_question(question, index)
    )
    # The engine's memory, before the baseline (jieba's dictionary is big) exists.
    peak_rss_mb = _peak_rss_mb()

    skipped = None if baseline else "not asked for (--no-baseline)"
    skipped = skipped or baseline_missing()
    if skipped is None and len(knowledge.facts) > BASELINE_MAX_FACTS:
        skipped = f"over {BASELINE_MAX_FACTS} facts (jieba and rank-bm25 would take minutes)"
    bm25 = None
    bm25_build = None
    if skipped is None:
        say(f"building the baseline: {BASELINE_NAME}")
        started = time.perf_counter()
        bm25 = Bm25Baseline(knowledge)
        bm25_build = time.perf_counter() - started
        for question in asked:
            bm25.best(question)

    # Wall time (perf_counter_ns) and this thread's CPU time (thread_time_ns) of every call: on a
    # shared machine wall time also counts the time other processes held the CPU.
    engine_ns: list[list[tuple[int, int]]] = [[] for _ in asked]
    bm25_ns: list[list[tuple[int, int]]] = [[] for _ in asked]
    order = list(range(len(asked)))
    shuffle = random.Random(5).shuffle
    clock, cpu = time.perf_counter_ns, time.thread_time_ns
    for round_number in range(rounds):
        say(f"timing round {round_number + 1} of {rounds} ({len(asked)} questions)")
        shuffle(order)
        for turn, number in enumerate(order):
            question = asked[number]
            engine_first = (turn + round_number) % 2 == 0
            if bm25 is not None and not engine_first:
                started, started_cpu = clock(), cpu()
                bm25.best(question)
                bm25_ns[number].append((clock() - started, cpu() - started_cpu))
            started, started_cpu = clock(), cpu()
            match_question(question, index)
            engine_ns[number].append((clock() - started, cpu() - started_cpu))
            if bm25 is not None and engine_first:
                started, started_cpu = clock(), cpu()
                bm25.best(question)
                bm25_ns[number].append((clock() - started, cpu() - started_cpu))

    engine = _figures(engine_ns)
    result: dict[str, Any] = {
        "fact_base": "shipped" if facts is None else f"synthetic ({facts} facts)",
        "facts": len(knowledge.facts),
        "question_sets": source,
        "questions": len(asked),
        "rounds": rounds,
        "decision": "fitted" if decision.fitted else "hand-set",
        "cold_start_s": round(cold_start, 3) if cold_start is not None else None,
        "index_build_s": round(build_seconds, 3),
        "index_build_cpu_s": round(build_cpu_seconds, 3),
        "first_question_ms": round(first_question_ms, 1),
        "warm_up_max_ms": round(warm_up_max_ms, 1),
        **engine,
        "peak_rss_mb": round(peak_rss_mb, 1),
        "baseline": None,
        "baseline_skipped": skipped,
        "p50_ratio": None,
        "cpu_p50_ratio": None,
        "p99_ratio": None,
        "cpu_p99_ratio": None,
    }
    if bm25 is not None and bm25_build is not None:
        figures = _figures(bm25_ns)
        result["baseline"] = {"name": BASELINE_NAME, "index_build_s": round(bm25_build, 3)}
        result["baseline"].update(figures)
        for measure in ("p50", "cpu_p50", "p99", "cpu_p99"):
            ratio = engine[f"{measure}_us"] / max(figures[f"{measure}_us"], 0.1)
            result[f"{measure}_ratio"] = round(ratio, 2)
    return result


def warm_up(
    asked: Sequence[str],
    ask: Callable[[str], object],
    clock: Callable[[], float] = time.perf_counter,
) -> tuple[float, float]:
    """Ask every question once, untimed by the rounds: the first question's time and the
    slowest one's, in milliseconds (``clock`` in seconds)."""
    times = []
    for question in asked:
        started = clock()
        ask(question)
        times.append((clock() - started) * 1000)
    return times[0], max(times)


def _figures(timings: list[list[tuple[int, int]]]) -> dict[str, float]:
    """p50/p99/max of each question's median time over its rounds, wall and CPU."""
    wall = _percentiles([_median([w for w, _ in t]) / 1000 for t in timings])
    thread = _percentiles([_median([c for _, c in t]) / 1000 for t in timings])
    return {**wall, **{f"cpu_{key}": value for key, value in thread.items()}}


def format_bench(result: dict[str, Any]) -> str:
    lines = [f"fact base:          {result['fact_base']}, {result['facts']} facts"]
    sets = ", ".join(result["question_sets"])
    lines.append(
        f"questions:          {result['questions']} ({sets}), each timed {result['rounds']}x"
    )
    lines.append(f"decision:           {result['decision']}")
    if result["cold_start_s"] is not None:
        lines.append(f"cold start:         {result['cold_start_s']:.3f} s (import + load + index)")
    lines += [
        f"index build:        {result['index_build_s']:.3f} s "
        f"({result['index_build_cpu_s']:.3f} s CPU)",
        f"first question:     {result['first_question_ms']:.1f} ms "
        f"(slowest of the warm-up pass {result['warm_up_max_ms']:.1f} ms)",
        f"per question:       p50 {result['p50_us']:.0f} µs, p99 {result['p99_us']:.0f} µs "
        f"(max {result['max_us']:.0f} µs); CPU p50 {result['cpu_p50_us']:.0f} µs, "
        f"p99 {result['cpu_p99_us']:.0f} µs",
        f"peak RSS:           {result['peak_rss_mb']:.1f} MB",
    ]
    baseline = result["baseline"]
    if baseline is None:
        lines.append(f"baseline:           skipped: {result['baseline_skipped']}")
    else:
        lines.append(
            f"baseline:           {baseline['name']}: p50 {baseline['p50_us']:.0f} µs, "
            f"p99 {baseline['p99_us']:.0f} µs (max {baseline['max_us']:.0f} µs); "
            f"CPU p50 {baseline['cpu_p50_us']:.0f} µs, p99 {baseline['cpu_p99_us']:.0f} µs; "
            f"index {baseline['index_build_s']:.3f} s"
        )
        lines.append(
            f"engine / baseline:  {result['p50_ratio']:.2f} x at p50, "
            f"{result['p99_ratio']:.2f} x at p99 (in CPU time {result['cpu_p50_ratio']:.2f} x, "
            f"{result['cpu_p99_ratio']:.2f} x)"
        )
    return "\n".join(lines)
