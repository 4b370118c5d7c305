"""The domain calls that the UI's handlers and the API endpoints share. No widgets here: plain values in,
domain objects out, so a tab and its API twin cannot drift apart."""

from __future__ import annotations

import dataclasses
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from studio.project.model import Language, Project, ShotSource
from studio.project.presets import PresetName
from studio.settings import Settings
from ui.i18n import EN, say
from ui.session import Eta, Workspace

if TYPE_CHECKING:
    from pipelines.make import MakeOptions
    from pipelines.script.contract import ScriptRequest
    from pipelines.shots import VideoOptions
    from studio.compose.compositor import ComposeResult

OUTPUT_NAME = "short.mp4"
Cancel = Callable[[], bool]
GrProgress = Callable[..., Any]


def _none_if_blank(value: Any) -> Any:
    return None if value in (None, "", 0) else value


def video_options(settings: Settings, backend: str | None = "auto", model: str | None = None,
                  steps: float | None = None, width: float | None = None, height: float | None = None,
                  frames: float | None = None) -> VideoOptions:
    """Video options from form values: blank or 0 means the backend's default. A model named here comes
    from a visitor, so it is checked as one (``STUDIO_VISITOR_MODELS``): no folder on the server's disk."""
    from pipelines.shots import VideoOptions
    from studio.safety.inputs import visitor_model

    def number(value: float | None) -> int | None:
        value = _none_if_blank(value)
        return int(value) if value is not None else None

    return VideoOptions(backend=backend or "auto", model=visitor_model(model, settings), steps=number(steps),
                        width=number(width), height=number(height), frames=number(frames))


def script_request(idea: str, seconds: float, preset: str, style: str, language: str, reference_notes: str = "",
                   script: str = "", seed: float | None = None) -> ScriptRequest:
    from pipelines.script.contract import ScriptRequest
    from pipelines.script.prompts import ScriptStyle

    seed = _none_if_blank(seed)
    return ScriptRequest(idea=idea or "", seconds=int(seconds or 30), preset=PresetName(preset or "douyin"),
                         style=ScriptStyle(style or "cinematic"), language=Language(language or "auto"),
                         reference_notes=reference_notes or "", script=script or "",
                         seed=int(seed) if seed is not None else None)


def with_references(project: Project, images: list[str] | None) -> Project:
    """Reference pictures (a character, a product) become the source images of the first shots, in order:
    those shots are generated from the picture (image-to-video) instead of from text alone."""
    shots = list(project.shots)
    for i, image in enumerate((images or [])[:len(shots)]):
        shots[i] = shots[i].model_copy(update={"source": ShotSource.IMAGE, "source_media": str(image)})
    return project.with_shots(shots)


def shots_progress(progress: GrProgress) -> Callable[[Any], None]:
    """GenerationProgress events as 'shot i/n, step s/t, time left' in the Gradio progress bar."""
    eta = Eta()

    def report(event: Any) -> None:
        done = event.shot_index * event.total_steps + event.step
        total = event.shot_count * event.total_steps
        progress((event.step, event.total_steps), unit="steps",
                 desc=f"Shot {event.shot_index + 1}/{event.shot_count}{eta.left(done, total)}")

    return report


def frames_progress(progress: GrProgress) -> Callable[[int, int], None]:
    eta = Eta()
    return lambda done, total: progress((done, total), unit="frames", desc=f"Rendering{eta.left(done, total)}")


def compose_project(settings: Settings, workspace: Workspace, project: Project, root: Path, *, draft: bool,
                    progress: GrProgress | None = None, cancel: Cancel | None = None) -> ComposeResult:
    """Render the project into a fresh render folder (draft: the fast 540x960 preset); nothing is left behind
    when it fails or is cancelled."""
    from studio.compose.compositor import compose

    if draft:
        project = project.model_copy(update={"preset": PresetName.DRAFT})
    folder = workspace.new_render_folder()
    try:
        return compose(project, folder / OUTPUT_NAME, settings=settings, project_root=root, cancel=cancel,
                       progress=frames_progress(progress) if progress is not None else None)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise


def compose_status(result: ComposeResult, elapsed_s: float, words: dict[str, str] = EN) -> str:
    size_mb = result.video.stat().st_size / 2**20
    status = say(words, "status.done", seconds=result.duration_ms / 1000, mb=size_mb, preset=result.preset,
                 elapsed=elapsed_s)
    if result.beat_sync:
        status += f"\n{result.beat_sync[:1].upper()}{result.beat_sync[1:]}"
    if result.loudness is not None and result.loudness.input_lufs > float("-inf"):
        status += "\n" + say(words, "status.mastered", lufs=result.loudness.output_lufs)
    if result.signed:
        status += "\n" + say(words, "status.signed")
    for warning in result.warnings:  # e.g. the visible AI label is off: never lost silently
        status += "\n" + say(words, "status.warning", text=warning)
    return status


def result_files(result: ComposeResult) -> list[str]:
    return [str(p) for p in (result.video, result.srt, result.vtt, result.cover, result.project_file) if p]


def bundle_project(workspace: Workspace, project: Project, root: Path, folder: Path | None = None) -> Path:
    """The project and its media as one zip, in a render folder (served for download)."""
    from studio.project.bundles import export_bundle

    folder = folder or workspace.new_render_folder()
    name = "".join(c for c in (project.storyboard.title or "project")[:40] if c.isalnum() or c in "-_ ") or "project"
    return export_bundle(project, root, folder / f"{name.strip().replace(' ', '-') or 'project'}.bundle.zip")


def posting_text(project: Project) -> str:
    """Title, description and hashtags ready to paste into a platform's upload form."""
    board = project.storyboard
    tags = " ".join(t if t.startswith("#") else f"#{t}" for t in board.hashtags)
    return "\n\n".join(part for part in (board.title or board.hook, board.description, tags) if part)


def make_draft(settings: Settings, workspace: Workspace, user: str, request: ScriptRequest, video: VideoOptions,
               options: MakeOptions, *, references: list[str] | None = None, progress: GrProgress | None = None,
               cancel: Cancel | None = None) -> tuple[Project, ComposeResult]:
    """Idea to a draft clip: ``make_short`` up to the shots, into the user's project folder, then a draft
    render. The project is saved after each stage, so a cancel keeps the storyboard and finished shots."""
    from pipelines.make import MakeProgress, MakeStage, make_short

    folder = workspace.new_render_folder()

    def stage(result: Any) -> None:
        if result.stage is MakeStage.PROJECT and not references:
            # In the user's projects before any generation: a crash or a kill keeps the storyboard reopenable.
            workspace.save(user, result.project, result.paths.root)
        if progress is not None:
            progress(result.stage.number / 4, desc=f"{result.stage.value} done")

    make_progress = MakeProgress(stage=stage, shots=shots_progress(progress) if progress is not None else None)
    if references:  # the reference pictures must be on the shots before they are generated
        script_only = make_short(request, folder / OUTPUT_NAME, video, settings, cancel=cancel,
                                 options=dataclasses.replace(options, stop_after=MakeStage.PROJECT))
        project = workspace.save(user, with_references(script_only.project, references), script_only.paths.root)
        from pipelines.shots import render_shots

        root = workspace.project_root(user, project.id)
        shots = render_shots(project, root, video, settings, cancel=cancel, progress=make_progress.shots)
        project = workspace.save(user, shots.project)
    else:
        made = make_short(request, folder / OUTPUT_NAME, video, settings, progress=make_progress, cancel=cancel,
                          options=dataclasses.replace(options, stop_after=MakeStage.SHOTS))
        project = workspace.save(user, made.project, made.paths.root)
    shutil.rmtree(folder, ignore_errors=True)  # its media now lives (linked) in the project folder
    root = workspace.project_root(user, project.id)
    composed = compose_project(settings, workspace, project, root, draft=True, progress=progress, cancel=cancel)
    return project, composed
