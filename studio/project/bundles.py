"""Project bundles: one zip holding a project file and every media file it names, to move a project
between machines (or into and out of the browser UI).

Export writes ``project.json`` plus each referenced file under its project-relative path, into a temp
file beside the target that replaces it atomically. Import trusts nothing: every entry name is checked
(no absolute paths, no ``..``, no drive letters, no links, no special files), the entry count and the
unpacked size are capped before anything is written, the files are unpacked into a fresh temp folder,
and the project is loaded from there with the usual validation; a refused bundle leaves nothing behind.
"""

from __future__ import annotations

import os
import shutil
import stat
import tempfile
import zipfile
import zlib
from collections.abc import Callable
from pathlib import Path, PurePosixPath, PureWindowsPath

from studio.errors import ProjectError, UnsafePathError
from studio.project.effects import effect_files, map_effect_files
from studio.project.files import load_project, project_json, resolve_media, with_reference_paths
from studio.project.model import Project

PROJECT_NAME = "project.json"
MAX_ENTRIES = 5000


def media_paths(project: Project) -> list[str]:
    """Every media path the project names (relative to its folder), each once, in a stable order."""
    paths: list[str] = []
    for shot in project.shots:
        paths += [p for p in (shot.media, shot.source_media, shot.voiceover_audio) if p]
        paths += [c.media for c in shot.candidates]
        paths += effect_files(shot.effects)  # the user's .cube looks
    paths += effect_files(project.effects)
    paths += [c.reference_image for c in project.storyboard.bible.characters if c.reference_image]
    if project.music is not None and project.music.path:
        paths.append(project.music.path)
    if project.voiceover is not None:
        paths.append(project.voiceover.path)
    return list(dict.fromkeys(paths))


def map_media(project: Project, change: Callable[[str], str]) -> Project:
    """The project with ``change`` applied to every media path it names."""
    shots = []
    for shot in project.shots:
        fields = ("media", "source_media", "voiceover_audio")
        update: dict = {f: change(getattr(shot, f)) for f in fields if getattr(shot, f)}
        if shot.candidates:
            update["candidates"] = tuple(c.model_copy(update={"media": change(c.media)}) for c in shot.candidates)
        if effect_files(shot.effects):
            update["effects"] = map_effect_files(shot.effects, change)
        shots.append(shot.model_copy(update=update))
    project = project.with_shots(shots)
    if effect_files(project.effects):
        project = project.model_copy(update={"effects": map_effect_files(project.effects, change)})
    if any(c.reference_image for c in project.storyboard.bible.characters):
        project = with_reference_paths(project, change)
    if project.music is not None and project.music.path:
        music = project.music.model_copy(update={"path": change(project.music.path)})
        project = project.model_copy(update={"music": music})
    if project.voiceover is not None:
        voice = project.voiceover.model_copy(update={"path": change(project.voiceover.path)})
        project = project.model_copy(update={"voiceover": voice})
    return project


def export_bundle(project: Project, project_root: Path, output: str | os.PathLike[str]) -> Path:
    """Zip ``project`` (saved, with paths relative to ``project_root``) and its media into ``output``."""
    output = Path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=output.parent, prefix=f".{output.name}.", suffix=".partial")
    os.close(fd)
    try:
        with zipfile.ZipFile(tmp, "w", compression=zipfile.ZIP_DEFLATED) as bundle:
            bundle.writestr(PROJECT_NAME, project_json(project))
            for rel in media_paths(project):
                source = resolve_media(rel, project_root)
                if not source.is_file():
                    raise ProjectError(f"media {rel!r} of the project is missing; the bundle was not written")
                # Video and audio are compressed already: storing them is as small and much faster.
                bundle.write(source, PurePosixPath(rel.replace("\\", "/")).as_posix(), zipfile.ZIP_STORED)
        os.replace(tmp, output)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return output


def _safe_name(info: zipfile.ZipInfo, bundle: str) -> PurePosixPath | None:
    """The entry's relative path, or None for a folder entry; raises for anything that could escape."""
    name = info.filename
    if "\x00" in name or "\\" in name or name.startswith("/") or PureWindowsPath(name).drive:
        raise UnsafePathError(f"bundle {bundle}: entry {name!r} is an absolute or Windows path; refused")
    path = PurePosixPath(name)
    if ".." in path.parts:
        raise UnsafePathError(f"bundle {bundle}: entry {name!r} leaves the project folder; refused")
    kind = stat.S_IFMT(info.external_attr >> 16)  # 0: no Unix type recorded (Windows tools, writestr)
    if kind not in (0, stat.S_IFREG, stat.S_IFDIR):
        raise UnsafePathError(f"bundle {bundle}: entry {name!r} is a link or a special file; refused")
    return None if info.is_dir() else path


def import_bundle(bundle: str | os.PathLike[str], target: str | os.PathLike[str], *,
                  max_bytes: int = 4096 * 2**20, max_entries: int = MAX_ENTRIES) -> tuple[Project, Path]:
    """Unpack a bundle into the new folder ``target`` and load its project. Returns the project and its folder.

    ``target`` must not exist yet; it appears (by an atomic rename) only when the whole bundle is valid.
    """
    bundle, target = Path(bundle), Path(target)
    name = bundle.name
    if target.exists():
        raise ProjectError(f"cannot open the bundle into {target}: that folder already exists")
    if not zipfile.is_zipfile(bundle):
        raise ProjectError(f"bundle {name} is not a zip file")
    try:
        archive = zipfile.ZipFile(bundle)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as err:
        raise ProjectError(f"bundle {name} is damaged: {' '.join(str(err).split())[:160]}") from None
    with archive:
        infos = archive.infolist()
        if len(infos) > max_entries:
            raise ProjectError(f"bundle {name} has {len(infos)} entries; a bundle holds at most {max_entries}")
        files = [(info, path) for info in infos if (path := _safe_name(info, name)) is not None]
        if len({p.as_posix() for _, p in files}) != len(files):
            raise ProjectError(f"bundle {name} holds the same file twice; refused")
        if PROJECT_NAME not in {p.as_posix() for _, p in files}:
            raise ProjectError(f"bundle {name} has no {PROJECT_NAME} at its top level")
        total = sum(info.file_size for info, _ in files)
        if total > max_bytes:
            raise ProjectError(f"bundle {name} unpacks to {total / 2**20:.0f} MB; the limit is "
                               f"{max_bytes / 2**20:.0f} MB")
        target.parent.mkdir(parents=True, exist_ok=True)
        staging = Path(tempfile.mkdtemp(dir=target.parent, prefix=f".{target.name}.", suffix=".partial"))
        try:
            written = 0
            for info, path in files:
                out = staging.joinpath(*path.parts)
                out.parent.mkdir(parents=True, exist_ok=True)
                with archive.open(info) as src, out.open("wb") as dst:
                    # Count what is really inflated: a forged header must not get past the size cap.
                    while chunk := src.read(1 << 20):
                        written += len(chunk)
                        if written > max_bytes:
                            raise ProjectError(f"bundle {name} unpacks to more than {max_bytes / 2**20:.0f} MB")
                        dst.write(chunk)
            project, _ = load_project(staging / PROJECT_NAME)
            for rel in media_paths(project):
                if not resolve_media(rel, staging).is_file():
                    raise ProjectError(f"bundle {name} names media {rel!r} but does not hold it")
            os.replace(staging, target)
        except (zipfile.BadZipFile, zlib.error, EOFError) as err:
            shutil.rmtree(staging, ignore_errors=True)
            raise ProjectError(f"bundle {name} is damaged: {' '.join(str(err).split())[:160]}") from None
        except (RuntimeError, NotImplementedError) as err:  # encrypted entries, unknown compression methods
            shutil.rmtree(staging, ignore_errors=True)
            raise ProjectError(f"bundle {name} cannot be unpacked: {' '.join(str(err).split())[:160]}") from None
        except OSError as err:  # a name too long for this file system, a full disk
            shutil.rmtree(staging, ignore_errors=True)
            raise ProjectError(f"bundle {name} cannot be unpacked here: {err.strerror or err}") from None
        except BaseException:
            shutil.rmtree(staging, ignore_errors=True)
            raise
    return project, target.resolve()


__all__ = ["export_bundle", "import_bundle", "map_media", "media_paths"]
