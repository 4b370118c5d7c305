"""Exports: a project to an MP4 with its sidecars, the user's own media to a project or straight to an MP4,
bundles, a hand-off folder for a real editor, and the posting text."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from pipelines.services import Services
from studio.project.assemble import QuickOptions, project_from_media
from studio.project.model import Project
from studio.project.presets import PresetName

if TYPE_CHECKING:
    from studio.compose.compositor import ComposeResult
    from studio.export.folder import EditExport

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


def compose_project(services: Services, project: Project, root: Path | None, output: str | Path, *,
                    draft: bool = False, progress: Progress | None = None,
                    cancel: Cancel | None = None) -> ComposeResult:
    """The project as ``output`` (an .mp4) with its SRT, VTT, cover and project file; ``draft`` renders the fast
    540x960 preview instead of the platform's size. Nothing is left behind when it fails or is cancelled."""
    from studio.compose.compositor import compose

    if draft:
        project = project.model_copy(update={"preset": PresetName.DRAFT})
    return compose(project, output, settings=services.settings, project_root=root, progress=progress,
                   cancel=cancel)


def start_from_media(services: Services, media: Sequence[str | Path], captions: Sequence[str],
                     options: QuickOptions) -> Project:
    """A project from the user's own images and clips, one shot each, the i-th caption on the i-th shot."""
    return project_from_media(media, captions, options, services.settings)


def compose_media(services: Services, media: Sequence[str | Path], captions: Sequence[str], options: QuickOptions,
                  output: str | Path, *, progress: Progress | None = None,
                  cancel: Cancel | None = None) -> ComposeResult:
    """The quick path: the user's own images and clips with their captions straight to an MP4."""
    project = start_from_media(services, media, captions, options)
    return compose_project(services, project, None, output, progress=progress, cancel=cancel)


def caption_lines(text: str | None) -> list[str]:
    """Line i is the caption of shot i; blank lines keep their place, trailing blank lines are dropped."""
    lines = [line.strip() for line in (text or "").splitlines()]
    while lines and not lines[-1]:
        lines.pop()
    return lines


def bundle_name(project: Project) -> str:
    """A file name for the project's bundle, from its title: ``<title>.bundle.zip``."""
    name = "".join(c for c in (project.storyboard.title or "project")[:40] if c.isalnum() or c in "-_ ").strip()
    return f"{name.replace(' ', '-') or 'project'}.bundle.zip"


def export_bundle(project: Project, root: Path | None, output: str | Path) -> Path:
    """The project and every file it uses as one zip."""
    from studio.project.bundles import export_bundle as pack

    return pack(project, root, output)


def open_bundle(services: Services, bundle: str | Path, folder: str | Path) -> tuple[Project, Path]:
    """A bundle unpacked into a new folder, checked: no paths out of it, no links, nothing over the size limit."""
    from studio.project.bundles import import_bundle

    return import_bundle(bundle, folder, max_bytes=services.settings.max_bundle_mb * 2**20)


def export_edit(services: Services, project: Project, root: Path | None, folder: str | Path, fmt: str = "mlt", *,
                replace: bool = False, zip_to: str | Path | None = None, progress: Progress | None = None,
                cancel: Cancel | None = None) -> EditExport:
    """The project as a folder a real editor opens as an editable 9:16 timeline: Shotcut (``mlt``), Resolve,
    Premiere or Kdenlive (``otio``), Final Cut (``fcpxml``), Premiere (``fcp7``), any editor's cuts (``edl``) or
    Jianying/CapCut (``jianying``, experimental), with its media, the SRT and a README of how to open it and what
    the format cannot carry. ``folder`` must be new or empty unless ``replace``; ``zip_to`` also packs it as a zip
    (the result's ``archive``). Shots not rendered yet become named gaps."""
    import dataclasses

    from studio.export.folder import export_edit as write_folder
    from studio.export.folder import zip_folder

    result = write_folder(project, root, folder, fmt, services.settings, replace=replace, progress=progress,
                          cancel=cancel)
    if zip_to is not None:
        result = dataclasses.replace(result, archive=zip_folder(result.folder, zip_to))
    return result


def edit_name(project: Project, fmt: str) -> str:
    """A folder name for an editor hand-off, from the project's title: ``<title>-<format>``."""
    stem = bundle_name(project).removesuffix(".bundle.zip")
    return f"{stem}-{fmt}"


def posting_text(project: Project) -> str:
    """Title, description and hashtags ready to paste into a platform's upload form."""
    board = project.storyboard
    tags = " ".join(t if t.startswith("#") else f"#{t}" for t in board.hashtags)
    return "\n\n".join(part for part in (board.title or board.hook, board.description, tags) if part)
