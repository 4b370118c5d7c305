"""The studio's named API endpoints (gradio_client, and MCP tools with ``--mcp``): every step of the flow as
one stateless call. A project travels as its JSON text; the server keeps each API project's media in
``DATA/projects/api/<project-id>/`` and paths in the JSON are relative to that folder (checked: none may
leave it). Each function's docstring is its MCP tool description.

Each endpoint's inputs are built from its signature (``_inputs``): the parameter's name is the API's, its
default is the component's value, so a client may leave out every argument that has one, and the defaults are
the UI's. Parameters without a default (the idea, the project, a shot id) are required.
"""

from __future__ import annotations

import inspect
import time
from collections.abc import Callable
from typing import Any

import gradio as gr

import actions
from actions.shots import ShotAction
from pipelines.make import MakeOptions
from pipelines.script.contract import ScriptRequest
from pipelines.shots import ShotsResult
from pipelines.video.contract import VideoOptions
from studio.project.assemble import QuickOptions
from studio.project.model import Project
from studio.project.styles import DEFAULT_CAPTION_STYLE
from ui import reporting
from ui.context import Studio
from ui.idea import make_draft
from ui.session import API_USER, handler

# Inputs that are not text, numbers or switches; every other parameter's component follows its annotation.
_FILES: dict[str, Callable[[], gr.components.Component]] = {
    "media": lambda: gr.File(file_count="multiple", label="media"),
    "music": lambda: gr.Audio(type="filepath", label="music"),
    "voiceover": lambda: gr.Audio(type="filepath", label="voiceover"),
    "look_file": lambda: gr.File(label="look_file"),
}
_SKIP = {"request", "progress"}


def _inputs(fn: Callable[..., Any], made: dict[tuple, gr.components.Component]) -> list[gr.components.Component]:
    """One hidden component per API parameter of ``fn``, in order: a default makes the parameter optional.
    Endpoints share a component where name, kind and default agree (``made``), so the page stays small."""
    components = []
    for name, param in inspect.signature(fn).parameters.items():
        if name in _SKIP:
            continue
        value = None if param.default is inspect.Parameter.empty else param.default
        kind = str(param.annotation)
        key = (name, kind, value)
        if key not in made:
            if name in _FILES:
                made[key] = _FILES[name]()
            elif kind.startswith("bool"):
                made[key] = gr.Checkbox(bool(value), label=name)
            elif kind.startswith(("float", "int")):
                made[key] = gr.Number(value, label=name)
            else:
                made[key] = gr.Textbox(value, label=name)
        components.append(made[key])
    return components


def load_api_project(studio: Studio, text: str) -> Project:
    """A project from its JSON text, with the file-format path rules against its API folder."""
    from studio.project.files import migrate, parse_project_json, validate_project
    from studio.project.limits import check_project_limits

    data = parse_project_json(text or "", "the project")
    project_id = data.get("id") if isinstance(data.get("id"), str) else Project().id
    root = studio.workspace.project_root(API_USER, project_id)
    project = validate_project(migrate({**data, "id": project_id}), project_root=root)
    return check_project_limits(project, studio.settings)


VIDEO_ARGS = """            video_backend: auto, still (CPU draft), ltx or wan
            video_model: a model id; blank for the configured one
            steps: denoising steps; 0 for the model's default
            width: frame width; 0 for the default
            height: frame height; 0 for the default
            frames: frames of each clip; 0 to follow the shot's length"""


def _with_video_args(fn: Callable[..., Any]) -> Callable[..., Any]:
    fn.__doc__ = (fn.__doc__ or "").replace("{video}", VIDEO_ARGS)
    return fn


def build_api(studio: Studio) -> None:
    """Register the endpoints on hidden components (real components, so files come back as downloads)."""
    services, settings, workspace = studio.services, studio.settings, studio.workspace

    def save(project: Project, source_root=None) -> tuple[Project, str]:
        saved = workspace.save(API_USER, project, source_root)
        return saved, saved.model_dump_json(indent=2)

    def root_of(project: Project):
        return workspace.project_root(API_USER, project.id)

    def shot_file(project: Project, shot_id: str) -> str:
        shot = next(s for s in project.shots if s.id == shot_id)
        return str(root_of(project) / shot.media)

    def status(result: ShotsResult) -> str:
        return f"{len(result.generated)} generated, {len(result.cached)} cached ({result.backend})"

    def generate(action: ShotAction, project_json: str, shot_id: str | None, video: tuple, request: gr.Request,
                 progress: Any, **extra: Any) -> tuple[Project, ShotsResult]:
        project = load_api_project(studio, project_json)
        options = VideoOptions.from_values(*video, settings=settings, visitor=True)
        with studio.jobs.running(request) as flag:
            result = actions.generate(services, action, project, root_of(project), options, shot_id=shot_id,
                                      progress=reporting.shots_progress(progress), cancel=flag.is_set, **extra)
        return save(result.project)[0], result

    @handler
    def write_storyboard(idea: str, seconds: float = 30, preset: str = "douyin", style: str = "cinematic",
                         language: str = "auto", script: str = "", reference_notes: str = "",
                         seed: float | None = None) -> tuple[str, str]:
        """Write a storyboard (shots with prompts, captions, voice-over lines) for a short-video idea.

        Args:
            idea: what the short is about, in any language
            seconds: target length, 15 to 90
            preset: platform: douyin, tiktok, reels, shorts, xiaohongshu, bilibili or draft
            style: cinematic, anime, 3d_cartoon, documentary, product_ad, vlog, watercolor or cyberpunk
            language: caption language: auto, zh or en
            script: optional own script; the writer only splits it into shots
            reference_notes: optional notes about characters or products to keep consistent
            seed: optional seed for reproducible shots
        Returns:
            the project JSON and the writer's notes
        """
        request = ScriptRequest.from_values(idea, seconds, preset, style, language, reference_notes, script,
                                            seed=seed)
        written = actions.write_storyboard(services, request)
        return save(written.project)[1], "\n".join(written.script.notes)

    @handler
    def enhance_prompt(prompt: str, project_json: str = "") -> str:
        """Rewrite one shot prompt so a video model renders it well, carrying the project's character bible.

        Args:
            prompt: the shot's visual prompt
            project_json: optional project JSON whose bible is carried into the prompt
        """
        project = load_api_project(studio, project_json) if (project_json or "").strip() else Project()
        return actions.enhance_prompt(services, prompt, project.storyboard.bible).visual_prompt

    @handler
    @_with_video_args
    def render_all(project_json: str, video_backend: str = "auto", video_model: str = "", steps: float = 0,
                   width: float = 0, height: float = 0, frames: float = 0, request: gr.Request = None,
                   progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008 (Gradio's idiom)
        """Generate every shot of a project that needs it (cached shots are reused).

        Args:
            project_json: the project, as returned by write_storyboard
{video}
        Returns:
            the updated project JSON, the shot clips and a status line
        """
        saved, result = generate(ShotAction.ALL, project_json, None,
                                 (video_backend, video_model, steps, width, height, frames), request, progress)
        clips = [str(root_of(saved) / s.media) for s in saved.shots if s.media]
        return saved.model_dump_json(indent=2), clips, status(result)

    @handler
    @_with_video_args
    def render_shot(project_json: str, shot_id: str, video_backend: str = "auto", video_model: str = "",
                    steps: float = 0, width: float = 0, height: float = 0, frames: float = 0,
                    request: gr.Request = None, progress=gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
        """Generate (or fetch from the cache) one shot of a project.

        Args:
            project_json: the project, as returned by write_storyboard
            shot_id: the id of the shot to generate
{video}
        Returns:
            the updated project JSON, the shot's clip and a status line
        """
        saved, result = generate(ShotAction.ONE, project_json, shot_id,
                                 (video_backend, video_model, steps, width, height, frames), request, progress)
        return (saved.model_dump_json(indent=2), shot_file(saved, shot_id),
                f"{result.outcomes[0].status} ({result.backend})")

    @handler
    @_with_video_args
    def render_variations(project_json: str, shot_id: str, count: float = 2, video_backend: str = "auto",
                          video_model: str = "", steps: float = 0, width: float = 0, height: float = 0,
                          frames: float = 0, request: gr.Request = None,
                          progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """Generate several candidates of one shot (consecutive seeds) to pick from; the shot itself is unchanged
        until choose_variation.

        Args:
            project_json: the project, as returned by write_storyboard
            shot_id: the id of the shot to vary
            count: how many candidates, 1 to 16
{video}
        Returns:
            the updated project JSON (the shot's candidates), the candidate clips in order and a status line
        """
        saved, result = generate(ShotAction.VARY, project_json, shot_id,
                                 (video_backend, video_model, steps, width, height, frames), request, progress,
                                 count=int(count or 0))
        shot = next(s for s in saved.shots if s.id == shot_id)
        return saved.model_dump_json(indent=2), [str(root_of(saved) / c.media) for c in shot.candidates], \
            status(result)

    @handler
    def choose_variation(project_json: str, shot_id: str, index: float = 0) -> tuple[str, str]:
        """Keep one candidate made by render_variations as the shot (its clip, seed and render info).

        Args:
            project_json: the project, as returned by render_variations
            shot_id: the id of the shot
            index: the candidate's position in the shot's candidates, 0 for the first
        Returns:
            the updated project JSON and the kept clip
        """
        project = load_api_project(studio, project_json)
        saved, text = save(actions.choose_variation(project, shot_id, int(index or 0)))
        return text, shot_file(saved, shot_id)

    @handler
    @_with_video_args
    def extend_shot(project_json: str, shot_id: str, seconds: float = 1, video_backend: str = "auto",
                    video_model: str = "", steps: float = 0, width: float = 0, height: float = 0, frames: float = 0,
                    request: gr.Request = None, progress=gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
        """Make a generated shot longer without a seam: new frames continue its last frames (LTX only).

        Args:
            project_json: the project with the shot rendered by the ltx backend
            shot_id: the id of the shot to extend
            seconds: how much longer, 0.3 to 20
{video}
        Returns:
            the updated project JSON, the extended clip and a status line
        """
        saved, result = generate(ShotAction.EXTEND, project_json, shot_id,
                                 (video_backend, video_model, steps, width, height, frames), request, progress,
                                 seconds=float(seconds or 0))
        return saved.model_dump_json(indent=2), shot_file(saved, shot_id), status(result)

    @handler
    @_with_video_args
    def bridge_shots(project_json: str, shot_id: str, video_backend: str = "auto", video_model: str = "",
                     steps: float = 0, width: float = 0, height: float = 0, frames: float = 0,
                     request: gr.Request = None, progress=gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
        """Insert and generate a shot that starts on this shot's last frame and ends on the next shot's first.

        Args:
            project_json: the project, as returned by write_storyboard or render_all
            shot_id: the id of the shot after which the bridge goes (not the last shot)
{video}
        Returns:
            the updated project JSON (one shot more), the bridge clip and a status line
        """
        saved, result = generate(ShotAction.BRIDGE, project_json, shot_id,
                                 (video_backend, video_model, steps, width, height, frames), request, progress)
        return saved.model_dump_json(indent=2), shot_file(saved, result.outcomes[0].shot_id), status(result)

    @handler
    def compose(project_json: str, draft: bool = True, request: gr.Request = None,
                progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """Render a project's shots, captions, music and AI label into a vertical MP4 with SRT, VTT and cover.

        Args:
            project_json: the project with rendered shots, as returned by render_all
            draft: true for the fast 540x960 draft, false for the platform preset
        Returns:
            the MP4, the files (MP4, SRT, VTT, cover, project) and a status line
        """
        project = load_api_project(studio, project_json)
        started = time.monotonic()
        with studio.jobs.running(request) as flag, workspace.render_output() as output:
            result = actions.compose_project(services, project, root_of(project), output, draft=bool(draft),
                                             progress=reporting.frames_progress(progress), cancel=flag.is_set)
        return (str(result.video), reporting.result_files(result),
                reporting.compose_status(result, time.monotonic() - started))

    @handler
    @_with_video_args
    def make_short(idea: str, seconds: float = 30, preset: str = "douyin", style: str = "cinematic",
                   language: str = "auto", music_library: str = "", beat_sync: bool = False,
                   video_backend: str = "auto", video_model: str = "", steps: float = 0, width: float = 0,
                   height: float = 0, frames: float = 0, seed: float | None = None, voice: str = "auto",
                   voice_name: str = "", voice_speed: float = 1.0, request: gr.Request = None,
                   progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """One idea to a draft MP4 in one call: storyboard, narration, shots, captions, music, AI label.

        Args:
            idea: what the short is about, in any language
            seconds: target length, 15 to 90
            preset: platform preset of the project (the clip itself is a 540x960 draft)
            style: cinematic, anime, 3d_cartoon, documentary, product_ad, vlog, watercolor or cyberpunk
            language: caption language: auto, zh or en
            music_library: optional bundled track id
            beat_sync: cut on the music's beats (needs music)
{video}
            seed: optional seed for reproducible shots
            voice: narration: auto (a voice for the language when the server has one), espeak, piper, openai or
                none
            voice_name: optional voice name (blank: the backend's for the language)
            voice_speed: speaking rate, 1 natural (0.5 to 2)
        Returns:
            the MP4, the files (MP4, SRT, VTT, ASS when words are timed, cover, project) and a status line
        """
        started = time.monotonic()
        script = ScriptRequest.from_values(idea, seconds, preset, style, language, seed=seed)
        video = VideoOptions.from_values(video_backend, video_model, steps, width, height, frames, settings=settings,
                                         visitor=True)
        options = MakeOptions.from_values(music_library=music_library, beat_sync=beat_sync, draft=True, voice=voice,
                                          voice_name=voice_name, voice_speed=voice_speed)
        with studio.jobs.running(request) as flag:
            made = make_draft(studio, API_USER, script, video, options, progress, flag.is_set)
        composed = made.compose
        return (str(composed.video), reporting.result_files(composed),
                "\n".join([reporting.compose_status(composed, time.monotonic() - started), *made.narration_notes]))

    @handler
    def narrate(project_json: str, voice: str = "auto", voice_name: str = "", voice_speed: float = 1.0,
                shot_id: str = "", hold_length: bool = False, request: gr.Request = None,
                progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """Speak every shot's voice-over line (or one shot's), time its words on the caption and fit the shots to
        the voice; lines spoken before come from the cache. A shot with the user's own recording keeps it unless
        it is the one shot_id named.

        Args:
            project_json: the project, as returned by write_storyboard
            voice: auto, espeak, piper or openai
            voice_name: optional voice name (blank: the backend's for the language)
            voice_speed: speaking rate, 1 natural (0.5 to 2); fitting may speed it up to 1.25
            shot_id: optional id of the one shot to (re)narrate
            hold_length: keep the clip's total length (time moves between shots, then the voice speeds up)
        Returns:
            the updated project JSON (voiceover_audio, caption_words and fitted lengths per shot), the speech files
            in shot order and a status line
        """
        from pipelines.narration import NarrationOptions

        project = load_api_project(studio, project_json)
        one = frozenset({shot_id}) if shot_id else None
        if one and not any(s.id == shot_id for s in project.shots):
            from studio.errors import ProjectValidationError

            raise ProjectValidationError(f"the project has no shot {shot_id!r}")
        options = NarrationOptions.from_values(voice, voice_name, voice_speed, regenerate=one or frozenset(),
                                               only=one, hold_length=bool(hold_length))
        with studio.jobs.running(request) as flag:
            result = actions.narrate(services, project, root_of(project), options,
                                     progress=lambda done, total: progress(done / max(total, 1)), cancel=flag.is_set)
        saved, text = save(result.project)
        files = [str(root_of(saved) / s.voiceover_audio) for s in saved.shots if s.voiceover_audio]
        line = (f"{len(result.shots)} lines: {result.spoken} spoken, {len(result.shots) - result.spoken} from the "
                f"cache")
        return text, files, "\n".join([line, *result.notes])

    @handler
    def compose_media(media: list[str], captions: str = "", music: str | None = None, preset: str = "douyin",
                      style: str = DEFAULT_CAPTION_STYLE, transition: str = "crossfade", fit: str = "cover",
                      shot_seconds: float | None = None, title: str = "", visible_label: bool = True,
                      library_music: str = "", beat_sync: bool = False, voiceover: str | None = None,
                      transition_seconds: float | None = None, look: str = "", look_file: str | None = None,
                      effects: str = "", request: gr.Request = None,
                      progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """The quick path: the user's own images and clips plus one caption per line into a captioned MP4.

        Args:
            media: images and clips, in shot order
            captions: one caption per line, line i on shot i
            music: optional music file
            preset: platform preset
            style: caption style preset
            transition: cut, crossfade, fade, slide_left, slide_right, slide_up, slide_down, zoom_in, zoom_out,
                whip_left, whip_right or flash
            fit: cover or contain
            shot_seconds: seconds per image; blank for automatic
            title: optional hook title
            visible_label: show the AI label on screen
            library_music: optional bundled track id (an uploaded file wins)
            beat_sync: cut on the music's beats
            voiceover: optional voice-over recording
            transition_seconds: transition length, 0 to 3 s; blank for 0.5 s (less where a shot is shorter)
            look: optional bundled colour look on every shot: teal_orange, warm_film, cool_night, mono_noir or
                vivid_pop
            look_file: optional .cube file (a 3D LUT) as the look instead
            effects: optional colour effects on every shot, one a line as MoviePy writes them, e.g.
                GammaCorrection(0.8) or BlackAndWhite()
        Returns:
            the MP4, the files (MP4, SRT, VTT, cover, project) and a status line
        """
        started = time.monotonic()
        progress(0, desc="Checking media")
        options = QuickOptions.from_values(
            preset=preset, shot_seconds=shot_seconds, transition=transition, fit=fit, title=title,
            caption_style=style, music=music, music_library=library_music, beat_sync=beat_sync,
            voiceover=voiceover, visible_label=visible_label, transition_seconds=transition_seconds, look=look,
            look_file=look_file, effects=effects, visitor=True)
        with studio.jobs.running(request) as flag, workspace.render_output() as output:
            result = actions.compose_media(services, media or [], actions.caption_lines(captions), options, output,
                                           progress=reporting.frames_progress(progress), cancel=flag.is_set)
        return (str(result.video), reporting.result_files(result),
                reporting.compose_status(result, time.monotonic() - started))

    @handler
    def export_edit(project_json: str, format: str = "mlt", request: gr.Request = None,
                    progress=gr.Progress()) -> tuple[str, str]:  # noqa: B008 (Gradio's idiom)
        """Hand a project to a real editor: one zip holding a folder with the editable 9:16 timeline, its media, the
        captions as SRT and a README of how to open it and what the format cannot carry. Shots not rendered yet
        become named gaps.

        Args:
            project_json: the project, as returned by render_all
            format: mlt (Shotcut), otio (Resolve, Premiere, Kdenlive), fcpxml (Final Cut), fcp7 (Premiere, Resolve),
                edl (cuts, any editor) or jianying (Jianying/CapCut draft, experimental)
        Returns:
            the zip and a status line
        """
        project = load_api_project(studio, project_json)
        name = actions.edit_name(project, format)
        with studio.jobs.running(request) as flag, workspace.render_output(f"{name}.zip") as output:
            result = actions.export_edit(services, project, root_of(project), output.with_suffix(""), format,
                                         zip_to=output, progress=reporting.media_progress(progress),
                                         cancel=flag.is_set)
        return str(result.archive), reporting.edit_status(result)

    with gr.Column(visible=False):
        trigger = gr.Button("api")
        project_out, status_out, prompt_out = (gr.Textbox(label="project_json"), gr.Textbox(label="status"),
                                               gr.Textbox(label="prompt"))
        video_out, files_out, clip_out = (gr.Video(label="video"), gr.File(file_count="multiple", label="files"),
                                          gr.File(label="clip"))
        archive_out = gr.File(label="archive")
        endpoints = (
            (write_storyboard, [project_out, status_out], studio.gpu),
            (enhance_prompt, [prompt_out], studio.gpu),
            (render_all, [project_out, files_out, status_out], studio.gpu),
            (render_shot, [project_out, clip_out, status_out], studio.gpu),
            (render_variations, [project_out, files_out, status_out], studio.gpu),
            (choose_variation, [project_out, clip_out], {"queue": False}),
            (extend_shot, [project_out, clip_out, status_out], studio.gpu),
            (bridge_shots, [project_out, clip_out, status_out], studio.gpu),
            (compose, [video_out, files_out, status_out], studio.cpu),
            (make_short, [video_out, files_out, status_out], studio.gpu),
            (narrate, [project_out, files_out, status_out], studio.cpu),
            (compose_media, [video_out, files_out, status_out], studio.cpu),
            (export_edit, [archive_out, status_out], studio.cpu),
        )
        made: dict[tuple, gr.components.Component] = {}
        for fn, outputs, queue in endpoints:
            trigger.click(fn, _inputs(fn, made), outputs, api_name=fn.__name__, **queue)
    # Not queued: it must get through while this session's job holds its queue slot.
    trigger.click(studio.jobs.cancel, api_name="cancel", queue=False)
