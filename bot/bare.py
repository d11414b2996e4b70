"""A message that only names an entity or a figure ("Midea?", "小熊电器", "Hulton", "2,370?").

Such a message asks for what the fact base says about that entity, or for the fact the figure
belongs to. When the facts' attributes single out one fact, it is the answer: the only fact about
the entity, or else the one fact that is the entity's profile (its first entity, with the measure
``description``: what the entity is); for a figure, the only fact whose answer states it. When
several facts fit, the engine keeps asking back with them as options.

Pure and I/O-free.
"""

from __future__ import annotations

import re

from bot.analysis import Analysis
from bot.index import Index
from bot.normalise import _NUMBER_MARK

#: The measure of a fact that says what its first entity is (a company's or body's profile).
PROFILE_MEASURE = "description"
_PUNCTUATION = re.compile(r"[^\w\s]+")
_FIGURE = _NUMBER_MARK + "n"


def bare_facts(analysis: Analysis, index: Index) -> tuple[int, ...] | None:
    """For a message that only names an entity or a figure, the positions of the facts it may
    stand for: one when the attributes single it out (the only fact about the entity, or its one
    profile; the only answer stating the figure), else every fact about it (stating it). None
    for any other message."""
    words = " ".join(_PUNCTUATION.sub(" ", analysis.text).split())
    token = index.normaliser.group_of(words) if words else None
    name = index.group_name.get(token) if token else None
    if name and index.slot_of.get(name) == "entity":
        about = tuple(
            p for p in index.postings.get(token, ()) if name in index.facts[p].attributes.entity
        )
        profiles = tuple(
            p
            for p in about
            if index.facts[p].attributes.entity[:1] == (name,)
            and PROFILE_MEASURE in index.facts[p].attributes.measure
        )
        return profiles if len(about) > 1 and len(profiles) == 1 else about
    if len(analysis.terms) == 1 and analysis.terms[0].startswith(_FIGURE):
        figure = analysis.terms[0]
        normaliser = index.normaliser
        return tuple(
            p
            for p in index.postings.get(figure, ())
            if any(
                figure in normaliser.terms(normaliser.clean(text))
                for text in (index.facts[p].answer.en, index.facts[p].answer.zh)
            )
        )
    return None
