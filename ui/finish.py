"""The Finish tab: caption style with a live preview frame, music (bundled with a preview, or uploaded), beat
sync, the AI label (on by default), the cover frame, the hook title, and a colour look and colour effects on every
shot (a bundled look or the user's .cube file). Every change is saved at once."""

from __future__ import annotations

import gradio as gr

from studio.project.effects import Effect
from studio.project.model import MusicTrack, Project
from studio.project.styles import caption_style, caption_style_presets
from studio.sound.library import library
from ui.context import Studio
from ui.effects import LOOK_CHOICES, effect_controls, effects_from_controls
from ui.i18n import EN, choices, say, t, words_for, words_of_this_event
from ui.sentences import translate
from ui.session import handler, without_server_paths


def preview_music(track_id: str | None) -> dict:
    """Show the bundled track in the preview player, or hide the player when none is chosen."""
    if not track_id:
        return gr.update(value=None, visible=False)
    track = library().get(track_id)
    if track is None:
        raise gr.Error(say(words_of_this_event(), "finish.no_track"), print_exception=False)
    return gr.update(value=str(track.path), visible=True)  # its name is in the dropdown right above


def finish_project(project: Project, *, style: str, music_library: str | None, music_file: str | None,
                   beat_sync: bool, visible_label: bool, hook: str, cover_s: float | None,
                   effects: tuple[Effect, ...] | None = None) -> Project:
    """The project with the Finish tab's choices; the caption style keeps nothing of the previous preset;
    ``effects`` (the clip-wide look and colour effects) replace the project's when given."""
    music = None
    if music_file:
        music = MusicTrack(path=music_file, beat_sync=bool(beat_sync))
    elif music_library:
        music = MusicTrack(library=music_library, beat_sync=bool(beat_sync))
    elif project.music is not None and project.music.path and music_library is None:
        music = project.music.model_copy(update={"beat_sync": bool(beat_sync)})  # the upload chosen before
    board = project.storyboard.model_copy(update={"hook": (hook or "").strip()[:120]})
    return project.model_copy(update={
        "caption_style": caption_style(style) if style else project.caption_style,
        "music": music, "label": project.label.model_copy(update={"visible": bool(visible_label)}),
        "storyboard": board, "cover_time_ms": int(cover_s * 1000) if cover_s else None,
        "effects": project.effects if effects is None else effects,
    })


def preview_frame(project: Project, root, settings, at_s: float | None):
    """One composed frame (captions, hook, label) at ``at_s`` seconds, or at the cover time."""
    from studio.compose.compositor import FrameRenderer, default_cover_time, plan_render

    plan = plan_render(project, settings, root)
    renderer = FrameRenderer(plan, settings)
    try:
        t_ms = default_cover_time(plan.project, plan.timeline) if at_s is None else int(at_s * 1000)
        return renderer.frame_at(min(t_ms, plan.timeline.duration_ms - 1))
    finally:
        renderer.close()


def build_finish_tab(studio: Studio) -> None:
    settings = studio.settings
    tracks = [(t("finish.none"), "")] + [(t(f"choice.music.{track.id}") if f"choice.music.{track.id}" in EN
                                          else track.label, track.id) for track in library().values()]
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            style = gr.Dropdown(choices("caption", list(caption_style_presets())), label=t("finish.style"),
                                elem_id="caption_style")
            hook = gr.Textbox(label=t("finish.hook"), max_length=120, elem_id="hook")
            with gr.Row():
                music_library = gr.Dropdown(tracks, value="", label=t("finish.library"), elem_id="library_music")
                beat_sync = gr.Checkbox(label=t("finish.beat_sync"), elem_id="beat_sync")
            music_preview = gr.Audio(label=t("finish.listen"), interactive=False, visible=False,
                                     elem_id="music_preview")
            music_file = gr.Audio(label=t("finish.upload"), type="filepath", sources=["upload"], elem_id="music")
            label = gr.Checkbox(value=True, label=t("finish.label"), elem_id="ai_label")
            cover = gr.Number(label=t("finish.cover"), minimum=0, elem_id="cover_time")
            with gr.Row():
                look = gr.Dropdown(LOOK_CHOICES, value="", label=t("finish.look"), elem_id="clip_look")
                look_file = gr.File(label=t("finish.look_file"), file_types=[".cube"], elem_id="clip_look_file",
                                    height=90)
            effects = gr.Textbox(label=t("finish.effects"), info=t("finish.effects_info"), lines=2,
                                 elem_id="clip_effects")
            note = gr.Markdown(elem_id="finish_note")
        with gr.Column(scale=2):
            at = gr.Slider(0, 90, value=0, step=0.1, label=t("finish.preview_at"), elem_id="preview_at")
            preview = gr.Image(label=t("finish.preview"), interactive=False, height=520, elem_id="style_preview")
            show_cover = gr.Button(t("finish.show_cover"), size="sm", elem_id="show_cover")
    controls = [style, music_library, music_file, beat_sync, label, hook, cover, look, look_file, effects]

    @handler
    def apply(project, user, selected, style, music_library, music_file, beat_sync, label, hook, cover, look,
              look_file, effects):
        project = studio.current(project)
        clip_wide = effects_from_controls(effects, look, None, False, look_file, project.effects, clip_wide=True)
        project = finish_project(project, style=style, music_library=music_library or None,
                                 music_file=music_file, beat_sync=beat_sync, visible_label=label, hook=hook,
                                 cover_s=cover, effects=clip_wide)
        return studio.save(user, project), selected

    def show(project, user, at_s, request: gr.Request, cover: bool = False):
        from studio.errors import StudioError

        project = studio.current(project)
        words = words_for(request)
        if not project.shots:
            return None, words["finish.empty"]
        try:
            return preview_frame(project, studio.root(user, project), settings, None if cover else at_s), ""
        except StudioError as err:  # a preview that cannot be drawn yet is a hint, not an error dialog
            return None, say(words, "status.preview", error=translate(without_server_paths(str(err)), words))

    def show_cover_frame(project, user, request: gr.Request):
        return show(project, user, None, request, cover=True)

    state = [studio.project, studio.user, studio.selected]
    # Typing in the hook or cover time saves when the box is left (or Enter), not on every key.
    triggers = [c.input for c in (style, music_library, music_file, beat_sync, label, look)]
    triggers += [c.blur for c in (hook, cover, effects)] + [c.submit for c in (hook, cover)] + [music_file.clear]
    triggers += [look_file.upload, look_file.clear]
    applied = gr.on(triggers, apply, state + controls, [studio.project, studio.selected],
                    api_name=False, trigger_mode="always_last")
    studio.changed(applied, keep=controls)
    applied.success(show, [studio.project, studio.user, at], [preview, note], api_name=False, **studio.cpu)
    at.release(show, [studio.project, studio.user, at], [preview, note], api_name=False, **studio.cpu)
    show_cover.click(show_cover_frame, [studio.project, studio.user], [preview, note], api_name=False, **studio.cpu)
    music_library.input(preview_music, music_library, music_preview, api_name=False, queue=False)

    def render(project: Project, _selected, _root, words):
        music = project.music
        length_s = sum(shot.duration_ms for shot in project.shots) / 1000
        text, look_choice, _, _ = effect_controls(project.effects)
        return [project.caption_style.preset, music.library if music and music.library else "",
                bool(music and music.beat_sync), project.label.visible, project.storyboard.hook,
                project.cover_time_ms / 1000 if project.cover_time_ms is not None else None,
                gr.update(maximum=round(length_s, 1) if length_s > 0 else 90),  # the slider spans this short
                look_choice, None, text, "" if project.shots else words["finish.empty"]]

    studio.view([style, music_library, beat_sync, label, hook, cover, at, look, look_file, effects, note], render)
