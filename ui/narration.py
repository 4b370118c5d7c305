"""The Storyboard tab's narration panel: a voice picker with a preview line, the speaking rate, "narrate every shot"
and "regenerate this shot's narration", and the selected shot's narration with its words and their times.

Every button runs an action (``actions.speak``, ``actions.narrate``) that the API and the CLI run too.
"""

from __future__ import annotations

import gradio as gr

import actions
from actions.voice import list_voices, speak
from pipelines.narration import NarrationOptions
from studio.backends import VoiceBackendName
from studio.project.model import Project
from ui.context import Studio
from ui.i18n import choices, say, t, words_for
from ui.session import handler

VOICE_BACKENDS = [b.value for b in VoiceBackendName]


def voice_choices(studio: Studio) -> list[tuple[str, str]]:
    """The voices this machine has, as ``backend:voice`` so a choice names its backend too; blank: the default."""
    try:
        voices = list_voices(studio.services)
    except Exception:  # a backend that cannot list here lists nothing; the picker still offers the default
        voices = ()
    return [("", "")] + [(f"{v.name} ({v.backend}, {'/'.join(v.languages)})", f"{v.backend}:{v.name}")
                         for v in voices]


def _voice(backend: str | None, voice: str | None) -> tuple[str, str | None]:
    """A picked ``backend:voice`` wins over the engine dropdown."""
    if voice and ":" in voice:
        head, _, name = voice.partition(":")
        return head, name or None
    return backend or VoiceBackendName.AUTO.value, voice or None


def word_rows(project: Project, selected: str | None) -> list[list]:
    shot = next((s for s in project.shots if s.id == selected), None)
    if shot is None:
        return []
    return [[w.text, round(w.start_ms / 1000, 2), round(w.end_ms / 1000, 2)] for w in shot.caption_words]


def narration_line(project: Project, selected: str | None, words: dict[str, str]) -> str:
    shot = next((s for s in project.shots if s.id == selected), None)
    if shot is None or shot.narration is None:
        own = shot is not None and shot.voiceover_audio is not None
        return words["board.narration_own" if own else "board.narration_none"]
    n = shot.narration
    return say(words, "board.narration_info", backend=n.backend, voice=n.voice, speed=n.speed * n.tempo,
               timing=words.get(f"name.timing.{n.timing}", n.timing), seconds=n.speech_ms / 1000)


def build_narration_panel(studio: Studio) -> None:
    with gr.Accordion(t("board.narration"), open=False, elem_id="shot_narration"):
        with gr.Row():
            backend = gr.Dropdown(choices("voice", VOICE_BACKENDS), value=VoiceBackendName.AUTO.value,
                                  label=t("board.voice_backend"), elem_id="voice_backend")
            voice = gr.Dropdown(voice_choices(studio), value="", label=t("board.voice_name"),
                                elem_id="voice_name", allow_custom_value=True)
            speed = gr.Slider(0.5, 2.0, value=1.0, step=0.05, label=t("board.voice_speed"), elem_id="voice_speed")
        with gr.Row():
            sample = gr.Textbox(label=t("board.voice_sample"), value="", placeholder=t("board.voice_sample_hint"),
                                elem_id="voice_sample", scale=3)
            listen = gr.Button(t("board.voice_listen"), size="sm", elem_id="voice_listen", scale=1)
        heard = gr.Audio(label=t("board.voice_preview"), interactive=False, elem_id="voice_preview",
                         type="filepath")
        with gr.Row():
            narrate_all = gr.Button(t("board.narrate_all"), variant="primary", elem_id="narrate_all")
            narrate_one = gr.Button(t("board.narrate_shot"), elem_id="narrate_shot")
        status = gr.Markdown(elem_id="narration_status")
        info = gr.Markdown(elem_id="shot_narration_info")
        audio = gr.Audio(label=t("board.narration_audio"), interactive=False, elem_id="shot_narration_audio",
                         type="filepath")
        table = gr.Dataframe(headers=["word", "start", "end"], interactive=False, label=t("board.words"),
                             elem_id="shot_words", wrap=True)

    @handler
    def preview(project, backend, voice, speed, sample, request: gr.Request):
        project = studio.current(project)
        shot_line = next((s.voiceover for s in project.shots if s.voiceover), "")
        text = (sample or "").strip() or shot_line or say(words_for(request), "board.voice_sample_default")
        engine, name = _voice(backend, voice)
        options = NarrationOptions.from_values(engine, name, speed)
        out = studio.workspace.new_render_folder() / "preview.wav"
        speak(studio.services, text, voice=options.voice, backend=options.backend, speed=options.speed,
                      out_wav=out)
        return str(out)

    @handler
    def narrate(which: str, project, user, selected, backend, voice, speed, request: gr.Request,
                progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        project, words = studio.current(project), words_for(request)
        engine, name = _voice(backend, voice)
        one = frozenset({selected}) if which == "one" and selected else None
        options = NarrationOptions.from_values(engine, name, speed, regenerate=one or frozenset(), only=one)

        def spoken(done: int, total: int) -> None:
            progress(done / max(total, 1), desc=say(words, "progress.speaking", line=done, count=total))

        with studio.jobs.running(request) as flag:
            result = actions.narrate(studio.services, project, studio.root(user, project), options,
                                     progress=spoken, cancel=flag.is_set)
        saved = studio.save(user, result.project)
        from studio.project.timeline import build_timeline

        note = say(words, "status.narrated", count=len(result.shots), spoken=result.spoken,
                   cached=len(result.shots) - result.spoken, seconds=build_timeline(saved).duration_ms / 1000
                   if saved.shots else 0)
        from ui.sentences import translate

        return saved, selected, "\n\n".join([note, *(translate(n, words) for n in result.notes)])

    listen.click(preview, [studio.project, backend, voice, speed, sample], [heard], api_name=False, **studio.cpu)
    state = [studio.project, studio.user, studio.selected]

    def bound(which: str):
        def run(project, user, selected, backend, voice, speed, request: gr.Request,
                progress=gr.Progress()):  # noqa: B008
            return narrate(which, project, user, selected, backend, voice, speed, request, progress)
        return run

    for button, which in ((narrate_all, "all"), (narrate_one, "one")):
        studio.changed(button.click(bound(which), state + [backend, voice, speed],
                                    [studio.project, studio.selected, status], api_name=False, **studio.cpu))

    def render(project: Project, selected: str | None, root, words):
        shot = next((s for s in project.shots if s.id == selected), None)
        clip = str(root / shot.voiceover_audio) if shot is not None and shot.voiceover_audio and \
            (root / shot.voiceover_audio).is_file() else None
        headers = [words["board.col.word"], words["board.col.start"], words["board.col.end"]]
        return [narration_line(project, selected, words), clip,
                {"headers": headers, "data": word_rows(project, selected)}]

    studio.view([info, audio, table], render)
