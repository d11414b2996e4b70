"""Warnings about how the fact base will answer, not whether it loads: ``validate`` prints them
and never fails on them.

* **ambiguous phrasing**: a stored phrasing that another fact matches as well as (or better
  than) its own fact, so users asking it may get the other fact;
* **keyword capture**: a keyword that pulls a question to its fact while another fact is the
  one that answers it (checked against the question sets' expected answers and the other facts'
  own phrasings);
* **attribute gap**: a stored phrasing that, read as a question is read, conflicts with its own
  fact's attributes (it names only measures or entities they do not list, a year outside their
  period, or asks for an answer type they cannot give): users asking it in other words would
  meet the conflict cap.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from functools import lru_cache
from pathlib import Path

from bot.analysis import analyse
from bot.engine import Engine
from bot.evaluation import EvalItem, fact_fits, judge
from bot.knowledge import Fact, Problem
from bot.matcher import ANSWER_MARGIN
from bot.scoring import _period_years, _type_fit, slot_clashes

#: Only a few keyword warnings per keyword: one example says enough.
MAX_EXAMPLES_PER_KEYWORD = 2


@lru_cache(maxsize=64)
def _lines(file: str) -> tuple[str, ...]:
    try:
        return tuple(Path(file).read_text(encoding="utf-8").splitlines())
    except OSError:
        return ()


def line_of(fact: Fact, needle: str) -> int:
    """The line of ``needle`` within ``fact``'s entry in its file (the fact's line if absent)."""
    lines = _lines(fact.file)
    for number in range(max(fact.line - 1, 0), len(lines)):
        if number > fact.line - 1 and lines[number].lstrip().startswith("- id:"):
            break
        if needle in lines[number]:
            return number + 1
    return fact.line


def ambiguous_phrasings(engine: Engine) -> list[Problem]:
    """Each stored phrasing that another fact matches within ``ANSWER_MARGIN`` of its own."""
    warnings = []
    for fact in engine.knowledge.facts:
        for phrasing in fact.questions:
            match = engine.ask(phrasing)
            own = next((c.confidence for c in match.candidates if c.fact.id == fact.id), 0.0)
            rival = next((c for c in match.candidates if c.fact.id != fact.id), None)
            if rival is None or rival.confidence < own - ANSWER_MARGIN:
                continue
            where = f"{rival.fact.file}:{line_of(rival.fact, rival.phrasing)}"
            warnings.append(
                Problem(
                    fact.file,
                    line_of(fact, phrasing),
                    f"ambiguous phrasing '{_short(phrasing)}' of '{fact.id}' ({own:.2f}) matches "
                    f"'{rival.fact.id}' as well ({rival.confidence:.2f}, {where}); "
                    "reword it or tell the facts apart",
                    warning=True,
                )
            )
    return warnings


def _short(text: str, limit: int = 80) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _captures(engine: Engine, keyword: str, question: str) -> bool:
    """Whether the question holds every term of the keyword."""
    normaliser = engine.index.normaliser
    keyword_terms = set(normaliser.terms(normaliser.clean(keyword)))
    return bool(keyword_terms) and keyword_terms <= set(
        normaliser.terms(normaliser.clean(question))
    )


def keyword_captures(engine: Engine, items: Sequence[EvalItem] = ()) -> list[Problem]:
    """Keywords of a fact found in questions that fact now answers but another fact should:
    the question sets' items answered wrongly, and other facts' phrasings."""
    knowledge = engine.knowledge
    cases: list[tuple[str, str, str]] = []  # question, who should answer it, where it comes from
    for item in (i for i in items if i.in_scope):
        match = engine.ask(item.question)
        if match.outcome == "answer" and match.fact and not judge(item, match):
            right = item.fact_id or next(
                (f.id for f in knowledge.facts if fact_fits(item, f)), item.expected
            )
            cases.append((item.question, right, item.where or "a question set"))
    for fact in knowledge.facts:
        for phrasing in fact.questions:
            cases.append((phrasing, fact.id, f"{fact.file}:{line_of(fact, phrasing)}"))
    warnings: list[Problem] = []
    shown: dict[tuple[str, str], int] = {}
    for question, right, origin in cases:
        match = engine.ask(question)
        taker = match.fact if match.outcome == "answer" else None
        if taker is None or taker.id == right:
            continue
        for keyword in taker.keywords:
            key = (taker.id, keyword)
            if shown.get(key, 0) >= MAX_EXAMPLES_PER_KEYWORD or not _captures(
                engine, keyword, question
            ):
                continue
            shown[key] = shown.get(key, 0) + 1
            warnings.append(
                Problem(
                    taker.file,
                    line_of(taker, "keywords"),
                    f"keyword '{keyword}' of '{taker.id}' captures '{_short(question)}', "
                    f"which '{right}' answers ({origin})",
                    warning=True,
                )
            )
    return warnings


def attribute_gaps(engine: Engine) -> list[Problem]:
    """Each stored phrasing whose reading (``analyse``, as for users' questions) conflicts with
    its own fact's attributes: a question that names measures (entities) names at least one the
    fact lists, a year inside its period, and an answer type it can give."""
    index = engine.index
    warnings = []
    for position, fact in enumerate(index.facts):
        attributes = fact.attributes
        years = _period_years(attributes.period)
        for phrasing in fact.questions:
            read = analyse(phrasing, index)
            entities = read.entities - index.home_names
            entity, measure, year = slot_clashes(attributes, entities, read.measures, read.years)
            gaps = []
            if entity:
                gaps.append(f"entity {_names(entities)}")
            if measure:
                gaps.append(f"measure {_names(read.measures)}")
            if year:
                gaps.append(f"year {_names(read.years - years)}")
            if _type_fit(read, position, index)[1]:
                gaps.append(f"an answer of another type than {_names(attributes.answer)}")
            if gaps:
                warnings.append(
                    Problem(
                        fact.file,
                        line_of(fact, phrasing),
                        f"phrasing '{_short(phrasing)}' of '{fact.id}' asks for "
                        f"{' and '.join(gaps)}, which its attributes do not list: add what the "
                        "answer states to the attributes, or reword the phrasing",
                        warning=True,
                    )
                )
    return warnings


def _names(values: Iterable[str]) -> str:
    return "/".join(sorted(values))
