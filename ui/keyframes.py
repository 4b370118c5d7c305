"""The Keyframes tab and its API endpoints: the character sheet (drawn or uploaded, each character's kind said by
the user: person, creature, object or place), one keyframe per shot (N
candidates, the best one kept, another one chosen by a click), N takes of a shot scored for likeness to the
character and to the prompt, and "retake flagged shots". The model's licence shows where it is chosen; the
non-commercial CPU model (SD-Turbo) says so. Everything runs through ``actions.keyframes``.

Wiring (app.py): ``("tab.keyframes", build_keyframes_tab)`` in ``TABS`` after the storyboard, and
``build_keyframes_api(studio)`` after ``build_api(studio)``.
"""

from __future__ import annotations

import time
from pathlib import Path

import gradio as gr

from actions import keyframes as act
from actions.storyboard import set_entry_kind
from pipelines.video.contract import VideoOptions
from studio.backends import ImageBackendName
from studio.models import Commercial, model_terms
from studio.project.files import resolve_media
from studio.project.model import EntryKind, Project
from studio.settings import Settings
from ui import reporting
from ui.context import Studio, shot_choices
from ui.i18n import choices, say, t, words_for
from ui.sentences import translate
from ui.session import API_USER, handler

NOT_SAID = "unsaid"  # the kind choice meaning "not said" (BibleEntry.kind None)
KINDS = [NOT_SAID, *(k.value for k in EntryKind)]
_DEFAULT_MODELS = {"flux2": "black-forest-labs/FLUX.2-klein-4B", "sd-turbo": "stabilityai/sd-turbo",
                   "flux": "black-forest-labs/FLUX.1-schnell"}


def image_terms(settings: Settings, backend: str | None, model: str | None, words: dict[str, str]) -> str:
    """The licence of the keyframe model that would draw, in the browser's language; non-commercial said plainly."""
    from pipelines.image.backends import resolve
    from pipelines.image.contract import ImageOptions

    try:
        name = resolve(ImageOptions(backend=backend or "auto", model=(model or "").strip() or settings.image_model),
                       settings)
    except Exception:  # noqa: BLE001 -- an unknown choice: nothing to say until it is valid
        return ""
    if name is None:
        return say(words, "keyframes.terms.none")
    ref = (model or "").strip() or settings.image_model or _DEFAULT_MODELS.get(name.value, "")
    known = model_terms(ref)
    if known is None:
        return say(words, "shots.terms.unknown", model=Path(ref).name if Path(ref).is_dir() else ref)
    text = say(words, "shots.terms", model=ref, licence=known.licence,
               terms=say(words, f"shots.terms.{known.commercial.value}"))
    if known.commercial is Commercial.NO:
        text += " " + say(words, "keyframes.terms.refused" if settings.commercial_use == "on"
                          else "keyframes.terms.optin")
    return text


def keyframe_items(project: Project, root: Path, words: dict[str, str]) -> list[tuple[str, str]]:
    """Each shot's keyframe (its source picture), captioned with the shot's number."""
    items = []
    for i, shot in enumerate(project.shots, start=1):
        if shot.source_media and act.domain.is_keyframe(shot.source_media):
            path = resolve_media(shot.source_media, root)
            if path.is_file():
                items.append((str(path), say(words, "keyframes.shot", number=i)))
    return items


def entry_kind(project: Project, name: str | None) -> str:
    """The kind choice showing what the bible entry ``name`` is (``NOT_SAID`` when it is not said, or no entry)."""
    entry = next((e for e in project.storyboard.bible.characters if e.name == name), None)
    return entry.kind.value if entry is not None and entry.kind is not None else NOT_SAID


def sheet_items(project: Project, root: Path) -> list[tuple[str, str]]:
    items = []
    for entry in project.storyboard.bible.characters:
        if entry.reference_image:
            path = resolve_media(entry.reference_image, root)
            if path.is_file():
                items.append((str(path), entry.name))
    return items


def take_rows(project: Project, selected: str | None, words: dict[str, str]) -> list[list]:
    """The selected shot's takes with their scores (likeness to the character, to the prompt, rank score)."""
    shot = next((s for s in project.shots if s.id == selected), None)
    if shot is None:
        return []
    flagged = {d.shot_id for d in act.drift(project)}
    rows = []
    for i, c in enumerate(shot.candidates, start=1):
        score = c.score
        rows.append([i, "✓" if c.media == shot.media else "",
                     "" if score is None or score.consistency is None else round(score.consistency, 3),
                     "" if score is None else round(score.adherence, 3),
                     "" if score is None else round(score.combined, 2),
                     words["keyframes.flagged"] if shot.id in flagged and c.media == shot.media else ""])
    return rows


def build_keyframes_tab(studio: Studio) -> None:
    settings = studio.settings
    with gr.Row(equal_height=False):
        with gr.Column(scale=2):
            with gr.Row():
                backend = gr.Dropdown(choices("image_backend", [b.value for b in ImageBackendName]), value="auto",
                                      label=t("keyframes.backend"), elem_id="image_backend")
                model = gr.Textbox(label=t("keyframes.model"), elem_id="image_model")
                candidates = gr.Slider(1, 4, value=1, step=1, label=t("keyframes.candidates"),
                                       elem_id="keyframe_candidates")
            terms = gr.Markdown(elem_id="image_terms")
            with gr.Row():
                draw_sheet = gr.Button(t("keyframes.draw_sheet"), elem_id="draw_sheet")
                draw_all = gr.Button(t("keyframes.draw_all"), variant="primary", elem_id="draw_keyframes")
                draw_one = gr.Button(t("keyframes.draw_one"), elem_id="draw_keyframe")
                stop = gr.Button(t("common.stop"), variant="stop", elem_id="stop_keyframes")
            with gr.Row():
                character = gr.Dropdown([], label=t("keyframes.character"), elem_id="sheet_character",
                                        interactive=True)
                kind = gr.Dropdown(choices("entry_kind", KINDS), value=NOT_SAID, label=t("keyframes.kind"),
                                   info=t("keyframes.kind_info"), elem_id="sheet_kind", interactive=True)
            with gr.Accordion(t("keyframes.upload_title"), open=False):
                picture = gr.Image(type="filepath", label=t("keyframes.picture"), elem_id="sheet_picture")
                use_picture = gr.Button(t("keyframes.use_picture"), elem_id="use_picture")
            status = gr.Textbox(label=t("common.status"), interactive=False, lines=3, elem_id="keyframes_status")
            pick = gr.Dropdown([], label=t("board.pick"), elem_id="keyframes_pick", interactive=True)
            with gr.Row():
                count = gr.Slider(2, max(2, settings.max_takes), value=3, step=1, label=t("keyframes.takes"),
                                  elem_id="take_count")
                make_takes = gr.Button(t("keyframes.make_takes"), elem_id="make_takes")
                retake = gr.Button(t("keyframes.retake"), elem_id="retake_flagged")
            table = gr.Dataframe(headers=["#", "kept", "character", "prompt", "rank", ""], interactive=False,
                                 label=t("keyframes.scores"), elem_id="take_scores")
            take = gr.Number(value=1, minimum=1, maximum=16, step=1, label=t("keyframes.take_number"),
                             elem_id="take_number")
            keep = gr.Button(t("keyframes.keep_take"), elem_id="keep_take")
            gr.Markdown(t("keyframes.ranks_note"))
        with gr.Column(scale=3):
            sheet = gr.Gallery(label=t("keyframes.sheet"), columns=4, height=220, elem_id="character_sheet")
            gallery = gr.Gallery(label=t("keyframes.gallery"), columns=4, height=440, elem_id="keyframe_gallery")

    def show_terms(backend_name, model_ref, request: gr.Request):
        return image_terms(settings, backend_name, model_ref, words_for(request))

    gr.on([backend.change, model.change], show_terms, [backend, model], [terms], api_name=False, queue=False,
          show_progress="hidden")
    studio.load(show_terms, [backend, model], [terms])
    state = [studio.project, studio.user, studio.selected]
    outputs = [studio.project, studio.selected, status]

    def image(backend_name, model_ref):
        return act.image_options(studio.services, backend=backend_name, model=model_ref, visitor=True)

    @handler
    def sheet_go(project, user, selected, backend_name, model_ref, request: gr.Request,
                 progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
        project, words = studio.current(project), words_for(request)
        with studio.jobs.running(request) as flag:
            result = act.character_sheet(studio.services, project, studio.root(user, project),
                                         image(backend_name, model_ref),
                                         progress=reporting.shots_progress(progress, words), cancel=flag.is_set)
        note = say(words, "keyframes.status.sheet", made=len(result.made), cached=len(result.cached))
        return studio.save(user, result.project), selected, "\n".join([note, *(translate(n, words)
                                                                               for n in result.notes)])

    def keyframes_go(one: bool):
        @handler
        def go(project, user, selected, backend_name, model_ref, n, request: gr.Request,
               progress=gr.Progress()):  # noqa: B008 (Gradio's idiom)
            project, words = studio.current(project), words_for(request)
            started = time.monotonic()
            with studio.jobs.running(request) as flag:
                result = act.keyframes(studio.services, project, studio.root(user, project),
                                       image(backend_name, model_ref), shot_ids=[selected] if one and selected
                                       else None, candidates=int(n or 1),
                                       progress=reporting.shots_progress(progress, words), cancel=flag.is_set)
            drawn = sum(o.status == "generated" for o in result.outcomes)
            note = say(words, "keyframes.status.drawn", drawn=drawn, cached=len(result.outcomes) - drawn,
                       model=result.model, seconds=time.monotonic() - started)
            return studio.save(user, result.project), selected, "\n".join([note, *(translate(n, words)
                                                                                   for n in result.notes)])

        return go

    @handler
    def upload(project, user, selected, name, path, request: gr.Request):
        project, words = studio.current(project), words_for(request)
        if not name or not path:
            return project, selected, say(words, "keyframes.status.pick_character")
        project = act.character_reference(studio.services, project, studio.root(user, project), name, path)
        return studio.save(user, project), selected, say(words, "keyframes.status.reference", name=name)

    @handler
    def kind_go(project, user, selected, name, value, request: gr.Request):
        project, words = studio.current(project), words_for(request)
        if not name:
            return project, selected, say(words, "keyframes.status.pick_character")
        project = set_entry_kind(project, name, None if value in (None, NOT_SAID) else value)
        label = words.get(f"choice.entry_kind.{value or NOT_SAID}", value)
        return studio.save(user, project), selected, say(words, "keyframes.status.kind", name=name, kind=label)

    @handler
    def takes_go(project, user, selected, n, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        project, words = studio.current(project), words_for(request)
        if not selected:
            return project, selected, say(words, "keyframes.status.pick_shot")
        with studio.jobs.running(request) as flag:
            run = act.takes(studio.services, project, studio.root(user, project), VideoOptions(), int(n or 2),
                            shot_id=selected, progress=reporting.shots_progress(progress, words), cancel=flag.is_set)
        chosen = run.shots[0].chosen + 1
        lines = [say(words, "keyframes.status.takes", count=len(run.shots[0].scores), chosen=chosen)]
        lines += [say(words, "keyframes.status.flagged", shots=", ".join(_numbers(run.project, run.flagged)))] \
            if run.flagged else []
        return studio.save(user, run.project), selected, "\n".join(lines + [translate(n, words) for n in run.notes])

    @handler
    def retake_go(project, user, selected, n, request: gr.Request, progress=gr.Progress()):  # noqa: B008
        project, words = studio.current(project), words_for(request)
        with studio.jobs.running(request) as flag:
            result = act.retake_flagged(studio.services, project, studio.root(user, project), VideoOptions(),
                                        int(n or 2), progress=reporting.shots_progress(progress, words),
                                        cancel=flag.is_set)
        if not result.flagged:
            return project, selected, say(words, "keyframes.status.none_flagged")
        note = say(words, "keyframes.status.retaken", shots=", ".join(_numbers(result.project, result.flagged)),
                   better=len(result.improved))
        return studio.save(user, result.project), selected, note

    @handler
    def keep_go(project, user, selected, number, request: gr.Request):
        project = act.choose_take(studio.current(project), selected or "", int(number or 1) - 1)
        return studio.save(user, project), selected, say(words_for(request), "status.kept", number=int(number or 1))

    common = [backend, model]
    studio.changed(draw_sheet.click(sheet_go, state + common, outputs, api_name=False, **studio.gpu))
    studio.changed(draw_all.click(keyframes_go(False), state + common + [candidates], outputs, api_name=False,
                                  **studio.gpu))
    studio.changed(draw_one.click(keyframes_go(True), state + common + [candidates], outputs, api_name=False,
                                  **studio.gpu))
    studio.changed(use_picture.click(upload, state + [character, picture], outputs, api_name=False))
    # the user is choosing these two: the refresh after saving a kind leaves them as they are
    studio.changed(kind.input(kind_go, state + [character, kind], outputs, api_name=False), keep=[character, kind])
    character.change(lambda p, name: entry_kind(studio.current(p), name), [studio.project, character], [kind],
                     api_name=False, queue=False, show_progress="hidden")
    studio.changed(make_takes.click(takes_go, state + [count], outputs, api_name=False, **studio.gpu))
    studio.changed(retake.click(retake_go, state + [count], outputs, api_name=False, **studio.gpu))
    studio.changed(keep.click(keep_go, state + [take], outputs, api_name=False))
    stop.click(studio.jobs.cancel, api_name=False, queue=False)
    studio.changed(pick.input(lambda s: s, [pick], [studio.selected], api_name=False, queue=False))

    def render(project: Project, selected: str | None, root: Path, words: dict[str, str]):
        names = [e.name for e in project.storyboard.bible.characters]
        headers = ["#", words["keyframes.col.kept"], words["keyframes.col.character"],
                   words["keyframes.col.prompt"], words["keyframes.col.rank"], ""]
        return [gr.update(choices=shot_choices(project), value=selected),
                gr.update(choices=names, value=names[0] if names else None),
                entry_kind(project, names[0] if names else None),
                {"headers": headers, "data": take_rows(project, selected, words)},
                sheet_items(project, root), keyframe_items(project, root, words)]

    studio.view([pick, character, kind, table, sheet, gallery], render)


def _numbers(project: Project, shot_ids) -> list[str]:
    ids = [s.id for s in project.shots]
    return [str(ids.index(i) + 1) for i in shot_ids if i in ids]


def build_keyframes_api(studio: Studio) -> None:
    """Stateless endpoints (gradio_client, MCP): a project travels as its JSON text, like ``ui.api``'s."""
    from ui.api import _inputs, load_api_project

    services, workspace = studio.services, studio.workspace

    def root_of(project: Project) -> Path:
        return workspace.project_root(API_USER, project.id)

    def save(project: Project) -> str:
        return workspace.save(API_USER, project).model_dump_json(indent=2)

    @handler
    def draw_keyframes(project_json: str, shot_id: str = "", candidates: float = 1, image_backend: str = "auto",
                       image_model: str = "", request: gr.Request = None,
                       progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """Draw a keyframe for each shot made from text (or for one shot), with the characters it shows as
        references; the keyframe becomes the shot's source picture, animated by image-to-video.

        Args:
            project_json: the project, as returned by write_storyboard
            shot_id: one shot's id; blank for every shot made from text
            candidates: keyframes drawn per shot (the best one by the scorer is kept), 1 to STUDIO_MAX_TAKES
            image_backend: auto, flux2, sd-turbo (non-commercial weights), flux or diffusers
            image_model: a model id; blank for the configured one
        Returns:
            the updated project JSON, the keyframes in shot order and a status line
        """
        project = load_api_project(studio, project_json)
        options = act.image_options(services, backend=image_backend, model=image_model, visitor=True)
        with studio.jobs.running(request) as flag:
            result = act.keyframes(services, project, root_of(project), options,
                                   shot_ids=[shot_id] if shot_id else None, candidates=int(candidates or 1),
                                   progress=reporting.shots_progress(progress), cancel=flag.is_set)
        text = save(result.project)
        files = [str(root_of(result.project) / o.media) for o in result.outcomes]
        drawn = sum(o.status == "generated" for o in result.outcomes)
        return text, files, f"{drawn} drawn, {len(result.outcomes) - drawn} cached ({result.model})"

    @handler
    def character_sheet(project_json: str, image_backend: str = "auto", image_model: str = "",
                        request: gr.Request = None, progress=gr.Progress()) -> tuple[str, list[str], str]:  # noqa: B008
        """Draw a reference picture for each bible character that has none, from its description and the look.

        Args:
            project_json: the project, with characters in its bible
            image_backend: auto, flux2, sd-turbo (non-commercial weights), flux or diffusers
            image_model: a model id; blank for the configured one
        Returns:
            the updated project JSON, the character pictures and a status line
        """
        project = load_api_project(studio, project_json)
        options = act.image_options(services, backend=image_backend, model=image_model, visitor=True)
        with studio.jobs.running(request) as flag:
            result = act.character_sheet(services, project, root_of(project), options,
                                         progress=reporting.shots_progress(progress), cancel=flag.is_set)
        root = root_of(result.project)
        files = [str(root / e.reference_image) for e in result.project.storyboard.bible.characters
                 if e.reference_image]
        return save(result.project), files, f"{len(result.made)} drawn, {len(result.cached)} cached"

    @handler
    def character_reference(project_json: str, name: str, picture: str) -> str:
        """Use your own picture as a bible character's reference (a still picture, 64 px to the size limit).

        Args:
            project_json: the project
            name: the character's name in the bible
            picture: the picture file
        Returns:
            the updated project JSON
        """
        project = load_api_project(studio, project_json)
        return save(act.character_reference(services, project, root_of(project), name, picture))

    @handler
    def render_takes(project_json: str, shot_id: str, count: float = 3, request: gr.Request = None,
                     progress=gr.Progress()) -> tuple[str, str]:  # noqa: B008
        """Make several takes of one shot, score each for likeness to its characters' references and to its
        prompt (the scores rank, they never veto), and keep the best; choose_variation overrides.

        Args:
            project_json: the project
            shot_id: the shot's id
            count: takes to make, 1 to STUDIO_MAX_TAKES
        Returns:
            the updated project JSON (scores on the shot's candidates) and a status line
        """
        project = load_api_project(studio, project_json)
        with studio.jobs.running(request) as flag:
            run = act.takes(services, project, root_of(project), VideoOptions(), int(count or 0), shot_id=shot_id,
                            progress=reporting.shots_progress(progress), cancel=flag.is_set)
        return save(run.project), f"take {run.shots[0].chosen + 1} kept; flagged: {', '.join(run.flagged) or '-'}"

    @handler
    def retake_flagged(project_json: str, count: float = 3, request: gr.Request = None,
                       progress=gr.Progress()) -> tuple[str, str]:  # noqa: B008
        """Make new takes of the shots whose kept take drifts from its character reference, and only those.

        Args:
            project_json: the project, with scored takes
            count: takes per flagged shot
        Returns:
            the updated project JSON and a status line
        """
        project = load_api_project(studio, project_json)
        with studio.jobs.running(request) as flag:
            result = act.retake_flagged(services, project, root_of(project), VideoOptions(), int(count or 0),
                                        progress=reporting.shots_progress(progress), cancel=flag.is_set)
        return save(result.project), f"retaken: {', '.join(result.flagged) or '-'}; better: " \
                                     f"{', '.join(result.improved) or '-'}"

    with gr.Row(visible=False):
        trigger = gr.Button(visible=False)
        project_out, status_out = gr.Textbox(label="project"), gr.Textbox(label="status")
        files_out = gr.File(file_count="multiple", label="files")
        made: dict[tuple, gr.components.Component] = {}
        for fn, outs, queue in ((draw_keyframes, [project_out, files_out, status_out], studio.gpu),
                                (character_sheet, [project_out, files_out, status_out], studio.gpu),
                                (character_reference, [project_out], {"queue": False}),
                                (render_takes, [project_out, status_out], studio.gpu),
                                (retake_flagged, [project_out, status_out], studio.gpu)):
            trigger.click(fn, _inputs(fn, made), outs, api_name=fn.__name__, **queue)
