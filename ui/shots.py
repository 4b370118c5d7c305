"""The Shots tab: generate all shots or one, variations to pick from, extend and bridge, with statuses,
thumbnails, step progress with the time left, and a stop button. All of it runs on the shared GPU queue."""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

import actions
from actions.shots import ShotAction
from pipelines.video.contract import VideoOptions
from studio.backends import VideoBackendName
from studio.models import model_terms
from studio.project.files import resolve_media
from studio.project.model import Project, ShotCandidate
from studio.settings import Settings
from ui import reporting
from ui.context import Studio, shot_choices
from ui.i18n import EN, choices, say, t, words_for
from ui.sentences import translate
from ui.session import handler


def gallery_items(project: Project, root, words: dict[str, str] = EN) -> list[tuple[str, str]]:
    """Each shot that has a picture or clip, captioned with its number and status (in the browser's language)."""
    items = []
    for i, shot in enumerate(project.shots, start=1):
        if shot.media:
            path = resolve_media(shot.media, root)
            if path.is_file():
                items.append((str(path), f"{i} · {words[f'status.shot.{shot.status.value}']}"))
    return items


def shown_model(model_ref: str) -> str:
    """A model as a visitor may see it: a hub id as is, an operator's folder by its name only."""
    from studio.safety.inputs import is_hub_id

    return model_ref if is_hub_id(model_ref) else Path(model_ref).name


def weights_terms(settings: Settings, backend_name: str | None, model_ref: str | None, words: dict[str, str]) -> str:
    """The licence of the weights a shot would be made with (``studio.models``), in the browser's language."""
    from pipelines.video.backends import resolve

    try:
        backend = resolve(VideoBackendName(backend_name or VideoBackendName.AUTO), settings)
    except ValueError:
        return ""
    if backend is VideoBackendName.STILL:
        return say(words, "shots.terms.none")
    default = settings.ltx_model if backend is VideoBackendName.LTX else settings.wan_model
    model = (model_ref or "").strip() or default
    known = model_terms(model)
    if known is None:
        return say(words, "shots.terms.unknown", model=shown_model(model))
    return say(words, "shots.terms", model=model, licence=known.licence,
               terms=say(words, f"shots.terms.{known.commercial.value}"))


def backend_name(backend: str, words: dict[str, str]) -> str:
    """A video backend as the user reads it ("still" is 静图 in Chinese); one the UI has no word for, as it is."""
    return words.get(f"name.video.{backend}", backend)


def status_rows(project: Project, words: dict[str, str] = EN) -> list[list]:
    return [[i, words[f"status.shot.{shot.status.value}"], backend_name(shot.render.backend, words) if shot.render
             else "", len(shot.candidates), round(shot.duration_ms / 1000, 1)]
            for i, shot in enumerate(project.shots, start=1)]


def take_caption(candidate: ShotCandidate, kept: bool = False, words: dict[str, str] = EN) -> str:
    """A take's caption: its seed, and when it was scored its rank score, likeness to the character sheet (a dash
    without references) and prompt similarity; a star on the take the shot keeps."""
    score = candidate.score
    if score is None:
        return ("★ " if kept else "") + say(words, "shots.seed", seed=candidate.seed)
    likeness = "—" if score.consistency is None else f"{score.consistency:.2f}"
    return say(words, "shots.take", kept="★ " if kept else "", seed=candidate.seed, score=score.combined,
               likeness=likeness, adherence=score.adherence)


def build_shots_tab(studio: Studio) -> None:
    settings = studio.settings
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            with gr.Row():
                backend = gr.Dropdown(choices("backend", [b.value for b in VideoBackendName]), value="auto",
                                      label=t("shots.backend"), elem_id="video_backend")
                model = gr.Textbox(label=t("shots.model"), elem_id="video_model",
                                   placeholder=shown_model(settings.ltx_model))
                steps = gr.Number(value=0, minimum=0, maximum=100, label=t("shots.steps"), elem_id="video_steps")
            terms = gr.Markdown(elem_id="weights_terms")
            pick = gr.Dropdown([], label=t("board.pick"), elem_id="shots_pick", interactive=True)
            with gr.Row():
                render_all = gr.Button(t("shots.render_all"), variant="primary", elem_id="render_all")
                render_one = gr.Button(t("shots.render_one"), elem_id="render_one")
                stop = gr.Button(t("common.stop"), variant="stop", elem_id="stop_shots")
            status = gr.Textbox(label=t("common.status"), interactive=False, lines=2, elem_id="shots_status")
            table = gr.Dataframe(headers=["#", "status", "backend", "variations", "s"], interactive=False,
                                 label=t("shots.table"), elem_id="shots_table")
            with gr.Accordion(t("shots.more"), open=False):
                with gr.Row():
                    count = gr.Slider(2, 4, value=2, step=1, label=t("shots.count"), elem_id="variation_count")
                    vary = gr.Button(t("shots.vary"), elem_id="vary")
                variations = gr.Gallery(label=t("shots.variations"), columns=4, height=200, elem_id="variations")
                choose = gr.Button(t("shots.choose"), elem_id="choose_variation")
                with gr.Row():
                    extend_s = gr.Number(value=1.0, minimum=0.3, maximum=20, label=t("shots.extend_s"),
                                         elem_id="extend_seconds")
                    extend = gr.Button(t("shots.extend"), elem_id="extend")
                    bridge = gr.Button(t("shots.bridge"), elem_id="bridge")
        with gr.Column(scale=3):
            gallery = gr.Gallery(label=t("shots.gallery"), columns=4, height=520, elem_id="shot_gallery")
    chosen = gr.State(None)  # index of the variation clicked in the gallery

    def show_terms(backend_name, model_ref, request: gr.Request):
        return weights_terms(settings, backend_name, model_ref, words_for(request))

    gr.on([backend.change, model.change], show_terms, [backend, model], [terms], api_name=False, queue=False,
          show_progress="hidden")
    studio.load(show_terms, [backend, model], [terms])
    options = [backend, model, steps]
    state = [studio.project, studio.user, studio.selected]

    def run(action: ShotAction, project, user, selected, backend, model, steps, count, extend_s, request,
            progress):
        project = studio.current(project)
        video = VideoOptions.from_values(backend, model, steps, settings=settings, visitor=True)
        started, words = time.monotonic(), words_for(request)
        with studio.jobs.running(request) as flag:
            result = actions.generate(studio.services, action, project, studio.root(user, project), video,
                                      shot_id=selected, count=int(count or 2), seconds=float(extend_s or 1),
                                      progress=reporting.shots_progress(progress, words), cancel=flag.is_set)
        saved = studio.save(user, result.project)
        note = say(words, "status.shots", generated=len(result.generated), cached=len(result.cached),
                   backend=backend_name(result.backend, words), draft=words["status.draft"] if result.draft else "",
                   seconds=time.monotonic() - started)
        return saved, selected, "\n".join([note, *(translate(n, words) for n in result.notes)])

    def bind(action: ShotAction):
        @handler
        def go(project, user, selected, backend, model, steps, count, extend_s, request: gr.Request,
               progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
            return run(action, project, user, selected, backend, model, steps, count, extend_s, request, progress)

        return go

    inputs = state + options + [count, extend_s]
    for button, action in ((render_all, ShotAction.ALL), (render_one, ShotAction.ONE), (vary, ShotAction.VARY),
                           (extend, ShotAction.EXTEND), (bridge, ShotAction.BRIDGE)):
        studio.changed(button.click(bind(action), inputs, [studio.project, studio.selected, status], api_name=False,
                                    **studio.gpu))
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
    studio.changed(pick.input(lambda s: s, [pick], [studio.selected], api_name=False, queue=False))

    def select_variation(event: gr.SelectData):
        return event.index

    variations.select(select_variation, None, [chosen], api_name=False, queue=False)

    @handler
    def keep(project, user, selected, index, request: gr.Request):
        if index is None:
            return studio.current(project), selected, say(words_for(request), "status.pick_variation")
        project = actions.choose_variation(studio.current(project), selected or "", int(index))
        return studio.save(user, project), selected, say(words_for(request), "status.kept", number=int(index) + 1)

    studio.changed(choose.click(keep, state + [chosen], [studio.project, studio.selected, status], api_name=False))

    def render(project: Project, selected: str | None, root, words):
        shot = next((s for s in project.shots if s.id == selected), None)
        candidates = ([(str(resolve_media(c.media, root)), take_caption(c, c.media == shot.media, words))
                       for c in shot.candidates] if shot else [])
        headers = ["#", *(words[k] for k in ("board.col.status", "shots.col.backend", "shots.col.variations",
                                             "common.col.seconds"))]
        return [gr.update(choices=shot_choices(project), value=selected),
                {"headers": headers, "data": status_rows(project, words)}, gallery_items(project, root, words),
                candidates]

    studio.view([pick, table, gallery, variations], render)
