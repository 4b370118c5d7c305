"""Captions from my voice: an accordion (placed in the Storyboard tab) that fills every shot's caption and word
timings from the creator's own recording (uploaded or recorded here, else the project's voice-over), in the language
and Chinese script chosen; and its two API endpoints, ``transcribe`` (a recording to an SRT) and
``captions_from_voice`` (a project JSON to the same with its captions filled). The work is
``actions.transcribe``; the result is an ordinary storyboard, edited like any other.
"""

from __future__ import annotations

import gradio as gr

from actions.transcribe import captions_from_voice, transcribe_media, write_subtitles
from pipelines.transcribe.captions import ChineseScript
from ui.context import Studio
from ui.i18n import choices, say, t, words_for
from ui.sentences import translate
from ui.session import API_USER, handler

LANGUAGE_CHOICES = ["auto", "zh", "en"]


def build_captions_from_voice(studio: Studio) -> None:
    """The accordion and its endpoints; call it inside the tab that shows the storyboard."""
    with gr.Accordion(t("voicecap.title"), open=False, elem_id="voice_captions"):
        gr.Markdown(t("voicecap.info"))
        with gr.Row():
            recording = gr.Audio(type="filepath", sources=["upload", "microphone"], label=t("voicecap.recording"),
                                 elem_id="voicecap_recording")
            with gr.Column():
                language = gr.Dropdown(choices("voicecap_language", LANGUAGE_CHOICES), value="auto",
                                       label=t("voicecap.language"), elem_id="voicecap_language")
                script = gr.Radio(choices("chinese_script", [c.value for c in ChineseScript]),
                                  value=ChineseScript.SIMPLIFIED.value, label=t("voicecap.script"),
                                  elem_id="voicecap_script")
                run = gr.Button(t("voicecap.run"), variant="primary", elem_id="voicecap_run")
        status = gr.Markdown(elem_id="voicecap_status")

    @handler
    def fill(project, user, selected, recording, language, script, request: gr.Request):
        """Every shot's caption from the voice, saved as the project; a status line in the browser's language."""
        project = studio.current(project)
        with studio.jobs.running(request) as flag:
            done = captions_from_voice(studio.services, project, studio.root(user, project), voice=recording or None,
                                       language=language, chinese=script, cancel=flag.is_set)
        saved = studio.save(user, done.project)
        words = words_for(request)
        shots = ", ".join(map(str, done.captioned_shots)) or "-"
        lines = [say(words, "voicecap.done", shots=shots)] + [translate(n, words) for n in done.notes]
        return saved, selected, "\n\n".join(lines)

    studio.changed(run.click(fill, [studio.project, studio.user, studio.selected, recording, language, script],
                             [studio.project, studio.selected, status], api_name=False, **studio.gpu))
    _build_endpoints(studio)


def _build_endpoints(studio: Studio) -> None:
    services, workspace = studio.services, studio.workspace

    @handler
    def transcribe(media: str, language: str = "auto", chinese: str = "simplified",
                   request: gr.Request = None) -> tuple[str, str]:
        """Captions from a voice: what a recording (or a clip with speech) says, as a timed SRT file.

        Args:
            media: an audio file or a clip with speech (at most STUDIO_MAX_TRANSCRIBE_S long)
            language: auto (the model hears it), zh or en
            chinese: Chinese captions in simplified or traditional characters
        Returns:
            the SRT file and the text that was heard
        """
        with studio.jobs.running(request) as flag, workspace.render_output("captions.srt") as output:
            result = transcribe_media(services, media, language=language, chinese=chinese, cancel=flag.is_set)
            write_subtitles(result, output)
        return str(output), result.transcript.text

    @handler
    def voice_captions(project_json: str, voiceover: str | None = None, language: str = "auto",
                       chinese: str = "simplified", request: gr.Request = None) -> tuple[str, str]:
        """Fill every shot's caption and word timings from the creator's own voice.

        Args:
            project_json: the project, as returned by write_storyboard or compose_media
            voiceover: optional recording for the whole clip; blank uses the project's voice-over (or each shot's)
            language: auto (the project's language, else the model hears it), zh or en
            chinese: Chinese captions in simplified or traditional characters
        Returns:
            the updated project JSON and notes on how the captions were made
        """
        from ui.api import load_api_project

        project = load_api_project(studio, project_json)
        root = workspace.project_root(API_USER, project.id)
        with studio.jobs.running(request) as flag:
            done = captions_from_voice(services, project, root, voice=voiceover or None, language=language,
                                       chinese=chinese, cancel=flag.is_set)
        saved = workspace.save(API_USER, done.project)
        return saved.model_dump_json(indent=2), "\n".join(done.notes)

    with gr.Column(visible=False):
        trigger = gr.Button("transcribe api")
        media, voiceover = gr.Audio(type="filepath", label="media"), gr.Audio(type="filepath", label="voiceover")
        language, chinese = gr.Textbox("auto", label="language"), gr.Textbox("simplified", label="chinese")
        project_in, project_out = gr.Textbox(label="project_json"), gr.Textbox(label="project_json")
        srt, text, notes = gr.File(label="srt"), gr.Textbox(label="text"), gr.Textbox(label="notes")
    trigger.click(transcribe, [media, language, chinese], [srt, text], api_name="transcribe", **studio.gpu)
    trigger.click(voice_captions, [project_in, voiceover, language, chinese], [project_out, notes],
                  api_name="captions_from_voice", **studio.gpu)
