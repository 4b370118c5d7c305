"""``batch``: a list of ideas to one draft each, resumable, with a summary of what succeeded.

    1. read     ``read_ideas(path)`` / ``parse_ideas(text)``: plain text (one idea a line; blank lines and
                ``#`` comments skipped) or CSV with a header (``idea`` plus optional columns, see
                ``CSV_COLUMNS``). A bad CSV row becomes a failed item whose error names its line; the
                other rows still run.
    2. run      ``run_batch(items, out_dir, ...)``: ``make_short`` for each item into its own folder::

                    DIR/001-<slug>/001-<slug>.mp4  (+ .srt .vtt .cover.jpg .project.json .project.media/)
                    DIR/001-<slug>/batch-item.json  what the item was made with, written once its MP4 is
                    DIR/summary.json                per item: ok / skipped / failed / cancelled, rewritten
                                                    atomically after every item

                An item whose MP4 exists and whose ``batch-item.json`` matches what it would be made with
                now is skipped (the compositor publishes the MP4 last and atomically, so an MP4 that exists
                is complete). A failed item does not stop the others. Each item's seed comes from the CSV or
                is derived from its idea text, so a rerun reproduces the same shots and hits the shot cache.
    3. cancel   between items and inside ``make_short``; the items not finished are ``cancelled`` in the
                summary, and running the same batch again picks up where it stopped.

The CLI (``python -m studio batch``) and the UI call::

    result = run_batch(read_ideas("ideas.csv"), "out/", services, defaults=BatchDefaults(...),
                       video_options=VideoOptions(backend="still"), cancel=...)
    result = run_batch_text(pasted_text, "out/", services, defaults=..., video_options=...)
"""

from __future__ import annotations

import csv
import dataclasses
import datetime
import hashlib
import io
import json
import re
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import TYPE_CHECKING, Any

from pipelines.make import SEED_RANGE, MakeOptions, MakeProgress
from pipelines.script.contract import ScriptRequest
from pipelines.script.prompts import ScriptStyle
from studio.errors import ProjectValidationError, RenderCancelled, ScriptCancelled, StudioError
from studio.project.model import Language
from studio.project.presets import PresetName
from studio.values import choice, whole

if TYPE_CHECKING:
    from pipelines.make import MakeResult
    from pipelines.services import Services
    from pipelines.shots import VideoOptions

Cancel = Callable[[], bool]

MAX_ITEMS = 999  # the folder number has three digits
SUMMARY_NAME = "summary.json"
MARKER_NAME = "batch-item.json"
CSV_COLUMNS = ("idea", "seconds", "lang", "preset", "style", "music", "beat_sync", "seed", "caption_style")
_COLUMN_ALIASES = {"language": "lang"}
_TRUE, _FALSE = {"1", "true", "yes", "y", "on"}, {"0", "false", "no", "n", "off"}


class BatchError(ProjectValidationError):
    """The ideas file as a whole cannot be read (not UTF-8, no ``idea`` column, unknown columns, too many rows)."""


class BatchStatus(StrEnum):
    OK = "ok"
    SKIPPED = "skipped"  # finished by an earlier run with the same settings
    FAILED = "failed"
    CANCELLED = "cancelled"  # stopped, or never started because the batch was cancelled


@dataclass(frozen=True)
class BatchItem:
    """One idea and its own settings; ``None`` means the batch default. ``error`` marks a row that did not parse."""

    index: int  # 1-based position in the list: the folder number
    line: int  # where it is in the source, for error messages
    idea: str
    seconds: int | None = None
    language: Language | None = None
    preset: PresetName | None = None
    style: ScriptStyle | None = None
    music: str | None = None  # a file (relative to the ideas file) or a bundled track id
    beat_sync: bool | None = None
    seed: int | None = None
    caption_style: str | None = None
    error: str | None = None

    @property
    def slug(self) -> str:
        words = re.findall(r"\w+", self.idea.lower())
        slug = "-".join(words)[:32].strip("-_")
        return f"{self.index:03d}-{slug or 'idea'}"


@dataclass(frozen=True)
class BatchDefaults:
    """What every item gets unless its CSV row says otherwise. ``request.idea`` is ignored."""

    request: ScriptRequest = field(default_factory=lambda: ScriptRequest(idea=""))
    options: MakeOptions = MakeOptions()
    base_dir: Path | None = None  # relative music paths in the ideas are relative to this (the file's folder)
    music_files: bool = True  # may a row's music name a file? Not for pasted ideas: a visitor names bundled tracks


@dataclass(frozen=True)
class BatchItemResult:
    item: BatchItem
    status: BatchStatus
    folder: Path
    video: Path | None = None
    error: str | None = None  # the user-facing sentence
    duration_s: float | None = None  # the clip's length
    elapsed_s: float = 0.0  # how long this run spent on it
    seed: int | None = None
    shots_generated: int | None = None  # by this run; a resumed item's shots come from the cache
    shots_cached: int | None = None


@dataclass(frozen=True)
class BatchResult:
    items: tuple[BatchItemResult, ...]
    out_dir: Path
    summary_file: Path
    elapsed_s: float
    cancelled: bool = False

    def count(self, status: BatchStatus) -> int:
        return sum(1 for r in self.items if r.status is status)

    @property
    def succeeded(self) -> bool:
        """Every item is ok or skipped."""
        return all(r.status in (BatchStatus.OK, BatchStatus.SKIPPED) for r in self.items)


@dataclass(frozen=True)
class BatchProgress:
    """Where progress goes; any of them may be None."""

    started: Callable[[BatchItem, int], None] | None = None  # (item, total) before an item runs
    finished: Callable[[BatchItemResult, int], None] | None = None  # (result, total) after each item
    make: Callable[[BatchItem], MakeProgress] | None = None  # a fresh MakeProgress for each item's make


# -- 1. read ----------------------------------------------------------------------------------------

def read_ideas(path: str | Path) -> list[BatchItem]:
    """The ideas in a text or CSV file (CSV when it ends in .csv or its first line is a header with ``idea``)."""
    path = Path(path).expanduser()
    try:
        data = path.read_bytes()
    except OSError as err:
        reason = err.strerror or err.__class__.__name__
        raise BatchError(f"cannot read the ideas file {str(path)!r}: {reason}") from None
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise BatchError(f"the ideas file {path.name!r} is not UTF-8 text; save it as UTF-8 "
                         "(in Excel: CSV UTF-8)") from None
    return parse_ideas(text, source=path.name, csv_format=True if path.suffix.lower() == ".csv" else None)


def parse_ideas(text: str, *, source: str = "the ideas", csv_format: bool | None = None) -> list[BatchItem]:
    """Ideas from text: ``csv_format`` None detects a CSV header (a first line of known columns with ``idea``)."""
    text = text.lstrip("\ufeff")
    if csv_format is None:
        csv_format = _looks_like_csv_header(text)
    items = _parse_csv(text, source) if csv_format else _parse_lines(text)
    if not items:
        raise BatchError(f"{source} has no ideas: write one idea a line, or a CSV with an 'idea' column")
    if len(items) > MAX_ITEMS:
        raise BatchError(f"{source} has {len(items)} ideas; one batch takes at most {MAX_ITEMS}")
    return items


def _meaningful_lines(text: str) -> list[tuple[int, str]]:
    return [(number, line.strip()) for number, line in enumerate(text.splitlines(), start=1)
            if line.strip() and not line.strip().startswith("#")]


def _parse_lines(text: str) -> list[BatchItem]:
    return [BatchItem(index=i, line=number, idea=line)
            for i, (number, line) in enumerate(_meaningful_lines(text), start=1)]


def _columns(cells: Sequence[str]) -> list[str]:
    names = [cell.strip().lower().replace(" ", "_").replace("-", "_") for cell in cells]
    return [_COLUMN_ALIASES.get(name, name) for name in names]


def _looks_like_csv_header(text: str) -> bool:
    lines = _meaningful_lines(text)
    if not lines:
        return False
    columns = _columns(next(csv.reader([lines[0][1]])))
    return "idea" in columns and all(c in CSV_COLUMNS for c in columns if c)


def _parse_csv(text: str, source: str) -> list[BatchItem]:
    reader = csv.reader(io.StringIO(text))
    header: list[str] | None = None
    items: list[BatchItem] = []
    previous_end = 0
    try:
        for row in reader:
            line, previous_end = previous_end + 1, reader.line_num
            if not any(cell.strip() for cell in row) or row[0].lstrip().startswith("#"):
                continue
            if header is None:
                header = _columns(row)
                unknown = [c for c in header if c and c not in CSV_COLUMNS]
                if unknown or "idea" not in header:
                    problem = (f"unknown column {unknown[0]!r}" if unknown
                               else "no 'idea' column in its header")
                    raise BatchError(f"{source}, line {line}: {problem}; the columns are {', '.join(CSV_COLUMNS)} "
                                     "(only idea is required)")
                continue
            items.append(_csv_item(len(items) + 1, line, header, row))
    except csv.Error as err:
        raise BatchError(f"{source}, line {reader.line_num}: not valid CSV ({err})") from None
    return items  # no header at all: no ideas, which parse_ideas reports


def _csv_item(index: int, line: int, header: list[str], row: list[str]) -> BatchItem:
    """One row; a bad value makes a failed item that names the line, the column and the value."""
    cells = {name: cell.strip() for name, cell in zip(header, row, strict=False) if name}
    idea = cells.get("idea", "")
    extra = [cell for cell in row[len(header):] if cell.strip()]
    try:
        if extra:
            raise ValueError(f"{len(row)} cells but the header names {len(header)} columns (quote an idea that "
                             'contains commas: "a, b")')
        if not idea:
            raise ValueError("the idea is empty")
        values: dict[str, Any] = {}  # read like every face's values (studio.values); blank cells: the defaults
        if cells.get("seconds"):
            values["seconds"] = whole("seconds", cells["seconds"])
        if cells.get("seed"):
            values["seed"] = whole("seed", cells["seed"], signed=True)
        for column, enum, key in (("lang", Language, "language"), ("preset", PresetName, "preset"),
                                  ("style", ScriptStyle, "style")):
            if cells.get(column):
                values[key] = choice(column, enum, cells[column].lower(), None)
        if cells.get("beat_sync"):
            flag = cells["beat_sync"].lower()
            if flag not in _TRUE | _FALSE:
                raise ValueError(f"beat_sync {cells['beat_sync']!r} is not yes or no")
            values["beat_sync"] = flag in _TRUE
        if cells.get("music"):
            values["music"] = cells["music"]
        if cells.get("caption_style"):
            values["caption_style"] = cells["caption_style"]
    except (ValueError, ProjectValidationError) as err:
        return BatchItem(index=index, line=line, idea=idea or "(no idea)", error=f"line {line}: {err}")
    return BatchItem(index=index, line=line, idea=idea, **values)


# -- 2. run -----------------------------------------------------------------------------------------

def item_seed(item: BatchItem, base_seed: int | None = None) -> int:
    """The CSV's seed, else one derived from the idea text (and the batch's ``--seed``): stable across reruns."""
    if item.seed is not None:
        return item.seed % SEED_RANGE
    digest = hashlib.sha256(f"{base_seed or 0}\n{item.idea}".encode()).digest()
    return int.from_bytes(digest[:8], "big") % SEED_RANGE


def item_request(item: BatchItem, defaults: BatchDefaults) -> ScriptRequest:
    base = defaults.request
    return dataclasses.replace(
        base, idea=item.idea, seconds=item.seconds if item.seconds is not None else base.seconds,
        language=item.language or base.language, preset=item.preset or base.preset, style=item.style or base.style,
        seed=item_seed(item, base.seed),
    )


def item_options(item: BatchItem, defaults: BatchDefaults) -> MakeOptions:
    options = defaults.options
    if item.music is not None:
        music_file, music_library = _music_source(item.music, defaults.base_dir, files=defaults.music_files)
        options = dataclasses.replace(options, music=music_file, music_library=music_library)
    if item.beat_sync is not None:
        options = dataclasses.replace(options, beat_sync=item.beat_sync)
    if item.caption_style is not None:
        options = dataclasses.replace(options, caption_style=item.caption_style)
    return options


def _music_source(value: str, base_dir: Path | None, *, files: bool = True) -> tuple[Path | None, str | None]:
    """A file when one exists (relative to the ideas file), else a bundled track id (``make`` checks it).
    With ``files`` off only bundled tracks are accepted, so pasted text cannot reach files on the server."""
    from studio.sound.library import library

    if not files:
        if value not in library():
            raise ProjectValidationError(f"music {value!r} is not a bundled track; choose one of: "
                                         f"{', '.join(library())}")
        return None, value
    path = Path(value).expanduser()
    if not path.is_absolute() and base_dir is not None:
        path = base_dir / path
    if not path.exists() and value in library():
        return None, value
    return path, None


def _fingerprint(request: ScriptRequest, options: MakeOptions, video: VideoOptions) -> dict[str, Any]:
    """Everything the item's clip depends on, as JSON: a finished item is skipped only when this still matches."""

    def plain(value: Any) -> Any:
        if dataclasses.is_dataclass(value):
            return {f.name: plain(getattr(value, f.name)) for f in dataclasses.fields(value)}
        if isinstance(value, Path):
            return str(value)
        if isinstance(value, tuple | list):
            return [plain(v) for v in value]  # as JSON reads it back
        return value.value if isinstance(value, StrEnum) else value

    return {"request": plain(request), "options": plain(dataclasses.replace(options, stop_after=None)),
            "video": plain(dataclasses.replace(video, media_dir=None))}


def _finished(folder: Path, video: Path, fingerprint: dict[str, Any]) -> dict[str, Any] | None:
    """The marker of an earlier run that made this exact item, when its MP4 is still there."""
    marker = folder / MARKER_NAME
    if not video.is_file() or not marker.is_file():
        return None
    try:
        saved = json.loads(marker.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return saved if isinstance(saved, dict) and saved.get("made_with") == fingerprint else None


def _write_json(path: Path, data: dict[str, Any]) -> None:
    from studio.project.files import write_atomic

    write_atomic(path, (json.dumps(data, indent=2, ensure_ascii=False) + "\n").encode("utf-8"))


def _run_item(item: BatchItem, out_dir: Path, services: Services, defaults: BatchDefaults, video: VideoOptions,
              progress: BatchProgress, cancel: Cancel | None) -> BatchItemResult:
    from pipelines.make import make_short

    started = time.monotonic()
    folder = out_dir / item.slug
    output = folder / f"{item.slug}.mp4"
    if item.error is not None:
        return BatchItemResult(item, BatchStatus.FAILED, folder, error=item.error)
    try:
        request, options = item_request(item, defaults), item_options(item, defaults)
    except StudioError as err:  # e.g. a music column naming a file where only bundled tracks are allowed
        return BatchItemResult(item, BatchStatus.FAILED, folder, error=str(err))
    fingerprint = _fingerprint(request, options, video)
    done = _finished(folder, output, fingerprint)
    if done is not None:
        return BatchItemResult(item, BatchStatus.SKIPPED, folder, video=output, duration_s=done.get("duration_s"),
                               elapsed_s=time.monotonic() - started, seed=request.seed)
    try:
        result: MakeResult = make_short(request, output, video, services, options=options,
                                        progress=progress.make(item) if progress.make else None, cancel=cancel)
    except (RenderCancelled, ScriptCancelled) as err:
        return BatchItemResult(item, BatchStatus.CANCELLED, folder, error=str(err),
                               elapsed_s=time.monotonic() - started, seed=request.seed)
    except StudioError as err:
        return BatchItemResult(item, BatchStatus.FAILED, folder, error=str(err),
                               elapsed_s=time.monotonic() - started, seed=request.seed)
    except Exception as err:  # a bug in one item must not lose the rest of the batch
        return BatchItemResult(item, BatchStatus.FAILED, folder, error=f"unexpected {type(err).__name__}: {err}",
                               elapsed_s=time.monotonic() - started, seed=request.seed)
    duration_s = result.compose.duration_ms / 1000 if result.compose else None
    _write_json(folder / MARKER_NAME, {"idea": item.idea, "video": output.name, "duration_s": duration_s,
                                       "seed": request.seed, "made_with": fingerprint})
    shots = result.shots
    return BatchItemResult(item, BatchStatus.OK, folder, video=output, duration_s=duration_s,
                           elapsed_s=time.monotonic() - started, seed=request.seed,
                           shots_generated=len(shots.generated) if shots else None,
                           shots_cached=len(shots.cached) if shots else None)


def _summary(results: Sequence[BatchItemResult], out_dir: Path, elapsed_s: float, cancelled: bool,
             started_at: str) -> dict[str, Any]:
    def relative(path: Path | None) -> str | None:
        return path.relative_to(out_dir).as_posix() if path is not None else None

    return {
        "started": started_at,
        "elapsed_s": round(elapsed_s, 2),
        "cancelled": cancelled,
        "counts": {status.value: sum(1 for r in results if r.status is status) for status in BatchStatus},
        "items": [{"index": r.item.index, "line": r.item.line, "idea": r.item.idea, "status": r.status.value,
                   "error": r.error, "folder": relative(r.folder), "video": relative(r.video),
                   "duration_s": r.duration_s, "elapsed_s": round(r.elapsed_s, 2), "seed": r.seed,
                   "shots_generated": r.shots_generated, "shots_cached": r.shots_cached}
                  for r in results],
    }


def run_batch(items: Sequence[BatchItem], out_dir: str | Path, services: Services, *,
              defaults: BatchDefaults = BatchDefaults(), video_options: VideoOptions | None = None,
              progress: BatchProgress | None = None, cancel: Cancel | None = None,
              ideas_in_flight: int = 1) -> BatchResult:
    """``make_short`` for each item into ``out_dir/NNN-<slug>/``; skips finished items, survives failed ones.

    ``out_dir/summary.json`` is rewritten after every item. Returns when every item has run or the batch is
    cancelled (``cancel()`` true, or make raised a cancel): the rest are then marked ``cancelled``.
    A ``KeyboardInterrupt`` writes the summary and is raised again. ``ideas_in_flight`` items run at once (on a
    Ray cluster their shots spread over its workers; in one process, one at a time is the sensible number).
    """
    from pipelines.shots import VideoOptions

    started, started_at = time.monotonic(), datetime.datetime.now(datetime.UTC).isoformat(timespec="seconds")
    out_dir = Path(out_dir).expanduser()
    if out_dir.exists() and not out_dir.is_dir():
        raise BatchError(f"output {str(out_dir)!r} is a file; give a folder")
    out_dir.mkdir(parents=True, exist_ok=True)
    video = dataclasses.replace(video_options or VideoOptions(), media_dir=None)  # each item links its own shots
    progress = progress or BatchProgress()
    summary_file = out_dir / SUMMARY_NAME
    results: list[BatchItemResult] = []
    cancelled = False
    if ideas_in_flight < 1:
        raise BatchError(f"ideas in flight must be 1 or more, not {ideas_in_flight}")

    def write_summary() -> None:
        _write_json(summary_file, _summary(results, out_dir, time.monotonic() - started, cancelled, started_at))

    if ideas_in_flight > 1:
        results, cancelled = _run_at_once(items, out_dir, services, defaults, video, progress, cancel,
                                          ideas_in_flight, lambda done, stop: _write_json(summary_file, _summary(
                                              done, out_dir, time.monotonic() - started, stop, started_at)))
        return BatchResult(tuple(results), out_dir, summary_file, time.monotonic() - started, cancelled)
    try:
        for item in items:
            if cancel is not None and cancel():
                cancelled = True
                break
            if progress.started is not None:
                progress.started(item, len(items))
            result = _run_item(item, out_dir, services, defaults, video, progress, cancel)
            results.append(result)
            if progress.finished is not None:
                progress.finished(result, len(items))
            if result.status is BatchStatus.CANCELLED:
                cancelled = True
                break
            write_summary()
    except KeyboardInterrupt:
        cancelled = True
        raise
    finally:
        if cancelled:
            results += [BatchItemResult(i, BatchStatus.CANCELLED, out_dir / i.slug,
                                        error="not finished: the batch was cancelled") for i in items[len(results):]]
        write_summary()
    return BatchResult(tuple(results), out_dir, summary_file, time.monotonic() - started, cancelled)


def _run_at_once(items: Sequence[BatchItem], out_dir: Path, services: Services, defaults: BatchDefaults,
                 video: VideoOptions, progress: BatchProgress, cancel: Cancel | None, limit: int,
                 write_summary: Callable[[list[BatchItemResult], bool], None]) -> tuple[list[BatchItemResult], bool]:
    """Up to ``limit`` items at once, each in a thread of this process (their shots render where the runner
    sends them); a cancel stops the running ones at their next step and starts no more."""
    import threading
    from concurrent.futures import FIRST_COMPLETED, ThreadPoolExecutor, wait

    lock, stop = threading.Lock(), threading.Event()
    done: dict[int, BatchItemResult] = {}

    def stopped() -> bool:
        return stop.is_set() or (cancel is not None and cancel())

    def ordered() -> list[BatchItemResult]:
        return [done[i.index] for i in items if i.index in done]

    def one(item: BatchItem) -> None:
        if stopped():
            return
        if progress.started is not None:
            progress.started(item, len(items))
        result = _run_item(item, out_dir, services, defaults, video, progress, stopped)
        with lock:
            done[item.index] = result
            if result.status is BatchStatus.CANCELLED:
                stop.set()
            if progress.finished is not None:
                progress.finished(result, len(items))
            write_summary(ordered(), stop.is_set())

    interrupted = False
    with ThreadPoolExecutor(max_workers=limit, thread_name_prefix="batch") as pool:
        futures = {pool.submit(one, item) for item in items}
        while futures:
            try:
                finished, futures = wait(futures, timeout=0.2, return_when=FIRST_COMPLETED)
            except KeyboardInterrupt:
                interrupted = True
                stop.set()
                continue
            for future in finished:
                future.result()  # a bug in the batch itself (each item's own errors are its result)
            if cancel is not None and cancel():
                stop.set()
    cancelled = stop.is_set()
    results = ordered()
    if cancelled:
        results += [BatchItemResult(i, BatchStatus.CANCELLED, out_dir / i.slug,
                                    error="not finished: the batch was cancelled")
                    for i in items if i.index not in done]
        results.sort(key=lambda r: r.item.index)
    write_summary(results, cancelled)
    if interrupted:
        raise KeyboardInterrupt
    return results, cancelled


def run_batch_text(text: str, out_dir: str | Path, services: Services, *, defaults: BatchDefaults = BatchDefaults(),
                   video_options: VideoOptions | None = None, progress: BatchProgress | None = None,
                   cancel: Cancel | None = None) -> BatchResult:
    """The UI's entry: pasted ideas (one a line, or CSV with an ``idea`` header) run as one batch. Their music
    column may name bundled tracks only: the text comes from a visitor, the files are the server's."""
    defaults = dataclasses.replace(defaults, music_files=False)
    return run_batch(parse_ideas(text or "", source="the pasted ideas"), out_dir, services, defaults=defaults,
                     video_options=video_options, progress=progress, cancel=cancel)


__all__ = ["CSV_COLUMNS", "BatchDefaults", "BatchError", "BatchItem", "BatchItemResult", "BatchProgress",
           "BatchResult", "BatchStatus", "item_request", "item_seed", "parse_ideas", "read_ideas", "run_batch",
           "run_batch_text"]
