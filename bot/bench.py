"""Benchmarks: cold start, index build, time per question and memory, on the shipped fact base or
a synthetic one of any size (realistic bilingual phrasings, so the index sees real vocabulary)."""

from __future__ import annotations

import gc
import random
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

from bot.knowledge import Bilingual, Citation, Fact, KnowledgeBase, Source, Topic, load_knowledge
from bot.matcher import build_index, match_question

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


def synthetic_knowledge(size: int, seed: int = 7) -> KnowledgeBase:
    """A fact base of ``size`` facts about made-up companies, each with 6 bilingual phrasings."""
    rng = random.Random(seed)
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
    """Questions as users send them: stored phrasings with typos and dropped words, plus misses."""
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
        questions.append(" ".join(words))
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


def run_bench(
    facts: int | None = None, questions: int = 3000, knowledge_dir: str | None = None
) -> dict[str, float | int | str | None]:
    """Measure the engine; returns figures in seconds, microseconds and megabytes."""
    # Cold start is measured on the shipped fact base only (a synthetic one is built in memory).
    cold_start = _cold_start_seconds(knowledge_dir) if facts is None else None
    if facts is None:
        knowledge, _ = load_knowledge(knowledge_dir)
    else:
        knowledge = synthetic_knowledge(facts)
    gc.collect()
    started = time.perf_counter()
    index = build_index(knowledge)
    build_seconds = time.perf_counter() - started
    asked = _questions(knowledge, questions)
    for question in asked[:50]:  # warm caches (regexes, OpenCC) before timing
        match_question(question, index)
    timings = []
    for question in asked:
        started = time.perf_counter_ns()
        match_question(question, index)
        timings.append((time.perf_counter_ns() - started) / 1000)
    timings.sort()
    peak_rss_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    return {
        "fact_base": "shipped" if facts is None else f"synthetic ({facts} facts)",
        "facts": len(knowledge.facts),
        "questions": len(asked),
        "cold_start_s": round(cold_start, 3) if cold_start is not None else None,
        "index_build_s": round(build_seconds, 3),
        "p50_us": round(statistics.median(timings), 1),
        "p99_us": round(timings[int(len(timings) * 0.99) - 1], 1),
        "max_us": round(timings[-1], 1),
        "peak_rss_mb": round(peak_rss_mb, 1),
    }


def format_bench(result: dict[str, float | int | str | None]) -> str:
    lines = [f"fact base:          {result['fact_base']}, {result['facts']} facts"]
    if result["cold_start_s"] is not None:
        lines.append(f"cold start:         {result['cold_start_s']:.3f} s (import + load + index)")
    lines += [
        f"index build:        {result['index_build_s']:.3f} s",
        f"per question:       p50 {result['p50_us']:.0f} µs, p99 {result['p99_us']:.0f} µs "
        f"(max {result['max_us']:.0f} µs, {result['questions']} questions)",
        f"peak RSS:           {result['peak_rss_mb']:.1f} MB",
    ]
    return "\n".join(lines)
