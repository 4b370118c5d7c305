"""How the UI reports a job: Gradio progress bars for steps and frames with the time left, the status text of an
export in the browser's language, and the files to download. The jobs themselves are ``actions``."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ui.i18n import EN, say
from ui.sentences import translate
from ui.session import Eta

if TYPE_CHECKING:
    from studio.compose.compositor import ComposeResult
    from studio.export.folder import EditExport

OUTPUT_NAME = "short.mp4"
GrProgress = Callable[..., Any]


def shots_progress(progress: GrProgress | None, words: dict[str, str] = EN) -> Callable[[Any], None] | None:
    """GenerationProgress events as 'shot i/n, step s/t, time left' in the Gradio progress bar."""
    if progress is None:
        return None
    eta = Eta()

    def report(event: Any) -> None:
        done = event.shot_index * event.total_steps + event.step
        total = event.shot_count * event.total_steps
        progress((event.step, event.total_steps), unit=words["progress.unit.steps"],
                 desc=say(words, "progress.shot", shot=event.shot_index + 1, count=event.shot_count,
                          left=eta.left(done, total, words)))

    return report


def frames_progress(progress: GrProgress | None, words: dict[str, str] = EN) -> Callable[[int, int], None] | None:
    if progress is None:
        return None
    eta = Eta()
    return lambda done, total: progress((done, total), unit=words["progress.unit.frames"],
                                        desc=say(words, "progress.rendering", left=eta.left(done, total, words)))


def media_progress(progress: GrProgress | None, words: dict[str, str] = EN) -> Callable[[int, int], None] | None:
    """An editor hand-off's media (links, conversions, fitted shots) as 'file i/n' in the Gradio progress bar."""
    if progress is None:
        return None
    eta = Eta()
    return lambda done, total: progress((done, total), unit=words["progress.unit.files"],
                                        desc=say(words, "progress.media", left=eta.left(done, total, words)))


def edit_status(result: EditExport, words: dict[str, str] = EN) -> str:
    """What an editor hand-off holds, and the shots it had to leave as gaps, in the browser's language."""
    status = say(words, "status.edit", format=result.format.value, file=result.timeline_file.name,
                 files=len(result.files) - 1, frames=result.frames)
    if result.gaps:
        status += "\n" + say(words, "status.warning", text=say(words, "status.edit_gaps",
                                                               shots=", ".join(map(str, result.gaps))))
    return status


def compose_status(result: ComposeResult, elapsed_s: float, words: dict[str, str] = EN) -> str:
    """What an export made and what to know about it (beat sync, loudness, credentials, warnings), in the browser's
    language: the domain's sentences pass through ``ui.sentences``."""
    size_mb = result.video.stat().st_size / 2**20
    status = say(words, "status.done", seconds=result.duration_ms / 1000, mb=size_mb,
                 preset=words.get(f"name.preset.{result.preset}", result.preset), elapsed=elapsed_s)
    if result.beat_sync:
        beat_sync = translate(result.beat_sync, words)
        status += f"\n{beat_sync[:1].upper()}{beat_sync[1:]}"
    if result.loudness is not None and result.loudness.input_lufs > float("-inf"):
        status += "\n" + say(words, "status.mastered", lufs=result.loudness.output_lufs)
    if result.signed:
        status += "\n" + say(words, "status.signed")
    for warning in result.warnings:  # e.g. the visible AI label is off: never lost silently
        status += "\n" + say(words, "status.warning", text=translate(warning, words))
    return status


def result_files(result: ComposeResult) -> list[str]:
    return [str(p) for p in (result.video, result.srt, result.vtt, result.ass, result.cover, result.project_file) if p]
