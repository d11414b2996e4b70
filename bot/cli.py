"""Command line: ``python -m bot`` / ``foshan-bot``. Parses arguments and delegates to the core."""

from __future__ import annotations

import argparse
import json
import os
import sqlite3
import sys
from collections.abc import Sequence
from pathlib import Path

from bot import __version__
from bot.knowledge import KnowledgeError, fact_to_json, load_knowledge
from bot.script import LANG_CHOICES

DESCRIPTION = """\
Foshan Cluster Bot: cited answers about the Foshan smart home industrial cluster.

With no command, runs the Telegram bot when TELEGRAM_BOT_TOKEN is set and the terminal chat
otherwise (the same as `run`)."""


EVAL_DESCRIPTION = """\
Score the engine on question sets. Each file is a YAML list of items:

  - {q: "whats the cluster turnover", expect: cluster-turnover-2020, kind: keywords}
  - {q: "cluster revenue", expect: ["133 billion", "1330亿"], kind: keywords}
  - {q: "what is the weather", expect: decline, kind: unrelated}

expect: a fact id (preferred); or a list of substrings, one of which the answered fact's own
answer (English or Chinese) must contain; or null / decline when the bot should decline. Only
the chosen fact's own answer counts: notes and "as of" lines never make a wrong fact right.
A kind containing "near" is a near miss.

Reports overall accuracy, answerable questions answered right, declines, near misses, the
precision of the answers given, the reach (right fact answered or offered as a button), each
kind, and a calibration table (confidence band -> share right, expected calibration error).

A dialogue set is a YAML list of conversations, each turn judged in the context of the ones
before it, through the same conversation engine as the bot and the terminal chat:

  - kind: followup
    turns:
      - {q: "how many enterprises are in the cluster", expect: cluster-enterprises-2020}
      - {q: "and how many of them are high-tech?", expect: ["395"]}
      - {q: "source?", expect: ["foshannews"]}

expect is as above; for a "source?" turn the substrings are looked for in the citations (title,
publisher, link, location, quote). Reports all turns, first turns, follow-up turns (the figure
that matters), whole dialogues right, and follow-up turns per kind; --min-accuracy then applies
to the follow-up turns. Give dialogue sets and question sets in separate runs."""


def _knowledge_dir(args: argparse.Namespace) -> str | None:
    return getattr(args, "knowledge", None) or os.environ.get("BOT_KNOWLEDGE_DIR") or None


def _print_problems(error: KnowledgeError) -> None:
    for problem in error.problems:
        print(problem, file=sys.stderr)
    count = len(error.problems)
    print(
        f"{count} problem{'s' if count != 1 else ''} found; the fact base was not loaded.",
        file=sys.stderr,
    )


def _load_engine(args: argparse.Namespace):  # type: ignore[no-untyped-def]
    from bot.engine import Engine

    return Engine.load(_knowledge_dir(args))


# --------------------------------------------------------------------------------------------
# Commands
# --------------------------------------------------------------------------------------------


def cmd_validate(args: argparse.Namespace) -> int:
    from bot.engine import read_decision

    directory = args.directory or _knowledge_dir(args)
    try:
        knowledge, warnings = load_knowledge(directory)
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    warnings += _answer_warnings(knowledge, args)
    _decision, stale = read_decision(knowledge)
    for warning in [*warnings, *([stale] if stale else [])]:
        print(warning, file=sys.stderr)
    print(f"OK: {knowledge.summary()} ({knowledge.directory})")
    return 0


def _answer_warnings(knowledge, args: argparse.Namespace) -> list:  # type: ignore[no-untyped-def]
    """Ambiguous phrasings, keywords that capture other facts' questions and phrasings their
    own attributes do not cover (never failing)."""
    from bot.engine import Engine
    from bot.evaluation import QuestionSetError, default_question_sets, load_question_set
    from bot.lint import ambiguous_phrasings, attribute_gaps, keyword_captures
    from bot.matcher import build_index

    engine = Engine(knowledge, build_index(knowledge))
    sets = [Path(p) for p in args.questions] if args.questions else None
    items = []
    for path in sets if sets is not None else default_question_sets(knowledge.directory):
        try:
            items += load_question_set(path)
        except QuestionSetError as error:
            print(f"warning: question set not used: {error}", file=sys.stderr)
    return ambiguous_phrasings(engine) + keyword_captures(engine, items) + attribute_gaps(engine)


def cmd_facts(args: argparse.Namespace) -> int:
    try:
        knowledge, _ = load_knowledge(_knowledge_dir(args))
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    facts = [f for f in knowledge.facts if not args.topic or f.topic == args.topic]
    if args.topic and not knowledge.topic(args.topic):
        known = ", ".join(t.id for t in knowledge.topics)
        print(f"unknown topic '{args.topic}' (topics: {known})", file=sys.stderr)
        return 2
    if args.json:
        json.dump(
            [fact_to_json(knowledge, f) for f in facts], sys.stdout, ensure_ascii=False, indent=2
        )
        print()
        return 0
    for topic in knowledge.topics:
        topic_facts = [f for f in facts if f.topic == topic.id]
        if not topic_facts:
            continue
        print(f"{topic.title.en} ({topic.id})")
        for fact in topic_facts:
            shortcut = f"  /{fact.shortcut}" if fact.shortcut else ""
            print(f"  {fact.id:<38} {fact.questions_en[0]}{shortcut}")
    return 0


def cmd_ask(args: argparse.Namespace) -> int:
    from bot.escape import replace_surrogates
    from bot.render import format_match_text, match_to_json

    try:
        engine = _load_engine(args)
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    record = _open_recorder(args, "terminal", notice=False) if args.record else None

    def answer(question: str) -> None:
        # Undecodable bytes in arguments arrive as lone surrogates: never printable as UTF-8.
        match = engine.ask(replace_surrogates(question), forced_language=args.lang)
        if record is not None:
            record(match)
        if args.json:
            print(
                json.dumps(match_to_json(engine.knowledge, match), ensure_ascii=False), flush=True
            )
        else:
            print(format_match_text(engine.knowledge, match), flush=True)
            print(flush=True)

    if args.question:
        answer(" ".join(args.question))
        return 0
    # Read bytes: a line that is not valid UTF-8 is answered with U+FFFD in place of the bad
    # bytes instead of ending the run (and losing every later line) under strict stdio.
    for raw in sys.stdin.buffer:
        line = raw.decode("utf-8", errors="replace")
        if line.strip():
            answer(line.rstrip("\r\n"))
    return 0


def _open_recorder(args: argparse.Namespace, chat_type: str, notice: bool):  # type: ignore[no-untyped-def]
    """A callback recording each match into the curation database (as the bot does), or None
    when the settings are unusable (said on stderr; answering goes on)."""
    from bot.config import ConfigError, load_settings
    from bot.recording import recorder
    from bot.records import Records

    try:
        settings = load_settings(args)
    except ConfigError as error:
        print(f"not recording: {error}", file=sys.stderr)
        return None
    records = Records(settings.data_dir, settings.retention_days)
    if notice:
        print(
            f"Recording declined questions to {records.path} for `unanswered` "
            "(no names or ids; --no-record to skip).",
            file=sys.stderr,
        )
    return recorder(records, chat_type)


def cmd_chat(args: argparse.Namespace) -> int:
    from bot.terminal import run_chat

    try:
        engine = _load_engine(args)
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    no_record = getattr(args, "no_record", False)  # `run` without a token lands here too
    record = None if no_record else _open_recorder(args, "terminal", notice=True)
    return run_chat(engine, choice=args.lang, record=record)


def _eval_dialogues(args: argparse.Namespace, files: list[Path], minimum: float | None) -> int:
    """``eval`` of dialogue sets: every turn through the conversation engine."""
    from bot.dialogue_eval import evaluate_dialogues, format_dialogue_report, load_dialogue_set
    from bot.evaluation import QuestionSetError

    if len(files) != len(args.files):
        print("eval: give dialogue sets and question sets in separate runs", file=sys.stderr)
        return 2
    try:
        engine = _load_engine(args)
        dialogues = [d for path in files for d in load_dialogue_set(path)]
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    except QuestionSetError as error:
        print(error, file=sys.stderr)
        return 2
    report = evaluate_dialogues(engine, dialogues)
    share = report.share
    if args.json:
        print(
            json.dumps(
                {
                    "all_turns": share(list(report.results)),
                    "first_turns": share(report.first_turns),
                    "followup_turns": share(report.followups),
                    "by_kind": {k: share(v) for k, v in report.by_kind().items()},
                    "failures": [r.expected.question for r in report.failures],
                },
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_dialogue_report(report, show_failures=not args.quiet))
    if minimum is not None and share(report.followups) < minimum:
        print(
            f"follow-up accuracy {share(report.followups):.1%} is below "
            f"--min-accuracy {minimum:.1%}",
            file=sys.stderr,
        )
        return 1
    return 0


def cmd_eval(args: argparse.Namespace) -> int:
    from bot.dialogue_eval import is_dialogue_set
    from bot.evaluation import (
        QuestionSetError,
        check_fact_ids,
        dump_report,
        evaluate,
        format_report,
        load_question_set,
        parse_min_accuracy,
    )

    try:
        minimum = None if args.min_accuracy is None else parse_min_accuracy(args.min_accuracy)
    except ValueError as error:
        print(f"error: --min-accuracy {error}", file=sys.stderr)
        return 2
    dialogue_files = [Path(p) for p in args.files if is_dialogue_set(Path(p))]
    if dialogue_files:
        return _eval_dialogues(args, dialogue_files, minimum)
    try:
        engine = _load_engine(args)
        items = [item for path in args.files for item in load_question_set(Path(path))]
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    except QuestionSetError as error:
        print(error, file=sys.stderr)
        return 2
    unknown = check_fact_ids(engine.knowledge, items)
    if unknown:
        print("\n".join(unknown), file=sys.stderr)
        return 2
    report = evaluate(engine, items)
    if args.save:
        Path(args.save).write_text(dump_report(report) + "\n", encoding="utf-8")
    if args.compare:
        return _print_comparison(args, engine, items, report)
    print(dump_report(report) if args.json else format_report(report, not args.quiet))
    if minimum is not None and report.accuracy() < minimum:
        print(
            f"accuracy {report.accuracy():.1%} is below --min-accuracy {minimum:.1%}",
            file=sys.stderr,
        )
        return 1
    return 0


def _print_comparison(args: argparse.Namespace, engine, items, report) -> int:  # type: ignore[no-untyped-def]
    """``eval --compare REF``: the questions whose outcome or fact changed since REF."""
    from bot.compare import (
        CompareError,
        compare,
        comparison_to_json,
        format_comparison,
        reference_report,
    )

    try:
        reference = reference_report(args.compare, engine.knowledge.directory, items)
    except CompareError as error:
        print(f"error: --compare {error}", file=sys.stderr)
        return 2
    except KnowledgeError as error:
        print(
            f"error: the fact base at {args.compare} does not load with this version of the "
            "validator (it may predate a change of the file format):",
            file=sys.stderr,
        )
        _print_problems(error)
        return 1
    comparison = compare(args.compare, reference, report)
    if args.json:
        print(json.dumps(comparison_to_json(comparison), ensure_ascii=False, indent=2))
    else:
        print(format_comparison(comparison))
    return 0


def cmd_teach(args: argparse.Namespace) -> int:
    from bot.evaluation import default_question_sets, questions_in
    from bot.knowledge import default_knowledge_dir
    from bot.teach import TeachError, format_teach, teach

    directory = Path(_knowledge_dir(args) or default_knowledge_dir())
    sets = (
        [Path(p) for p in args.questions] if args.questions else default_question_sets(directory)
    )
    try:
        result = teach(
            directory, args.question, args.fact_id, questions_in(sets), dry_run=args.dry_run
        )
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    except TeachError as error:
        for problem in error.problems:
            print(problem, file=sys.stderr)
        print(f"error: {error}", file=sys.stderr)
        return 1
    print(format_teach(result, dry_run=args.dry_run))
    return 0


def cmd_fit(args: argparse.Namespace) -> int:
    from bot.evaluation import QuestionSetError
    from bot.fitting import default_question_sets, fit, format_held_out, held_out, write_decision

    directory = _knowledge_dir(args)
    try:
        knowledge, _warnings = load_knowledge(directory)
        paths = [Path(f) for f in args.files] or default_question_sets(knowledge.directory)
        model, report = fit(knowledge, paths)
        if args.held_out:
            report += "\nleave one set out (each set scored by a decision fitted without it):\n"
            report += format_held_out(held_out(knowledge, paths))
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    except QuestionSetError as error:
        print(error, file=sys.stderr)
        return 2
    print("question sets: " + (", ".join(str(p) for p in paths) or "none"))
    print(report)
    if not args.dry_run:
        print(f"wrote {write_decision(model, knowledge.directory)}")
    return 0


def _at_least_one(text: str) -> int:
    """A count given on the command line: a whole number from 1 on (argparse's usage error
    otherwise, not a traceback from timing nothing)."""
    try:
        number = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"not a whole number: {text!r}") from None
    if number < 1:
        raise argparse.ArgumentTypeError(f"must be at least 1, not {number}")
    return number


def cmd_bench(args: argparse.Namespace) -> int:
    from bot.bench import QuestionSetError, format_bench, run_bench

    progress = None
    if not args.json and sys.stderr.isatty():

        def progress(message: str) -> None:
            print(f"\r\033[Kbench: {message}...", end="", file=sys.stderr, flush=True)

    try:
        result = run_bench(
            facts=args.facts,
            question_files=args.questions,
            count=args.count,
            rounds=args.rounds,
            knowledge_dir=_knowledge_dir(args),
            baseline=args.baseline,
            progress=progress,
        )
    except KnowledgeError as error:
        _print_problems(error)
        return 1
    except QuestionSetError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    finally:
        if progress is not None:
            print("\r\033[K", end="", file=sys.stderr, flush=True)
    print(json.dumps(result, indent=2, ensure_ascii=False) if args.json else format_bench(result))
    return 0


def _read_records(args: argparse.Namespace, read):  # type: ignore[no-untyped-def]
    """(what ``read(records, since)`` returns, (database path, whether it existed)) from the
    curation database, or an exit code with the reason printed."""
    from bot.config import ConfigError, load_settings
    from bot.curation import parse_since
    from bot.records import Records

    try:
        since = parse_since(args.since)
        settings = load_settings(args)
        records = Records(settings.data_dir, settings.retention_days)
        existed = records.path.exists()
        return read(records, since), (records.path, existed)
    except (ValueError, ConfigError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except (OSError, sqlite3.Error) as error:
        print(f"error: cannot read the curation database: {error}", file=sys.stderr)
        return 1


RECORDED = """\
What is recorded there: questions the Telegram bot declined or could only clarify, and "None
of these" presses (text, language, time; never who asked), and answered questions as a count
per fact. The terminal `chat` records the same unless started with --no-record; `ask` only with
--record. Nothing listed? Questions asked elsewhere went to another database: set BOT_DATA_DIR
to the bot's data directory (default: data/ in the working directory)."""


def _say_database(path: Path, existed: bool, json_output: bool) -> None:
    """Which database a curation command read and what is in it (stderr with --json)."""
    exists = "" if existed else " (did not exist: nothing has been recorded here yet)"
    print(
        f"Database: {path}{exists}\n{RECORDED}\n",
        file=sys.stderr if json_output else sys.stdout,
    )


def _group_json(group, suggested=None) -> dict[str, object]:  # type: ignore[no-untyped-def]
    from bot.suggest import suggested_to_json

    found: dict[str, object] = {
        "question": group.question,
        "count": group.count,
        "variants": list(group.variants),
        "best_fact_id": group.best_fact_id,
        "best_confidence": round(group.best_confidence, 3),
        "last_asked": group.last_asked,
    }
    if suggested is not None:
        found.update(suggested_to_json(suggested))
    return found


def cmd_unanswered(args: argparse.Namespace) -> int:
    from bot.curation import MAX_GROUPED, format_unanswered, group_unanswered
    from bot.suggest import format_suggested, suggest_all

    # Only the newest questions the grouping looks at are read (SQL LIMIT), however many the
    # period holds.
    found = _read_records(
        args,
        lambda records, since: records.questions(
            since, ("decline", "none_of_these"), newest=MAX_GROUPED
        ),
    )
    if isinstance(found, int):
        return found
    _say_database(*found[1], args.json)
    groups = group_unanswered(found[0], top=args.top)
    suggested = None
    if args.suggest:
        try:
            suggested = suggest_all(_load_engine(args), groups)
        except KnowledgeError as error:
            _print_problems(error)
            return 1
    if args.json:
        print(
            json.dumps(
                [
                    _group_json(g, suggested[n] if suggested else None)
                    for n, g in enumerate(groups)
                ],
                ensure_ascii=False,
                indent=2,
            )
        )
    else:
        print(format_suggested(suggested) if suggested is not None else format_unanswered(groups))
    return 0


def cmd_report(args: argparse.Namespace) -> int:
    from bot.curation import format_report, report_from_counts

    # Counted by the database (per day, outcome and fact), never read record by record.
    found = _read_records(
        args,
        lambda records, since: report_from_counts(
            records.question_counts(since), records.feedback_counts(since), since
        ),
    )
    if isinstance(found, int):
        return found
    _say_database(*found[1], args.json)
    report = found[0]
    if args.json:
        print(
            json.dumps(
                {
                    "since": report.since,
                    "total": report.total,
                    "answered": report.answered,
                    "declined": report.declined,
                    "decline_rate": round(report.decline_rate, 3),
                    "per_day": [
                        {"day": d, "answered": a, "not_answered": n} for d, a, n in report.per_day
                    ],
                    "top_facts": [{"fact_id": f, "count": c} for f, c in report.top_facts],
                    "negative_feedback": [
                        {"fact_id": f, "down": d, "up": u} for f, d, u in report.negative_feedback
                    ],
                },
                indent=2,
            )
        )
    else:
        print(format_report(report))
    return 0


def cmd_doctor(args: argparse.Namespace) -> int:
    from bot.doctor import run_checks

    checks = run_checks(args)
    for check in checks:
        print(check)
    return 0 if all(c.ok for c in checks) else 1


def cmd_run(args: argparse.Namespace) -> int:
    from bot.config import ConfigError, load_settings

    try:
        settings = load_settings(args)
    except ConfigError as error:
        print(
            f"error: {error}. Run `python -m bot doctor` to check the whole setup.",
            file=sys.stderr,
        )
        return 1
    if not settings.token:
        if args.command == "run":
            print(
                "error: no bot token. Set TELEGRAM_BOT_TOKEN (or pass --token-file FILE); "
                "without one, `python -m bot chat` opens the terminal chat.",
                file=sys.stderr,
            )
            return 2
        print("No TELEGRAM_BOT_TOKEN set: opening the terminal chat on the same engine.\n")
        return cmd_chat(args)
    from bot.serve import run_bot

    return run_bot(settings)


# --------------------------------------------------------------------------------------------
# Parser
# --------------------------------------------------------------------------------------------


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="foshan-bot",
        description=DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    parser.add_argument(
        "--knowledge",
        metavar="DIR",
        help="fact base folder (default: $BOT_KNOWLEDGE_DIR, else the shipped knowledge/)",
    )
    parser.set_defaults(func=cmd_run, command=None, lang=None, token_file=None)
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    p = sub.add_parser(
        "validate", help="check the fact base; list every problem as FILE:LINE: message"
    )
    p.add_argument(
        "directory", nargs="?", help="fact base folder to check (default: the one in use)"
    )
    p.add_argument(
        "--questions",
        action="append",
        metavar="FILE.yaml",
        help="question sets whose expected answers the keyword check uses (repeatable; "
        "default: tests/questions/ beside the fact base, when present, but not its check-* "
        "sets)",
    )
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("facts", help="list the facts (or print them all as JSON)")
    p.add_argument(
        "--json", action="store_true", help="print every fact with answers and citations as JSON"
    )
    p.add_argument("--topic", metavar="T", help="only facts of topic T")
    p.set_defaults(func=cmd_facts)

    p = sub.add_parser(
        "ask",
        help="answer questions (arguments, or one per line on stdin)",
        description="Answer QUESTION, or with none read questions from stdin, one per line.",
    )
    p.add_argument("question", nargs="*", metavar="QUESTION")
    p.add_argument("--json", action="store_true", help="one JSON object per line (stable format)")
    p.add_argument(
        "--lang", choices=("en", "zh"), help="answer language (default: the question's)"
    )
    p.add_argument(
        "--record",
        action="store_true",
        help="record the questions in the curation database like the bot does (BOT_DATA_DIR; "
        "off by default)",
    )
    p.set_defaults(func=cmd_ask)

    p = sub.add_parser(
        "chat",
        help="talk to the bot in the terminal (no token needed)",
        description="Talk to the bot in the terminal. Declined questions are recorded in the "
        "curation database (BOT_DATA_DIR, default data/) like the bot's, so `unanswered` sees "
        "them; --no-record to skip. Input history (arrow keys) is kept in "
        "BOT_DATA_DIR/chat_history, else ~/.local/share/foshan-bot/chat_history.",
    )
    p.add_argument(
        "--lang",
        choices=sorted(LANG_CHOICES),
        help="answer language, as /lang in the chat (zh-hant, zh-tw, zh-hk: traditional "
        "Chinese; default: the question's)",
    )
    p.add_argument(
        "--no-record", action="store_true", help="do not record the questions for curators"
    )
    p.set_defaults(func=cmd_chat)

    p = sub.add_parser(
        "eval",
        help="score the engine on question sets (YAML: q, expect, kind) or dialogue sets "
        "(YAML: kind, turns: [{q, expect}])",
        description=EVAL_DESCRIPTION,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    p.add_argument("files", nargs="+", metavar="FILE.yaml")
    p.add_argument(
        "--min-accuracy",
        metavar="P",
        help="exit 1 below this overall accuracy: 0.9, 90 or 90%% (a bare 1 to 2 is refused "
        "as ambiguous)",
    )
    p.add_argument("--quiet", action="store_true", help="do not list the failures")
    p.add_argument(
        "--json", action="store_true", help="print the figures and every result as JSON"
    )
    p.add_argument("--save", metavar="FILE", help="also write the JSON result to FILE")
    p.add_argument(
        "--compare",
        metavar="REF",
        help="list the questions whose outcome or fact changed since REF: a git revision "
        "(its knowledge/ is read with git show, the working tree is not touched) or a result "
        "saved with --save",
    )
    p.set_defaults(func=cmd_eval)

    p = sub.add_parser(
        "teach",
        help="add a question as a phrasing of a fact, in its own YAML file (validated)",
        description="Add QUESTION to FACT_ID's questions.en or questions.zh (by the question's "
        "language) in the fact's own YAML file, keeping its comments and layout. Shows the "
        "diff, validates the whole fact base first (an invalid result is refused and the file "
        "left untouched), then prints how the question is answered now and every other "
        "question (question sets and stored phrasings) whose reply changed. Waits while another "
        'teaching of the same fact base (the bot\'s "add to" button, another teach) is '
        "writing, so neither phrasing is lost.",
    )
    p.add_argument("question", metavar="QUESTION")
    p.add_argument("fact_id", metavar="FACT_ID")
    p.add_argument(
        "--questions",
        action="append",
        metavar="FILE.yaml",
        help="question sets to re-check (repeatable; default: tests/questions/ beside the "
        "fact base, when present, but not its check-* sets)",
    )
    p.add_argument(
        "--dry-run", action="store_true", help="show the diff and effects; write nothing"
    )
    p.set_defaults(func=cmd_teach)

    p = sub.add_parser(
        "fit",
        help="refit the answer decision on the fact base and question sets (after fact changes)",
        description=(
            "Fit the decision (answer / did you mean / decline, and the confidence) on the fact "
            "base's own phrasings (each asked without itself) and the question sets, and write "
            "it to decision.json in the fact base folder. Run it after every fact base change. "
            "The thresholds are chosen over fixed resamples of the questions, so the same "
            "files give the same decision and a small change moves them little. "
            "Default sets: tests/questions/dev-batch-*.yaml beside the fact base and "
            "../shared/questions/outside-dev-a.yaml when present."
        ),
    )
    p.add_argument("files", nargs="*", metavar="FILE.yaml", help="question sets to learn from")
    p.add_argument("--dry-run", action="store_true", help="print the report, write nothing")
    p.add_argument(
        "--held-out",
        action="store_true",
        help="also score each question set through the engine with a decision fitted without "
        "it (leave one set out; about ten times slower): the honest figures",
    )
    p.set_defaults(func=cmd_fit)

    p = sub.add_parser(
        "bench",
        help="time loading, indexing and answering, beside a BM25 baseline",
        description="Cold start, index build, p50/p99 per question and peak RSS, with a BM25 "
        "baseline (rank-bm25 + jieba, from the test extra) timed on the same questions in the "
        "same run, engine and baseline alternating. Progress goes to a terminal's stderr.",
    )
    p.add_argument(
        "--questions",
        nargs="+",
        type=Path,
        metavar="FILE",
        help="question sets to time (default: tests/questions/*.yaml beside the fact base, "
        "plus ../shared/questions/outside-dev-a.yaml when present; with --facts, synthetic "
        "questions)",
    )
    p.add_argument(
        "--facts", type=_at_least_one, metavar="N", help="use a synthetic fact base of N facts"
    )
    p.add_argument(
        "--count",
        type=_at_least_one,
        default=3000,
        metavar="Q",
        help="synthetic questions to time when no question set is used (default 3000)",
    )
    p.add_argument(
        "--rounds",
        type=_at_least_one,
        default=5,
        metavar="R",
        help="times each question (default 5)",
    )
    p.add_argument("--no-baseline", dest="baseline", action="store_false", help="do not time BM25")
    p.add_argument("--json", action="store_true", help="print the figures as JSON, no progress")
    p.set_defaults(func=cmd_bench)

    p = sub.add_parser("unanswered", help="the questions users asked that got no answer, grouped")
    p.add_argument("--since", default="7d", help="period: 7d, 24h, or a date (default 7d)")
    p.add_argument("--top", type=int, default=20, help="show this many groups (default 20)")
    p.add_argument(
        "--suggest",
        action="store_true",
        help="for each group, the facts most likely to answer it with their confidence (and "
        "the teach command), or 'needs a new fact'",
    )
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_unanswered)

    p = sub.add_parser(
        "report", help="usage: answered per day, most asked facts, declines, feedback"
    )
    p.add_argument("--since", default="30d", help="period: 30d, 24h, or a date (default 30d)")
    p.add_argument("--json", action="store_true")
    p.set_defaults(func=cmd_report)

    p = sub.add_parser(
        "doctor",
        help="check the configuration, one line per check with what to fix",
        description="Check the configuration, one line per check with what to fix; every "
        "check runs, and nothing is left created or changed (the data directory is tried with "
        "a temporary file or folder, removed at once). Exit 1 if any check fails.",
    )
    p.add_argument("--token-file", metavar="FILE", help="read the bot token from FILE")
    p.add_argument("--webhook-url", metavar="URL", help="check this webhook URL")
    p.set_defaults(func=cmd_doctor)

    p = sub.add_parser(
        "run",
        help="run the Telegram bot (long polling; webhooks with --webhook-url)",
        description="Run the Telegram bot. Configuration comes from environment variables "
        "(see README). If it cannot start, it prints one line with the cause and exits 1 "
        "(`doctor` checks the whole setup).",
    )
    p.add_argument(
        "--token-file", metavar="FILE", help="read the bot token from FILE (e.g. a mounted secret)"
    )
    p.add_argument(
        "--webhook-url", metavar="URL", help="use a webhook at URL instead of long polling"
    )
    p.set_defaults(func=cmd_run)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return int(args.func(args) or 0)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0
