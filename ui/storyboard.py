"""The Storyboard tab: the shot list as cards (ui.cards: click one to edit it, drag one onto another to move it) and a
table, one shot at a time in an editor (prompt, caption, voice-over, length, camera move, transition and its length,
source, "end on the next shot's picture" for a seamless cut; effects, speed,
reverse and a colour look, with a preview frame of the shot and a short preview clip of its transition), add /
duplicate / delete / move, "enhance" a prompt, and the storyboard's title, description, hashtags and bible.

The edits are small pure functions on the frozen Project (below, tested on their own); the handlers only
read widgets into them and autosave the result.
"""

from __future__ import annotations

import re

import gradio as gr

import actions
from actions.storyboard import move_shot, move_shot_onto
from studio.errors import ProjectValidationError
from studio.project.model import (
    Bible,
    BibleEntry,
    CameraMove,
    Project,
    Shot,
    ShotSource,
    ShotStatus,
    SpeedAudio,
    Transition,
)
from ui.cards import STRIP_CSS, STRIP_JS, strip_html
from ui.context import Studio, shot_choices
from ui.effects import LOOK_CHOICES, effect_controls, effects_from_controls
from ui.i18n import choices, say, t, words_for
from ui.narration import build_narration_panel
from ui.sentences import translate
from ui.session import handler, without_server_paths
from ui.transcribe import build_captions_from_voice

OWN_MEDIA = "own"  # the source choice meaning "show the shot's media as it is"
SOURCES = [OWN_MEDIA, *(s.value for s in ShotSource)]


# -- edits --------------------------------------------------------------------------------------------

def _index(project: Project, shot_id: str | None) -> int:
    for i, shot in enumerate(project.shots):
        if shot.id == shot_id:
            return i
    raise ProjectValidationError("choose a shot first")


def update_shot(project: Project, shot_id: str, **fields) -> Project:
    """The shot with new field values, validated like any project field; a changed look un-renders it."""
    i = _index(project, shot_id)
    old = project.shots[i]
    merged = {**old.model_dump(), **fields}
    merged.update(_narration_after_edit(old, merged))
    try:
        new = Shot.model_validate(merged)
    except Exception as err:  # pydantic's ValidationError, named the way the project files name fields
        from pydantic import ValidationError

        from studio.project.files import describe_validation_error

        if isinstance(err, ValidationError):
            raise ProjectValidationError(f"shot {i + 1} {describe_validation_error(err)}") from None
        raise
    looks = ("visual_prompt", "duration_ms", "source", "source_media", "camera_move", "ends_on_next")
    if any(getattr(new, f) != getattr(old, f) for f in looks) and old.source is not None:
        new = new.model_copy(update={"status": ShotStatus.PLANNED})
    shots = list(project.shots)
    shots[i] = new
    return project.with_shots(shots)


def _narration_after_edit(old: Shot, new: dict) -> dict:
    """What an edit does to a shot's narration: a changed line drops the studio's speech of the old one (narrate
    again to speak it; the user's own recording stays); a changed caption keeps the timed words it still shows; a
    shorter shot keeps the words that start inside it, so an edit never leaves a word after the shot's end."""
    from pipelines.narration import caption_timings

    changes: dict = {}
    if new.get("voiceover", old.voiceover) != old.voiceover and old.narration is not None:
        return {"voiceover_audio": None, "narration": None, "caption_words": ()}
    words = [(w["text"], w["start_ms"], w["end_ms"]) if isinstance(w, dict) else (w.text, w.start_ms, w.end_ms)
             for w in new.get("caption_words", ())]
    if not words:
        return changes
    duration = int(new.get("duration_ms") or old.duration_ms)
    caption = new.get("caption", old.caption) or ""
    if caption != old.caption or duration < old.duration_ms:
        kept = caption_timings(caption, [w for w in words if w[1] < duration], 0, duration)
        changes["caption_words"] = tuple(w.model_dump() for w in kept or ())
    return changes


def add_shot(project: Project, after_id: str | None) -> tuple[Project, str]:
    shot = Shot(visual_prompt="", caption="", source=ShotSource.TEXT)
    at = _index(project, after_id) + 1 if after_id in {s.id for s in project.shots} else len(project.shots)
    return project.with_shots([*project.shots[:at], shot, *project.shots[at:]]), shot.id


def duplicate_shot(project: Project, shot_id: str) -> tuple[Project, str]:
    i = _index(project, shot_id)
    copy = Shot.model_validate({**project.shots[i].model_dump(), "id": Shot().id, "candidates": ()})
    return project.with_shots([*project.shots[:i + 1], copy, *project.shots[i + 1:]]), copy.id


def delete_shot(project: Project, shot_id: str) -> tuple[Project, str | None]:
    i = _index(project, shot_id)
    shots = [*project.shots[:i], *project.shots[i + 1:]]
    return project.with_shots(shots), (shots[min(i, len(shots) - 1)].id if shots else None)


_BIBLE_LINE = re.compile(r"^(?P<name>[^:：(（]*?)\s*(?:[(（](?P<voice>[^()（）]{0,200})[)）])?"
                         r"\s*(?:[:：]\s*(?P<description>.*))?$")


def parse_bible(look: str, characters: str, previous: Bible | None = None) -> Bible:
    """'Name: description' per line into bible entries, 'Name (voice): description' with the voice the character
    speaks in (a voice name or backend:voice); a line without a colon is a name alone. What the text does not
    show (the kind, the character sheet's picture) stays with the entry of the same name in ``previous``."""
    kept = {e.name.strip().casefold(): e for e in (previous.characters if previous else ())}
    entries = []
    for line in (characters or "").splitlines():
        match = _BIBLE_LINE.match(line.strip())
        if match is None:  # something unusual: the old rule, name up to the first colon
            name, _, description = line.partition(":")
            voice = None
        else:
            name, voice, description = match.group("name"), match.group("voice"), match.group("description") or ""
        if name.strip():
            old = kept.get(name.strip()[:80].casefold())
            entries.append(BibleEntry(name=name.strip()[:80], description=description.strip(),
                                      voice=(voice or "").strip() or None, kind=old.kind if old else None,
                                      reference_image=old.reference_image if old else None))
    return Bible(characters=tuple(entries), look=(look or "").strip())


def bible_lines(bible: Bible) -> str:
    return "\n".join(f"{c.name}{f' ({c.voice})' if c.voice else ''}: {c.description}".rstrip(": ")
                     for c in bible.characters)


def can_end_on_next(project: Project, shot_id: str | None, source: str | None) -> bool:
    """Whether "end on the next shot's picture" means anything for this shot with this source: an image shot (its
    keyframe is the first frame) that has a next shot (whose picture is the last)."""
    ids = [s.id for s in project.shots]
    return source == ShotSource.IMAGE.value and shot_id in ids and ids.index(shot_id) < len(ids) - 1


def cut_time_ms(project: Project, shot_id: str) -> tuple[int, int]:
    """(where the shot's transition is at its middle, the middle of the shot) on the timeline, in ms."""
    from studio.project.timeline import build_timeline

    i = _index(project, shot_id)
    span = build_timeline(project).spans[i]
    middle = span.start_ms + span.duration_ms // 2
    return (span.start_ms + span.fade_in_ms // 2 if i else middle), middle


def source_label(shot: Shot) -> str:
    """What the shot is made from: its explicit source, else the user's media, else its prompt (text)."""
    if shot.source is not None:
        return shot.source.value
    return OWN_MEDIA if shot.media and shot.render is None else ShotSource.TEXT.value


def overview(project: Project, words: dict[str, str] | None = None) -> list[list]:
    """The shot table's rows; camera moves and sources named in the browser's language when ``words`` is given."""
    words = words or {}

    def name(group: str, value: str) -> str:
        return words.get(f"choice.{group}.{value}", value)

    return [[i, shot.caption, round(shot.duration_ms / 1000, 1), name("camera", shot.camera_move.value),
             name("source", source_label(shot)), words.get(f"status.shot.{shot.status.value}", shot.status.value)]
            for i, shot in enumerate(project.shots, start=1)]


# -- the tab ------------------------------------------------------------------------------------------

def build_storyboard_tab(studio: Studio) -> None:
    cards = gr.HTML("", html_template="${value}", css_template=STRIP_CSS, js_on_load=STRIP_JS,
                    apply_default_css=False, elem_id="board_cards")
    with gr.Row(equal_height=False):
        with gr.Column(scale=3):
            table = gr.Dataframe(headers=["#", "caption", "s", "camera", "source", "status"], interactive=False,
                                 label=t("board.shots"), elem_id="board_table", wrap=True)
            pick = gr.Dropdown([], label=t("board.pick"), elem_id="shot_pick", interactive=True)
            with gr.Row():
                add = gr.Button(t("board.add"), size="sm", elem_id="add_shot")
                duplicate = gr.Button(t("board.duplicate"), size="sm", elem_id="duplicate_shot")
                delete = gr.Button(t("board.delete"), size="sm", variant="stop", elem_id="delete_shot")
                up = gr.Button(t("board.earlier"), size="sm", elem_id="shot_up")
                down = gr.Button(t("board.later"), size="sm", elem_id="shot_down")
        with gr.Column(scale=3):
            prompt = gr.Textbox(label=t("board.prompt"), lines=3, elem_id="shot_prompt")
            caption = gr.Textbox(label=t("board.caption"), lines=2, elem_id="shot_caption")
            voice = gr.Textbox(label=t("board.voiceover"), lines=2, elem_id="shot_voiceover")
            with gr.Row():
                seconds = gr.Number(label=t("board.seconds"), minimum=0.3, maximum=120, step=0.5,
                                    elem_id="shot_seconds")
                camera = gr.Dropdown(choices("camera", [c.value for c in CameraMove]), label=t("board.camera"),
                                     elem_id="shot_camera")
                transition = gr.Dropdown(choices("transition", [c.value for c in Transition]),
                                         label=t("board.transition"),
                                         elem_id="shot_transition")
            with gr.Row():
                source = gr.Dropdown(choices("source", SOURCES), label=t("board.source"), elem_id="shot_source")
                source_file = gr.File(label=t("board.source_file"), file_types=["image", "video"],
                                      elem_id="shot_source_file", height=90)
            ends = gr.Checkbox(label=t("board.ends_on_next"), info=t("board.ends_on_next_info"), interactive=False,
                               elem_id="shot_ends_on_next")
            with gr.Accordion(t("board.fx"), open=False, elem_id="shot_fx"):
                with gr.Row():
                    transition_s = gr.Number(label=t("board.transition_s"), minimum=0, maximum=3, step=0.1,
                                             elem_id="shot_transition_s")
                    look = gr.Dropdown(LOOK_CHOICES, value="", label=t("board.fx_look"), elem_id="shot_look")
                    look_file = gr.File(label=t("board.look_file"), file_types=[".cube"], elem_id="shot_look_file",
                                        height=90)
                with gr.Row():
                    speed = gr.Number(value=1.0, label=t("board.speed"), minimum=0.1, maximum=10, step=0.25,
                                      elem_id="shot_speed")
                    reverse = gr.Checkbox(label=t("board.reverse"), elem_id="shot_reverse")
                    speed_audio = gr.Dropdown(choices("speed_audio", [s.value for s in SpeedAudio]),
                                              value=SpeedAudio.FOLLOW.value, label=t("board.speed_audio"),
                                              elem_id="shot_speed_audio")
                effects = gr.Textbox(label=t("board.effects"), info=t("board.effects_info"), lines=3,
                                     elem_id="shot_effects")
                with gr.Row():
                    preview_frame_button = gr.Button(t("board.preview_frame"), size="sm", elem_id="preview_shot")
                    preview_clip_button = gr.Button(t("board.preview_clip"), size="sm", elem_id="preview_transition")
                fx_note = gr.Markdown(elem_id="shot_fx_note")
                with gr.Row():
                    preview_image = gr.Image(label=t("board.preview"), interactive=False, height=360,
                                             elem_id="shot_preview")
                    preview_video = gr.Video(label=t("board.preview_video"), interactive=False, height=360,
                                             elem_id="shot_preview_clip")
            build_narration_panel(studio)
            with gr.Row():
                save = gr.Button(t("board.save"), variant="primary", elem_id="save_shot")
                enhance = gr.Button(t("board.enhance"), elem_id="enhance_prompt")
    with gr.Accordion(t("board.details"), open=False):
        with gr.Row():
            title = gr.Textbox(label=t("board.title"), elem_id="board_title")
            hashtags = gr.Textbox(label=t("board.hashtags"), elem_id="board_hashtags")
        description = gr.Textbox(label=t("board.description"), lines=2, elem_id="board_description")
        bible_look = gr.Textbox(label=t("board.look"), lines=2, elem_id="bible_look")
        characters = gr.Textbox(label=t("board.characters"), lines=3, elem_id="bible_characters",
                                info=t("board.characters_info"))
        save_details = gr.Button(t("board.save_details"), elem_id="save_details")
    build_captions_from_voice(studio)
    editor = [prompt, caption, voice, seconds, camera, transition, source, ends]
    fx = [transition_s, look, speed, reverse, speed_audio, effects]
    state = [studio.project, studio.user, studio.selected]

    def edited(project, selected, prompt, caption, voice, seconds, camera, transition, source, ends, transition_s,
               look, speed, reverse, speed_audio, effects, file, look_file) -> Project:
        """The project with the editor's values on the selected shot (what Save stores and the previews show)."""
        previous = next((s.effects for s in project.shots if s.id == selected), ())
        fields = {"visual_prompt": prompt or "", "caption": caption or "", "voiceover": voice or "",
                  "duration_ms": int(round(float(seconds or 0) * 1000)), "camera_move": camera,
                  "transition": transition, "source": None if source in (None, OWN_MEDIA) else source,
                  "ends_on_next": bool(ends) and source == ShotSource.IMAGE.value,
                  "effects": effects_from_controls(effects, look, speed, bool(reverse), look_file, previous),
                  "speed_audio": speed_audio or SpeedAudio.FOLLOW.value}
        if transition_s not in (None, ""):
            fields["transition_ms"] = int(round(float(transition_s) * 1000))
        if file:
            fields["source_media" if fields["source"] else "media"] = file
        return update_shot(project, selected, **fields)

    @handler
    def save_shot(project, user, selected, prompt, caption, voice, seconds, camera, transition, source, ends,
                  transition_s, look, speed, reverse, speed_audio, effects, file, look_file):
        values = (prompt, caption, voice, seconds, camera, transition, source, ends, transition_s, look, speed,
                  reverse, speed_audio, effects, file, look_file)
        return studio.save(user, edited(studio.current(project), selected, *values)), selected

    def preview(project, user, selected, values: tuple, request: gr.Request, clip: bool = False):
        """A frame in the middle of the shot, or a short clip around its transition, as the editor has it now
        (before Save); a hint when it cannot be made."""
        from studio.errors import StudioError
        from ui.finish import preview_frame

        project, words = studio.current(project), words_for(request)
        if not any(s.id == selected for s in project.shots):
            return None, None, words["finish.empty"]
        try:
            from pathlib import Path

            from studio.project.bundles import map_media

            project = edited(project, selected, *values)
            cut, middle = cut_time_ms(project, selected)
            folder = studio.root(user, project)  # saved files are relative to it, new uploads absolute: all absolute
            project, root = map_media(project, lambda p: p if Path(p).is_absolute() else str(folder / p)), None
            if not clip:
                return preview_frame(project, root, studio.settings, middle / 1000), gr.skip(), ""
            from studio.compose.preview import preview_clip

            folder = studio.workspace.new_render_folder()
            video = preview_clip(project, studio.settings, root, folder / "preview.mp4", around_ms=cut)
            return gr.skip(), str(video), ""
        except StudioError as err:  # a preview that cannot be drawn yet is a hint, not an error dialog
            return None, None, say(words, "status.preview", error=translate(without_server_paths(str(err)), words))

    @handler
    def edit(kind: str, project, user, selected):
        project = studio.current(project)
        if kind == "add":
            project, selected = add_shot(project, selected)
        elif kind == "duplicate":
            project, selected = duplicate_shot(project, selected)
        elif kind == "delete":
            project, selected = delete_shot(project, selected)
        else:
            project = move_shot(project, selected, -1 if kind == "up" else 1)
        return studio.save(user, project), selected

    @handler
    def enhance_prompt(project, selected, prompt):
        return actions.enhance_prompt(studio.services, prompt or "", studio.current(project).storyboard.bible
                                      ).visual_prompt

    @handler
    def save_board(project, user, selected, title, hashtags, description, bible_look, characters):
        project = studio.current(project)
        bible = parse_bible(bible_look, characters, project.storyboard.bible)
        board = project.storyboard.model_copy(update={"bible": bible})
        tags = tuple(tag.lstrip("#") for tag in (hashtags or "").replace(",", " ").split() if tag.lstrip("#"))
        data = {**board.model_dump(), "title": title or "", "description": description or "", "hashtags": tags}
        from studio.project.files import validate_project

        checked = validate_project({**project.model_dump(), "storyboard": data})
        return studio.save(user, checked), selected

    studio.changed(save.click(save_shot, state + editor + fx + [source_file, look_file],
                              [studio.project, studio.selected], api_name=False))
    previews = [preview_image, preview_video, fx_note]
    def preview_shot(project, user, selected, prompt, caption, voice, seconds, camera, transition, source, ends,
                     transition_s, look, speed, reverse, speed_audio, effects, file, look_file, request: gr.Request):
        values = (prompt, caption, voice, seconds, camera, transition, source, ends, transition_s, look, speed,
                  reverse, speed_audio, effects, file, look_file)
        return preview(project, user, selected, values, request)

    def preview_transition(project, user, selected, prompt, caption, voice, seconds, camera, transition, source,
                           ends, transition_s, look, speed, reverse, speed_audio, effects, file, look_file,
                           request: gr.Request):
        values = (prompt, caption, voice, seconds, camera, transition, source, ends, transition_s, look, speed,
                  reverse, speed_audio, effects, file, look_file)
        return preview(project, user, selected, values, request, clip=True)

    editing = state + editor + fx + [source_file, look_file]
    preview_frame_button.click(preview_shot, editing, previews, api_name=False, **studio.cpu)
    preview_clip_button.click(preview_transition, editing, previews, api_name=False, **studio.cpu)
    for button, kind in ((add, "add"), (duplicate, "duplicate"), (delete, "delete"), (up, "up"), (down, "down")):
        studio.changed(button.click(lambda p, u, s, k=kind: edit(k, p, u, s), state, [studio.project, studio.selected],
                                    api_name=False))
    enhance.click(enhance_prompt, [studio.project, studio.selected, prompt], [prompt], api_name=False, **studio.gpu)
    studio.changed(save_details.click(save_board, state + [title, hashtags, description, bible_look, characters],
                                      [studio.project, studio.selected], api_name=False))
    studio.changed(pick.input(lambda s: s, [pick], [studio.selected], api_name=False, queue=False))

    def select_card(project, event: gr.EventData):
        """A clicked card selects its shot for the editor (the card says which shot by its id)."""
        shot = (event._data or {}).get("shot")
        return shot if any(s.id == shot for s in studio.current(project).shots) else gr.skip()

    @handler
    def reorder(project, user, selected, event: gr.EventData):
        """A card dropped on another: the dragged shot takes that place, and is the one being edited."""
        data = event._data or {}
        project = move_shot_onto(studio.current(project), data.get("shot"), data.get("onto"))
        return studio.save(user, project), data.get("shot")

    def ends_choice(project, selected, source):
        return gr.update(interactive=can_end_on_next(studio.current(project), selected, source))

    studio.changed(cards.select(select_card, [studio.project], [studio.selected], api_name=False, queue=False))
    studio.changed(cards.reorder(reorder, state, [studio.project, studio.selected], api_name=False))
    source.change(ends_choice, [studio.project, studio.selected, source], [ends], api_name=False, queue=False,
                  show_progress="hidden")

    def render(project: Project, selected: str | None, root, words):
        shot = next((s for s in project.shots if s.id == selected), None)
        fields = ([shot.visual_prompt, shot.caption, shot.voiceover, shot.duration_ms / 1000, shot.camera_move.value,
                   shot.transition.value, source_label(shot),
                   gr.update(value=shot.ends_on_next,
                             interactive=can_end_on_next(project, shot.id, source_label(shot)))]
                  if shot else ["", "", "", None, None, None, None, gr.update(value=False, interactive=False)])
        if shot:
            text, look_choice, speed_value, reversed_ = effect_controls(shot.effects)
            fields += [shot.transition_ms / 1000, look_choice, speed_value, reversed_, shot.speed_audio.value, text]
        else:
            fields += [None, "", 1.0, False, SpeedAudio.FOLLOW.value, ""]
        board = project.storyboard
        characters = bible_lines(board.bible)
        headers = ["#", words["board.col.caption"], words["common.col.seconds"],
                   *(words[f"board.col.{c}"] for c in ("camera", "source", "status"))]
        return [strip_html(project, root, studio.settings, words, selected),
                {"headers": headers, "data": overview(project, words)},
                gr.update(choices=shot_choices(project), value=selected), *fields, None, None,
                board.title, " ".join(f"#{h}" for h in board.hashtags), board.description, board.bible.look,
                characters]

    studio.view([cards, table, pick, *editor, *fx, source_file, look_file, title, hashtags, description, bible_look,
                 characters], render)
