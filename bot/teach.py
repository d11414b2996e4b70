"""Teach the fact base a new phrasing: add a question to one fact's own YAML file.

The file is edited with a round-trip YAML library (ruamel.yaml), so comments, key order, quoting,
folded answers and flow lists stay as the curator wrote them; only the new line appears. The
result is validated as a whole fact base before anything is written: the new text goes to a
temporary copy of the folder first, and only a valid result replaces the file (written beside
it, then renamed, so a reader never sees half a file). An invalid result leaves the file as it
was and says why.

Two teachings at once (two admins pressing "add to" buttons, whose teachings run in worker
threads, or an admin and ``python -m bot teach``) take turns: each holds a lock from reading the
fact base to writing the file, so the second adds its phrasing to the file as the first left it
and no phrasing is lost.
"""

from __future__ import annotations

import difflib
import fcntl
import io
import os
import shutil
import tempfile
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace
from pathlib import Path

from bot.engine import Engine
from bot.knowledge import KnowledgeError, Problem, default_knowledge_dir, normalise_phrasing
from bot.matcher import Match, detect_language

#: The layout of the shipped files: mappings indented by 2, list dashes 2 in from their key.
_INDENT = {"mapping": 2, "sequence": 4, "offset": 2}
#: One teaching at a time in this process (the bot runs each "add to" press in a worker thread).
_TEACHING = threading.Lock()


class TeachError(ValueError):
    """The phrasing cannot be added; ``problems`` holds the validator's messages, if any."""

    def __init__(self, message: str, problems: Sequence[Problem] = ()) -> None:
        super().__init__(message)
        self.problems = tuple(problems)


@dataclass(frozen=True)
class Change:
    """A question whose reply differs between two fact bases."""

    question: str
    before: str
    after: str


@dataclass(frozen=True)
class TeachResult:
    fact_id: str
    language: str
    path: Path
    diff: str
    match: Match
    changes: tuple[Change, ...]

    @property
    def answered_by_fact(self) -> bool:
        return (
            self.match.outcome == "answer"
            and self.match.fact is not None
            and (self.match.fact.id == self.fact_id)
        )


def round_trip_yaml():  # type: ignore[no-untyped-def]
    from ruamel.yaml import YAML

    yaml = YAML()  # round-trip: comments, order and styles are kept
    yaml.preserve_quotes = True
    yaml.width = 4096  # never re-wrap a long line the curator wrote on one line
    yaml.indent(**_INDENT)
    return yaml


def add_phrasing_to_text(text: str, fact_id: str, language: str, question: str) -> str:
    """``text`` (a topic file) with ``question`` added to ``fact_id``'s ``questions.<language>``.

    Raises:
        TeachError: the file has no such fact, or its questions are not a list.
    """
    yaml = round_trip_yaml()
    data = yaml.load(text)
    facts = data.get("facts") if hasattr(data, "get") else None
    entry = next(
        (f for f in facts or [] if hasattr(f, "get") and str(f.get("id")) == fact_id), None
    )
    if entry is None:
        raise TeachError(f"fact '{fact_id}' is not in this file")
    questions = entry.get("questions")
    if not hasattr(questions, "get"):
        raise TeachError(f"fact '{fact_id}' has no 'questions' mapping")
    phrasings = questions.get(language)
    if phrasings is None:
        questions[language] = [question]
    elif isinstance(phrasings, list):
        phrasings.append(question)
    else:
        raise TeachError(f"'questions.{language}' of fact '{fact_id}' is not a list")
    out = io.StringIO()
    yaml.dump(data, out)
    return out.getvalue()


def unified_diff(old: str, new: str, path: Path) -> str:
    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=f"{path} (before)",
            tofile=f"{path} (after)",
        )
    )


def _validate_copy(directory: Path, name: str, new_text: str) -> Engine:
    """Load the fact base as it would be with ``name`` replaced; raises ``KnowledgeError``
    with each problem named at its place in ``directory`` (not in the scratch copy)."""
    with tempfile.TemporaryDirectory(prefix="teach-") as scratch:
        copy = Path(scratch) / directory.name
        shutil.copytree(directory, copy)
        (copy / name).write_text(new_text, encoding="utf-8")
        try:
            return Engine.load(copy)
        except KnowledgeError as error:
            raise KnowledgeError(
                replace(p, file=p.file.replace(str(copy), str(directory), 1))
                for p in error.problems
            ) from None


def _write_atomically(path: Path, text: str) -> None:
    """Write beside the file (not as ``*.yaml``, so no loader sees it) and rename over it."""
    handle, temporary = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(handle, "w", encoding="utf-8", newline="") as stream:
            stream.write(text)
        shutil.copymode(path, temporary)
        os.replace(temporary, path)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


@contextmanager
def _exclusive(directory: Path) -> Iterator[None]:
    """Held from reading the fact base to writing a file of it: the lock keeps this process's
    teachings apart, an exclusive ``flock`` on the folder itself (no lock file to leave behind)
    keeps other processes' (``python -m bot teach`` beside a running bot) apart. A folder that
    cannot be opened gets the lock only; loading it then says what is wrong."""
    with _TEACHING:
        try:
            descriptor: int | None = os.open(directory, os.O_RDONLY | os.O_DIRECTORY)
        except OSError:
            descriptor = None
        try:
            if descriptor is not None:
                fcntl.flock(descriptor, fcntl.LOCK_EX)
            yield
        finally:
            if descriptor is not None:
                os.close(descriptor)  # closing it releases the flock


def describe(match: Match) -> str:
    """A reply in a few words: ``answer cluster-turnover-2020 (0.83)``."""
    if match.outcome == "answer" and match.fact:
        return f"answer {match.fact.id} ({match.confidence:.2f})"
    if match.smalltalk:
        return f"smalltalk {match.smalltalk}"
    options = ", ".join(c.fact.id for c in match.candidates)
    return f"{match.outcome}{' ' + options if options else ''} ({match.confidence:.2f})"


def _key(match: Match) -> tuple[str, str | None]:
    return match.outcome, match.fact.id if match.outcome == "answer" and match.fact else None


def changed_questions(before: Engine, after: Engine, questions: Iterable[str]) -> list[Change]:
    """The questions whose outcome or answered fact differs between two engines."""
    changes = []
    for question in dict.fromkeys(questions):
        old, new = before.ask(question), after.ask(question)
        if _key(old) != _key(new):
            changes.append(Change(question, describe(old), describe(new)))
    return changes


def teach(
    directory: Path | str | None,
    question: str,
    fact_id: str,
    check_questions: Iterable[str] = (),
    dry_run: bool = False,
) -> TeachResult:
    """Add ``question`` to ``fact_id``'s phrasings in its own file, in the question's language.

    Args:
        directory: the fact base folder (None: the shipped one).
        question: the user's wording, stored as written (whitespace trimmed).
        fact_id: the fact that answers it.
        check_questions: other questions (question sets) to re-ask; every stored phrasing is
            re-asked too, and those whose reply changes are reported.
        dry_run: validate and report, but leave the file as it is.

    Raises:
        TeachError: unknown fact, a phrasing the fact base already has, or a result that does not
            validate (its problems attached); the file is then untouched.
        KnowledgeError: the fact base does not validate before the change.
    """
    question = " ".join(question.split())
    if not question:
        raise TeachError("the question is empty")
    with _exclusive(Path(directory) if directory else default_knowledge_dir()):
        before = Engine.load(directory)
        knowledge = before.knowledge
        fact = knowledge.fact(fact_id)
        if fact is None:
            raise TeachError(f"no fact '{fact_id}' (see `python -m bot facts`)")
        key = normalise_phrasing(question)
        if any(normalise_phrasing(q) == key for q in fact.questions):
            raise TeachError(f"'{question}' is already a phrasing of '{fact_id}'")
        # A phrasing of another fact is left to the validator, which names both places.
        language = detect_language(question)
        path = Path(fact.file)
        old_text = path.read_text(encoding="utf-8")
        new_text = add_phrasing_to_text(old_text, fact_id, language, question)
        try:
            after = _validate_copy(knowledge.directory, path.name, new_text)
        except KnowledgeError as error:
            raise TeachError(
                f"the change would not validate (lines above as they would be with the new "
                f"phrasing); {path} is left as it was",
                error.problems,
            ) from error
        if not dry_run:
            _write_atomically(path, new_text)
    # What changed is worked out after the lock is released: no file is read or written.
    phrasings = [q for f in knowledge.facts for q in f.questions]
    changes = changed_questions(before, after, [*check_questions, *phrasings])
    return TeachResult(
        fact_id=fact_id,
        language=language,
        path=path,
        diff=unified_diff(old_text, new_text, path),
        match=after.ask(question),
        changes=tuple(changes),
    )


def format_teach(result: TeachResult, dry_run: bool = False) -> str:
    """What ``python -m bot teach`` prints after a change."""
    lines = [result.diff.rstrip("\n"), ""]
    verb = "Would add" if dry_run else "Added"
    lines.append(
        f"{verb} to '{result.fact_id}' (questions.{result.language}); the fact base validates."
    )
    lines.append(f"Now: {describe(result.match)}")
    if not result.answered_by_fact:
        lines.append(
            f"  note: the question is still not answered by '{result.fact_id}'; "
            "another phrasing or a keyword may be needed."
        )
    if result.changes:
        lines.append(f"Other questions whose reply changed ({len(result.changes)}):")
        lines += [f"  {c.question!r}: {c.before} -> {c.after}" for c in result.changes]
    else:
        lines.append("No other question's reply changed (question sets and stored phrasings).")
    return "\n".join(lines)


def format_teach_html(result: TeachResult) -> str:
    """What an admin sees in Telegram after pressing an "add to" button (Telegram HTML)."""
    from html import escape

    lines = [
        f"<b>Added</b> “{escape(result.match.question)}” to <code>{escape(result.fact_id)}</code> "
        f"({escape(result.path.name)}, questions.{result.language}); the fact base validated "
        "and is reloaded.",
        f"Now: {escape(describe(result.match))}",
    ]
    if result.changes:
        lines.append(f"Other questions whose reply changed ({len(result.changes)}):")
        lines += [
            f"• {escape(c.question)}: {escape(c.before)} → {escape(c.after)}"
            for c in result.changes[:10]
        ]
    else:
        lines.append("No other question's reply changed.")
    return "\n".join(lines)


def format_teach_refused_html(error: TeachError) -> str:
    from html import escape

    lines = [f"<b>Not added</b>: {escape(str(error))}"]
    lines += [f"<code>{escape(str(problem))}</code>" for problem in error.problems[:10]]
    return "\n".join(lines)
