"""The bundled music: loops the project synthesizes itself (scripts/make_music.py), listed in
assets/music/library.json with their tempo, bars and mood, so a fresh install has music."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from studio.assets import asset_path
from studio.errors import ProjectValidationError

MUSIC_DIR = asset_path("music")


@dataclass(frozen=True)
class LibraryTrack:
    id: str
    title: str
    mood: str
    bpm: float
    beats_per_bar: int
    bars: int
    key: str
    duration_ms: int
    path: Path
    license: str

    @property
    def label(self) -> str:
        return f"{self.title} ({self.mood}; {self.bpm:g} BPM)"


@cache
def library() -> dict[str, LibraryTrack]:
    raw = json.loads((MUSIC_DIR / "library.json").read_text(encoding="utf-8"))
    return {
        entry["id"]: LibraryTrack(
            id=entry["id"], title=entry["title"], mood=entry["mood"], bpm=float(entry["bpm"]),
            beats_per_bar=int(entry["beats_per_bar"]), bars=int(entry["bars"]), key=entry["key"],
            duration_ms=int(entry["duration_ms"]), path=MUSIC_DIR / entry["file"], license=entry["license"],
        )
        for entry in raw["tracks"]
    }


def library_track(track_id: str) -> LibraryTrack:
    tracks = library()
    if track_id not in tracks:
        raise ProjectValidationError(f"unknown bundled music {track_id!r}; choose one of: {', '.join(tracks)}")
    return tracks[track_id]


def music_source(value: str | None) -> tuple[Path | None, str | None]:
    """One ``FILE_OR_NAME`` (the CLI's ``--music``) as (a file, a bundled track id): a bundled track's name counts
    only when no such file exists."""
    if not value:
        return None, None
    if not Path(value).expanduser().exists() and value in library():
        return None, value
    return Path(value), None
