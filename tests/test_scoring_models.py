"""Better take scorers: DINOv2 likeness (a tiny random ``Dinov2Model`` saved and loaded through the product's loader),
a learned judge of prompt adherence (VQAScore on a tiny random vision-language model: the probability of the "Yes"
token, checked against a forward pass written out here), ranking when the judge and the likeness disagree (known
answers), which models scored a take, and the refusals."""

from __future__ import annotations

import json
import math
from pathlib import Path

import numpy as np
import pytest

torch = pytest.importorskip("torch")
torch.set_num_threads(1)

from PIL import Image  # noqa: E402

from pipelines.keyframes import render_takes, set_reference  # noqa: E402
from pipelines.scoring import (  # noqa: E402
    VQA_QUESTION,
    ImageEmbedder,
    TakeScorer,
    VQAScoreJudge,
    load_likeness,
    rank_takes,
    score_take,
)
from pipelines.services import Services  # noqa: E402
from pipelines.video.contract import VideoOptions  # noqa: E402
from studio.errors import KeyframeError  # noqa: E402
from studio.project.model import Bible, BibleEntry, Project, Shot, Storyboard, TakeScore  # noqa: E402
from studio.settings import Settings  # noqa: E402
from tests.helpers.tiny_image import disc  # noqa: E402
from tests.helpers.tiny_llm import _bpe_vocab  # noqa: E402

RED, BLUE, GREEN = (220, 30, 30), (30, 60, 220), (30, 180, 60)

# A ChatML template that places a picture where the content list has one (as Qwen2-VL's and LLaVA-OneVision's do).
VLM_TEMPLATE = (
    "{%- for message in messages %}{{ '<|im_start|>' + message['role'] + '\\n' }}"
    "{%- if message['content'] is string %}{{ message['content'] }}"
    "{%- else %}{%- for part in message['content'] %}"
    "{%- if part['type'] == 'image' %}{{ '<image>\\n' }}"
    "{%- elif part['type'] == 'text' %}{{ part['text'] }}{%- endif %}{%- endfor %}{%- endif %}"
    "{{ '<|im_end|>\\n' }}{%- endfor %}{%- if add_generation_prompt %}{{ '<|im_start|>assistant\\n' }}{%- endif %}")


def _vlm_tokenizer(image_token: str):
    """A byte-level BPE Qwen2 tokenizer (built in memory) in which "Yes" and "No" are single tokens, as in Qwen's."""
    from transformers import Qwen2Tokenizer

    vocab, merges = _bpe_vocab()
    for word in ("Yes", "No"):
        current = word[0]
        for ch in word[1:]:
            if current + ch not in vocab:
                vocab[current + ch] = len(vocab)
                merges.append((current, ch))
            current += ch
    for token in ("<|endoftext|>", "<|im_start|>", "<|im_end|>", image_token):
        vocab[token] = len(vocab)
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>", bos_token=None)
    tokenizer.add_special_tokens({"additional_special_tokens": [image_token]})
    return tokenizer


def save_tiny_llava(folder: Path) -> Path:
    """A random ``LlavaForConditionalGeneration`` (CLIP vision tower, Qwen2 language model) and its ``LlavaProcessor``:
    an image-text-to-text model whose processor needs no torchvision (Qwen2-VL's video processor does)."""
    from transformers import (
        CLIPImageProcessor,
        CLIPVisionConfig,
        LlavaConfig,
        LlavaForConditionalGeneration,
        LlavaProcessor,
        Qwen2Config,
    )

    tokenizer = _vlm_tokenizer("<image>")
    config = LlavaConfig(
        vision_config=CLIPVisionConfig(image_size=32, patch_size=8, hidden_size=32, intermediate_size=37,
                                       num_hidden_layers=2, num_attention_heads=4),
        text_config=Qwen2Config(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                                num_attention_heads=4, num_key_value_heads=2, max_position_embeddings=4096),
        image_token_id=tokenizer.convert_tokens_to_ids("<image>"), vision_feature_layer=-1,
        vision_feature_select_strategy="default")
    torch.manual_seed(0)
    LlavaForConditionalGeneration(config).eval().save_pretrained(folder)
    processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    LlavaProcessor(image_processor=processor, tokenizer=tokenizer, patch_size=8, num_additional_image_tokens=1,
                   vision_feature_select_strategy="default", chat_template=VLM_TEMPLATE,
                   image_token="<image>").save_pretrained(folder)
    return Path(folder)


def save_tiny_qwen2_vl_parts(folder: Path) -> Path:
    """A random ``Qwen2VLForConditionalGeneration`` with its image processor, tokenizer and processor config written
    part by part (``Qwen2VLProcessor`` itself cannot be built without torchvision, for its video processor)."""
    from transformers import Qwen2VLConfig, Qwen2VLForConditionalGeneration, Qwen2VLImageProcessor

    tokenizer = _vlm_tokenizer("<|image_pad|>")
    for token in ("<|vision_start|>", "<|vision_end|>", "<|video_pad|>"):
        tokenizer.add_special_tokens({"additional_special_tokens": [token]})
    ids = tokenizer.convert_tokens_to_ids
    config = Qwen2VLConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=64, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=1, max_position_embeddings=4096,
                         rope_parameters={"rope_type": "default", "mrope_section": [2, 3, 3], "rope_theta": 1e4}),
        vision_config=dict(depth=1, embed_dim=32, hidden_size=32, num_heads=2, mlp_ratio=2, patch_size=14,
                           spatial_merge_size=2, temporal_patch_size=2),
        image_token_id=ids("<|image_pad|>"), video_token_id=ids("<|video_pad|>"),
        vision_start_token_id=ids("<|vision_start|>"), vision_end_token_id=ids("<|vision_end|>"))
    torch.manual_seed(0)
    Qwen2VLForConditionalGeneration(config).eval().save_pretrained(folder)
    Qwen2VLImageProcessor(min_pixels=28 * 28 * 4, max_pixels=56 * 56 * 4).save_pretrained(folder)
    tokenizer.save_pretrained(folder)
    (Path(folder) / "processor_config.json").write_text(json.dumps({"processor_class": "Qwen2VLProcessor"}))
    return Path(folder)


def save_tiny_dinov2(folder: Path) -> Path:
    """A random ``Dinov2Model`` (``facebook/dinov2-small`` layout, 32 px pictures) and its image processor."""
    from transformers import BitImageProcessor, Dinov2Config, Dinov2Model

    torch.manual_seed(0)
    Dinov2Model(Dinov2Config(hidden_size=32, num_hidden_layers=2, num_attention_heads=4, mlp_ratio=2, image_size=32,
                             patch_size=8)).eval().save_pretrained(folder)
    BitImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32}, do_center_crop=True,
                      image_mean=[0.485, 0.456, 0.406], image_std=[0.229, 0.224, 0.225]).save_pretrained(folder)
    return Path(folder)


@pytest.fixture(scope="module")
def models(tmp_path_factory) -> dict[str, Path]:
    root = tmp_path_factory.mktemp("scoring-models")
    return {"dino": save_tiny_dinov2(root / "dino"), "vlm": save_tiny_llava(root / "vlm")}


# -- DINOv2 likeness -------------------------------------------------------------------------------------------

def test_dinov2_embeds_the_cls_token_after_the_final_layernorm_unit_length(models):
    from transformers import AutoImageProcessor, Dinov2Model

    emb = load_likeness(str(models["dino"]))
    assert isinstance(emb, ImageEmbedder) and emb.kind == "dinov2"
    pictures = [disc(RED), disc(BLUE)]
    feats = emb.embed_images(pictures)
    assert feats.shape == (2, 32) and np.allclose(np.linalg.norm(feats, axis=1), 1.0, atol=1e-6)
    model = Dinov2Model.from_pretrained(models["dino"]).eval()  # the same thing written out
    pixels = AutoImageProcessor.from_pretrained(models["dino"])(images=pictures, return_tensors="pt")["pixel_values"]
    with torch.inference_mode():
        hidden = model(pixel_values=pixels).last_hidden_state  # already through the final layernorm
    cls = torch.nn.functional.normalize(hidden[:, 0], dim=-1).numpy()
    assert np.allclose(feats, cls, atol=1e-5)


def test_dinov2_likeness_scores_an_identical_picture_one_and_records_which_models_scored(models):
    emb = load_likeness(str(models["dino"]))
    reference = emb.embed_images([disc(RED)])
    same = score_take(_Colours(), [disc(RED), disc(RED)], "the red robot", reference, likeness=emb)
    other = score_take(_Colours(), [disc(BLUE)], "the red robot", reference, likeness=emb)
    assert same.consistency == pytest.approx(1.0, abs=1e-5)
    assert other.consistency < same.consistency
    assert (same.scorer, same.likeness_model, same.judge) == ("colour-stub", str(models["dino"]), "")


def test_a_take_score_saved_before_these_fields_still_loads_as_scored_by_its_scorer():
    old = TakeScore.model_validate({"consistency": 0.8, "consistency_min": 0.7, "adherence": 0.3, "combined": 1.2,
                                    "scorer": "openai/clip-vit-base-patch32"})
    assert (old.likeness_model, old.judge) == ("", "")


def test_the_consistency_model_loads_once_and_a_folder_of_another_kind_is_refused(models, tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_SCORER_MODEL": "stub/colour",
                                  "STUDIO_CONSISTENCY_MODEL": str(models["dino"])})
    services = Services(settings)
    services.scorers._loaded["stub/colour"] = _Colours()
    first, second = services.scorers.for_takes(), services.scorers.for_takes()
    assert first.likeness is second.likeness and isinstance(first.likeness, ImageEmbedder)
    assert first.adherence.name == "colour-stub" and first.judge is None and services.scorers.loads == 1
    with pytest.raises(KeyframeError, match=r"^the consistency model 'vlm' is a llava; name a DINOv2, CLIP or SigLIP"):
        load_likeness(str(models["vlm"]))  # a folder is named by its name only: no server path in the sentence
    (tmp_path / "odd").mkdir()
    (tmp_path / "odd" / "config.json").write_text(json.dumps({"model_type": "no-such-model"}))
    with pytest.raises(KeyframeError, match="^the consistency model folder 'odd' is not a saved DINOv2, CLIP or "
                                            "SigLIP model$"):
        load_likeness(str(tmp_path / "odd"))


# -- ranking when the judge and the likeness disagree (known answers) ---------------------------------------------

class _Colours:
    """Known answers: a picture is its mean colour, a text the sum of its colour words (a stand-in CLIP)."""

    name = "colour-stub"
    words = {"red": (1, 0, 0), "green": (0, 1, 0), "blue": (0, 0, 1)}

    def embed_images(self, images):
        rows = [np.append(np.asarray(i.convert("RGB"), dtype=np.float32).reshape(-1, 3).mean(0) / 255, 0.05)
                for i in images]
        return np.stack([r / np.linalg.norm(r) for r in rows])

    def embed_texts(self, texts):
        rows = [np.array([*np.sum([self.words[w] for w in t.lower().split() if w in self.words] or [(0, 0, 0)], 0),
                          0.05]) for t in texts]
        return np.stack([r / np.linalg.norm(r) for r in rows])


class _Likeness:
    """Each take's picture has a known cosine to the one reference, ``[1, 0]``."""

    name = "likeness-stub"

    def __init__(self, cosines: dict[tuple[int, int, int], float]):
        self.cosines = cosines

    def embed_images(self, images):
        values = [self.cosines[i.getpixel((i.width // 2, i.height // 2))] for i in images]
        return np.array([[c, math.sqrt(1 - c * c)] for c in values])


class _Judge:
    """A judge whose probability of "yes" for each take's picture is known."""

    name = "judge-stub"

    def __init__(self, yes: dict[tuple[int, int, int], float]):
        self.yes = yes

    def judge(self, images, prompt):
        return float(np.mean([self.yes[i.getpixel((i.width // 2, i.height // 2))] for i in images]))


def test_the_judge_measures_adherence_and_ranks_with_the_likeness_but_never_vetoes():
    takes = [disc(RED), disc(GREEN), disc(BLUE)]
    likeness = _Likeness({RED: 0.2, GREEN: 0.95, BLUE: 0.9})
    judge = _Judge({RED: 0.9, GREEN: 0.0, BLUE: 0.5})  # the judge says "no" to the most alike take
    scorer = TakeScorer(likeness=likeness, adherence=None, judge=judge)
    reference = np.array([[1.0, 0.0]])
    scores = [scorer([t], "the red robot", reference) for t in takes]
    assert [s.adherence for s in scores] == pytest.approx([0.9, 0.0, 0.5])  # the judge's, not a text cosine
    assert [s.consistency for s in scores] == pytest.approx([0.2, 0.95, 0.9])
    assert all((s.judge, s.likeness_model, s.scorer) == ("judge-stub", "likeness-stub", "") for s in scores)
    ranked, order = rank_takes(scores)
    # the judge alone would pick red, the likeness alone green; their z-scores summed pick blue, and green (which
    # the judge said no to) still ranks above red: a judge ranks, it never vetoes
    assert order == [2, 1, 0]
    assert ranked[1].combined > ranked[0].combined
    # the same takes without a judge: adherence is the stand-in CLIP's cosine to "red", which prefers red
    plain = [score_take(_Colours(), [t], "the red robot", reference, likeness=likeness) for t in takes]
    assert max(range(3), key=lambda i: plain[i].adherence) == 0 and plain[0].judge == ""


# -- the VQAScore judge on a tiny random vision-language model ---------------------------------------------------

def test_vqascore_is_the_probability_of_the_yes_token_after_the_assistant_prefix(models):
    from transformers import AutoModelForImageTextToText, AutoProcessor

    judge = VQAScoreJudge(str(models["vlm"]))
    picture, prompt = disc(RED), "a red robot"
    text = judge.prompt(prompt)
    assert VQA_QUESTION.format(prompt=prompt) in text and text.endswith("<|im_start|>assistant\n")
    # the same thing written out: one forward pass, the last position's softmax, the "Yes" token's entry
    model = AutoModelForImageTextToText.from_pretrained(models["vlm"]).eval()
    processor = AutoProcessor.from_pretrained(models["vlm"])
    yes = processor.tokenizer.convert_tokens_to_ids("Yes")
    assert judge.yes_id == yes
    with torch.inference_mode():
        logits = model(**processor(text=[text], images=[picture], return_tensors="pt")).logits[0, -1]
    expected = torch.softmax(logits.float(), dim=-1)[yes].item()
    got = judge.yes_probability(picture, prompt)
    assert got == pytest.approx(expected, rel=1e-5, abs=1e-9)
    assert judge.yes_probability(picture, prompt) == got  # deterministic: no sampling
    assert 0.0 <= got <= 1.0
    frames = [disc(RED), disc(BLUE), disc(GREEN)]
    per_frame = [judge.yes_probability(f, prompt) for f in frames]
    assert judge.judge(frames, prompt) == pytest.approx(sum(per_frame) / 3, rel=1e-9)
    assert len(set(per_frame)) > 1  # the picture reaches the answer


def test_a_configured_judge_scores_takes_and_the_scorer_model_is_not_loaded(models, tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path), "STUDIO_SCORER_MODEL": "nobody/absent-clip",
                                  "STUDIO_CONSISTENCY_MODEL": str(models["dino"]),
                                  "STUDIO_REWARD_MODEL": str(models["vlm"])})
    services = Services(settings)
    scorer = services.scorers.for_takes()
    assert isinstance(scorer.judge, VQAScoreJudge) and scorer.adherence is None
    assert services.scorers.for_takes().judge is scorer.judge and services.scorers.loads == 2
    reference = scorer.references([disc(RED)])
    score = scorer([disc(RED), disc(BLUE)], "a red robot", reference)
    assert 0.0 <= score.adherence <= 1.0
    assert (score.judge, score.likeness_model, score.scorer) == (str(models["vlm"]), str(models["dino"]), "")


def test_a_judge_that_is_not_a_vision_language_model_is_refused_in_one_sentence(models, tmp_path):
    with pytest.raises(KeyframeError, match=r"^the judge folder 'dino' is not a saved vision-language model "
                                            r"\(image-text-to-text, e.g. Qwen2.5-VL\)$"):
        VQAScoreJudge(str(models["dino"]))


@pytest.mark.skipif(__import__("importlib.util").util.find_spec("torchvision") is not None,
                    reason="torchvision is installed: Qwen2-VL's processor loads")
def test_a_qwen2_vl_judge_without_torchvision_is_refused_in_one_sentence(tmp_path):
    folder = save_tiny_qwen2_vl_parts(tmp_path / "qwen2vl")
    with pytest.raises(KeyframeError, match="^the judge model qwen2vl needs torchvision on this machine; install it, "
                                            "or unset STUDIO_REWARD_MODEL$"):
        VQAScoreJudge(str(folder))


# -- takes of a shot, end to end -----------------------------------------------------------------------------------

def test_takes_rendered_and_scored_record_the_dinov2_likeness_model(models, tmp_path):
    settings = Settings.from_env({"STUDIO_DATA_DIR": str(tmp_path / "data"), "STUDIO_SCORER_MODEL": "stub/colour",
                                  "STUDIO_CONSISTENCY_MODEL": str(models["dino"])})
    services = Services(settings)
    services.scorers._loaded["stub/colour"] = _Colours()
    root = tmp_path / "project"
    root.mkdir()
    disc(RED).save(tmp_path / "mia.png")
    bible = Bible(characters=(BibleEntry(name="Mia", description="a robot"),))
    project = Project(storyboard=Storyboard(bible=bible, shots=(
        Shot(id="s1", visual_prompt="Mia in the red city", duration_ms=1000, seed=3),)))
    project = set_reference(project, root, "Mia", tmp_path / "mia.png", settings)
    result = render_takes(project, root, "s1", 2, VideoOptions(backend="still"), services)
    shot = result.project.shots[0]
    assert all(c.score.likeness_model == str(models["dino"]) and c.score.scorer == "colour-stub"
               for c in shot.candidates)
    assert all(-1.0 <= c.score.consistency <= 1.0 for c in shot.candidates)
    assert isinstance(Image.open(root / shot.media), Image.Image)
