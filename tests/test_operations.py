"""Running it for real: the curators' loop, admin commands, reload, webhooks and doctor, end to
end against the local Bot API stand-in on 127.0.0.1."""

from __future__ import annotations

import datetime as dt
import json
import os
import random
import re
import shutil
import signal
import socket
import sqlite3
import string
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass
from functools import partial
from pathlib import Path

import pytest
from bot_process import BotProcess, bot_message, buttons, new_user, running_bot, start_bot
from fake_telegram import TOKEN, FakeTelegram, serve, stop
from helpers import run_cli, seed_declined

from bot.inbox import INBOX_NAME
from bot.records import DATABASE_NAME, Records

ROOT = Path(__file__).resolve().parent.parent
ADMIN = 4242


@dataclass
class Deployment:
    fake: FakeTelegram
    process: BotProcess
    knowledge: Path
    data: Path


@pytest.fixture(scope="module")
def deployment(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Deployment]:
    """One bot with its own copy of the fact base (tests edit it) and its own database."""
    base = tmp_path_factory.mktemp("deployment")
    knowledge = base / "knowledge"
    shutil.copytree(ROOT / "knowledge", knowledge)
    data = base / "data"
    with running_bot(
        base, BOT_KNOWLEDGE_DIR=str(knowledge), BOT_DATA_DIR=str(data), BOT_ADMIN_IDS=f"{ADMIN},99"
    ) as (fake, process):
        yield Deployment(fake, process, knowledge, data)


@pytest.fixture
def own_deployment(tmp_path: Path) -> Iterator[Deployment]:
    """A bot of the test's own, with a fresh database (for tests that count what is in it)."""
    knowledge, data = ROOT / "knowledge", tmp_path / "data"
    with running_bot(
        tmp_path,
        BOT_KNOWLEDGE_DIR=str(knowledge),
        BOT_DATA_DIR=str(data),
        BOT_ADMIN_IDS=str(ADMIN),
    ) as (fake, process):
        yield Deployment(fake, process, knowledge, data)


def reply(deployment: Deployment, text: str, user: int | None = None):  # type: ignore[no-untyped-def]
    """Send ``text`` as ``user`` (a new user unless given) and return the next reply in that chat."""
    user = user or new_user()
    before = len(deployment.fake.sent(chat_id=user))
    deployment.fake.send_message(text, user_id=user)
    return deployment.fake.wait_for_replies(user, 1, after=before)[0]


def rows(deployment: Deployment, query: str) -> list[tuple[object, ...]]:
    # closing(): a connection's own context manager ends the transaction, not the connection.
    with closing(sqlite3.connect(deployment.data / DATABASE_NAME)) as connection:
        return connection.execute(query).fetchall()


# --------------------------------------------------------------------------------------------
# The curators' loop
# --------------------------------------------------------------------------------------------


def test_declines_are_recorded_without_who_asked(deployment: Deployment) -> None:
    user = 5_550_001
    reply(deployment, "how many employees does Midea have?", user=user)
    deployment.fake.wait_for(
        lambda: (
            ("how many employees does Midea have?", "en", "private", "decline")
            in rows(deployment, "SELECT question, language, chat_type, outcome FROM questions")
        )
    )
    # Every file SQLite keeps (the WAL exists only while a connection is open).
    stored = b"".join(path.read_bytes() for path in deployment.data.glob(DATABASE_NAME + "*"))
    assert b"how many employees does Midea have?" in stored  # the search would find it
    assert str(user).encode() not in stored and b"User5550001" not in stored


def test_answers_are_counted_but_their_text_is_not_kept(deployment: Deployment) -> None:
    reply(deployment, "What was the turnover in 2020?")
    deployment.fake.wait_for(
        lambda: (
            ("", "cluster-turnover-2020")
            in rows(deployment, "SELECT question, fact_id FROM questions WHERE outcome = 'answer'")
        )
    )
    assert not rows(deployment, "SELECT 1 FROM questions WHERE question LIKE '%turnover%'")


def test_none_of_these_is_recorded(deployment: Deployment) -> None:
    user = new_user()
    clarify = reply(deployment, "when was it founded?", user=user)
    deployment.fake.press(
        bot_message(clarify), buttons(clarify)[-1]["callback_data"], user_id=user
    )
    deployment.fake.wait_for(
        lambda: (
            ("when was it founded?",)
            in rows(deployment, "SELECT question FROM questions WHERE outcome = 'none_of_these'")
        )
    )


def test_thumbs_feedback_is_recorded_per_fact(deployment: Deployment) -> None:
    user = new_user()
    answer = reply(deployment, "What is the slogan?", user=user)
    down = next(b["callback_data"] for b in buttons(answer) if b["text"] == "👎")
    query = deployment.fake.press(bot_message(answer), down, user_id=user)
    deployment.fake.wait_for(lambda: query in deployment.fake.answered_callbacks)
    deployment.fake.wait_for(
        lambda: ("slogan", 0) in rows(deployment, "SELECT fact_id, helpful FROM feedback")
    )


def test_unanswered_and_report_commands_read_the_database(deployment: Deployment) -> None:
    for _ in range(2):
        reply(deployment, "what is the population of foshan?")
    user = new_user()
    answer = reply(deployment, "who wrote the article?", user=user)
    down = next(b["callback_data"] for b in buttons(answer) if b["text"] == "👎")
    deployment.fake.press(bot_message(answer), down, user_id=user)
    deployment.fake.wait_for(
        lambda: (
            len(rows(deployment, "SELECT 1 FROM questions WHERE question LIKE '%population%'"))
            == 2
            and ("article-author", 0) in rows(deployment, "SELECT fact_id, helpful FROM feedback")
        )
    )
    env = {"BOT_DATA_DIR": str(deployment.data)}
    listed = json.loads(run_cli("unanswered", "--json", env=env).stdout)
    population = next(g for g in listed if "population" in g["question"])
    assert population["count"] == 2
    report = json.loads(run_cli("report", "--json", env=env).stdout)
    assert report["answered"] >= 1 and report["declined"] >= 2
    assert {"fact_id": "article-author", "down": 1, "up": 0} in report["negative_feedback"]


# --------------------------------------------------------------------------------------------
# Admin commands and reload
# --------------------------------------------------------------------------------------------


def test_admin_commands_are_unknown_commands_for_everyone_else(deployment: Deployment) -> None:
    for command in ("/stats", "/unanswered", "/reload"):
        assert "I don't know that command" in reply(deployment, command).visible_text


def test_admin_stats_and_unanswered(own_deployment: Deployment) -> None:
    # A fresh database: what other tests recorded could push this question off the top ten.
    reply(own_deployment, "How tall is the tallest building in Foshan?")
    own_deployment.fake.wait_for(
        lambda: rows(
            own_deployment, "SELECT 1 FROM questions WHERE question LIKE '%tallest building%'"
        )
    )
    stats = reply(own_deployment, "/stats", user=ADMIN)
    assert "questions" in stats.visible_text and "decline rate" in stats.visible_text
    unanswered = reply(own_deployment, "/unanswered", user=ADMIN)
    assert "Unanswered questions" in unanswered.visible_text
    assert "How tall is the tallest building in Foshan?" in unanswered.visible_text


def test_reload_keeps_the_old_fact_base_when_the_new_one_is_broken(deployment: Deployment) -> None:
    path = deployment.knowledge / "goals.yaml"
    good = path.read_text(encoding="utf-8")
    broken = good.replace("source: foshannews-2021", "source: no-such-source", 1)
    path.write_text(broken, encoding="utf-8")
    try:
        refused = reply(deployment, "/reload", user=ADMIN)
        line = next(n for n, text in enumerate(broken.splitlines(), 1) if "no-such-source" in text)
        assert "Reload refused" in refused.visible_text
        assert (
            f"{path}:{line}: fact 'goals-2023' cites unknown source 'no-such-source'"
            in refused.visible_text
        )
        assert (
            "international influence"
            in reply(deployment, "what are Foshan's goals for 2023?").visible_text
        )
    finally:
        path.write_text(good, encoding="utf-8")


def test_reload_applies_changes_and_refreshes_the_command_menu(deployment: Deployment) -> None:
    path = deployment.knowledge / "article.yaml"
    original = path.read_text(encoding="utf-8")
    menus_before = len(deployment.fake.sent("setMyCommands"))
    path.write_text(
        original.replace(
            "  - id: article-author\n", "  - id: article-author\n    shortcut: author\n"
        ),
        encoding="utf-8",
    )
    try:
        done = reply(deployment, "/reload", user=ADMIN)
        assert (
            done.visible_text.startswith("Reloaded: 51 facts")
            and "14 shortcuts" in done.visible_text
        )
        deployment.fake.wait_for(
            lambda: len(deployment.fake.sent("setMyCommands")) >= menus_before + 2
        )
        menu = deployment.fake.sent("setMyCommands")[-1].params["commands"]
        assert "author" in [c["command"] for c in menu]
        assert "Jersey" in reply(deployment, "/author").visible_text
    finally:
        path.write_text(original, encoding="utf-8")


def _fifo(path: Path, outside: Path) -> None:
    os.mkfifo(path)


def _link_outside(path: Path, outside: Path) -> None:
    (outside / "shadow").write_text("root:$6$never-shown$:19000::\n", encoding="utf-8")
    path.symlink_to(outside / "shadow")


def _alias_bomb(path: Path, outside: Path) -> None:
    lines = ['a0: &a0 ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    lines += [f"a{n}: &a{n} [{', '.join([f'*a{n - 1}'] * 9)}]" for n in range(1, 9)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (_fifo, "not a regular file (a folder, pipe or device); not read"),
        (_link_outside, "a link to a file outside the fact base folder; not read"),
        (_alias_bomb, "YAML too large: over 50000 values once aliases are expanded"),
    ],
    ids=["fifo", "link outside", "alias bomb"],
)
def test_reload_refuses_unsafe_files_quickly_and_keeps_serving(
    deployment: Deployment,
    tmp_path: Path,
    make,
    message: str,  # type: ignore[no-untyped-def]
) -> None:
    path = deployment.knowledge / "zz-hostile.yaml"
    make(path, tmp_path)
    try:
        before = len(deployment.fake.sent(chat_id=ADMIN))
        deployment.fake.send_message("/reload", user_id=ADMIN)
        refused = deployment.fake.wait_for_replies(ADMIN, 1, after=before)[0]
        assert "Reload refused" in refused.visible_text
        assert f"{path}:" in refused.visible_text and message in refused.visible_text
        assert "never-shown" not in refused.visible_text
        assert "Where there is a home" in reply(deployment, "/slogan").visible_text
    finally:
        path.unlink()


def reload_by_sighup(deployment: Deployment, outcome: str) -> None:
    """SIGHUP, then wait until the log says how the reload ended (``outcome``)."""
    before = deployment.process.log().count(outcome)
    deployment.process.send_signal(signal.SIGHUP)
    deployment.fake.wait_for(
        lambda: deployment.process.alive() and deployment.process.log().count(outcome) > before
    )


RELOADED, REFUSED = "reloaded the fact base", "reload refused"
SLOGAN = "Where there is a home, there are products made in Foshan"
NEW_SLOGAN = "Wherever there is a home, you find products made in Foshan"


def test_sighup_reloads_the_fact_base(deployment: Deployment) -> None:
    path = deployment.knowledge / "industries.yaml"
    original = path.read_text(encoding="utf-8")
    path.write_text(original.replace(SLOGAN, NEW_SLOGAN), encoding="utf-8")
    try:
        reload_by_sighup(deployment, RELOADED)
        assert NEW_SLOGAN in reply(deployment, "/slogan").visible_text
    finally:
        path.write_text(original, encoding="utf-8")
        reload_by_sighup(deployment, RELOADED)


def test_sighup_with_a_broken_fact_base_keeps_serving_the_old_one(deployment: Deployment) -> None:
    industries, goals = (
        deployment.knowledge / "industries.yaml",
        deployment.knowledge / "goals.yaml",
    )
    originals = {path: path.read_text(encoding="utf-8") for path in (industries, goals)}
    industries.write_text(originals[industries].replace(SLOGAN, NEW_SLOGAN), encoding="utf-8")
    broken = originals[goals].replace("source: foshannews-2021", "source: no-such-source", 1)
    goals.write_text(broken, encoding="utf-8")
    try:
        reload_by_sighup(deployment, REFUSED)
        assert SLOGAN in reply(deployment, "/slogan").visible_text  # nothing of the new files
        goals_reply = reply(deployment, "what are Foshan's goals for 2023?")
        assert "international influence" in goals_reply.visible_text
    finally:
        for path, text in originals.items():
            path.write_text(text, encoding="utf-8")
        reload_by_sighup(deployment, RELOADED)


# --------------------------------------------------------------------------------------------
# Webhooks
# --------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def post_update(port: int, update: dict[str, object], secret: str | None) -> int:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/hook",
        data=json.dumps(update).encode(),
        method="POST",
        headers={
            "Content-Type": "application/json",
            **({"X-Telegram-Bot-Api-Secret-Token": secret} if secret else {}),
        },
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return int(response.status)
    except urllib.error.HTTPError as error:
        return int(error.code)
    except OSError:  # not listening yet, or something else holds the port and never answers
        return 0


def text_update(fake: FakeTelegram, user: int, text: str) -> dict[str, object]:
    """An update as Telegram would post it: ``user`` says ``text`` in a private chat."""
    chat = FakeTelegram.private_chat(user)
    fake.chats[user] = chat
    message = {"message_id": 1, "date": 0, "chat": chat, "from": FakeTelegram.user(user)}
    return {"update_id": user, "message": {**message, "text": text}}


def _answers_ping(fake: FakeTelegram, process: BotProcess, port: int, user: int) -> str | None:
    """ "answered" once the bot on ``port`` answers a ping posted with the secret it registered,
    "gone" if it stopped; None while it is starting."""
    if process.process.poll() is not None:
        return "gone"
    registered = fake.sent("setWebhook")
    if not registered:
        return None
    post_update(port, text_update(fake, user, "ping"), registered[0].params["secret_token"])
    return "answered" if fake.sent(chat_id=user) else None


@dataclass
class WebhookBot:
    fake: FakeTelegram
    process: BotProcess
    port: int
    secret: str


@contextmanager
def webhook_bot(
    directory: Path, secret: str | None = None, **settings: str
) -> Iterator[WebhookBot]:
    """A bot in webhook mode on a free loopback port, answering a first update posted with the
    secret it registered. A port found free can be taken by another program before the bot
    binds it: then the bot stops ("address already in use") and we start again on another."""
    for attempt in range(5):
        port = free_port()
        if secret:
            settings["BOT_WEBHOOK_SECRET"] = secret
        with running_bot(
            directory / f"attempt-{attempt}",
            ready=False,
            BOT_WEBHOOK_URL="https://bot.example.invalid/hook",
            BOT_WEBHOOK_LISTEN="127.0.0.1",
            BOT_WEBHOOK_PORT=str(port),
            **settings,
        ) as (fake, process):
            ping = partial(_answers_ping, fake, process, port, new_user())
            if fake.wait_for(ping, timeout=60) == "answered":
                yield WebhookBot(
                    fake, process, port, fake.sent("setWebhook")[0].params["secret_token"]
                )
                return
            if "address already in use" not in process.log().lower():
                raise AssertionError(f"the webhook bot stopped:\n{process.log()}")
    raise AssertionError("no free port for the webhook server in 5 attempts")


def test_webhook_refuses_updates_without_the_secret_and_answers_the_right_one(
    tmp_path: Path,
) -> None:
    with webhook_bot(tmp_path, secret="s3cret-Token_1") as bot:
        fake, port = bot.fake, bot.port
        [registered] = fake.sent("setWebhook")
        assert registered.params["url"] == "https://bot.example.invalid/hook"
        assert registered.params["secret_token"] == "s3cret-Token_1"
        question = "What was the turnover in 2020?"
        assert post_update(port, text_update(fake, 2, question), None) == 403
        assert post_update(port, text_update(fake, 3, question), "wrong") == 403
        assert post_update(port, text_update(fake, 4, question), "s3cret-Token_1") == 200
        assert "133 billion" in fake.wait_for_replies(4, 1)[0].visible_text
        assert not fake.sent(chat_id=2) and not fake.sent(chat_id=3)
    log = bot.process.log()
    assert "s3cret-Token_1" not in log and TOKEN not in log
    assert "secret token set" in log


def test_kill_9_in_webhook_mode_loses_no_update_it_acknowledged(tmp_path: Path) -> None:
    data = tmp_path / "data"
    users = list(range(800_001, 800_151))
    with webhook_bot(tmp_path / "webhook", BOT_DATA_DIR=str(data)) as bot:
        # Replies meet "retry after 30 s" (the rate limiter then holds them all), so the kill
        # finds acknowledged updates unanswered however busy the machine is.
        for user in users:
            bot.fake.fail("sendMessage", user, 30)
        for user in users:  # Telegram forgets each update once the bot answered 200
            update = text_update(bot.fake, user, "what is the slogan?")
            assert post_update(bot.port, update, bot.secret) == 200
        bot.process.process.kill()  # kill -9 while replies are still going out
        bot.process.process.wait()
        chats = dict(bot.fake.chats)
        answered = {u for u in users if bot.fake.sent(chat_id=u)}
    assert len(answered) < len(users)  # the scenario is real: acknowledged, not answered
    fake = FakeTelegram()
    fake.chats.update(chats)
    server, url = serve(fake)
    restarted = start_bot(url, tmp_path / "restarted", data=data)
    try:
        fake.wait_for(
            lambda: (
                restarted.alive() and all(fake.sent(chat_id=u) for u in users if u not in answered)
            ),
            timeout=120,
        )
    finally:
        log = restarted.stop()
        stop(fake, server)
    assert "updates received before the last stop" in log


def test_a_generated_webhook_secret_is_random_required_and_never_shown(tmp_path: Path) -> None:
    generated = []
    for level in ("DEBUG", "INFO"):  # DEBUG logs every API call, setWebhook's too
        with webhook_bot(tmp_path / level, BOT_LOG_LEVEL=level) as bot:
            question = "What was the turnover in 2020?"
            assert post_update(bot.port, text_update(bot.fake, 2, question), None) == 403
            assert post_update(bot.port, text_update(bot.fake, 3, question), "wrong") == 403
            assert post_update(bot.port, text_update(bot.fake, 4, question), bot.secret) == 200
            assert "133 billion" in bot.fake.wait_for_replies(4, 1)[0].visible_text
            assert not bot.fake.sent(chat_id=2) and not bot.fake.sent(chat_id=3)
        output = bot.process.log() + bot.process.stdout()
        assert "secret token set (generated for this run)" in output
        assert bot.secret not in output
        generated.append(bot.secret)
    assert all(re.fullmatch(r"[A-Za-z0-9_-]{32,256}", secret) for secret in generated)
    assert generated[0] != generated[1]


# --------------------------------------------------------------------------------------------
# Starting: the token from a file, retention, an unusable data directory
# --------------------------------------------------------------------------------------------


def test_token_file_gives_the_token(tmp_path: Path) -> None:
    token_file = tmp_path / "token"
    token_file.write_text(TOKEN + "\n", encoding="utf-8")  # as editors and `echo` leave it
    # The stand-in refuses any other token, so the bot only starts with the file's.
    other = "987654321:ANOTHER-token_the-stand-in-refuses-AAAA"
    with running_bot(
        tmp_path / "bot", "--token-file", str(token_file), TELEGRAM_BOT_TOKEN=other
    ) as (fake, _):
        fake.send_message("what is the slogan?", user_id=7)
        assert SLOGAN in fake.wait_for_replies(7, 1)[0].visible_text


def test_entries_older_than_the_retention_period_are_deleted(tmp_path: Path) -> None:
    data = tmp_path / "data"
    records = Records(data)
    now = dt.datetime.now(dt.UTC)
    for days in (45, 31, 29, 1):
        when = now - dt.timedelta(days=days)
        records.record_question(f"{days} days old", "en", "private", "decline", None, 0.1, at=when)
    records.record_feedback("slogan", False, "en", at=now - dt.timedelta(days=40))
    records.record_feedback("slogan", True, "en", at=now - dt.timedelta(days=20))
    year_ago = now - dt.timedelta(days=365)

    def kept() -> tuple[list[str], list[bool]]:
        questions = [record.question for record in Records(data).questions(year_ago)]
        return questions, [vote.helpful for vote in Records(data).feedback(year_ago)]

    with running_bot(tmp_path / "bot", BOT_DATA_DIR=str(data), BOT_RETENTION_DAYS="30") as (
        fake,
        _,
    ):
        fake.wait_for(lambda: kept() == (["29 days old", "1 days old"], [True]))


def _a_file_where_its_folder_should_be(tmp_path: Path) -> Path:
    blocker = tmp_path / "a-file"
    blocker.write_text("not a folder", encoding="utf-8")
    return blocker / "data"


def _a_file_instead_of_the_folder(tmp_path: Path) -> Path:
    data = tmp_path / "data"
    data.write_text("not a folder", encoding="utf-8")
    return data


def _a_folder_no_one_may_create() -> Path:
    if not Path("/sys/kernel").is_dir():
        pytest.skip("needs Linux's /sys")
    return Path("/sys/foshan-bot-data")  # sysfs refuses new folders, even to root


def warnings_and_errors(log: str) -> list[str]:
    """The bot's WARNING and ERROR lines."""
    return [line for line in log.splitlines() if re.search(" (WARNING|ERROR) ", line)]


@pytest.mark.parametrize(
    "unusable",
    [
        _a_file_where_its_folder_should_be,
        _a_file_instead_of_the_folder,
        lambda _: _a_folder_no_one_may_create(),
    ],
    ids=["a file on its path", "a file, not a folder", "a folder that cannot be created"],
)
def test_an_unusable_data_directory_is_logged_once_and_the_bot_still_answers(
    tmp_path: Path, unusable: Callable[[Path], Path]
) -> None:
    data, user = unusable(tmp_path), new_user()
    with running_bot(tmp_path / "bot", BOT_DATA_DIR=str(data), BOT_ADMIN_IDS=str(user)) as (
        fake,
        process,
    ):
        questions = [
            "how many employees does Midea have?",  # declines are what gets recorded
            "what is the population of foshan?",
            "What is the slogan?",
        ]
        for number, question in enumerate(questions, start=1):
            fake.send_message(question, user_id=user)
            fake.wait_for_replies(user, number)
        replies = [call.visible_text for call in fake.sent(chat_id=user)]
        assert replies[0].startswith("Sorry, I don't know that") and SLOGAN in replies[2]
        answer = fake.sent(chat_id=user)[2]
        down = next(b["callback_data"] for b in buttons(answer) if b["text"] == "👎")
        query = fake.press(bot_message(answer), down, user_id=user)
        fake.wait_for(lambda: query in fake.answered_callbacks)
        fake.send_message("/stats", user_id=user)  # an admin learns why there is nothing
        assert fake.wait_for_replies(user, 4)[3].visible_text == (
            "Nothing is recorded: the data directory is not usable (the bot's log says why)."
        )
    # Read once the bot has stopped: every component has had its say, the recorder included.
    trouble = warnings_and_errors(process.log())
    assert len(trouble) == 1, "\n".join(trouble)
    assert str(data) in trouble[0]
    assert "answering" in trouble[0] and "set BOT_DATA_DIR to a writable folder" in trouble[0]


def _not_a_database(database: Path) -> None:
    database.write_bytes(b"this is not a database" * 100)


def _a_folder_in_its_place(database: Path) -> None:
    database.mkdir()


def _a_file_it_may_not_write(database: Path) -> None:
    # Root writes whatever the permission bits say; /proc refuses writes to root too.
    database.symlink_to("/proc/version")


@pytest.mark.parametrize(
    ("broken", "what_to_do"),
    [
        (_not_a_database, "it is damaged: move it away and the bot starts a new one"),
        (_a_folder_in_its_place, "move whatever is in its place away"),
        (_a_file_it_may_not_write, "make it a file the bot may write"),
    ],
    ids=["not a database", "a folder in its place", "a file it may not write"],
)
def test_an_unusable_curation_database_is_logged_once_and_lost_records_counted_at_stop(
    tmp_path: Path, broken: Callable[[Path], None], what_to_do: str
) -> None:
    data, user = tmp_path / "data", new_user()
    data.mkdir()
    broken(data / DATABASE_NAME)
    with running_bot(tmp_path / "bot", BOT_DATA_DIR=str(data), BOT_ADMIN_IDS=str(user)) as (
        fake,
        process,
    ):
        questions = ["how many employees does Midea have?", "What is the slogan?"]
        for number, question in enumerate(questions, start=1):
            fake.send_message(question, user_id=user)
            fake.wait_for_replies(user, number)
        answer = fake.sent(chat_id=user)[1]
        assert SLOGAN in answer.visible_text
        down = next(b["callback_data"] for b in buttons(answer) if b["text"] == "👎")
        query = fake.press(bot_message(answer), down, user_id=user)
        fake.wait_for(lambda: query in fake.answered_callbacks)
        fake.send_message("/stats", user_id=user)  # an admin learns why there is nothing
        assert fake.wait_for_replies(user, 3)[2].visible_text == (
            "Nothing can be read: the curation database is not usable (the bot's log says why)."
        )
    lines = warnings_and_errors(process.log())
    assert len(lines) == 2, "\n".join(lines)
    assert f"curation database {data / DATABASE_NAME} is not usable" in lines[0]
    assert "answering" in lines[0] and "recording resumes by itself" in lines[0]
    assert what_to_do in lines[0]
    # Two questions and one 👎 waited in memory for a database that never worked.
    assert "stopping with 3 curation records not written" in lines[1]


# --------------------------------------------------------------------------------------------
# Doctor
# --------------------------------------------------------------------------------------------


def test_doctor_passes_on_a_good_setup(tmp_path: Path) -> None:
    fake = FakeTelegram()
    server, url = serve(fake)
    try:
        result = run_cli(
            "doctor",
            env={
                "TELEGRAM_BOT_TOKEN": TOKEN,
                "TELEGRAM_API_BASE_URL": url,
                "BOT_DATA_DIR": str(tmp_path / "data"),
                "BOT_WEBHOOK_URL": "https://bot.example.org/foshan",
            },
        )
    finally:
        stop(fake, server)
    assert result.returncode == 0, result.stdout
    assert (
        "OK   Bot API: getMe at 127.0.0.1" in result.stdout
        and "@FoshanClusterBot" in result.stdout
    )
    assert "OK   webhook: https://bot.example.org/foshan" in result.stdout
    assert TOKEN not in result.stdout


def test_doctor_says_what_to_fix(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("x")
    result = run_cli(
        "doctor", env={"TELEGRAM_BOT_TOKEN": "not-a-token", "BOT_DATA_DIR": str(blocker / "data")}
    )
    assert result.returncode == 1
    assert "FAIL token" in result.stdout or "FAIL configuration" in result.stdout
    result = run_cli(
        "doctor",
        env={
            "BOT_DATA_DIR": str(blocker / "data"),
            "BOT_WEBHOOK_URL": "https://bot.example.org:9999/hook",
        },
    )
    lines = result.stdout.splitlines()
    assert lines[0].startswith("FAIL token: TELEGRAM_BOT_TOKEN is not set")
    assert any(line.startswith("FAIL data directory") and "BOT_DATA_DIR" in line for line in lines)
    assert any(line.startswith("FAIL webhook: Telegram only calls ports") for line in lines)
    assert any(line.startswith("OK   fact base: 51 facts") for line in lines)


# --------------------------------------------------------------------------------------------
# Long admin replies: measured as Telegram measures them
# --------------------------------------------------------------------------------------------


def test_unanswered_full_of_ampersands_and_emoji_reaches_the_admin(
    deployment: Deployment,
) -> None:
    admin = 99  # the second admin, so this test does not count the first admin's replies
    chooser = random.Random(5)
    names = ["".join(chooser.choices(string.ascii_lowercase, k=8)) for _ in range(10)]
    # Stored questions are cut at 1,000 characters: ampersands are 5,000 characters of HTML,
    # emoji 2,000 UTF-16 units, with no space to cut at.
    questions = [
        f"{name} R&D " + "&" * 980 if n % 2 else f"{name} " + "😀" * 980
        for n, name in enumerate(names)
    ]
    reply(deployment, "hello", user=admin)  # the admin's chat exists
    seed_declined(deployment.data, questions * 5)
    deployment.fake.send_message("/unanswered", user_id=admin)
    shown = deployment.fake.wait_for(
        lambda: (lambda text: text if all(q[:30] in text for q in questions) else None)(
            "".join(c.visible_text or "" for c in deployment.fake.sent(chat_id=admin))
        )
    )
    assert "something went wrong" not in shown
    assert not [c for c in deployment.fake.calls if c.method.startswith("sendMessage:4")]


# --------------------------------------------------------------------------------------------
# Recording survives database trouble (each test with a bot of its own)
# --------------------------------------------------------------------------------------------


def declined(deployment: Deployment) -> list[tuple[object, ...]]:
    if not (deployment.data / DATABASE_NAME).exists():
        return []
    try:
        return rows(deployment, "SELECT question FROM questions WHERE outcome = 'decline'")
    except sqlite3.OperationalError:  # the bot is creating it again right now
        return []


def test_a_long_lock_by_another_process_delays_recording_but_not_answers(
    own_deployment: Deployment,
) -> None:
    reply(own_deployment, "how many employees does Midea have?")
    own_deployment.fake.wait_for(lambda: declined(own_deployment))
    holder = sqlite3.connect(own_deployment.data / DATABASE_NAME, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # held longer than any busy timeout
        answer = reply(own_deployment, "what is the population of foshan?")
        assert "don't know" in answer.visible_text  # answered while the lock is held
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    own_deployment.fake.wait_for(
        lambda: ("what is the population of foshan?",) in declined(own_deployment)
    )


def test_a_deleted_database_is_recorded_into_again(own_deployment: Deployment) -> None:
    reply(own_deployment, "how many employees does Midea have?")
    own_deployment.fake.wait_for(lambda: declined(own_deployment))
    for suffix in ("", "-wal", "-shm"):
        Path(f"{own_deployment.data / DATABASE_NAME}{suffix}").unlink(missing_ok=True)
    reply(own_deployment, "what is the population of foshan?")
    assert own_deployment.fake.wait_for(lambda: declined(own_deployment)) == [
        ("what is the population of foshan?",)
    ]


def test_a_curation_database_that_breaks_while_running_is_logged_once_and_once_mended(
    own_deployment: Deployment,
) -> None:
    database = own_deployment.data / DATABASE_NAME
    reply(own_deployment, "how many employees does Midea have?")
    own_deployment.fake.wait_for(lambda: declined(own_deployment))
    moved = own_deployment.data / "moved"
    moved.mkdir()
    for suffix in ("", "-wal", "-shm"):
        if Path(f"{database}{suffix}").exists():
            Path(f"{database}{suffix}").rename(moved / f"{DATABASE_NAME}{suffix}")
    database.mkdir()  # a folder where the database was
    reply(own_deployment, "what is the population of foshan?")  # waits in memory
    stats = reply(own_deployment, "/stats", user=ADMIN).visible_text
    assert stats == (
        "Nothing can be read: the curation database is not usable (the bot's log says why)."
    )
    database.rmdir()  # mended: the bot starts a new database and writes what waited
    own_deployment.fake.wait_for(
        lambda: declined(own_deployment) == [("what is the population of foshan?",)]
    )
    log = own_deployment.process.stop()
    lines = warnings_and_errors(log)
    assert len(lines) == 2, "\n".join(lines)
    assert f"curation database {database} is not usable" in lines[0]
    assert f"curation database {database} works again" in lines[1]


def test_an_update_inbox_that_breaks_while_running_is_logged_once_and_once_mended(
    own_deployment: Deployment,
) -> None:
    inbox = own_deployment.data / INBOX_NAME
    assert SLOGAN in reply(own_deployment, "What is the slogan?").visible_text
    holder = sqlite3.connect(inbox, isolation_level=None)
    try:
        holder.execute("BEGIN EXCLUSIVE")  # held longer than the inbox waits for a lock
        for _ in range(3):
            assert SLOGAN in reply(own_deployment, "What is the slogan?").visible_text
        holder.execute("ROLLBACK")
    finally:
        holder.close()
    for _ in range(50):  # each update tries the inbox again, in the background
        assert SLOGAN in reply(own_deployment, "What is the slogan?").visible_text
        if "works again" in own_deployment.process.log():
            break
    lines = warnings_and_errors(own_deployment.process.stop())
    assert len(lines) == 2, "\n".join(lines)
    assert f"update inbox {inbox} is not usable" in lines[0] and "answering" in lines[0]
    assert "another program holds it locked" in lines[0]
    assert f"update inbox {inbox} works again" in lines[1]


def test_a_deleted_update_inbox_is_created_again(own_deployment: Deployment) -> None:
    inbox = own_deployment.data / INBOX_NAME
    reply(own_deployment, "What is the slogan?")
    for suffix in ("", "-wal", "-shm"):
        Path(f"{inbox}{suffix}").unlink(missing_ok=True)
    assert SLOGAN in reply(own_deployment, "What is the slogan?").visible_text

    def kept() -> int:
        if not inbox.exists():
            return 0
        with closing(sqlite3.connect(inbox)) as connection:
            return connection.execute("SELECT COUNT(*) FROM updates").fetchone()[0]

    assert own_deployment.fake.wait_for(kept) == 1  # kept in a new file, not the deleted one
    assert not warnings_and_errors(own_deployment.process.stop())
