"""The Idea tab: an idea (or the user's own script) to a storyboard, or all the way to a draft clip; and the
quick path from the user's own images and clips."""

from __future__ import annotations

import dataclasses
import time
from typing import Any

import gradio as gr

import actions
from pipelines.make import MakeOptions, MakeProgress, MakeResult, MakeStage
from pipelines.script.contract import ScriptRequest
from pipelines.script.prompts import ScriptStyle
from pipelines.video.contract import VideoOptions
from studio.backends import VoiceBackendName
from studio.media import IMAGE_SUFFIXES, VIDEO_SUFFIXES
from studio.project.assemble import QuickOptions
from studio.project.model import Language, Project
from studio.project.presets import PresetName
from ui import reporting
from ui.context import Studio
from ui.i18n import EN, ZH, choices, say, t, words_for
from ui.machine import build_machine_summary
from ui.session import handler

SCRIPT_STYLES = [s.value for s in ScriptStyle]


def build_idea_tab(studio: Studio) -> None:
    settings, services = studio.settings, studio.services
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            idea = gr.Textbox(label=t("idea.idea"), lines=3, elem_id="idea", placeholder=t("idea.placeholder"))
            with gr.Row():
                language = gr.Dropdown(choices("language", [lang.value for lang in Language]), value="auto",
                                       label=t("idea.language"), elem_id="idea_language")
                seconds = gr.Slider(15, 90, value=30, step=1, label=t("idea.seconds"), elem_id="idea_seconds")
            with gr.Row():
                preset = gr.Dropdown(choices("preset", [p.value for p in PresetName]),
                                     value=PresetName.DOUYIN.value, label=t("idea.preset"), elem_id="idea_preset")
                style = gr.Dropdown(choices("style", SCRIPT_STYLES), value="cinematic", label=t("idea.style"),
                                    elem_id="idea_style")
                voice = gr.Dropdown(choices("voice", [*(b.value for b in VoiceBackendName), "none"]),
                                    value=VoiceBackendName.AUTO.value, label=t("idea.voice"),
                                    info=t("idea.voice_info"), elem_id="idea_voice")
            with gr.Accordion(t("idea.more"), open=False):
                references = gr.File(label=t("idea.references"), file_count="multiple", file_types=["image"],
                                     elem_id="references", height=120)
                notes = gr.Textbox(label=t("idea.notes"), lines=2, elem_id="reference_notes")
                script = gr.Textbox(label=t("idea.script"), lines=4, elem_id="own_script")
            with gr.Row():
                write = gr.Button(t("idea.write"), variant="primary", elem_id="write_storyboard")
                make = gr.Button(t("idea.make"), variant="secondary", elem_id="make_it")
                stop = gr.Button(t("common.stop"), variant="stop", elem_id="stop_make")
            status = gr.Textbox(label=t("common.status"), interactive=False, lines=2, elem_id="idea_status")
            build_machine_summary(studio)
            examples = actions.EXAMPLE_IDEAS
            gr.Examples([list(example) for example in examples], [idea, seconds, preset, style, language],
                        label=t("idea.examples"), elem_id="idea_examples", examples_per_page=len(examples),
                        example_labels=[e[0] if len(e[0]) <= 36 else e[0][:35] + "…" for e in examples])
            sample = gr.Button(t("idea.sample"), size="sm", elem_id="open_sample")
        with gr.Column(scale=2):
            video = gr.Video(label=t("idea.draft"), interactive=False, height=420, elem_id="make_result")
            files = gr.File(label=t("common.downloads"), file_count="multiple", interactive=False,
                            elem_id="make_files")
    with gr.Accordion(t("idea.own_media"), open=False):
        media = gr.File(label=t("idea.media"), file_count="multiple", allow_reordering=True, elem_id="media",
                        file_types=sorted(IMAGE_SUFFIXES | VIDEO_SUFFIXES), height=140)
        captions = gr.Textbox(label=t("idea.captions"), lines=3, elem_id="captions", info=t("idea.captions_info"))
        use_media = gr.Button(t("idea.use_media"), elem_id="use_media")

    request_inputs = [idea, seconds, preset, style, language, notes, script]

    @handler
    def write_board(project, user, selected, idea, seconds, preset, style, language, notes, script, references,
                    request: gr.Request, progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        words = words_for(request)
        progress(0, desc=say(words, "progress.writing"))
        ask = ScriptRequest.from_values(idea, seconds, preset, style, language, notes, script)
        # a rewrite keeps the caption style the user chose for the project
        options = MakeOptions.from_values(caption_style=studio.current(project).caption_style.preset,
                                          references=references)
        written = actions.write_storyboard(services, ask, options)
        saved = studio.save(user, written.project)
        backend = written.script.backend_used.value
        note = say(words, "status.written", count=len(saved.shots),
                   backend=words.get(f"name.writer.{backend}", backend), seconds=written.script.elapsed_s)
        return saved, saved.shots[0].id if saved.shots else None, note

    @handler
    def make_it(user, idea, seconds, preset, style, language, notes, script, references, voice,
                request: gr.Request, progress=gr.Progress()):  # noqa: B008
        started, words = time.monotonic(), words_for(request)
        with studio.jobs.running(request) as flag:
            made = make_draft(studio, studio.user_id(user), ScriptRequest.from_values(
                idea, seconds, preset, style, language, notes, script), VideoOptions.from_values(
                settings=settings, visitor=True), MakeOptions.from_values(references=references, draft=True,
                                                                          voice=voice),
                progress, flag.is_set, words)
        project, composed = made.project, made.compose
        from ui.sentences import translate

        status = "\n".join([reporting.compose_status(composed, time.monotonic() - started, words),
                            *(translate(note, words) for note in made.narration_notes)])
        return (project, project.shots[0].id if project.shots else None, str(composed.video),
                reporting.result_files(composed), status)

    @handler
    def from_media(user, media, captions, preset, request: gr.Request):
        project = actions.start_from_media(services, media or [], actions.caption_lines(captions),
                                           QuickOptions.from_values(preset=preset))
        saved = studio.save(user, project)
        return saved, saved.shots[0].id, say(words_for(request), "status.own_media", count=len(saved.shots))

    @handler
    def open_sample(user, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        """The sample project in the browser's language, saved as the user's, and its draft clip."""
        words = words_for(request)
        project, root = actions.open_sample(services, "zh" if words is ZH else "en")
        saved = studio.save(user, project, root)
        started = time.monotonic()
        with studio.jobs.running(request) as flag, studio.workspace.render_output() as output:
            composed = actions.compose_project(services, saved, studio.root(user, saved), output, draft=True,
                                               progress=reporting.frames_progress(progress, words), cancel=flag.is_set)
        status = "\n".join([say(words, "status.sample"),
                            reporting.compose_status(composed, time.monotonic() - started, words)])
        return saved, saved.shots[0].id, str(composed.video), reporting.result_files(composed), status

    state = [studio.project, studio.user, studio.selected]
    studio.changed(sample.click(open_sample, [studio.user], [studio.project, studio.selected, video, files, status],
                                api_name=False, **studio.cpu))
    studio.changed(write.click(write_board, state + request_inputs + [references],
                               [studio.project, studio.selected, status], api_name=False, **studio.gpu))
    studio.changed(make.click(make_it, [studio.user, *request_inputs, references, voice],
                              [studio.project, studio.selected, video, files, status], api_name=False, **studio.gpu))
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
    studio.changed(use_media.click(from_media, [studio.user, media, captions, preset],
                                   [studio.project, studio.selected, status], api_name=False))

    def render(project, _selected, _root, _words):
        # An empty project (a first visit) leaves the platform as it is: its preset is the default the page
        # already shows, and the page load's refresh must not undo an example clicked before it answered.
        return [project.preset.value if project.shots else gr.skip()]

    studio.view([preset], render)


def make_draft(studio: Studio, user: str, request: ScriptRequest, video: VideoOptions, options: MakeOptions,
               progress: Any, cancel: Any, words: dict[str, str] = EN) -> MakeResult:
    """``make`` for a browser or API user: the clip in a fresh render folder, the project in the user's projects,
    saved after the storyboard (before any generation: a crash keeps it reopenable), the shots and the compose;
    progress in the language of ``words``."""

    saved: list[Project] = []  # the project as saved after each stage; the last is the user's

    def stage(result: MakeResult) -> None:
        if result.project is not None:
            saved.append(studio.workspace.save(user, result.project, result.paths.root))
        if progress is not None:
            progress(result.stage.number / len(MakeStage), desc=say(words, f"progress.stage.{result.stage.value}"))

    with studio.workspace.render_output() as output:
        def spoken(done: int, total: int) -> None:
            if progress is not None:
                progress(done / max(total, 1), desc=say(words, "progress.speaking", line=done, count=total))

        report = MakeProgress(stage=stage, narration=spoken, shots=reporting.shots_progress(progress, words),
                              compose=reporting.frames_progress(progress, words))
        result = actions.make(studio.services, request, video, options, output, progress=report, cancel=cancel)
    return dataclasses.replace(result, project=saved[-1])


__all__ = ["build_idea_tab", "make_draft"]
