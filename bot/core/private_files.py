"""Files the bot writes for people (exports, summaries, charts, the console's saved files)
hold members' names and words, so they are readable by their owner only, whatever the umask."""

from __future__ import annotations

import os
from pathlib import Path

OWNER_ONLY = 0o600
OWNER_ONLY_DIR = 0o700


def write_private(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path``, created (or tightened, if it was there) as owner-only."""
    descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, OWNER_ONLY)
    with os.fdopen(descriptor, "wb") as file:
        os.fchmod(file.fileno(), OWNER_ONLY)
        file.write(content)


def private_folder(path: Path) -> Path:
    """``path`` as a folder only its owner can open (made if missing)."""
    path.mkdir(mode=OWNER_ONLY_DIR, exist_ok=True)
    path.chmod(OWNER_ONLY_DIR)
    return path
