"""The shot cache: generated shots by the hash of what affects their pixels, written atomically.

Its own module because two callers share it: the orchestration (``pipelines.shots``: look up, link into the
project) and whatever runs a shot (``pipelines.cluster``: in this process, or a Ray worker writing into the same
folder on storage every worker shares). Each entry is complete or absent: the JSON first, the media last, each
published by rename, so a worker killed while writing leaves only dot-named scratch that the next cache opened on
the folder sweeps, and a retried shot finds a finished entry instead of rendering it twice.
"""

from __future__ import annotations

import logging
from pathlib import Path

from pipelines.video.contract import VideoResult
from studio.project.model import ShotRender
from studio.settings import Settings

logger = logging.getLogger("pipelines.video")


class ShotCache:
    """Generated shots by key: ``<root>/<key[:2]>/<key>.mp4`` (or ``.png`` for a still), its first and last
    frames as PNG, and ``<key>.json`` with how it was made. The media file is written last: it marks
    an entry complete. The first cache opened on a folder in a process sweeps the scratch that a killed
    process left in it (half-written clips under dot-names; see ``studio.scratch``)."""

    _swept: set[Path] = set()  # folders swept by this process (once each: a restart is a new process)

    def __init__(self, root: Path):
        self.root = Path(root)
        if self.root not in ShotCache._swept:
            from studio.scratch import sweep_stale

            ShotCache._swept.add(self.root)
            gone = sweep_stale(self.root, recursive=True)
            if gone:
                logger.info("shot cache: removed %d unfinished file(s) left by a stopped process", len(gone))

    def path(self, key: str, suffix: str) -> Path:
        return self.root / key[:2] / f"{key}{suffix}"

    def lookup(self, key: str) -> tuple[Path, ShotRender] | None:
        meta = self.path(key, ".json")
        for suffix in (".mp4", ".png"):
            media = self.path(key, suffix)
            if media.is_file() and meta.is_file() and media.stat().st_size > 0:
                try:
                    return media, ShotRender.model_validate_json(meta.read_text(encoding="utf-8"))
                except ValueError:
                    return None
        return None

    def store(self, key: str, result: VideoResult, settings: Settings) -> tuple[Path, ShotRender]:
        from pipelines.video.io import write_clip, write_png
        from studio.project.files import write_atomic

        render = ShotRender(backend=result.backend, model=result.model, cache_key=key, draft=result.draft,
                            width=result.width, height=result.height, num_frames=len(result.frames),
                            fps=result.fps, steps=result.steps)
        write_atomic(self.path(key, ".json"), render.model_dump_json().encode("utf-8"))
        if result.still:
            return write_png(result.frames[0], self.path(key, ".png")), render
        write_png(result.frames[0], self.path(key, ".first.png"))
        write_png(result.frames[-1], self.path(key, ".last.png"))
        return write_clip(result.frames, result.fps, self.path(key, ".mp4"), settings), render


__all__ = ["ShotCache"]
