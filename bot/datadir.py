"""The data directory (``BOT_DATA_DIR``): can the bot keep its databases there?

Found by trying, not by asking ``os.access``: root passes every permission check there, while
pseudo file systems (``/proc``, ``/sys``) and files where folders should be still refuse. A try
leaves nothing behind: a temporary file or folder is removed at once.
"""

from __future__ import annotations

import os
import tempfile
from pathlib import Path


def prepare_data_dir(data_dir: Path) -> str | None:
    """Create ``data_dir`` if it is missing and check that files can be written in it; what is
    wrong in a few words, or ``None``."""
    try:
        data_dir.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        return _reason(data_dir, error)
    return _try_writing(data_dir)


def _try_writing(folder: Path) -> str | None:
    if not folder.is_dir():
        return "it is a file, not a folder"
    try:
        handle, name = tempfile.mkstemp(prefix=".write-check-", dir=folder)
    except OSError as error:
        return f"no file can be written in it: {error.strerror or type(error).__name__}"
    os.close(handle)
    os.unlink(name)
    return None


def _reason(data_dir: Path, error: OSError) -> str:
    """Why ``data_dir`` could not be created, naming the path that is in the way."""
    blocker = next((p for p in data_dir.absolute().parents if p.exists()), None)
    if isinstance(error, FileExistsError) or (data_dir.exists() and not data_dir.is_dir()):
        return "it is a file, not a folder"
    if blocker is not None and not blocker.is_dir():
        return f"it cannot be created: {blocker} is a file, not a folder"
    return f"it cannot be created: {error.strerror or type(error).__name__}"
