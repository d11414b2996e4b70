"""The decision: how likely a candidate fact is to be the right answer, and what to do about it.

A logistic regression over the scoring features (``FEATURES``) turns a candidate into the
probability that it is the right fact; that probability is the confidence users see, it re-ranks
the candidates, and fitted thresholds turn it into answer, "Did you mean" or decline. The weights
and thresholds are data (``knowledge/decision.json``, written by ``python -m bot fit``), loaded by
the engine; this module only computes. Without fitted parameters (another fact base, synthetic
benchmarks) ``HEURISTIC`` uses the hand-made score as the confidence, with hand-set thresholds.

Pure and I/O-free.
"""

from __future__ import annotations

import hashlib
import json
import math
from dataclasses import dataclass
from operator import mul

from bot.knowledge import Fact, KnowledgeBase

#: The fitted parameters, beside the fact base's YAML files.
DECISION_FILE = "decision.json"

#: The features, in the order of a candidate's ``features`` tuple and of the fitted weights.
FEATURES = (
    "heuristic",  # the hand-made score: coverage both ways, similarity, contradictions
    "question_coverage",  # share of the question's weight the fact covers
    "phrasing_coverage",  # share of the best stored phrasing the question covers
    "similarity",  # token-set similarity with that phrasing
    "contradictions",  # years, figures, places, companies, measures named and not stated
    "evidence",  # IDF weight of topic words in common, in units of a fact-specific word
    "missing",  # share of the question's salient words the fact lacks
    "missing_covered_by_other",  # ... and the best other candidate covers
    "entity_named",  # the question names the entity the fact is about
    "entity_other",  # the question names only other entities than the fact's
    "measure_named",  # the question names the measure the fact states
    "measure_other",  # the question names only measures the fact does not state
    "period_named",  # the question names the fact's period
    "period_other",  # the question names another year
    "type_fit",  # the answer type fits what is asked (who -> person, when -> date ...)
    "type_clash",  # the answer type cannot answer what is asked
    "figure_other",  # the question names a year or figure the fact does not state
    "unstated",  # the asking part names a measure, company or place the fact does not state
    "filled_other",  # a subject filled in from context sentences names what the fact does not
    "margin",  # heuristic lead over the best other candidate (negative when behind)
    "length",  # log of the number of question terms
    "clause",  # the best match is one clause of a longer message
)


#: Features that say the fact states something else than what is asked (another entity or
#: measure only, an answer of the wrong kind, another year or figure): such a candidate is
#: capped at ``conflict_ceiling``, the share of such candidates that were right in training.
CONFLICTS = ("entity_other", "measure_other", "type_clash", "figure_other", "unstated")
_CONFLICT_POSITIONS = tuple(FEATURES.index(name) for name in CONFLICTS)
_PHRASING_COVERAGE = FEATURES.index("phrasing_coverage")
_QUESTION_COVERAGE = FEATURES.index("question_coverage")
#: Coverage (both ways) at which a question is one of the fact's stored phrasings.
STORED_SIMILARITY = 0.99


def has_conflict(features: tuple[float, ...]) -> bool:
    """Whether a candidate's slots or answer type contradict the question (a question the
    curators stored for the fact, asked as it is, never does: they said it answers it)."""
    if len(features) != len(FEATURES):
        return False
    # A stored question "asked as it is": the question covers the whole phrasing and the fact
    # every word of the question (token-set similarity is 1 for any subset either way).
    stored = min(features[_PHRASING_COVERAGE], features[_QUESTION_COVERAGE]) >= STORED_SIMILARITY
    return not stored and any(features[i] for i in _CONFLICT_POSITIONS)


@dataclass(frozen=True)
class DecisionModel:
    """Fitted (or hand-set) parameters of the decision.

    Attributes:
        weights: one weight per feature (on standardised features), or None for the heuristic.
        bias: the intercept.
        mean, scale: feature standardisation.
        answer_threshold: the best candidate is the answer at or above this confidence.
        clarify_threshold: below it, candidates at or above this are offered as "Did you mean".
        suggestion_threshold: a decline still shows candidates at or above this.
        conflict_ceiling: the most a candidate with a slot or answer-type conflict can get.
        fingerprint: the fact base the parameters were fitted on (``knowledge_fingerprint``).
    """

    weights: tuple[float, ...] | None = None
    bias: float = 0.0
    mean: tuple[float, ...] = ()
    scale: tuple[float, ...] = ()
    answer_threshold: float = 0.55
    clarify_threshold: float = 0.38
    suggestion_threshold: float = 0.15
    conflict_ceiling: float = 1.0
    fingerprint: str = ""

    def __post_init__(self) -> None:
        # Standardisation folded into the weights once: a probability is then one dot product.
        slopes = tuple(w / s for w, s in zip(self.weights or (), self.scale or (), strict=False))
        intercept = self.bias - sum(w * m for w, m in zip(slopes, self.mean or (), strict=False))
        object.__setattr__(self, "_slopes", slopes)
        object.__setattr__(self, "_intercept", intercept)

    @property
    def fitted(self) -> bool:
        return self.weights is not None

    def probability(self, features: tuple[float, ...]) -> float:
        """The probability that a candidate with these features is the right fact."""
        if self.weights is None:
            return min(max(features[0], 0.0), 1.0)
        if len(features) != len(self._slopes):
            raise ValueError(f"expected {len(self._slopes)} features, got {len(features)}")
        # Summed from the intercept on, one feature after the other (as a loop would).
        z = sum(map(mul, self._slopes, features), self._intercept)
        probability = 1.0 / (1.0 + math.exp(-max(min(z, 40.0), -40.0)))
        if has_conflict(features):
            return min(probability, self.conflict_ceiling)
        return probability

    def to_json(self) -> dict[str, object]:
        return {
            "fingerprint": self.fingerprint,
            "features": list(FEATURES),
            # Rounded: refits of the same data differ only in the last bits of float sums.
            "weights": [round(w, 6) for w in self.weights or ()],
            "bias": round(self.bias, 6),
            "mean": [round(m, 6) for m in self.mean],
            "scale": [round(v, 6) for v in self.scale],
            "answer_threshold": self.answer_threshold,
            "clarify_threshold": self.clarify_threshold,
            "suggestion_threshold": self.suggestion_threshold,
            "conflict_ceiling": self.conflict_ceiling,
        }

    @classmethod
    def from_json(cls, data: dict[str, object]) -> DecisionModel:
        """Parameters as ``to_json`` wrote them; ValueError if they are for other features."""
        if data.get("features") != list(FEATURES):
            raise ValueError("decision parameters are for other features: run `python -m bot fit`")

        def floats(key: str) -> tuple[float, ...]:
            values = data.get(key)
            if not isinstance(values, list) or len(values) != len(FEATURES):
                raise ValueError(f"decision parameters: '{key}' needs {len(FEATURES)} numbers")
            return tuple(float(v) for v in values)

        return cls(
            weights=floats("weights"),
            bias=float(data["bias"]),  # type: ignore[arg-type]
            mean=floats("mean"),
            scale=floats("scale"),
            answer_threshold=float(data["answer_threshold"]),  # type: ignore[arg-type]
            clarify_threshold=float(data["clarify_threshold"]),  # type: ignore[arg-type]
            suggestion_threshold=float(data["suggestion_threshold"]),  # type: ignore[arg-type]
            conflict_ceiling=float(data.get("conflict_ceiling", 1.0)),  # type: ignore[arg-type]
            fingerprint=str(data.get("fingerprint", "")),
        )


#: Hand-set decision used when no fitted parameters come with the fact base.
HEURISTIC = DecisionModel()


def knowledge_fingerprint(knowledge: KnowledgeBase) -> str:
    """A hash of what the decision depends on: phrasings, keywords, answers, attributes and
    the lexicon (not notes, dates or citations).

    The hash of one JSON text of all of it, fed to the hash a slice of facts at a time: the
    whole text at once is over 180 MB at 100,000 facts, and the engine computes this on load.
    """
    digest = hashlib.sha256(b"[[")
    facts = knowledge.facts
    for start in range(0, len(facts), _FINGERPRINT_SLICE):
        part = _json([_fact_data(f) for f in facts[start : start + _FINGERPRINT_SLICE]])[1:-1]
        digest.update(f"{', ' if start else ''}{part}".encode())
    lexicon = knowledge.lexicon
    groups = [[g.kind, list(g.words), g.wants, g.name] for g in lexicon.groups]
    rest = _json([groups, list(lexicon.home_places), sorted(lexicon.vocabulary.items())])
    digest.update(f"], {rest[1:]}".encode())
    return digest.hexdigest()[:16]


#: Facts per slice of ``knowledge_fingerprint``'s text.
_FINGERPRINT_SLICE = 1000


def _json(data: list) -> str:
    return json.dumps(data, ensure_ascii=False, sort_keys=True)


def _fact_data(f: Fact) -> list:
    return [
        f.id,
        list(f.questions),
        list(f.keywords),
        f.answer.en,
        f.answer.zh,
        list(f.attributes.entity),
        list(f.attributes.measure),
        f.attributes.period,
        list(f.attributes.answer),
    ]
