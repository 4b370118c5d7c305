"""The project model: the spine every stage reads and returns.

A Project holds the idea's storyboard (shots plus a character/style bible), how captions look,
the music, the AI label and the platform preset. Models are frozen: an edit is
``project.model_copy(update=...)`` or a helper here, never mutation, so a stage cannot change a
project behind its caller's back.

Media paths: in memory a path may be absolute (files the user just picked). In a project *file*
every path is relative to the file's folder and may not leave it; ``project_files`` enforces that
by validating with ``context={"project_root": folder}``.
"""

from __future__ import annotations

import re
import unicodedata
import uuid
from enum import StrEnum
from pathlib import PurePosixPath, PureWindowsPath
from typing import Annotated, Any

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationInfo,
    WithJsonSchema,
    field_serializer,
    field_validator,
    model_validator,
)

from studio.project.effect_forms import effects_schema
from studio.project.effects import Effect, effect_dict, parse_effects
from studio.project.presets import PresetName

SCHEMA_VERSION = 2  # 2: effects (per shot and clip-wide), the new transitions, speed_audio

MAX_CAPTION_CHARS = 200
MAX_SHOTS = 200
MIN_SHOT_MS = 300
MAX_SHOT_MS = 120_000

_HEX_COLOR = r"^#[0-9A-Fa-f]{6}([0-9A-Fa-f]{2})?$"
Color = Annotated[str, Field(pattern=_HEX_COLOR, description="#RRGGBB or #RRGGBBAA")]

# C0/C1 controls, DEL, bidi overrides/isolates that can reorder text deceptively, and BOMs. Newlines
# are kept (an explicit line break in a caption); ZWJ/ZWNJ and variation selectors are kept because
# emoji sequences and some scripts need them.
_STRIP = re.compile(r"[\x00-\x09\x0b-\x1f\x7f-\x9f\u202a-\u202e\u2066-\u2069\ufeff\ufff9-\ufffb]")


def clean_text(value: str) -> str:
    """NFC-normalise and remove control characters; keep newlines, collapse runs of blank lines."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n").replace("\r", "\n")
    value = _STRIP.sub("", value)
    value = re.sub(r"\n{3,}", "\n\n", value)
    return value.strip()


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", use_enum_values=False, validate_default=True)


class CameraMove(StrEnum):
    AUTO = "auto"
    NONE = "none"
    PUSH_IN = "push_in"
    PULL_OUT = "pull_out"
    PAN_LEFT = "pan_left"
    PAN_RIGHT = "pan_right"
    TILT_UP = "tilt_up"
    TILT_DOWN = "tilt_down"
    PARALLAX = "parallax"  # layered pictures only (title cards); a flat photo gets a gentle push-in


class Fit(StrEnum):
    COVER = "cover"
    CONTAIN = "contain"


class Transition(StrEnum):
    """How a shot enters from the previous one. Every transition but ``cut`` and ``fade`` overlaps the two shots
    (like a crossfade: the clip gets its length shorter, beat sync cuts at its middle)."""

    CUT = "cut"
    CROSSFADE = "crossfade"
    FADE = "fade"  # through black
    SLIDE_LEFT = "slide_left"  # the new shot slides in over the old one, moving left (from the right edge)
    SLIDE_RIGHT = "slide_right"
    SLIDE_UP = "slide_up"
    SLIDE_DOWN = "slide_down"
    ZOOM_IN = "zoom_in"  # both pictures rush towards the viewer while crossfading
    ZOOM_OUT = "zoom_out"  # the old picture shrinks away over the new one
    WHIP_LEFT = "whip_left"  # a motion-blurred push: both pictures move left, fast in the middle
    WHIP_RIGHT = "whip_right"
    FLASH = "flash"  # through white

    @property
    def overlaps(self) -> bool:
        """Whether the two shots overlap during the transition (everything but a cut and a fade through black)."""
        return self not in (Transition.CUT, Transition.FADE)


class SpeedAudio(StrEnum):
    """A clip's own sound when a time effect changes its speed or direction."""

    FOLLOW = "follow"  # played at the picture's speed (faster is higher), backwards when reversed
    MUTE = "mute"


class ShotStatus(StrEnum):
    PLANNED = "planned"
    RENDERED = "rendered"
    FAILED = "failed"


class ShotSource(StrEnum):
    """What a generated shot starts from; ``None`` on a shot means its ``media`` is shown as is."""

    TEXT = "text"  # the visual prompt alone
    IMAGE = "image"  # the user's picture in ``source_media`` (image-to-video)
    CLIP = "clip"  # the user's clip in ``source_media``, restyled (video-to-video)
    PREVIOUS = "previous"  # the previous shot's last frame (continuity chaining)
    BRIDGE = "bridge"  # from the previous shot's last frame to the next shot's first frame


class Language(StrEnum):
    AUTO = "auto"
    ZH = "zh"
    EN = "en"


class CaptionPosition(StrEnum):
    BOTTOM = "bottom"
    MIDDLE = "middle"
    TOP = "top"


class LabelPosition(StrEnum):
    TOP_LEFT = "top_left"
    TOP_RIGHT = "top_right"
    BOTTOM_LEFT = "bottom_left"
    BOTTOM_RIGHT = "bottom_right"


def _check_media_path(value: str | None, info: ValidationInfo) -> str | None:
    """In a project file, a media path must stay inside the project folder."""
    if value is None:
        return None
    value = value.strip()
    if not value:
        raise ValueError("is empty")
    if "\x00" in value:
        raise ValueError("contains a NUL character")
    if not (info.context or {}).get("project_root"):
        return value
    if value.startswith(("/", "\\")) or PureWindowsPath(value).drive:
        raise ValueError(f"{value!r} is absolute; paths in a project file are relative to its folder")
    parts = PurePosixPath(value.replace("\\", "/")).parts
    if ".." in parts:
        raise ValueError(f"{value!r} leaves the project folder")
    return value


# Effect values (studio.project.effects) in a field: parsed and checked by the models' validators, written back in
# their project-file form, published with their own JSON Schema.
Effects = Annotated[tuple[Any, ...], WithJsonSchema(effects_schema())]
ClipEffects = Annotated[tuple[Any, ...], WithJsonSchema(effects_schema(clip_wide=True))]


class WordTiming(_Model):
    """One word of a caption with its time inside the shot, for word-by-word highlight."""

    text: str = Field(min_length=1, max_length=64)
    start_ms: int = Field(ge=0)
    end_ms: int = Field(gt=0)

    @model_validator(mode="after")
    def _ordered(self) -> WordTiming:
        if self.end_ms <= self.start_ms:
            raise ValueError(f"word {self.text!r} ends ({self.end_ms} ms) before it starts ({self.start_ms} ms)")
        return self


class Narration(_Model):
    """How a shot's ``voiceover_audio`` was spoken by the studio (none: the user's own recording): enough to say
    which voice spoke, how the times were made, and to find it in the voice cache."""

    backend: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    voice: str = Field(default="", max_length=200)
    speed: float = Field(default=1.0, ge=0.5, le=2.0, description="Speaking rate asked of the voice (1 natural).")
    tempo: float = Field(default=1.0, ge=0.5, le=2.0, description="Pitch-preserving tempo change after it (atempo).")
    timing: str = Field(default="", max_length=20, description="Where the word times came from: model, engine, "
                                                               "aligned or estimated.")
    text: str = Field(default="", max_length=2000, description="The line as spoken (a speaker's name removed).")
    speech_ms: int = Field(default=0, ge=0, description="Length of the spoken audio.")
    offset_ms: int = Field(default=0, ge=0, description="Where the voice starts in the shot (mid-transition).")


class ShotRender(_Model):
    """What produced a shot's ``media``: enough to label it, reproduce it and find it in the shot cache."""

    backend: str = Field(pattern=r"^[a-z0-9_]{1,20}$")
    model: str = Field(default="", max_length=300)
    cache_key: str = Field(pattern=r"^[0-9a-f]{16,64}$")
    draft: bool = Field(default=False, description="A CPU animatic, not generated footage.")
    width: int = Field(ge=1)
    height: int = Field(ge=1)
    num_frames: int = Field(default=1, ge=1)
    fps: float = Field(default=0.0, ge=0)
    steps: int = Field(default=0, ge=0)


class TakeScore(_Model):
    """How a take scored (``pipelines.scoring``): likeness is a cosine of image embeddings (DINOv2, CLIP or SigLIP);
    adherence is a text-image cosine (CLIP/SigLIP) or a learned judge's probability of "yes" (VQAScore). They rank
    takes; they never veto one (neither tracks what people judge closely enough). Files from before ``likeness_model``
    and ``judge`` load as scored by ``scorer`` alone, which is what they were."""

    consistency: float | None = Field(default=None, ge=-1, le=1, description=(
        "Likeness to the shot's character references (mean over sampled frames); null without a reference."))
    consistency_min: float | None = Field(default=None, ge=-1, le=1, description="The least alike sampled frame.")
    adherence: float = Field(default=0.0, ge=-1, le=1, description=(
        "Agreement with the shot's prompt: the judge's probability of answering yes (0 to 1) when `judge` is set, "
        "else the text-image cosine of `scorer`."))
    combined: float = Field(default=0.0, description="The rank score within the shot (z-scores summed).")
    scorer: str = Field(default="", max_length=300, description=(
        "The CLIP/SigLIP model that measured adherence (without a judge) and likeness (without `likeness_model`); "
        "empty when it measured neither."))
    likeness_model: str = Field(default="", max_length=300, description=(
        "The image model (DINOv2, CLIP or SigLIP) that measured likeness to the references; empty: `scorer`."))
    judge: str = Field(default="", max_length=300, description=(
        "The vision-language model whose VQAScore is the adherence; empty: `scorer`'s text-image cosine."))


class ShotCandidate(_Model):
    """One variation of a shot (same prompt, another seed); the user keeps one of them."""

    media: str
    seed: int = Field(ge=0, le=2**63 - 1)
    render: ShotRender
    score: TakeScore | None = Field(default=None, description="Set when the take was scored; null otherwise.")

    @field_validator("media")
    @classmethod
    def _media_path(cls, value: str, info: ValidationInfo) -> str:
        return _check_media_path(value, info)


class Shot(_Model):
    """The unit of work and of caching: what one shot shows, says and how it moves."""

    id: str = Field(default_factory=lambda: uuid.uuid4().hex[:12], pattern=r"^[A-Za-z0-9_-]{1,64}$")
    visual_prompt: str = Field(default="", max_length=4000)
    caption: str = Field(default="", max_length=MAX_CAPTION_CHARS)
    caption_words: tuple[WordTiming, ...] = Field(default=(), max_length=200)
    voiceover: str = Field(default="", max_length=2000)
    duration_ms: int = Field(default=3000, ge=MIN_SHOT_MS, le=MAX_SHOT_MS)
    camera_move: CameraMove = CameraMove.AUTO
    transition: Transition = Field(default=Transition.CUT, description="How this shot enters from the previous one.")
    transition_ms: int = Field(default=500, ge=0, le=3000)
    fit: Fit = Fit.COVER
    focus_x: float = Field(default=0.5, ge=0.0, le=1.0, description="Point kept in frame when cropping, 0..1.")
    focus_y: float = Field(default=0.5, ge=0.0, le=1.0)
    media: str | None = Field(default=None, description="Image or clip, relative to the project folder.")
    clip_start_ms: int = Field(default=0, ge=0, description="Where a clip starts playing.")
    clip_audio_gain_db: float | None = Field(
        default=None, ge=-60, le=12, description="Keep a clip's own sound at this gain; null mutes it."
    )
    seed: int | None = Field(default=None, ge=0, le=2**63 - 1)
    status: ShotStatus = ShotStatus.PLANNED
    voiceover_audio: str | None = Field(default=None, description="Recorded voice-over of this shot (audio file).")
    voiceover_gain_db: float = Field(default=0.0, ge=-60, le=12)
    narration: Narration | None = Field(
        default=None, description="Set when the studio spoke `voiceover_audio` from the `voiceover` line; null for "
                                  "the user's own recording (never replaced unless asked).")
    source: ShotSource | None = Field(
        default=None, description="What to generate the shot from; null shows `media` as is (or text if none).")
    source_media: str | None = Field(default=None, description="The user's image or clip a shot is generated from.")
    ends_on_next: bool = Field(default=False, description=(
        "An image shot (its keyframe) that ends on the next shot's picture (its keyframe, else its first frame): a "
        "seamless cut, made by a video model that takes a first and a last frame (LTX; Wan's first-last-frame "
        "model)."))
    render: ShotRender | None = Field(default=None, description="What generated `media`; null for the user's own.")
    candidates: tuple[ShotCandidate, ...] = Field(default=(), max_length=16)
    characters: tuple[str, ...] = Field(default=(), max_length=20, description=(
        "Bible names shown in this shot (their reference pictures condition its keyframe); empty: the names its "
        "visual prompt mentions."))
    effects: Effects = Field(default=(), description=(
        "Effects in moviepy.video.fx's names and parameters, applied in order: "
        '[{"name": "FadeIn", "duration": 0.5}, {"name": "MultiplySpeed", "factor": 2}, ...]; a Look is a 3D LUT.'))
    speed_audio: SpeedAudio = Field(default=SpeedAudio.FOLLOW, description=(
        "With a speed or time effect: the clip's own sound follows the picture, or is muted."))

    @field_validator("caption", "voiceover", "visual_prompt", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @field_validator("effects", mode="before")
    @classmethod
    def _effects(cls, value: Any, info: ValidationInfo) -> tuple[Effect, ...]:
        return parse_effects(value, check_file=lambda path: _check_media_path(path, info))

    @field_serializer("effects")
    def _dump_effects(self, effects: tuple[Effect, ...]) -> list[dict[str, Any]]:
        return [effect_dict(e) for e in effects]

    @field_validator("media", "source_media", "voiceover_audio")
    @classmethod
    def _media_path(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_media_path(value, info)

    @model_validator(mode="after")
    def _words_inside_shot(self) -> Shot:
        for word in self.caption_words:
            if word.start_ms >= self.duration_ms:
                raise ValueError(f"caption word {word.text!r} starts at {word.start_ms} ms, "
                                 f"after the shot ends ({self.duration_ms} ms)")
        for effect in self.effects:
            if effect.seconds() * 1000 > self.duration_ms:
                raise ValueError(f"{effect.name} lasts {effect.seconds():g} s, longer than the shot "
                                 f"({self.duration_ms / 1000:g} s)")
        return self


class EntryKind(StrEnum):
    """What a bible entry is; a person's reference picture must show a face."""

    PERSON = "person"
    CREATURE = "creature"
    OBJECT = "object"
    PLACE = "place"


class BibleEntry(_Model):
    name: str = Field(min_length=1, max_length=80)
    description: str = Field(max_length=1000)
    kind: EntryKind | None = Field(default=None, description=(
        "person, creature, object or place; null: not said. A person's uploaded reference picture must show a face."))
    reference_image: str | None = Field(default=None, description=(
        "The character sheet's picture of it (generated or uploaded), relative to the project folder; it "
        "conditions every keyframe the character appears in."))
    voice: str | None = Field(default=None, max_length=200, description=(
        "The voice this character speaks in (a voice name, or `backend:voice`); a voice-over line written "
        "`Name: line` is spoken in it."))

    @field_validator("reference_image")
    @classmethod
    def _media_path(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_media_path(value, info)


class Bible(_Model):
    """Canonical descriptions carried into every shot prompt so shots stay consistent."""

    characters: tuple[BibleEntry, ...] = Field(default=(), max_length=20)
    look: str = Field(default="", max_length=1000, description="One line for the visual style of every shot.")


class Storyboard(_Model):
    title: str = Field(default="", max_length=200)
    hook: str = Field(default="", max_length=120, description="Large title shown over the opening seconds.")
    bible: Bible = Bible()
    shots: tuple[Shot, ...] = Field(default=(), max_length=MAX_SHOTS)
    description: str = Field(default="", max_length=2000)
    hashtags: tuple[str, ...] = Field(default=(), max_length=30)

    @field_validator("title", "hook", "description", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) if isinstance(value, str) else value

    @model_validator(mode="after")
    def _unique_ids(self) -> Storyboard:
        seen: set[str] = set()
        for index, shot in enumerate(self.shots, start=1):
            if shot.id in seen:
                raise ValueError(f"shot {index} reuses the id {shot.id!r}; shot ids must be unique")
            seen.add(shot.id)
        problem = transition_problem(self.shots)
        if problem:
            raise ValueError(problem)
        return self


def transition_problem(shots: tuple[Shot, ...]) -> str | None:
    """A transition longer than a shot it joins, in one sentence; None when every one fits. (The timeline then lets
    a transition take at most half of each shot.)"""
    for number in range(2, len(shots) + 1):
        previous, shot = shots[number - 2], shots[number - 1]
        if shot.transition is Transition.CUT:
            continue
        for other, which in ((previous, f"shot {number - 1}"), (shot, f"shot {number} itself")):
            if shot.transition_ms > other.duration_ms:
                return (f"shot {number}: its {shot.transition_ms / 1000:g} s {shot.transition.value} transition is "
                        f"longer than {which} ({other.duration_ms / 1000:g} s): shorten the transition or lengthen "
                        "the shot")
    return None


class WordMode(StrEnum):
    """How timed words show: the whole caption with the spoken word recoloured, or the spoken word alone."""

    HIGHLIGHT = "highlight"
    POP = "pop"


class CaptionStyle(_Model):
    """How captions look. Sizes are pixels at the 1080-wide reference and scale with the preset."""

    preset: str = Field(default="bold_stroke", max_length=40, description="Named preset this style started from.")
    font: str = Field(default="sans", pattern=r"^(sans|serif)$")
    bold: bool = True
    size_px: int = Field(default=64, ge=20, le=200)
    color: Color = "#FFFFFF"
    stroke_color: Color = "#000000"
    stroke_px: int = Field(default=6, ge=0, le=30)
    shadow_color: Color | None = None
    shadow_offset_px: int = Field(default=4, ge=0, le=40)
    shadow_blur_px: int = Field(default=6, ge=0, le=40)
    box_color: Color | None = None
    box_padding_px: int = Field(default=20, ge=0, le=80)
    box_radius_px: int = Field(default=16, ge=0, le=80)
    highlight_color: Color = "#FFD400"
    position: CaptionPosition = CaptionPosition.BOTTOM
    max_lines: int = Field(default=3, ge=1, le=6)
    line_spacing: float = Field(default=1.2, ge=0.8, le=2.5)
    word_mode: WordMode = Field(default=WordMode.HIGHLIGHT, description=(
        "With word timings: `highlight` recolours the spoken word in the caption, `pop` shows one word at a time."))


class BeatSnap(StrEnum):
    BEAT = "beat"
    DOWNBEAT = "downbeat"


class MusicTrack(_Model):
    """The music bed: a user file or a bundled track, fitted to the clip and ducked under voice-over."""

    path: str | None = Field(default=None, description="Audio file, relative to the project folder.")
    library: str | None = Field(default=None, pattern=r"^[a-z0-9_]{1,40}$",
                                description="A bundled track (assets/music/library.json) instead of a file.")
    gain_db: float = Field(default=-8.0, ge=-60, le=12)
    start_ms: int = Field(default=0, ge=0, description="Where in the song the clip starts.")
    fade_in_ms: int = Field(default=300, ge=0, le=10_000)
    fade_out_ms: int = Field(default=1500, ge=0, le=10_000)
    loop: bool = Field(default=True, description="Loop the song (on bar boundaries) when the clip is longer.")
    duck_db: float = Field(default=12.0, ge=0, le=40, description="How far the music dips under voice-over.")
    beat_sync: bool = Field(default=False, description="Snap shot boundaries to the music's beats.")
    snap_to: BeatSnap = BeatSnap.BEAT
    beat_tolerance_ms: int = Field(default=300, ge=20, le=1000,
                                   description="How far a cut may move to reach a beat.")

    @field_validator("path")
    @classmethod
    def _media_path(cls, value: str | None, info: ValidationInfo) -> str | None:
        return _check_media_path(value, info)

    @model_validator(mode="after")
    def _one_source(self) -> MusicTrack:
        if (self.path is None) == (self.library is None):
            raise ValueError("give either a music file (path) or a bundled track (library), not both or neither")
        return self


class VoiceOver(_Model):
    """A recorded voice-over for the whole clip; music is ducked under it."""

    path: str = Field(description="Audio file, relative to the project folder.")
    gain_db: float = Field(default=0.0, ge=-60, le=12)
    start_ms: int = Field(default=0, ge=0, description="When in the clip the voice starts.")

    @field_validator("path")
    @classmethod
    def _media_path(cls, value: str, info: ValidationInfo) -> str:
        return _check_media_path(value, info)


class AiLabel(_Model):
    """The AI-generated label. The visible one can be moved or turned off; the metadata one cannot."""

    visible: bool = True
    position: LabelPosition = LabelPosition.TOP_LEFT
    visible_ms: int | None = Field(
        default=3000, ge=2000, description="How long the visible label shows from the start; null for the whole clip."
    )
    text: str | None = Field(default=None, max_length=40, description="Override of the localized label text.")

    @field_validator("text", mode="before")
    @classmethod
    def _clean(cls, value: Any) -> Any:
        return clean_text(value) or None if isinstance(value, str) else value


class Project(_Model):
    schema_version: int = Field(default=SCHEMA_VERSION, ge=1)
    id: str = Field(default_factory=lambda: uuid.uuid4().hex, pattern=r"^[A-Za-z0-9_-]{1,64}$")
    language: Language = Language.AUTO
    preset: PresetName = PresetName.DOUYIN
    storyboard: Storyboard = Storyboard()
    caption_style: CaptionStyle = CaptionStyle()
    music: MusicTrack | None = None
    voiceover: VoiceOver | None = Field(default=None, description="Voice-over for the whole clip.")
    label: AiLabel = AiLabel()
    hook_ms: int = Field(default=2500, ge=500, le=10_000, description="How long the hook title shows.")
    cover_time_ms: int | None = Field(default=None, ge=0, description="Frame used for the cover; null picks one.")
    negative_prompt: str = Field(default="", max_length=2000, description="What no generated shot should show.")
    effects: ClipEffects = Field(default=(), description=(
        "Looks and colour effects applied to every shot, before each shot's own effects: "
        '[{"name": "Look", "look": "teal_orange"}, {"name": "GammaCorrection", "gamma": 0.9}].'))

    @field_validator("effects", mode="before")
    @classmethod
    def _effects(cls, value: Any, info: ValidationInfo) -> tuple[Effect, ...]:
        return parse_effects(value, clip_wide=True, check_file=lambda path: _check_media_path(path, info))

    @field_serializer("effects")
    def _dump_effects(self, effects: tuple[Effect, ...]) -> list[dict[str, Any]]:
        return [effect_dict(e) for e in effects]

    @property
    def shots(self) -> tuple[Shot, ...]:
        return self.storyboard.shots

    def with_shots(self, shots: tuple[Shot, ...] | list[Shot]) -> Project:
        return self.model_copy(update={"storyboard": self.storyboard.model_copy(update={"shots": tuple(shots)})})

    def resolved_language(self) -> Language:
        """The caption language; ``auto`` reads the captions (any Han character means Chinese)."""
        if self.language is not Language.AUTO:
            return self.language
        text = self.storyboard.hook + "".join(s.caption for s in self.shots)
        return Language.ZH if re.search(r"[\u3400-\u9fff\uf900-\ufaff]", text) else Language.EN
