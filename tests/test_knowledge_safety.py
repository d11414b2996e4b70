"""Reading the fact base is safe and bounded: only regular files inside its folder, size caps,
and hostile YAML that becomes one ``FILE:LINE: message`` instead of a hang, a memory blow-up or
a traceback. Each case runs the real ``python -m bot validate``; the subprocess timeout is only
a guard so that a regression fails instead of hanging the suite."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from bot import knowledge
from bot.knowledge import KnowledgeError, load_knowledge

SECRET = "root:$6$do-not-show-this-line$:19000:0:99999:7:::"


def validate(directory: Path) -> subprocess.CompletedProcess[str]:
    """``python -m bot validate DIR``, failing the test (not hanging it) if it never ends."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("TELEGRAM_", "BOT_"))}
    try:
        return subprocess.run(
            [sys.executable, "-m", "bot", "validate", str(directory)],
            capture_output=True,
            text=True,
            env=env,
            timeout=60,
        )
    except subprocess.TimeoutExpired:
        pytest.fail("validate did not finish")


def problem_lines(result: subprocess.CompletedProcess[str], path: Path) -> list[str]:
    return [line for line in result.stderr.splitlines() if line.startswith(f"{path}:")]


# --------------------------------------------------------------------------------------------
# Which files are read
# --------------------------------------------------------------------------------------------


def test_a_fifo_named_yaml_is_refused_without_blocking(tiny_dir: Path) -> None:
    fifo = tiny_dir / "pipe.yaml"
    os.mkfifo(fifo)
    result = validate(tiny_dir)
    assert result.returncode == 1
    assert problem_lines(result, fifo) == [
        f"{fifo}:1: not a regular file (a folder, pipe or device); not read"
    ]


@pytest.fixture
def outside(tmp_path: Path) -> Path:
    """A broken YAML file outside the fact base folder whose content must never be shown."""
    shadow = tmp_path / "shadow"
    shadow.write_text(f"{SECRET}\n{SECRET}: [\n", encoding="utf-8")
    return shadow


def test_a_link_to_a_file_outside_the_folder_is_refused_and_never_shown(
    tiny_dir: Path, outside: Path
) -> None:
    link = tiny_dir / "s.yaml"
    link.symlink_to(outside)
    result = validate(tiny_dir)
    assert result.returncode == 1
    assert problem_lines(result, link) == [
        f"{link}:1: a link to a file outside the fact base folder; not read"
    ]
    assert "do-not-show" not in result.stdout + result.stderr


def test_a_fact_base_hard_linked_from_a_package_cache_is_read(
    tiny_dir: Path, tmp_path: Path
) -> None:
    """Installers such as uv hard-link a wheel's files from their cache, so every shipped fact
    file also has a name outside the folder; the bot must still read its own fact base."""
    cache = tmp_path / "cache"
    cache.mkdir()
    for path in sorted(tiny_dir.glob("*.yaml")):
        os.link(path, cache / path.name)
    knowledge_base, problems = load_knowledge(tiny_dir)
    assert not problems
    assert [f.id for f in knowledge_base.facts] == ["turnover", "enterprises"]


def test_a_hard_linked_file_with_errors_names_the_line_but_never_shows_its_content(
    tiny_dir: Path, outside: Path
) -> None:
    link = tiny_dir / "s.yaml"
    link.hardlink_to(outside)
    result = validate(tiny_dir)
    assert result.returncode == 1
    assert [line.split(":")[1] for line in problem_lines(result, link)] == ["3"]
    assert "do-not-show" not in result.stdout + result.stderr


def test_a_link_inside_the_folder_is_read(tiny_dir: Path) -> None:
    (tiny_dir / "parts").mkdir()
    (tiny_dir / "figures.yaml").rename(tiny_dir / "parts" / "figures.yaml")
    (tiny_dir / "figures.yaml").symlink_to(tiny_dir / "parts" / "figures.yaml")
    knowledge_base, _ = load_knowledge(tiny_dir)
    assert [f.id for f in knowledge_base.facts] == ["turnover", "enterprises"]


def test_a_hard_link_inside_the_folder_is_read(tiny_dir: Path) -> None:
    (tiny_dir / "parts").mkdir()
    os.link(tiny_dir / "figures.yaml", tiny_dir / "parts" / "figures.yaml.bak")
    knowledge_base, _ = load_knowledge(tiny_dir)
    assert [f.id for f in knowledge_base.facts] == ["turnover", "enterprises"]


def test_a_file_over_the_size_cap_is_not_read(tiny_dir: Path) -> None:
    big = tiny_dir / "big.yaml"
    big.write_bytes(b"# filler\n" * (knowledge.MAX_FILE_BYTES // 9 + 1))
    result = validate(tiny_dir)
    assert result.returncode == 1
    assert problem_lines(result, big) == [
        f"{big}:1: {big.stat().st_size} bytes is over the cap of "
        f"{knowledge.MAX_FILE_BYTES} bytes for one file; not read"
    ]


def test_the_whole_fact_base_has_a_size_cap(
    tiny_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    total = sum(p.stat().st_size for p in tiny_dir.iterdir())
    monkeypatch.setattr(knowledge, "MAX_TOTAL_BYTES", total - 1)
    with pytest.raises(KnowledgeError) as caught:
        load_knowledge(tiny_dir)
    refused = [p for p in caught.value.problems if p.file == str(tiny_dir / "sources.yaml")]
    assert [(p.line, p.message) for p in refused] == [  # the last file read, by name
        (1, f"the fact base would be over its cap of {total - 1} bytes in all; not read")
    ]


# --------------------------------------------------------------------------------------------
# What a file may contain
# --------------------------------------------------------------------------------------------

ALIAS_BOMB = """\
a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]
b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]
c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]
d: &d [*c, *c, *c, *c, *c, *c, *c, *c, *c]
e: &e [*d, *d, *d, *d, *d, *d, *d, *d, *d]
f: &f [*e, *e, *e, *e, *e, *e, *e, *e, *e]
g: &g [*f, *f, *f, *f, *f, *f, *f, *f, *f]
h: &h [*g, *g, *g, *g, *g, *g, *g, *g, *g]
i: &i [*h, *h, *h, *h, *h, *h, *h, *h, *h]
"""


def fifty_megabytes(path: Path) -> None:
    with path.open("w", encoding="utf-8") as out:
        out.write("facts:\n")
        for _ in range(100):
            out.write("  - {a: 1, b: 2}\n" * 32_000)


HOSTILE = [
    # (name, what the file holds, line, message); None: any short, escaped message
    (
        "billion laughs",
        ALIAS_BOMB,
        5,  # 'e' repeats 66,430 values: past the cap there
        f"YAML too large: over {knowledge.MAX_YAML_NODES} values once aliases are expanded",
    ),
    (
        "50 MB of small entries",
        fifty_megabytes,
        1,
        f"{7 + 17 * 3_200_000} bytes is over the cap of {knowledge.MAX_FILE_BYTES} bytes "
        "for one file; not read",
    ),
    (
        "deep nesting",
        "topic:\n  id: " + "[" * 100 + "]" * 100 + "\n",
        2,
        f"YAML nested deeper than {knowledge.MAX_YAML_DEPTH} levels",
    ),
    (
        "NUL byte",
        "topic:\n  id: nul\n  title: {en: a\x00b, zh: c}\n",
        3,
        "YAML syntax error: unacceptable character \\x00 (control characters are not allowed)",
    ),
    (
        "self-referencing alias",
        "topic:\n  id: loop\nfacts: &loop\n  - *loop\n",
        4,
        "YAML alias '*loop' refers to the value that contains it (a loop)",
    ),
    (
        "5,000-digit integer",
        "topic:\n  id: huge\n  order: " + "9" * 5000 + "\n",
        3,
        f"a number of 5000 digits is too long (at most {knowledge.MAX_YAML_NUMBER_DIGITS})",
    ),
    (
        "too many aliases",
        "a: &a x\nb: [" + ", ".join(["*a"] * (knowledge.MAX_YAML_ALIASES + 1)) + "]\n",
        2,
        f"YAML has more than {knowledge.MAX_YAML_ALIASES} aliases",
    ),
    (
        "not UTF-8",
        b"topic:\n  id: latin\n  title: {en: caf\xe9, zh: c}\n",
        3,
        "not UTF-8 text (byte 0xe9); save the file as UTF-8",
    ),
    (
        "terminal escapes and a long key",
        'topic:\n  id: t\n  "\\e[2J\\e]0;pwned\\a' + "x" * 500 + '": 1\n',
        3,
        None,
    ),
]


@pytest.mark.parametrize(
    ("content", "line", "message"),
    [case[1:] for case in HOSTILE],
    ids=[case[0] for case in HOSTILE],
)
def test_hostile_yaml_is_one_file_line_message(
    tiny_dir: Path, content: object, line: int, message: str | None
) -> None:
    path = tiny_dir / "hostile.yaml"
    if callable(content):
        content(path)
    elif isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(str(content), encoding="utf-8")
    result = validate(tiny_dir)
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    if message is not None:
        assert problem_lines(result, path) == [f"{path}:{line}: {message}"]
    else:
        [reported] = [p for p in problem_lines(result, path) if p.startswith(f"{path}:{line}: ")]
        assert "\x1b" not in reported and "\x07" not in reported and "\\x1b[2J" in reported
        assert len(reported) - len(str(path)) <= knowledge.MAX_PROBLEM_CHARS + 10
    assert re.fullmatch(
        r"\d+ problems? found; the fact base was not loaded\.", result.stderr.splitlines()[-1]
    )
