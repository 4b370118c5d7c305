"""Shots: generate every shot, one, its variations, a longer take or a bridge; keep one variation."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path

from pipelines import shots as domain
from pipelines.services import Services
from pipelines.shots import ShotsProgress, ShotsResult
from pipelines.video.contract import Cancel, VideoOptions
from studio.errors import ProjectValidationError
from studio.project.model import Project


class ShotAction(StrEnum):
    ALL = "all"  # every shot that needs it (cached ones are reused)
    ONE = "one"  # the chosen shot
    VARY = "vary"  # ``count`` candidates of the chosen shot, to choose from
    EXTEND = "extend"  # the chosen shot ``seconds`` longer, without a seam
    BRIDGE = "bridge"  # a new shot from the chosen shot's last frame to the next one's first


def generate(services: Services, action: ShotAction, project: Project, root: Path | None, video: VideoOptions, *,
             shot_id: str | None = None, count: int = 2, seconds: float = 1.0,
             progress: ShotsProgress | None = None, cancel: Cancel | None = None) -> ShotsResult:
    """Run one shots action on ``project`` (its media relative to ``root``); the result's project is unsaved."""
    action = ShotAction(action)
    common = {"progress": progress, "cancel": cancel}
    if action is ShotAction.ALL:
        return domain.render_shots(project, root, video, services, **common)
    if not shot_id:
        raise ProjectValidationError("choose a shot first")
    if action is ShotAction.ONE:
        return domain.render_shot(project, root, shot_id, video, services, **common)
    if action is ShotAction.VARY:
        return domain.render_variations(project, root, shot_id, int(count), video, services, **common)
    if action is ShotAction.EXTEND:
        return domain.extend_shot(project, root, shot_id, seconds=float(seconds), options=video, services=services,
                                  **common)
    return domain.bridge_shots(project, root, shot_id, video, services, **common)


def choose_variation(project: Project, shot_id: str, index: int) -> Project:
    """Keep candidate ``index`` (0 for the first) as the shot: its clip, seed and render record."""
    return domain.choose_variation(project, shot_id, int(index))
