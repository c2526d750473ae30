"""Error messages quote the end of a log, because that is where the cause usually is."""

from pathlib import Path


def tail(path: Path, lines: int = 40) -> str:
    """Return the last ``lines`` lines of a log, or a note when there is none yet."""
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except FileNotFoundError:
        return f"(no log at {path})"
    kept = text.splitlines()[-lines:]
    return "\n".join(f"  | {line}" for line in kept) or f"(empty log at {path})"
