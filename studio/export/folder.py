"""The hand-off folder: a project to a folder an editor opens, in one call that writes all of it or nothing.

    1. target    the folder must not exist, be empty, or be replaced on request; never the project's own folder
    2. plan      check, media decisions and the editor timeline (``studio.export.plan``); nothing written yet
    3. media     links, tags, conversions and fitted renders into a staging folder beside the target
    4. timeline  the format's file, the SRT/VTT, the README
    5. publish   the staging folder renamed into place (the old one removed after, with ``replace``)

A failure or a cancel at any step removes the staging folder and leaves the target as it was.
"""

from __future__ import annotations

import os
import shutil
import tempfile
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from studio.errors import ProjectError
from studio.export.formats import EditFormat, FormatSpec, format_spec
from studio.export.media import write_media
from studio.export.plan import EditPlan, check_export, plan_edit
from studio.export.readme import readme_text
from studio.project.model import Project
from studio.scratch import owner_tag, sweep_stale
from studio.settings import Settings

Progress = Callable[[int, int], None]
Cancel = Callable[[], bool]


@dataclass(frozen=True)
class EditExport:
    folder: Path
    format: EditFormat
    timeline_file: Path
    files: tuple[str, ...]  # every file in the folder, relative, sorted
    not_carried: tuple[str, ...]  # the README's list
    gaps: tuple[int, ...]  # numbers of the shots exported as gaps (not rendered yet)
    frames: int
    elapsed_s: float
    archive: Path | None = None  # the folder as one zip, when asked for

    @property
    def summary(self) -> str:
        gaps = f"; shot(s) {', '.join(map(str, self.gaps))} not rendered yet: gaps" if self.gaps else ""
        return (f"{self.format.value}: {self.timeline_file.name} and {len(self.files) - 1} more files, "
                f"{self.frames} frames{gaps}; see README.md for how to open it and what it cannot carry")


def check_target(folder: Path, project_root: Path | None, *, replace: bool) -> None:
    """Refuse a target that holds something (unless ``replace``), that is a file, or that would swallow the
    project itself."""
    if folder.exists() and not folder.is_dir():
        raise ProjectError(f"{folder.name} exists and is not a folder; choose a new folder for the export")
    resolved = folder.resolve()
    if project_root is not None and (resolved == project_root.resolve()
                                     or project_root.resolve().is_relative_to(resolved)):
        raise ProjectError(f"the export folder {folder.name or folder} holds the project itself; choose a new folder")
    if resolved == Path(resolved.anchor) or resolved == Path.home().resolve():
        raise ProjectError(f"{folder} is not a folder to export into; choose a new, empty folder")
    if folder.is_dir() and any(folder.iterdir()) and not replace:
        raise ProjectError(f"the folder {folder.name} exists and is not empty; choose a new folder or replace it "
                           "(--replace)")


def write_timeline(spec: FormatSpec, plan: EditPlan, staging: Path, *, version: str, project_id: str,
                   srt: str, vtt: str) -> tuple[list[str], list[str]]:
    """Step 4: the format's file(s), the subtitles and the README into ``staging``; returns (files, notes)."""
    files, notes = spec.writer().write(plan.edit, staging)
    if plan.edit.captions:
        (staging / "captions.srt").write_text(srt, encoding="utf-8")
        (staging / "captions.vtt").write_text(vtt, encoding="utf-8")
    (staging / "README.md").write_text(readme_text(spec, plan.edit, plan.media, staging, files, notes,
                                                   version=version, project_id=project_id), encoding="utf-8")
    return files, notes


def export_edit(project: Project, project_root: Path | None, folder: str | os.PathLike[str],
                fmt: str | EditFormat, settings: Settings, *, replace: bool = False,
                progress: Progress | None = None, cancel: Cancel | None = None) -> EditExport:
    """Write ``project`` as an editor hand-off in ``fmt`` into ``folder``. Raises a StudioError on bad input."""
    import studio
    from studio.text.subtitles import subtitle_text

    started = time.monotonic()
    spec = format_spec(fmt)
    folder = Path(folder)
    # 1. target, 2. plan
    check_target(folder, project_root, replace=replace)
    spec.writer()  # a missing library fails before any work
    sources = check_export(project, settings, project_root)
    plan = plan_edit(sources, settings, pictures=spec.pictures)
    parent = folder.resolve().parent
    parent.mkdir(parents=True, exist_ok=True)
    sweep_stale(parent, prefix=f".{folder.name}.")
    staging = Path(tempfile.mkdtemp(dir=parent, prefix=f".{folder.name}.{owner_tag()}.", suffix=".partial"))
    try:
        # 3. media
        canvas = (plan.edit.canvas.width, plan.edit.canvas.height, plan.edit.canvas.fps)
        write_media(plan.media, staging, plan.fits, plan.pictures, canvas, settings, progress=progress,
                    cancel=cancel)
        # 4. timeline, subtitles, README
        files, notes = write_timeline(spec, plan, staging, version=studio.__version__, project_id=project.id,
                                      srt=subtitle_text(sources.timeline, "srt"),
                                      vtt=subtitle_text(sources.timeline, "vtt"))
        # 5. publish
        _publish(staging, folder)
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    written = sorted(p.relative_to(folder).as_posix() for p in folder.rglob("*") if p.is_file())
    readme = (folder / "README.md").read_text(encoding="utf-8")
    not_carried = tuple(line[2:] for line in readme.split("## What this format cannot carry", 1)[1].splitlines()
                        if line.startswith("- "))
    return EditExport(folder, spec.format, folder / files[0], tuple(written), not_carried,
                      tuple(s.index + 1 for s in plan.edit.gaps), plan.edit.frames, time.monotonic() - started)


def _publish(staging: Path, folder: Path) -> None:
    if not folder.exists():
        os.replace(staging, folder)
        return
    old = Path(tempfile.mkdtemp(dir=folder.resolve().parent, prefix=f".{folder.name}.{owner_tag()}.",
                                suffix=".partial"))
    os.replace(folder, old / "old")
    try:
        os.replace(staging, folder)
    except BaseException:
        os.replace(old / "old", folder)
        raise
    finally:
        shutil.rmtree(old, ignore_errors=True)


def zip_folder(folder: Path, output: str | os.PathLike[str]) -> Path:
    """``folder`` as one zip (its name as the top folder), written beside ``output`` and renamed into place.
    Media are stored, not deflated: they are compressed already."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w") as archive:
            for path in sorted(p for p in folder.rglob("*") if p.is_file()):
                name = f"{folder.name}/{path.relative_to(folder).as_posix()}"
                packed = zipfile.ZIP_DEFLATED if path.suffix.lower() in {".md", ".xml", ".mlt", ".fcpxml", ".srt",
                                                                          ".vtt", ".edl", ".json", ".otio"} \
                    else zipfile.ZIP_STORED
                archive.write(path, name, packed)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output
