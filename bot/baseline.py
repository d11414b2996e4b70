"""A BM25 baseline (rank-bm25 over jieba tokens) to time the engine against, side by side.

Used by ``bench`` only. rank-bm25 and jieba are in the ``test`` extra, not runtime dependencies:
``load_baseline`` says why it cannot run instead of failing.
"""

from __future__ import annotations

import importlib.util
import logging
from typing import Any

from bot.knowledge import KnowledgeBase

NAME = "BM25 (rank-bm25 + jieba)"


def baseline_missing() -> str | None:
    """Why the baseline cannot run here, or None when it can."""
    missing = [m for m in ("rank_bm25", "jieba") if importlib.util.find_spec(m) is None]
    if missing:
        return f"{' and '.join(missing)} not installed (pip install -e '.[test]')"
    return None


class Bm25Baseline:
    """Every fact as one document (phrasings, keywords, answers in both languages); a question
    is answered by the fact with the highest BM25 score, as a plain search engine would."""

    def __init__(self, knowledge: KnowledgeBase) -> None:
        import jieba
        from rank_bm25 import BM25Okapi

        jieba.setLogLevel(logging.WARNING)  # not "Building prefix dict..." on every run
        jieba.initialize()
        self._cut: Any = jieba.lcut
        documents = [
            self.tokens(" ".join((*f.questions, *f.keywords, f.answer.en, f.answer.zh)))
            for f in knowledge.facts
        ]
        self._bm25 = BM25Okapi(documents)

    def tokens(self, text: str) -> list[str]:
        return [t for t in self._cut(text.lower()) if t.strip() and any(c.isalnum() for c in t)]

    def best(self, question: str) -> int:
        """The position of the best-scoring fact."""
        return int(self._bm25.get_scores(self.tokens(question)).argmax())
