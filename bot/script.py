"""Which Chinese script a reply is written in, and the conversion to it.

The fact base is written in simplified Chinese. A question in traditional characters, a user
whose Telegram client is set to traditional Chinese (``zh-hant``, ``zh-tw``, ``zh-hk``) or who
chose ``/lang zh-hant`` gets every Chinese reply in traditional characters: OpenCC's ``s2tw``
for Taiwan, ``s2hk`` for Hong Kong and Macau, ``s2t`` otherwise. English text, figures and URLs
pass through unchanged, and so do HTML tags with their attributes: only the text between tags is
converted, so a link whose address holds Chinese characters still leads to its page.
"""

from __future__ import annotations

import re
from functools import lru_cache

from bot.normalise import to_simplified

#: The OpenCC conversions a reply may get; ``None`` means simplified (no conversion).
TRADITIONAL = ("s2t", "s2tw", "s2hk")

#: ``/lang`` choices: the answer language and the Chinese script (a language code).
LANG_CHOICES = {
    "en": ("en", None),
    "zh": ("zh", None),
    "zh-hans": ("zh", None),
    "zh-cn": ("zh", None),
    "zh-hant": ("zh", "zh-hant"),
    "zh-tw": ("zh", "zh-tw"),
    "zh-hk": ("zh", "zh-hk"),
}

_CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]+")
#: What a conversion leaves as it is: an HTML tag with its attributes (a link's href), a URL.
_KEPT = re.compile(r"<[^<>]*>|https?://[^\s<>\"']+")


def script_of_code(code: str | None) -> str | None:
    """The traditional conversion a language code asks for (``zh-hant``, ``zh-TW``,
    ``zh-Hant-HK``, ...), or ``None`` for simplified and non-Chinese codes."""
    parts = set((code or "").casefold().replace("_", "-").split("-"))
    if "zh" not in parts:
        return None
    if parts & {"hk", "mo"}:
        return "s2hk"
    if "tw" in parts:
        return "s2tw"
    if "hant" in parts:
        return "s2t"
    return None


def is_traditional(text: str) -> bool:
    """The text's Chinese is written in traditional characters (it changes when simplified)."""
    chinese = "".join(_CJK.findall(text))
    return bool(chinese) and to_simplified(chinese) != chinese


def reply_script(text: str, preferred: str | None, previous: str | None = None) -> str | None:
    """The script of the reply to ``text``.

    Args:
        text: the user's message.
        preferred: the user's choice (``/lang zh-hant``) or client language, as a conversion
            (``script_of_code``), or ``None``.
        previous: the conversation's script so far; a message whose characters are the same
            in both scripts ("2019年呢") keeps it.
    """
    if preferred:
        return preferred
    chinese = "".join(_CJK.findall(text))
    if not chinese:
        return previous
    if to_simplified(chinese) != chinese:
        return "s2t"
    if _converter("s2t").convert(chinese) == chinese:
        return previous  # no character tells the scripts apart
    return None


@lru_cache(maxsize=4)
def _converter(config: str):  # type: ignore[no-untyped-def]
    import opencc

    return opencc.OpenCC(config)


def in_script(text: str, script: str | None) -> str:
    """``text`` with its Chinese converted to ``script`` (``None``: left simplified)."""
    if not script or not _CJK.search(text):
        return text
    convert = _converter(script).convert
    parts = []
    start = 0
    for kept in (*_KEPT.finditer(text), None):
        end = kept.start() if kept else len(text)
        between = text[start:end]
        parts.append(convert(between) if _CJK.search(between) else between)
        if kept:
            parts.append(kept.group())
            start = kept.end()
    return "".join(parts)
