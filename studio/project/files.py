"""Project files: versioned JSON on disk, validated on load, written atomically.

The file format is the Project model dumped to JSON with ``schema_version``. Paths inside are
relative to the file's folder; on save, media that lives outside that folder is linked (or copied)
into ``<stem>.media/`` beside the file, so a saved project is self-contained and never points out
of its folder. Loading validates everything and reports the first problems with the field named.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from studio.errors import MissingMediaError, ProjectError, ProjectValidationError, SchemaVersionError, UnsafePathError
from studio.project.effects import effect_files, map_effect_files
from studio.project.model import SCHEMA_VERSION, Project
from studio.settings import Settings

MAX_PROJECT_BYTES = 5 * 1024 * 1024


def _v1_to_v2(data: dict[str, Any]) -> dict[str, Any]:
    """Version 2 added effects (per shot and clip-wide), more transitions and ``speed_audio``, all with defaults, and
    refuses a transition longer than a shot it joins, which version 1 quietly shortened. Such a transition is stored
    as long as it may be (the shorter shot's length): it renders exactly as before, because the timeline never lets a
    transition take more than half of either shot. Anything malformed is left for validation to name."""
    data = {**data, "schema_version": 2}
    board = data.get("storyboard")
    if not isinstance(board, dict) or not isinstance(board.get("shots"), list):
        return data
    shots = list(board["shots"])
    whole = lambda value: isinstance(value, int) and not isinstance(value, bool)  # noqa: E731
    for i in range(1, len(shots)):
        previous, shot = shots[i - 1], shots[i]
        if not isinstance(previous, dict) or not isinstance(shot, dict) or shot.get("transition", "cut") == "cut":
            continue
        length = shot.get("transition_ms", 500)
        durations = (previous.get("duration_ms", 3000), shot.get("duration_ms", 3000))
        if whole(length) and all(whole(d) and d > 0 for d in durations) and length > min(durations):
            shots[i] = {**shot, "transition_ms": min(durations)}
    data["storyboard"] = {**board, "shots": shots}
    return data


# schema_version N -> function turning a version-N dict into a version-(N+1) dict.
MIGRATIONS: dict[int, Callable[[dict[str, Any]], dict[str, Any]]] = {1: _v1_to_v2}


def project_schema() -> dict[str, Any]:
    """The published JSON Schema of the project file (``python -m studio schema``)."""
    schema = Project.model_json_schema(mode="validation")
    schema["$schema"] = "https://json-schema.org/draft/2020-12/schema"
    schema["$id"] = f"https://shortstudio.dev/schema/project-v{SCHEMA_VERSION}.json"
    schema["title"] = "Short studio project"
    schema["description"] = (
        "A short-video project: storyboard, caption style, music, AI label and platform preset. "
        "Media paths are relative to the folder of the project file and may not leave it."
    )
    return schema


def format_location(loc: tuple[int | str, ...]) -> str:
    """('storyboard', 'shots', 2, 'caption') -> 'shot 3 caption' -- names a user would recognise."""
    parts: list[str] = []
    items = list(loc)
    i = 0
    while i < len(items):
        item = items[i]
        if item == "storyboard" and i + 1 < len(items) and items[i + 1] == "shots":
            i += 1
            if i + 1 < len(items) and isinstance(items[i + 1], int):
                parts.append(f"shot {items[i + 1] + 1}")
                i += 2
                continue
            parts.append("shots")
        elif isinstance(item, int):
            parts.append(f"#{item + 1}")
        elif item != "storyboard":
            parts.append(str(item).replace("_", " "))
        i += 1
    return " ".join(parts) or "project"


def describe_validation_error(err: ValidationError, *, limit: int = 3) -> str:
    """One readable sentence (or a few joined) naming each bad field and what is wrong with it."""
    problems = []
    for item in err.errors()[:limit]:
        message = item["msg"].removeprefix("Value error, ")
        where = format_location(tuple(item["loc"]))
        if item["type"] == "string_too_long":
            got = item.get("input")
            length = len(got) if isinstance(got, str) else "?"
            message = f"is {length} characters long; the limit is {item['ctx']['max_length']}"
        elif item["type"] == "extra_forbidden":
            message = "is not a known field"
        problems.append(f"{where}: {message}")
    more = len(err.errors()) - limit
    if more > 0:
        problems.append(f"and {more} more problem(s)")
    return "; ".join(problems)


def validate_project(data: Any, *, project_root: Path | None = None) -> Project:
    """Validate a dict into a Project; with ``project_root`` the file-format path rules apply."""
    context = {"project_root": str(project_root)} if project_root is not None else None
    try:
        return Project.model_validate(data, context=context)
    except ValidationError as err:
        message = describe_validation_error(err)
        if "leaves the project folder" in message or "is absolute" in message:
            raise UnsafePathError(message) from None
        raise ProjectValidationError(message) from None


def migrate(data: dict[str, Any]) -> dict[str, Any]:
    version = data.get("schema_version")
    if not isinstance(version, int) or isinstance(version, bool) or version < 1:
        raise ProjectValidationError(f"schema_version must be a positive integer, got {version!r}")
    if version > SCHEMA_VERSION:
        raise SchemaVersionError(
            f"this project was written by a newer studio (schema_version {version}); "
            f"this studio reads up to {SCHEMA_VERSION}: update the studio to open it"
        )
    while version < SCHEMA_VERSION:
        data = MIGRATIONS[version](data)
        version = data["schema_version"]
    return data


def parse_project_json(raw: bytes | str, what: str) -> dict[str, Any]:
    """The JSON object in ``raw`` (a file's bytes or an API's text), or a ProjectError naming ``what``.

    Hostile JSON fails here with one sentence: not UTF-8, lone surrogates, nesting deep enough to exhaust the
    parser's recursion, integers with thousands of digits, anything that is not an object.
    """
    if isinstance(raw, bytes):
        try:
            raw = raw.decode("utf-8")
        except UnicodeDecodeError:
            raise ProjectError(f"{what} is not UTF-8 text") from None
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as err:
        raise ProjectError(f"{what} is not valid JSON (line {err.lineno}: {err.msg})") from None
    except RecursionError:
        raise ProjectError(f"{what} is nested too deeply to be a project") from None
    except ValueError as err:  # e.g. an integer longer than Python converts (4300 digits)
        raise ProjectError(f"{what} holds a value that cannot be read ({str(err).split(';')[0]})") from None
    if not isinstance(data, dict):
        raise ProjectError(f"{what} must hold a JSON object, not {type(data).__name__}")
    try:
        json.dumps(data, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        raise ProjectError(f"{what} holds text that is not valid Unicode (a lone surrogate escape)") from None
    return data


def load_project(path: str | os.PathLike[str], *, settings: Settings | None = None) -> tuple[Project, Path]:
    """Read, migrate and validate a project file. Returns the project and its folder (media root).

    With ``settings`` the operator's limits (shots per project, total seconds) apply too.
    """
    path = Path(path)
    try:
        size = path.stat().st_size
    except FileNotFoundError:
        raise ProjectError(f"project file {path} does not exist") from None
    except OSError as err:
        raise ProjectError(f"cannot read project file {path}: {err.strerror}") from None
    if not path.is_file():
        raise ProjectError(f"project file {path} is not a file")
    if size > MAX_PROJECT_BYTES:
        raise ProjectError(f"project file {path} is {size} bytes; project files are at most {MAX_PROJECT_BYTES}")
    try:
        raw = path.read_bytes()
    except OSError as err:
        raise ProjectError(f"cannot read project file {path}: {err.strerror}") from None
    data = parse_project_json(raw, f"project file {path}")
    root = path.resolve().parent
    project = validate_project(migrate(data), project_root=root)
    if settings is not None:
        from studio.project.limits import check_project_limits

        check_project_limits(project, settings)
    return project, root


def resolve_media(path: str, root: Path | None) -> Path:
    """A project media path as a real file path, refusing anything that resolves outside ``root``.

    Symlinks are resolved before the check, so a link inside the folder pointing elsewhere is refused.
    """
    candidate = Path(path)
    if root is None:
        return candidate.expanduser()
    resolved = (root / candidate).resolve()
    if not resolved.is_relative_to(root.resolve()):
        raise UnsafePathError(f"media path {path!r} resolves outside the project folder")
    return resolved


def write_atomic(path: Path, data: bytes) -> None:
    """Write bytes to ``path`` so readers see the old file or the new one, never half of one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".partial")
    try:
        os.fchmod(fd, 0o666 & ~UMASK)  # mkstemp makes 0600; a project file is an ordinary file
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _read_umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


# Read once at import (single-threaded start-up): os.umask is process-wide and not thread-safe.
UMASK = _read_umask()


def project_json(project: Project) -> bytes:
    return (project.model_dump_json(indent=2) + "\n").encode("utf-8")


def _bundle_media(source: Path, media_dir: Path) -> Path:
    """Hard-link (else copy) ``source`` into ``media_dir`` under a content-stable name."""
    stat = source.stat()
    digest = hashlib.sha256(f"{source.resolve()}:{stat.st_size}:{stat.st_mtime_ns}".encode()).hexdigest()[:10]
    target = media_dir / f"{source.stem[:40]}-{digest}{source.suffix.lower()}"
    if target.exists():
        return target
    link_or_copy(source, target)
    return target


def link_or_copy(source: Path, target: Path) -> None:
    """Hard-link ``source`` at ``target`` (a copy across file systems), atomically: never half a file."""
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.partial")
    try:
        try:
            os.link(source, tmp)
        except OSError:
            shutil.copyfile(source, tmp)
        os.replace(tmp, target)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def with_reference_paths(project: Project, change: Callable[[str], str]) -> Project:
    """The project with ``change`` applied to the bible's reference pictures (the character sheet)."""
    bible = project.storyboard.bible
    entries = tuple(c.model_copy(update={"reference_image": change(c.reference_image)}) if c.reference_image else c
                    for c in bible.characters)
    storyboard = project.storyboard.model_copy(update={"bible": bible.model_copy(update={"characters": entries})})
    return project.model_copy(update={"storyboard": storyboard})


def relocate_media(project: Project, *, source_root: Path | None, target_file: Path) -> Project:
    """Rewrite media paths relative to ``target_file``'s folder, bundling outside files beside it."""
    target_root = target_file.resolve().parent
    media_dir = target_root / f"{target_file.stem}.media"

    def relocate(path: str, what: str) -> str:
        source = resolve_media(path, source_root)
        if not source.is_file():
            raise MissingMediaError(f"{what}: file {source} does not exist")
        source = source.resolve()
        if not source.is_relative_to(target_root):
            source = _bundle_media(source, media_dir)
        return source.relative_to(target_root).as_posix()

    def relocate_shot(shot, i: int):
        update: dict = {}
        if shot.media:
            update["media"] = relocate(shot.media, f"shot {i}")
        if shot.source_media:
            update["source_media"] = relocate(shot.source_media, f"shot {i} source")
        if shot.voiceover_audio:
            update["voiceover_audio"] = relocate(shot.voiceover_audio, f"shot {i} voice-over")
        if shot.candidates:
            update["candidates"] = tuple(
                c.model_copy(update={"media": relocate(c.media, f"shot {i} variation {n}")})
                for n, c in enumerate(shot.candidates, start=1))
        if effect_files(shot.effects):
            update["effects"] = map_effect_files(shot.effects, lambda p: relocate(p, f"shot {i} look"))
        return shot.model_copy(update=update) if update else shot

    shots = [relocate_shot(shot, i) for i, shot in enumerate(project.shots, start=1)]
    project = project.with_shots(shots)
    if any(c.reference_image for c in project.storyboard.bible.characters):
        project = with_reference_paths(project, lambda p: relocate(p, "character reference"))
    if effect_files(project.effects):
        project = project.model_copy(update={"effects": map_effect_files(project.effects,
                                                                         lambda p: relocate(p, "clip look"))})
    if project.music is not None and project.music.path is not None:
        music = project.music.model_copy(update={"path": relocate(project.music.path, "music")})
        project = project.model_copy(update={"music": music})
    if project.voiceover is not None:
        voice = project.voiceover.model_copy(update={"path": relocate(project.voiceover.path, "voice-over")})
        project = project.model_copy(update={"voiceover": voice})
    return project


def save_project(project: Project, path: str | os.PathLike[str], *, source_root: Path | None = None) -> Project:
    """Save atomically; returns the project as saved (with paths relative to the file's folder)."""
    path = Path(path)
    saved = relocate_media(project, source_root=source_root, target_file=path)
    # Re-validate with the file-format rules so we never write a file we would refuse to load.
    validate_project(json.loads(project_json(saved)), project_root=path.resolve().parent)
    write_atomic(path, project_json(saved))
    return saved
