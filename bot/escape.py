"""Show untrusted text (file contents, users' questions) on a terminal or in a log safely.

Control characters, terminal escape sequences, bidirectional overrides and lone surrogates are
shown as Python-style escapes (``\\x1b``, ``\\n``, ``\\u202e``, ``\\udc80``) so they can neither
move the cursor, recolour or rewrite the screen, split one line into several, nor make a strict
UTF-8 stream fail. Everything else (Chinese, emoji, accents) is left as it is.
"""

from __future__ import annotations

import re
from typing import Any

#: Format characters that reorder what a terminal shows (bidirectional overrides and isolates).
_BIDI = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_UNSAFE = re.compile(rf"[\x00-\x1f\x7f-\x9f{_BIDI}\ud800-\udfff]")


def _escaped(match: re.Match[str]) -> str:
    char = match.group(0)
    code = ord(char)
    named = {"\n": "\\n", "\r": "\\r", "\t": "\\t"}
    if char in named:
        return named[char]
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def escape_controls(text: str) -> str:
    """``text`` with every control, bidi or surrogate character written as an escape."""
    return _UNSAFE.sub(_escaped, text)


_SURROGATE = re.compile("[\ud800-\udfff]")


def replace_surrogates(value: Any) -> Any:
    """``value`` (text, or JSON data) with every lone surrogate replaced by U+FFFD.

    JSON and Python allow them (a client can send ``"\\ud83d"``), but UTF-8, SQLite and
    strict terminals refuse them, so they are replaced where untrusted text comes in. A valid
    pair never reaches here as two surrogates: decoding JSON joins it into one character."""
    if isinstance(value, str):
        return _SURROGATE.sub("\ufffd", value)
    if isinstance(value, list):
        return [replace_surrogates(item) for item in value]
    if isinstance(value, dict):
        return {replace_surrogates(key): replace_surrogates(item) for key, item in value.items()}
    return value


def excerpt(text: str, limit: int = 80) -> str:
    """A short, escaped excerpt of ``text``: at most ``limit`` characters, ``…`` if cut."""
    shown = escape_controls(text)
    if len(shown) <= limit:
        return shown
    return shown[: max(limit - 1, 0)] + "…"
