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


def bare_target(analysis: Analysis, index: Index) -> int | None:
    """The position of the one fact a message that only names an entity or a figure stands
    for, or None (the message asks more, or several facts fit, or none)."""
    words = " ".join(_PUNCTUATION.sub(" ", analysis.text).split())
    token = index.normaliser.group_of(words) if words else None
    name = index.group_name.get(token) if token else None
    if name and index.slot_of.get(name) == "entity":
        about = [
            p for p in index.postings.get(token, ()) if name in index.facts[p].attributes.entity
        ]
        if len(about) == 1:
            return about[0]
        profiles = [
            p
            for p in about
            if index.facts[p].attributes.entity[:1] == (name,)
            and PROFILE_MEASURE in index.facts[p].attributes.measure
        ]
        return profiles[0] if len(profiles) == 1 else None
    if len(analysis.terms) == 1 and analysis.terms[0].startswith(_FIGURE):
        figure = analysis.terms[0]
        normaliser = index.normaliser
        stating = [
            p
            for p in index.postings.get(figure, ())
            if any(
                figure in normaliser.terms(normaliser.clean(text))
                for text in (index.facts[p].answer.en, index.facts[p].answer.zh)
            )
        ]
        return stating[0] if len(stating) == 1 else None
    return None
