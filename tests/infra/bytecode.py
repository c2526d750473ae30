"""What "ships with bytecode" means, for the zip and the image alike.

Lambda's code directory is read-only, so a module shipped without a valid pyc is
compiled again on every cold start and never cached.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable, Collection
from pathlib import PurePosixPath

# Header flags of a pyc (PEP 552): bit 0 = hash-based, bit 1 = check against the source.
UNCHECKED_HASH = 0b01


def pyc_name(source: str) -> str:
    """Where the import system looks for the bytecode of ``source`` on CPython 3.11."""
    path = PurePosixPath(source)
    return str(path.parent / "__pycache__" / f"{path.stem}.cpython-311.pyc")


def modules_without_bytecode(names: Collection[str], read: Callable[[str], bytes]) -> list[str]:
    """The ``.py`` files among ``names`` (posix paths) lacking an unchecked-hash pyc
    for this Python; ``read`` returns a file's bytes."""
    missing = []
    for source in sorted(name for name in names if name.endswith(".py")):
        pyc = pyc_name(source)
        header = read(pyc)[:8] if pyc in names else b""
        if header[:4] != importlib.util.MAGIC_NUMBER or header[4:8] != UNCHECKED_HASH.to_bytes(
            4, "little"
        ):
            missing.append(source)
    return missing
