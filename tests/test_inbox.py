"""The update inbox: kept until handled, re-deliveries recognised, poison updates dropped."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from bot.inbox import MAX_ATTEMPTS, Inbox


async def test_updates_wait_in_the_inbox_until_handled(tmp_path: Path) -> None:
    inbox = Inbox(tmp_path)
    try:
        assert [await inbox.add(n, {"update_id": n}) for n in (1, 2, 3)] == [True] * 3
        await inbox.done(2)
    finally:
        inbox.close()
    after_a_crash = Inbox(tmp_path)
    try:
        pending = await after_a_crash.take_pending()
        assert [(p.update_id, p.payload) for p in pending] == [
            (1, {"update_id": 1}),
            (3, {"update_id": 3}),
        ]
        # Telegram delivers them again (they were never confirmed): not handled twice.
        assert [await after_a_crash.add(n, {"update_id": n}) for n in (1, 2, 3, 4)] == [
            False,
            False,
            False,
            True,
        ]
    finally:
        after_a_crash.close()


async def test_an_update_that_never_gets_handled_is_dropped_after_three_starts(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    inbox = Inbox(tmp_path)
    try:
        await inbox.add(7, {"update_id": 7})
        found = [len(await inbox.take_pending()) for _ in range(MAX_ATTEMPTS + 1)]
    finally:
        inbox.close()
    assert found == [1] * MAX_ATTEMPTS + [0]
    assert "dropped 1 updates that were not handled in 3 starts" in caplog.text


async def test_an_unusable_inbox_is_logged_once_and_updates_go_through(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    inbox = Inbox(blocker / "data")
    try:
        with caplog.at_level(logging.ERROR, logger="bot.inbox"):
            assert [await inbox.add(n, {"update_id": n}) for n in (1, 2)] == [True, True]
            await inbox.done(1)
            assert await inbox.take_pending() == []
    finally:
        inbox.close()
    assert len([r for r in caplog.records if "not usable" in r.getMessage()]) == 1
