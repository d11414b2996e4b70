"""What a change to the fact base did: the same questions scored on two fact bases, and every
question whose outcome or fact changed.

The reference is a git revision (its ``knowledge/`` files are read with ``git show`` into a
scratch folder, so the working tree is never touched) or a result saved by
``eval --json --save FILE``.
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from dataclasses import dataclass
from pathlib import Path

from bot.engine import Engine
from bot.evaluation import EvalItem, EvalReport, evaluate, report_to_json


class CompareError(ValueError):
    """The reference cannot be read (not a saved result, not a git revision)."""


@dataclass(frozen=True)
class Outcome:
    """One question's reply in a few fields: what the comparison looks at."""

    outcome: str
    fact_id: str | None
    correct: bool

    def describe(self) -> str:
        what = f"{self.outcome} {self.fact_id}" if self.fact_id else self.outcome
        return f"{what} ({'right' if self.correct else 'wrong'})"


@dataclass(frozen=True)
class Changed:
    question: str
    kind: str
    before: Outcome
    after: Outcome

    @property
    def verdict(self) -> str:
        if self.before.correct == self.after.correct:
            return "changed"
        return "fixed" if self.after.correct else "broken"


@dataclass(frozen=True)
class Comparison:
    reference: str
    before: dict[str, float]
    after: dict[str, float]
    changed: tuple[Changed, ...]
    missing: tuple[str, ...] = ()  # questions the saved reference does not have


def _outcomes_of(report_json: dict[str, object]) -> dict[str, Outcome]:
    results = report_json.get("results")
    if not isinstance(results, list):
        raise CompareError("the saved result has no 'results' (save it with eval --json --save)")
    return {
        str(r["question"]): Outcome(str(r["outcome"]), r.get("fact_id"), bool(r["correct"]))
        for r in results
        if isinstance(r, dict) and "question" in r
    }


def _git(directory: Path, *args: str) -> str:
    try:
        done = subprocess.run(
            ["git", "-C", str(directory), *args],
            capture_output=True,
            text=True,
            check=False,
            timeout=60,
        )
    except (OSError, subprocess.TimeoutExpired) as error:
        raise CompareError(f"cannot run git: {error}") from error
    if done.returncode != 0:
        raise CompareError(done.stderr.strip() or f"git {' '.join(args)} failed")
    return done.stdout


def knowledge_at_revision(knowledge_dir: Path, revision: str, scratch: Path) -> Path:
    """The fact base folder as it was at ``revision``, written into ``scratch``."""
    knowledge_dir = knowledge_dir.resolve()
    prefix = _git(knowledge_dir, "rev-parse", "--show-prefix").strip()
    _git(knowledge_dir, "rev-parse", "--verify", "--quiet", f"{revision}^{{commit}}")
    names = _git(knowledge_dir, "ls-tree", "--name-only", revision, "--", ".").splitlines()
    target = scratch / "knowledge"
    target.mkdir(parents=True)
    for name in names:
        file_name = Path(name).name
        if Path(file_name).suffix in (".yaml", ".yml"):
            text = _git(knowledge_dir, "show", f"{revision}:{prefix}{file_name}")
            (target / file_name).write_text(text, encoding="utf-8")
    return target


def reference_report(
    reference: str, knowledge_dir: Path, items: list[EvalItem]
) -> dict[str, object]:
    """The reference's results in the saved JSON form: read from a file, or scored now on the
    fact base at a git revision."""
    path = Path(reference)
    if path.is_file():
        try:
            return dict(json.loads(path.read_text(encoding="utf-8")))
        except (OSError, ValueError, TypeError) as error:
            raise CompareError(f"{path}: not a saved eval result ({error})") from error
    with tempfile.TemporaryDirectory(prefix="compare-") as scratch:
        try:
            folder = knowledge_at_revision(knowledge_dir, reference, Path(scratch))
        except CompareError as error:
            raise CompareError(
                f"'{reference}' is neither a saved result file nor a git revision ({error})"
            ) from error
        return report_to_json(evaluate(Engine.load(folder), items))


HEADLINES = ("overall", "answerable_right", "declined", "precision", "reach")


def compare(reference: str, reference_json: dict[str, object], report: EvalReport) -> Comparison:
    """Every question of ``report`` whose outcome or answered fact differs from the reference."""
    before = _outcomes_of(reference_json)
    changed, missing = [], []
    for result in report.results:
        question = result.item.question
        after = Outcome(result.match.outcome, result.fact_id, result.correct)
        old = before.get(question)
        if old is None:
            missing.append(question)
        elif (old.outcome, old.fact_id) != (after.outcome, after.fact_id):
            changed.append(Changed(question, result.item.kind, old, after))
    now = report_to_json(report)
    return Comparison(
        reference=reference,
        before={k: float(reference_json.get(k) or 0.0) for k in HEADLINES},  # type: ignore[arg-type]
        after={k: float(now[k]) for k in HEADLINES},
        changed=tuple(changed),
        missing=tuple(missing),
    )


def format_comparison(comparison: Comparison) -> str:
    lines = [f"Compared with {comparison.reference}:"]
    for key in HEADLINES:
        old, new = comparison.before[key], comparison.after[key]
        lines.append(f"  {key.replace('_', ' '):<18} {old:7.1%} -> {new:7.1%}  ({new - old:+.1%})")
    counts = {v: sum(c.verdict == v for c in comparison.changed) for v in ("fixed", "broken")}
    lines += [
        "",
        f"{len(comparison.changed)} questions changed: {counts['fixed']} fixed, "
        f"{counts['broken']} broken, "
        f"{len(comparison.changed) - counts['fixed'] - counts['broken']} other.",
    ]
    for change in comparison.changed:
        lines.append(
            f"  {change.verdict:<7} [{change.kind}] {change.question!r}\n"
            f"          {change.before.describe()} -> {change.after.describe()}"
        )
    if comparison.missing:
        lines.append(f"{len(comparison.missing)} questions are not in the reference.")
    return "\n".join(lines)


def comparison_to_json(comparison: Comparison) -> dict[str, object]:
    return {
        "reference": comparison.reference,
        "before": comparison.before,
        "after": comparison.after,
        "changed": [
            {
                "question": c.question,
                "kind": c.kind,
                "verdict": c.verdict,
                "before": {
                    "outcome": c.before.outcome,
                    "fact_id": c.before.fact_id,
                    "correct": c.before.correct,
                },
                "after": {
                    "outcome": c.after.outcome,
                    "fact_id": c.after.fact_id,
                    "correct": c.after.correct,
                },
            }
            for c in comparison.changed
        ],
        "missing": list(comparison.missing),
    }
