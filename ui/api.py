"""The studio's named API endpoints (gradio_client, and MCP tools with ``--mcp``): every step of the flow as
one stateless call. A project travels as its JSON text; the server keeps each API project's media in
``DATA/projects/api/<project-id>/`` and paths in the JSON are relative to that folder (checked: none may
leave it). Each function's docstring is its MCP tool description.
"""

from __future__ import annotations

import time
from typing import Any

import gradio as gr

from studio.project.model import Fit, Project, Transition
from studio.project.presets import PresetName
from ui import actions
from ui.context import Studio
from ui.session import API_USER, handler


def load_api_project(studio: Studio, text: str) -> Project:
    """A project from its JSON text, with the file-format path rules against its API folder."""
    from studio.project.files import migrate, parse_project_json, validate_project
    from studio.project.limits import check_project_limits

    data = parse_project_json(text or "", "the project")
    project_id = data.get("id") if isinstance(data.get("id"), str) else Project().id
    root = studio.workspace.project_root(API_USER, project_id)
    project = validate_project(migrate({**data, "id": project_id}), project_root=root)
    return check_project_limits(project, studio.settings)


def build_api(studio: Studio) -> None:
    """Register the endpoints on hidden components (real components, so files come back as downloads)."""
    settings, workspace = studio.settings, studio.workspace

    def text(name: str, value: str = "") -> gr.Textbox:
        return gr.Textbox(value, label=name)

    def number(name: str, value: float | None = None) -> gr.Number:
        return gr.Number(value, label=name)

    def save(project: Project, source_root=None) -> tuple[Project, str]:
        saved = workspace.save(API_USER, project, source_root)
        return saved, saved.model_dump_json(indent=2)

    with gr.Column(visible=False):
        trigger = gr.Button("api")
        project_in, project_out, status = text("project_json"), text("project_json"), text("status")
        idea, preset, style, language, script, notes = (text("idea"), text("preset", "douyin"),
                                                        text("style", "cinematic"), text("language", "auto"),
                                                        text("script"), text("reference_notes"))
        seconds, seed = number("seconds", 30), number("seed")
        backend, model = text("video_backend", "auto"), text("video_model")
        steps, width, height, frames = number("steps", 0), number("width", 0), number("height", 0), number("frames", 0)
        shot_id, prompt = text("shot_id"), text("prompt")
        count, index, extend_s = number("count", 2), number("index", 0), number("seconds", 1)
        draft = gr.Checkbox(True, label="draft")
        music_library, beat_sync = text("music_library"), gr.Checkbox(False, label="beat_sync")
        video, files, clip = (gr.Video(label="video"), gr.File(file_count="multiple", label="files"),
                              gr.File(label="clip"))
        media = gr.File(file_count="multiple", label="media")
        captions, music, voiceover = text("captions"), gr.Audio(type="filepath"), gr.Audio(type="filepath")
        transition, fit, shot_seconds = text("transition", "crossfade"), text("fit", "cover"), number("shot_seconds")
        title, visible_label = text("title"), gr.Checkbox(True, label="visible_label")
    video_inputs = [backend, model, steps, width, height, frames]

    @handler
    def write_storyboard(idea: str, seconds: float, preset: str, style: str, language: str, script: str,
                         reference_notes: str, seed: float | None) -> tuple[str, str]:
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
        from pipelines.make import MakeOptions, build_project
        from pipelines.script.writers import write_storyboard as write

        request = actions.script_request(idea, seconds, preset, style, language, reference_notes, script, seed)
        result = write(request, settings)
        project = build_project(request, result, MakeOptions(), int(seed or time.time_ns() % 2**31))
        return save(project)[1], "\n".join(result.notes)

    @handler
    def enhance_prompt(prompt: str, project_json: str) -> str:
        """Rewrite one shot prompt so a video model renders it well, carrying the project's character bible.

        Args:
            prompt: the shot's visual prompt
            project_json: optional project JSON whose bible is carried into the prompt
        """
        from pipelines.script.writers import enhance_prompt as enhance

        project = load_api_project(studio, project_json) if (project_json or "").strip() else Project()
        return enhance(prompt, settings, project.storyboard.bible).visual_prompt

    def _generate(project_json: str, shot: str | None, video_args: list[Any], request: gr.Request,
                  progress: Any, kind: str = "render", **extra: Any) -> tuple[Project, Any]:
        """One shots-stage call (``pipelines.shots``) on the API project, saved; ``kind`` picks which."""
        from pipelines import shots as domain

        project = load_api_project(studio, project_json)
        root = workspace.project_root(API_USER, project.id)
        options = actions.video_options(settings, *video_args)
        with studio.jobs.running(request) as flag:
            common = {"progress": actions.shots_progress(progress), "cancel": flag.is_set}
            if shot is None:
                result = domain.render_shots(project, root, options, settings, **common)
            elif kind == "vary":
                result = domain.render_variations(project, root, shot, int(extra["count"] or 0), options, settings,
                                                  **common)
            elif kind == "extend":
                result = domain.extend_shot(project, root, shot, seconds=float(extra["seconds"] or 0),
                                            options=options, settings=settings, **common)
            elif kind == "bridge":
                result = domain.bridge_shots(project, root, shot, options, settings, **common)
            else:
                result = domain.render_shot(project, root, shot, options, settings, **common)
        saved, _ = save(result.project)
        return saved, result

    def _status(result: Any) -> str:
        return f"{len(result.generated)} generated, {len(result.cached)} cached ({result.backend})"

    def _shot_file(project: Project, shot_id: str) -> str:
        shot = next(s for s in project.shots if s.id == shot_id)
        return str(workspace.project_root(API_USER, project.id) / shot.media)

    @handler
    def render_variations(project_json: str, shot_id: str, count: float, video_backend: str, video_model: str,
                          steps: float, width: float, height: float, frames: float, request: gr.Request,
                          progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """Generate several candidates of one shot (consecutive seeds) to pick from; the shot itself is unchanged
        until choose_variation.

        Args:
            project_json: the project, as returned by write_storyboard
            shot_id: the id of the shot to vary
            count: how many candidates, 1 to 16
            video_backend: auto, still (CPU draft), ltx or wan
            video_model: a model id or local diffusers folder; blank for the default
            steps: denoising steps; 0 for the model's default
            width: frame width; 0 for the default
            height: frame height; 0 for the default
            frames: frames of each clip; 0 to follow the shot's length
        Returns:
            the updated project JSON (the shot's candidates), the candidate clips in order and a status line
        """
        saved, result = _generate(project_json, shot_id, [video_backend, video_model, steps, width, height, frames],
                                  request, progress, "vary", count=count)
        shot = next(s for s in saved.shots if s.id == shot_id)
        root = workspace.project_root(API_USER, saved.id)
        return saved.model_dump_json(indent=2), [str(root / c.media) for c in shot.candidates], _status(result)

    @handler
    def choose_variation(project_json: str, shot_id: str, index: float) -> tuple[str, str]:
        """Keep one candidate made by render_variations as the shot (its clip, seed and render info).

        Args:
            project_json: the project, as returned by render_variations
            shot_id: the id of the shot
            index: the candidate's position in the shot's candidates, 0 for the first
        Returns:
            the updated project JSON and the kept clip
        """
        from pipelines.shots import choose_variation as choose

        project = load_api_project(studio, project_json)
        saved, text = save(choose(project, shot_id, int(index or 0)))
        return text, _shot_file(saved, shot_id)

    @handler
    def extend_shot(project_json: str, shot_id: str, seconds: float, video_backend: str, video_model: str,
                    steps: float, width: float, height: float, frames: float, request: gr.Request,
                    progress=gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
        """Make a generated shot longer without a seam: new frames continue its last frames (LTX only).

        Args:
            project_json: the project with the shot rendered by the ltx backend
            shot_id: the id of the shot to extend
            seconds: how much longer, 0.3 to 20
            video_backend: ltx (or auto on a GPU)
            video_model: a model id or local diffusers folder; blank for the default
            steps: denoising steps; 0 for the shot's own
            width: unused (the shot's size is kept); 0
            height: unused (the shot's size is kept); 0
            frames: unused (follows seconds); 0
        Returns:
            the updated project JSON, the extended clip and a status line
        """
        saved, result = _generate(project_json, shot_id, [video_backend, video_model, steps, width, height, frames],
                                  request, progress, "extend", seconds=seconds)
        return saved.model_dump_json(indent=2), _shot_file(saved, shot_id), _status(result)

    @handler
    def bridge_shots(project_json: str, shot_id: str, video_backend: str, video_model: str, steps: float,
                     width: float, height: float, frames: float, request: gr.Request,
                     progress=gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
        """Insert and generate a shot that starts on this shot's last frame and ends on the next shot's first.

        Args:
            project_json: the project, as returned by write_storyboard or render_all
            shot_id: the id of the shot after which the bridge goes (not the last shot)
            video_backend: auto, still (CPU draft), ltx or wan
            video_model: a model id or local diffusers folder; blank for the default
            steps: denoising steps; 0 for the model's default
            width: frame width; 0 for the default
            height: frame height; 0 for the default
            frames: frames of the clip; 0 to follow the bridge's length
        Returns:
            the updated project JSON (one shot more), the bridge clip and a status line
        """
        saved, result = _generate(project_json, shot_id, [video_backend, video_model, steps, width, height, frames],
                                  request, progress, "bridge")
        bridge_id = result.outcomes[0].shot_id
        return saved.model_dump_json(indent=2), _shot_file(saved, bridge_id), _status(result)

    @handler
    def render_all(project_json: str, video_backend: str, video_model: str, steps: float, width: float,
                   height: float, frames: float, request: gr.Request,
                   progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008 (Gradio's idiom)
        """Generate every shot of a project that needs it (cached shots are reused).

        Args:
            project_json: the project, as returned by write_storyboard
            video_backend: auto, still (CPU draft), ltx or wan
            video_model: a model id or local diffusers folder; blank for the default
            steps: denoising steps; 0 for the model's default
            width: frame width; 0 for the default
            height: frame height; 0 for the default
            frames: frames per shot; 0 to follow each shot's length
        Returns:
            the updated project JSON, the shot clips and a status line
        """
        saved, result = _generate(project_json, None, [video_backend, video_model, steps, width, height, frames],
                                  request, progress)
        root = workspace.project_root(API_USER, saved.id)
        clips = [str(root / s.media) for s in saved.shots if s.media]
        return (saved.model_dump_json(indent=2), clips,
                f"{len(result.generated)} generated, {len(result.cached)} cached ({result.backend})")

    @handler
    def render_shot(project_json: str, shot_id: str, video_backend: str, video_model: str, steps: float,
                    width: float, height: float, frames: float, request: gr.Request,
                    progress=gr.Progress()) -> tuple[str, str, str]:  # noqa: B008
        """Generate (or fetch from the cache) one shot of a project.

        Args:
            project_json: the project, as returned by write_storyboard
            shot_id: the id of the shot to generate
            video_backend: auto, still (CPU draft), ltx or wan
            video_model: a model id or local diffusers folder; blank for the default
            steps: denoising steps; 0 for the model's default
            width: frame width; 0 for the default
            height: frame height; 0 for the default
            frames: frames of the clip; 0 to follow the shot's length
        Returns:
            the updated project JSON, the shot's clip and a status line
        """
        saved, result = _generate(project_json, shot_id, [video_backend, video_model, steps, width, height, frames],
                                  request, progress)
        shot = next(s for s in saved.shots if s.id == shot_id)
        path = workspace.project_root(API_USER, saved.id) / shot.media
        return saved.model_dump_json(indent=2), str(path), f"{result.outcomes[0].status} ({result.backend})"

    @handler
    def compose(project_json: str, draft: bool, request: gr.Request,
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
        with studio.jobs.running(request) as flag:
            result = actions.compose_project(settings, workspace, project,
                                             workspace.project_root(API_USER, project.id), draft=bool(draft),
                                             progress=progress, cancel=flag.is_set)
        return str(result.video), actions.result_files(result), actions.compose_status(result,
                                                                                       time.monotonic() - started)

    @handler
    def make_short(idea: str, seconds: float, preset: str, style: str, language: str, music_library: str,
                   beat_sync: bool, video_backend: str, video_model: str, steps: float, width: float,
                   height: float, frames: float, seed: float | None, request: gr.Request,
                   progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """One idea to a draft MP4 in one call: storyboard, shots, captions, music, AI label.

        Args:
            idea: what the short is about, in any language
            seconds: target length, 15 to 90
            preset: platform preset of the project (the clip itself is a 540x960 draft)
            style: cinematic, anime, 3d_cartoon, documentary, product_ad, vlog, watercolor or cyberpunk
            language: caption language: auto, zh or en
            music_library: optional bundled track id
            beat_sync: cut on the music's beats (needs music)
            video_backend: auto, still (CPU draft), ltx or wan
            video_model: a model id or local diffusers folder; blank for the default
            steps: denoising steps; 0 for the model's default
            width: frame width; 0 for the default
            height: frame height; 0 for the default
            frames: frames per shot; 0 to follow each shot's length
            seed: optional seed for reproducible shots
        Returns:
            the MP4, the files (MP4, SRT, VTT, cover, project) and a status line
        """
        from pipelines.make import MakeOptions

        started = time.monotonic()
        options = MakeOptions(music_library=music_library or None, beat_sync=bool(beat_sync))
        with studio.jobs.running(request) as flag:
            _, result = actions.make_draft(
                settings, workspace, API_USER,
                actions.script_request(idea, seconds, preset, style, language, seed=seed),
                actions.video_options(settings, video_backend, video_model, steps, width, height, frames), options,
                progress=progress, cancel=flag.is_set)
        return str(result.video), actions.result_files(result), actions.compose_status(result,
                                                                                       time.monotonic() - started)

    @handler
    def compose_media(media: list[str] | None, captions: str, music: str | None, preset: str, style: str,
                      transition: str, fit: str, shot_seconds: float | None, title: str, visible_label: bool,
                      library_music: str | None, beat_sync: bool, voiceover: str | None, request: gr.Request,
                      progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """The quick path: the user's own images and clips plus one caption per line into a captioned MP4.

        Args:
            media: images and clips, in shot order
            captions: one caption per line, line i on shot i
            music: optional music file
            preset: platform preset
            style: caption style preset
            transition: cut, crossfade or fade
            fit: cover or contain
            shot_seconds: seconds per image; blank for automatic
            title: optional hook title
            visible_label: show the AI label on screen
            library_music: optional bundled track id (an uploaded file wins)
            beat_sync: cut on the music's beats
            voiceover: optional voice-over recording
        """
        from studio.project.assemble import QuickOptions, project_from_media
        from ui.idea import caption_lines

        started = time.monotonic()
        progress(0, desc="Checking media")
        options = QuickOptions(
            preset=PresetName(preset), shot_seconds=float(shot_seconds) if shot_seconds else None,
            transition=Transition(transition), fit=Fit(fit), title=(title or "").strip(), caption_style=style,
            music=music or None, visible_label=bool(visible_label), beat_sync=bool(beat_sync),
            music_library=None if music or not library_music else library_music, voiceover=voiceover or None)
        project = project_from_media(media or [], caption_lines(captions), options, settings)
        with studio.jobs.running(request) as flag:
            result = actions.compose_project(settings, workspace, project, None, draft=False, progress=progress,
                                             cancel=flag.is_set)
        return str(result.video), actions.result_files(result), actions.compose_status(result,
                                                                                       time.monotonic() - started)

    trigger.click(write_storyboard, [idea, seconds, preset, style, language, script, notes, seed],
                  [project_out, status], api_name="write_storyboard", **studio.gpu)
    trigger.click(enhance_prompt, [prompt, project_in], [prompt], api_name="enhance_prompt", **studio.gpu)
    trigger.click(render_all, [project_in, *video_inputs], [project_out, files, status], api_name="render_all",
                  **studio.gpu)
    trigger.click(render_shot, [project_in, shot_id, *video_inputs], [project_out, clip, status],
                  api_name="render_shot", **studio.gpu)
    trigger.click(render_variations, [project_in, shot_id, count, *video_inputs], [project_out, files, status],
                  api_name="render_variations", **studio.gpu)
    trigger.click(choose_variation, [project_in, shot_id, index], [project_out, clip], api_name="choose_variation",
                  queue=False)
    trigger.click(extend_shot, [project_in, shot_id, extend_s, *video_inputs], [project_out, clip, status],
                  api_name="extend_shot", **studio.gpu)
    trigger.click(bridge_shots, [project_in, shot_id, *video_inputs], [project_out, clip, status],
                  api_name="bridge_shots", **studio.gpu)
    trigger.click(compose, [project_in, draft], [video, files, status], api_name="compose", **studio.cpu)
    trigger.click(make_short, [idea, seconds, preset, style, language, music_library, beat_sync, *video_inputs,
                               seed], [video, files, status], api_name="make_short", **studio.gpu)
    trigger.click(compose_media, [media, captions, music, preset, style, transition, fit, shot_seconds, title,
                                  visible_label, music_library, beat_sync, voiceover], [video, files, status],
                  api_name="compose_media", **studio.cpu)
    # Not queued: it must get through while this session's job holds its queue slot.
    trigger.click(studio.jobs.cancel, api_name="cancel", queue=False)
