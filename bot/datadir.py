"""The data directory (``BOT_DATA_DIR``): can the bot keep its databases there?

Found by trying, not by asking ``os.access``: root passes every permission check, while pseudo
file systems (``/proc``, ``/sys``), immutable or read-only folders and a folder where the
database should be still refuse. A try leaves nothing behind: the temporary file or folder it
makes is removed at once, and the database is only opened, never written. ``database_advice``
says what an operator can do about a database there that stops working while the bot runs.
"""

from __future__ import annotations

import os
import stat
import tempfile
from pathlib import Path

from bot.records import DATABASE_NAME

_PROBE = ".write-check-"
#: How every SQLite database file begins.
_SQLITE_HEADER = b"SQLite format 3\x00"


def prepare_data_dir(data_dir: Path) -> str | None:
    """Create ``data_dir`` if it is missing and check that files can be written in it (for
    ``run``); what is wrong in a few words, or ``None``."""
    try:
        try:
            data_dir.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            return _cannot_create(data_dir, error)
        return _try_writing(data_dir)
    except OSError as error:  # a folder on the way the bot may not enter
        return _cannot_check(error)


def data_dir_problem(data_dir: Path) -> str | None:
    """What would stop ``run`` from keeping its databases in ``data_dir`` (for ``doctor``),
    found without creating anything that stays; ``None`` if nothing."""
    try:
        return _problem_without_creating(data_dir)
    except OSError as error:  # a folder on the way the bot may not enter
        return _cannot_check(error)


def _cannot_check(error: OSError) -> str:
    return f"it cannot be reached ({_strerror(error)})"


def _problem_without_creating(data_dir: Path) -> str | None:
    if data_dir.exists():
        return _try_writing(data_dir) or _database_problem(data_dir / DATABASE_NAME)
    parent = _nearest_existing(data_dir)
    if not parent.is_dir():
        return f"it cannot be created: {parent} is not a folder"
    try:
        os.rmdir(tempfile.mkdtemp(prefix=_PROBE, dir=parent))
    except OSError as error:
        return _cannot_create(data_dir, error)
    return None


def database_advice(problem: str) -> str:
    """What an operator can do about a database in the data directory that the running bot
    cannot use, going by ``problem`` (SQLite's or the system's words)."""
    lowered = problem.lower()
    if "locked" in lowered or "busy" in lowered:
        return "another program holds it locked: end that program's transaction"
    if "not a database" in lowered or "malformed" in lowered or "integrity" in lowered:
        return "it is damaged: move it away and the bot starts a new one"
    if "full" in lowered:
        return "its disk is full: free some space"
    return (
        "it cannot be opened for writing: make it a file the bot may write (or move whatever "
        "is in its place away) in a folder the bot may write"
    )


def _try_writing(folder: Path) -> str | None:
    if not folder.is_dir():
        return "it is not a folder"
    try:
        handle, name = tempfile.mkstemp(prefix=_PROBE, dir=folder)
    except OSError as error:
        return f"no file can be written in it ({_strerror(error)})"
    os.close(handle)
    os.unlink(name)
    return None


def _database_problem(database: Path) -> str | None:
    """An existing database the bot could not open for reading and writing (opening it changes
    nothing; a folder, an immutable file or a read-only mount refuse), or a file that is no
    SQLite database at all (its first bytes are read, nothing is written)."""
    if not os.path.lexists(database):
        return None
    flags = os.O_RDWR | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    try:
        handle = os.open(database, flags)
    except OSError as error:
        return f"{DATABASE_NAME} is not a file the bot can read and write ({_strerror(error)})"
    try:
        if not stat.S_ISREG(os.fstat(handle).st_mode):
            return f"{DATABASE_NAME} is not a file the bot can read and write (not a file)"
        header = os.read(handle, len(_SQLITE_HEADER))
    except OSError as error:
        return f"{DATABASE_NAME} is not a file the bot can read and write ({_strerror(error)})"
    finally:
        os.close(handle)
    if header and header != _SQLITE_HEADER:  # SQLite makes an empty file a database
        return (
            f"{DATABASE_NAME} is not an SQLite database (move it away and the bot starts a "
            "new one)"
        )
    return None


def _cannot_create(data_dir: Path, error: OSError) -> str:
    """Why ``data_dir`` could not be created, naming what is in the way."""
    if data_dir.exists() and not data_dir.is_dir():
        return "it is not a folder"
    parent = _nearest_existing(data_dir)
    if not parent.is_dir():
        return f"it cannot be created: {parent} is not a folder"
    return f"it cannot be created in {parent} ({_strerror(error)})"


def _nearest_existing(path: Path) -> Path:
    return next(p for p in path.absolute().parents if p.exists())


def _strerror(error: OSError) -> str:
    return error.strerror or type(error).__name__
