"""bench/RESULTS.md is shared: each benchmark owns one section between its own markers and rewrites only that,
so running one benchmark never loses another's numbers (bench/compose.py keeps everything below its notes line)."""

from __future__ import annotations

from pathlib import Path

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"


def write_section(name: str, text: str, *, heading: str = "", path: Path = RESULTS) -> Path:
    """Put ``text`` between ``<!-- NAME:start -->`` and ``<!-- NAME:end -->``, replacing what was there; the
    first time, append it at the end (after ``heading``, when given)."""
    start, end = f"<!-- {name}:start -->", f"<!-- {name}:end -->"
    block = f"{start}\n{text.strip(chr(10))}\n{end}"
    current = path.read_text(encoding="utf-8") if path.exists() else ""
    if start in current and end in current:
        current = current[: current.index(start)] + block + current[current.index(end) + len(end):]
    else:
        current = current.rstrip("\n") + "\n\n" + (f"{heading}\n\n" if heading else "") + block + "\n"
    path.write_text(current, encoding="utf-8")
    return path
