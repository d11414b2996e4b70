"""Updates no well-behaved client sends: one the library cannot read is skipped (logged once) and
the next is answered; text with lone surrogates is answered like any other."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from bot_process import new_user, running_bot

from bot.updates import emptied_below, nesting_depth, readable_update


def test_an_unreadable_update_is_skipped_once_and_the_next_is_answered(tmp_path: Path) -> None:
    with running_bot(tmp_path) as (fake, bot):
        user = new_user()
        fake.chats[user] = fake.private_chat(user)
        # 'date' must be a number: python-telegram-bot cannot turn this into an Update.
        broken = fake.push(
            "message",
            {"message_id": 1, "date": "soon", "chat": fake.private_chat(user), "text": "hi"},
        )
        fake.send_message("what is the slogan?", user_id=user)
        assert "Where there is a home" in fake.wait_for_replies(user, 1)[0].visible_text
        log = bot.log()
    assert log.count(f"skipped update {broken} that could not be read") == 1
    assert "Traceback" not in log and "CRITICAL" not in log


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("\ud83d what was the turnover in 2020?", "133 billion"),
        ("turnover\udc80 of the cluster in 2020", "133 billion"),
        ("\ud800\udfff\ud83d how many employees does Midea have?", "don't know"),
    ],
    ids=["high surrogate", "low surrogate", "several, declined"],
)
def test_lone_surrogates_are_answered_normally(tmp_path: Path, text: str, expected: str) -> None:
    with running_bot(tmp_path) as (fake, bot):
        user = new_user()
        fake.send_message(text, user_id=user)
        reply = fake.wait_for_replies(user, 1)[0].visible_text
        assert expected in reply and "something went wrong" not in reply
        # and the bot goes on answering
        fake.send_message("what is the slogan?", user_id=user)
        assert "Where there is a home" in fake.wait_for_replies(user, 2)[1].visible_text
        log = bot.log()
    # nothing broke on the way: updates are still kept until handled, questions still recorded
    assert [line for line in log.splitlines() if " ERROR " in line or " WARNING " in line] == []


@pytest.mark.parametrize("depth", [600, 5000], ids=["deeper than the clean-up", "than JSON"])
def test_an_update_nested_deep_is_skipped_once_and_the_next_is_answered(
    tmp_path: Path, depth: int
) -> None:
    with running_bot(tmp_path) as (fake, bot):
        user = new_user()
        message = {"message_id": 1, "date": 0, "chat": fake.private_chat(user), "text": "hi"}
        nested = "[" * depth + '"the body"' + "]" * depth
        deep = fake.push_raw("message", json.dumps(message)[:-1] + f', "extra": {nested}}}')
        fake.send_message("what is the slogan?", user_id=user)
        assert "Where there is a home" in fake.wait_for_replies(user, 1)[0].visible_text
        log = bot.log()
    assert log.count(f"skipped update {deep} that could not be read") == 1
    assert "Traceback" not in log and "CRITICAL" not in log and "the body" not in log
    # confirmed: Telegram is not asked for it again
    assert fake.offsets[-1] > deep


@pytest.mark.parametrize(
    ("depth", "kept"),
    # MAX_UPDATE_DEPTH: Telegram's updates nest about ten deep; 50 leaves room, and no more
    [(50, True), (51, False)],
    ids=["at the limit", "one deeper"],
)
def test_an_update_is_read_up_to_the_depth_limit_and_skipped_past_it(
    caplog: pytest.LogCaptureFixture, depth: int, kept: bool
) -> None:
    # update > message > extra > arrays: the update and its message are two of the levels
    nested: object = "the body"
    for _ in range(depth - 2):
        nested = [nested]
    message = {"message_id": 1, "date": 0, "chat": {"id": 5, "type": "private"}, "text": "hi"}
    update = {"update_id": 7, "message": {**message, "extra": nested}}
    assert nesting_depth(update) == depth
    with caplog.at_level("WARNING", logger="bot.updates"):
        read = readable_update(update)
    if kept:
        assert read == update and caplog.messages == []
    else:
        assert read == {"update_id": 7}
        assert caplog.messages == ["skipped update 7 that could not be read (TooDeepError)"]


@pytest.mark.parametrize(
    ("text", "emptied"),
    [
        ('{"a": [1, 2], "b": {}}', '{"a": [1, 2], "b": {}}'),
        ('{"a": [1, {"b": [3]}], "c": {}}', '{"a": [1, []], "c": {}}'),
        ('[[[[[]]]], [[{"x": "]"}]]]', "[[[]], [[]]]"),
        ('{"t": "[[[{{{ \\" ]]] }}}", "n": [[]]}', '{"t": "[[[{{{ \\" ]]] }}}", "n": [[]]}'),
    ],
    ids=["shallow enough", "objects and arrays", "siblings", "brackets in text"],
)
def test_json_too_deep_is_emptied_below_the_limit_and_still_too_deep(
    text: str, emptied: str
) -> None:
    assert emptied_below(text, 2) == emptied
    assert nesting_depth(json.loads(emptied)) == min(nesting_depth(json.loads(text)), 3)
