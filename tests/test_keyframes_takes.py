"""Takes picked: scoring, ranking and the drift check with embeddings whose right answer is known, the real
CLIP/SigLIP2 scorer classes on tiny random models, and N takes per shot with only the flagged shots retaken."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from PIL import Image  # noqa: E402

from pipelines.image.contract import ImageOptions  # noqa: E402
from pipelines.keyframes import (  # noqa: E402
    drift,
    make_keyframes,
    render_takes,
    retake_flagged,
    set_reference,
)
from pipelines.scoring import Embedder, flag_drift, rank_takes, score_take, take_frames  # noqa: E402
from pipelines.services import Services  # noqa: E402
from pipelines.shots import choose_variation  # noqa: E402
from pipelines.video.contract import VideoOptions  # noqa: E402
from studio.errors import KeyframeError, LimitError  # noqa: E402
from studio.project.model import (  # noqa: E402
    Bible,
    BibleEntry,
    Project,
    Shot,
    ShotCandidate,
    ShotRender,
    ShotSource,
    Storyboard,
    TakeScore,
)
from studio.settings import Settings  # noqa: E402
from tests.helpers.tiny_image import disc, save_tiny_clip, save_tiny_image_models, save_tiny_siglip2  # noqa: E402

RED, BLUE, GREEN = (220, 30, 30), (30, 60, 220), (30, 180, 60)
COLOR_WORDS = {"red": (1, 0, 0), "green": (0, 1, 0), "blue": (0, 0, 1)}


class ColourEmbedder:
    """Known answers: a picture is the mean colour of its saturated pixels, a text the sum of its colour words."""

    name = "colour-stub"

    def embed_images(self, images):
        rows = []
        for image in images:
            a = np.asarray(image.convert("RGB"), dtype=np.float32).reshape(-1, 3) / 255.0
            saturated = a[(a.max(1) - a.min(1)) > 0.2]
            v = np.append(saturated.mean(0) if len(saturated) else a.mean(0), 0.05)
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows)

    def embed_texts(self, texts):
        rows = []
        for text in texts:
            v = np.array([0.0, 0.0, 0.0, 0.05])
            for word, colour in COLOR_WORDS.items():
                if word in text.lower().split():
                    v[:3] += colour
            rows.append(v / np.linalg.norm(v))
        return np.stack(rows)


@pytest.fixture
def settings(tmp_path) -> Settings:
    return Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_SCORER_MODEL": "stub/colour"})


@pytest.fixture
def services(settings) -> Services:
    services = Services(settings)
    services.scorers._loaded["stub/colour"] = ColourEmbedder()  # the real loader is tested below, on tiny models
    return services


# -- ranking and drift, known answers ------------------------------------------------------------------------------

def test_the_take_like_the_reference_and_the_prompt_ranks_first():
    emb = ColourEmbedder()
    reference = emb.embed_images([disc(RED)])
    takes = {"blue": [disc(BLUE)] * 3, "red": [disc(RED)] * 3, "drifts": [disc(RED), disc((130, 40, 130)), disc(BLUE)]}
    scores = [score_take(emb, frames, "the red robot", reference) for frames in takes.values()]
    ranked, order = rank_takes(scores)
    assert [list(takes)[i] for i in order] == ["red", "drifts", "blue"]
    assert ranked[1].consistency == pytest.approx(1.0, abs=1e-6)
    assert ranked[2].consistency_min < ranked[2].consistency  # the worst frame is kept
    assert ranked[order[0]].combined > ranked[order[-1]].combined


def test_without_a_reference_takes_rank_by_the_prompt_alone():
    emb = ColourEmbedder()
    scores = [score_take(emb, [disc(c)], "a green field") for c in (RED, GREEN, BLUE)]
    assert all(s.consistency is None for s in scores)
    assert rank_takes(scores)[1][0] == 1


def test_ties_keep_the_earlier_take():
    same = TakeScore(consistency=0.5, consistency_min=0.5, adherence=0.2)
    assert rank_takes([same, same, same])[1] == [0, 1, 2]


def test_drift_flags_only_the_shot_well_below_the_rest():
    flagged = flag_drift({"a": 0.91, "b": 0.93, "c": 0.55, "d": 0.90, "e": 0.92})
    assert [d.shot_id for d in flagged] == ["c"]
    assert "well below" in flagged[0].sentence
    assert flag_drift({"a": 0.91, "b": 0.90, "c": 0.88, "d": 0.92}) == []  # a spread of noise flags nothing
    assert flag_drift({"a": 0.9, "b": 0.2}) == []  # two shots: no "rest" to compare with


# -- the real scorer classes on tiny CLIP and SigLIP2 --------------------------------------------------------------

@pytest.fixture(scope="module")
def scorers(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scorers")
    return {"clip": save_tiny_clip(root / "clip"), "siglip2": save_tiny_siglip2(root / "siglip2")}


@pytest.mark.parametrize("kind", ["clip", "siglip2"])
def test_the_real_scorer_loads_a_saved_model_and_an_identical_picture_scores_one(scorers, kind):
    emb = Embedder(str(scorers[kind]))
    assert emb.kind == kind
    red = emb.embed_images([disc(RED)])
    texts = emb.embed_texts(["the red robot", "a blue sea at night"])
    assert np.allclose(np.linalg.norm(texts, axis=1), 1.0, atol=1e-5)
    same = score_take(emb, [disc(RED), disc(RED)], "the red robot", red)
    other = score_take(emb, [disc(BLUE)], "the red robot", red)
    assert same.consistency == pytest.approx(1.0, abs=1e-5) and same.scorer == str(scorers[kind])
    assert other.consistency < same.consistency  # random weights still tell red from blue pictures apart


def test_the_scorer_service_loads_each_model_once_and_refuses_what_is_not_clip_or_siglip(scorers, tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_SCORER_MODEL": str(scorers["clip"])})
    services = Services(settings)
    assert services.scorers.get() is services.scorers.get()
    assert services.scorers.loads == 1
    sd = save_tiny_image_models(tmp_path / "img", names=("sd",))["sd"]
    with pytest.raises(KeyframeError, match="the scoring model folder .sd. is not a saved CLIP or SigLIP model"):
        services.scorers.get(str(sd))


# -- takes, keyframe candidates and retakes on real renders --------------------------------------------------------

def _project(tmp_path: Path, services: Services, shots: int = 4) -> tuple[Project, Path]:
    root = tmp_path / "project"
    root.mkdir()
    bible = Bible(characters=(BibleEntry(name="Mia", description="a girl in a red coat"),))
    project = Project(storyboard=Storyboard(bible=bible, shots=tuple(
        Shot(id=f"s{i}", visual_prompt=f"Mia in the red city, shot {i}", duration_ms=1000, seed=10 * i)
        for i in range(1, shots + 1))))
    disc(RED).save(tmp_path / "mia.png")
    return set_reference(project, root, "Mia", tmp_path / "mia.png", services.settings), root


def test_n_takes_are_scored_the_best_is_chosen_and_the_user_can_override(tmp_path, services):
    project, root = _project(tmp_path, services, shots=1)
    result = render_takes(project, root, "s1", 3, VideoOptions(backend="still"), services)
    shot = result.project.shots[0]
    assert len(shot.candidates) == 3 and all(c.score is not None for c in shot.candidates)
    combined = [c.score.combined for c in shot.candidates]
    assert result.chosen == combined.index(max(combined))
    assert shot.media == shot.candidates[result.chosen].media
    frames = take_frames(root / shot.media, services.settings)
    expected = score_take(ColourEmbedder(), frames, shot.visual_prompt,
                          ColourEmbedder().embed_images([disc(RED)]))
    assert shot.candidates[result.chosen].score.consistency == pytest.approx(expected.consistency, abs=1e-6)
    other = (result.chosen + 1) % 3
    overridden = choose_variation(result.project, "s1", other).shots[0]
    assert overridden.media == shot.candidates[other].media
    assert overridden.candidates[result.chosen].score == shot.candidates[result.chosen].score  # scores kept


def test_too_many_takes_are_refused_before_anything_renders(tmp_path, services):
    project, root = _project(tmp_path, services, shots=1)
    with pytest.raises(LimitError, match="ask for 1 to 8 takes of a shot, not 20"):
        render_takes(project, root, "s1", 20, VideoOptions(backend="still"), services)
    assert not (root / "shots").exists()


def _scored(shot: Shot, likeness: float) -> Shot:
    render = ShotRender(backend="still", cache_key="0" * 32, width=8, height=8)
    candidate = ShotCandidate(media=f"shots/{shot.id}.png", seed=shot.seed, render=render,
                              score=TakeScore(consistency=likeness, consistency_min=likeness, adherence=0.1))
    return shot.model_copy(update={"candidates": (candidate,), "media": candidate.media,
                                    "source": ShotSource.TEXT})


def test_retake_renders_only_the_flagged_shot_and_never_keeps_a_worse_take(tmp_path, services):
    project, root = _project(tmp_path, services)
    likeness = {"s1": 0.95, "s2": 0.96, "s3": 0.30, "s4": 0.94}
    project = project.with_shots([_scored(s, likeness[s.id]) for s in project.shots])
    assert [d.shot_id for d in drift(project)] == ["s3"]
    result = retake_flagged(project, root, 2, VideoOptions(backend="still"), services)
    assert result.flagged == ("s3",)
    for before, after in zip(project.shots, result.project.shots, strict=True):
        if before.id != "s3":
            assert after == before  # not rendered, not touched
    s3 = result.project.shots[2]
    assert {c.seed for c in s3.candidates} >= {31, 32}  # seeds not tried before
    chosen = next(c for c in s3.candidates if c.media == s3.media)
    assert chosen.score.consistency >= 0.30


def test_keyframe_candidates_are_ranked_and_the_best_becomes_the_source(tmp_path, services):
    sd = save_tiny_image_models(tmp_path / "img", names=("sd",))["sd"]
    project, root = _project(tmp_path, services, shots=1)
    made = make_keyframes(project, root, ImageOptions(model=str(sd), width=64, height=112, steps=1), services,
                          candidates=3)
    outcome = made.outcomes[0]
    combined = [c.score.combined for c in outcome.candidates]
    assert outcome.chosen == combined.index(max(combined))
    assert made.project.shots[0].source_media == outcome.candidates[outcome.chosen].media
    assert len({c.seed for c in outcome.candidates}) == 3
    assert all((root / c.media).is_file() for c in outcome.candidates)
    assert Image.open(root / outcome.media).size == (64, 112)
