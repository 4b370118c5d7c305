"""Tiny random-weight text-to-image pipelines, a tiny IP-Adapter, a tiny TAESD and tiny CLIP/SigLIP2 scorers, built
offline and saved like hub snapshots (``save_pretrained``), for the keyframe tests and bench.

The components are the real diffusers/transformers classes in the layouts of the real checkpoints (SD-Turbo,
SDXL-Turbo, FLUX.1, FLUX.2 [klein], ``h94/IP-Adapter``, ``madebyollin/taesd``, ``openai/clip-vit-base-patch32``,
``google/siglip2-base-patch16-224``) with the small sizes diffusers' own fast tests use
(``../shared/recipes/keyframes/tiny_image_pipelines.py``). Tokenizers are built from in-memory vocabularies.
Random weights: the pictures are noise; the wiring (loading, shapes, seeds, what reaches the denoiser) is real.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

_WORD_TEXT = ("a the of and in on with red blue green fox cat dog city night day snow sea forest sky man woman walks "
              "runs robot girl boy street camera close up wide shot light dark style cinematic portrait sheet")
WORDS = _WORD_TEXT.split()


def clip_tokenizer():
    """A CLIPTokenizer from an in-memory vocabulary; 77 positions like every real CLIP text encoder."""
    from transformers import CLIPTokenizer

    vocab = {"<|startoftext|>": 0, "<|endoftext|>": 1}
    for c in "abcdefghijklmnopqrstuvwxyz0123456789.,!?'-:":
        vocab.setdefault(c, len(vocab))
        vocab.setdefault(c + "</w>", len(vocab))
    for w in WORDS:
        vocab.setdefault(w + "</w>", len(vocab))
    return CLIPTokenizer(vocab=vocab, merges=[], unk_token="<|endoftext|>", model_max_length=77)


def _clip_text_config(vocab_size: int, hidden: int = 32, projection_dim: int = 32):
    from transformers import CLIPTextConfig

    return CLIPTextConfig(bos_token_id=0, eos_token_id=1, pad_token_id=1, hidden_size=hidden, intermediate_size=37,
                          layer_norm_eps=1e-05, num_attention_heads=4, num_hidden_layers=2, vocab_size=vocab_size,
                          hidden_act="gelu", projection_dim=projection_dim, max_position_embeddings=77)


def sd_pipeline():
    """``StableDiffusionPipeline`` in the stabilityai/sd-turbo layout (Euler, trailing spacing, no safety checker)."""
    import torch
    from diffusers import AutoencoderKL, EulerDiscreteScheduler, StableDiffusionPipeline, UNet2DConditionModel
    from transformers import CLIPTextModel

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(4, 8), layers_per_block=1, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        cross_attention_dim=32, norm_num_groups=2, attention_head_dim=(2, 4), use_linear_projection=True)
    torch.manual_seed(0)
    # four blocks: the 8x latent scale of the real SD VAE, so a keyframe at a real size (504x896) stays cheap
    vae = AutoencoderKL(block_out_channels=[4, 4, 4, 4], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 4, up_block_types=["UpDecoderBlock2D"] * 4,
                        latent_channels=4, norm_num_groups=2, layers_per_block=1)
    tokenizer = clip_tokenizer()
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(_clip_text_config(len(tokenizer))).eval()
    scheduler = EulerDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                       timestep_spacing="trailing", steps_offset=1)
    return StableDiffusionPipeline(unet=unet, vae=vae, text_encoder=text_encoder, tokenizer=tokenizer,
                                   scheduler=scheduler, safety_checker=None, feature_extractor=None,
                                   image_encoder=None, requires_safety_checker=False)


def sdxl_pipeline():
    """``StableDiffusionXLPipeline`` in the stabilityai/sdxl-turbo layout (two CLIP text encoders)."""
    import torch
    from diffusers import (
        AutoencoderKL,
        EulerAncestralDiscreteScheduler,
        StableDiffusionXLPipeline,
        UNet2DConditionModel,
    )
    from transformers import CLIPTextModel, CLIPTextModelWithProjection

    torch.manual_seed(0)
    unet = UNet2DConditionModel(
        block_out_channels=(2, 4), layers_per_block=2, sample_size=32, in_channels=4, out_channels=4,
        down_block_types=("DownBlock2D", "CrossAttnDownBlock2D"), up_block_types=("CrossAttnUpBlock2D", "UpBlock2D"),
        attention_head_dim=(2, 4), use_linear_projection=True, addition_embed_type="text_time",
        addition_time_embed_dim=8, transformer_layers_per_block=(1, 2), projection_class_embeddings_input_dim=80,
        cross_attention_dim=64, norm_num_groups=1)
    torch.manual_seed(0)
    vae = AutoencoderKL(block_out_channels=[8, 16], in_channels=3, out_channels=3,
                        down_block_types=["DownEncoderBlock2D"] * 2, up_block_types=["UpDecoderBlock2D"] * 2,
                        latent_channels=4, norm_num_groups=4, force_upcast=False)
    tokenizer = clip_tokenizer()
    torch.manual_seed(0)
    te1 = CLIPTextModel(_clip_text_config(len(tokenizer))).eval()
    torch.manual_seed(0)
    te2 = CLIPTextModelWithProjection(_clip_text_config(len(tokenizer))).eval()
    scheduler = EulerAncestralDiscreteScheduler(beta_start=0.00085, beta_end=0.012, beta_schedule="scaled_linear",
                                                timestep_spacing="trailing", steps_offset=1)
    return StableDiffusionXLPipeline(unet=unet, vae=vae, text_encoder=te1, tokenizer=tokenizer, text_encoder_2=te2,
                                     tokenizer_2=clip_tokenizer(), scheduler=scheduler, image_encoder=None,
                                     feature_extractor=None)


def flux_pipeline():
    """``FluxPipeline`` (FLUX.1 layout: CLIP-L + T5 text encoders, MMDiT transformer, 16-channel VAE stand-in)."""
    import torch
    from diffusers import AutoencoderKL, FlowMatchEulerDiscreteScheduler, FluxPipeline, FluxTransformer2DModel
    from transformers import CLIPTextModel

    from tests.helpers.tiny_video import _text_stack

    torch.manual_seed(0)
    transformer = FluxTransformer2DModel(patch_size=1, in_channels=4, num_layers=1, num_single_layers=1,
                                         attention_head_dim=16, num_attention_heads=2, joint_attention_dim=32,
                                         pooled_projection_dim=32, axes_dims_rope=[4, 4, 8])
    tokenizer = clip_tokenizer()
    torch.manual_seed(0)
    text_encoder = CLIPTextModel(_clip_text_config(len(tokenizer))).eval()
    tokenizer_2, text_encoder_2 = _text_stack(umt5=False)  # d_model 32 == joint_attention_dim
    torch.manual_seed(0)
    vae = AutoencoderKL(sample_size=32, in_channels=3, out_channels=3, block_out_channels=(4,), layers_per_block=1,
                        latent_channels=1, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False,
                        shift_factor=0.0609, scaling_factor=1.5035)
    return FluxPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=text_encoder,
                        text_encoder_2=text_encoder_2, tokenizer=tokenizer, tokenizer_2=tokenizer_2,
                        transformer=transformer, vae=vae, image_encoder=None, feature_extractor=None)


def flux2_klein_pipeline():
    """``Flux2KleinPipeline`` (FLUX.2-klein-4B layout: Qwen3 text encoder with 28 layers, so the default
    ``text_encoder_out_layers=(9, 18, 27)`` works unchanged, a Qwen2 chat tokenizer, the Flux2 transformer)."""
    import torch
    from diffusers import (
        AutoencoderKLFlux2,
        FlowMatchEulerDiscreteScheduler,
        Flux2KleinPipeline,
        Flux2Transformer2DModel,
    )
    from transformers import Qwen2Tokenizer, Qwen3Config, Qwen3ForCausalLM

    from tests.helpers.tiny_llm import CHATML_TEMPLATE, SPECIAL_TOKENS, _bpe_vocab

    vocab, merges = _bpe_vocab()
    for token in SPECIAL_TOKENS:
        vocab[token] = len(vocab)
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>", bos_token=None)
    tokenizer.chat_template = CHATML_TEMPLATE
    hidden = 16
    torch.manual_seed(0)
    text_encoder = Qwen3ForCausalLM(Qwen3Config(
        vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=16, num_hidden_layers=28,
        num_attention_heads=2, num_key_value_heads=2, head_dim=8, max_position_embeddings=512,
        tie_word_embeddings=True, pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"),
        eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>"), bos_token_id=None)).eval()
    torch.manual_seed(0)
    transformer = Flux2Transformer2DModel(patch_size=1, in_channels=4, num_layers=1, num_single_layers=1,
                                          attention_head_dim=16, num_attention_heads=2, joint_attention_dim=3 * hidden,
                                          timestep_guidance_channels=256, axes_dims_rope=[4, 4, 4, 4],
                                          guidance_embeds=False)
    torch.manual_seed(0)
    vae = AutoencoderKLFlux2(sample_size=32, in_channels=3, out_channels=3, down_block_types=("DownEncoderBlock2D",),
                             up_block_types=("UpDecoderBlock2D",), block_out_channels=(4,), layers_per_block=1,
                             latent_channels=1, norm_num_groups=1, use_quant_conv=False, use_post_quant_conv=False)
    return Flux2KleinPipeline(scheduler=FlowMatchEulerDiscreteScheduler(), text_encoder=text_encoder,
                              tokenizer=tokenizer, transformer=transformer, vae=vae, is_distilled=True)


QWEN_VISION_TOKENS = ("<|vision_start|>", "<|vision_end|>", "<|image_pad|>", "<|video_pad|>")


def qwen_vl_tokenizer():
    """A Qwen2 byte-level BPE tokenizer with the ChatML and vision tokens of Qwen2.5-VL registered as special tokens,
    so ``<|image_pad|>`` stays one token (Qwen2.5-VL counts them against the picture's features)."""
    from transformers import Qwen2Tokenizer

    from tests.helpers.tiny_llm import SPECIAL_TOKENS, _bpe_vocab

    vocab, merges = _bpe_vocab()
    specials = SPECIAL_TOKENS + QWEN_VISION_TOKENS
    for token in specials:
        vocab[token] = len(vocab)
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>", bos_token=None)
    tokenizer.add_special_tokens({"additional_special_tokens": list(specials)})
    return tokenizer


def _qwen_components():
    """The parts Qwen-Image and Qwen-Image-Edit-Plus share: a Qwen2.5-VL text encoder (text hidden size 16 ==
    the transformer's ``joint_attention_dim``), the MMDiT transformer, and ``AutoencoderKLQwenImage`` in the real
    layout (``dim_mult=[1, 2, 4, 4]``: 8x spatial scale, so sizes stay multiples of 16 as for the real model) with
    2 base channels, since Edit-Plus encodes every reference at about 1024x1024 (the VAE encode is most of a call)."""
    import torch
    from diffusers import AutoencoderKLQwenImage, FlowMatchEulerDiscreteScheduler, QwenImageTransformer2DModel
    from transformers import Qwen2_5_VLConfig, Qwen2_5_VLForConditionalGeneration

    tokenizer = qwen_vl_tokenizer()
    ids = {t: tokenizer.convert_tokens_to_ids(t) for t in QWEN_VISION_TOKENS}
    hidden = 16
    torch.manual_seed(0)
    text_encoder = Qwen2_5_VLForConditionalGeneration(Qwen2_5_VLConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=hidden, intermediate_size=16, num_hidden_layers=2,
                         num_attention_heads=2, num_key_value_heads=2, rope_theta=1000000.0,
                         rope_scaling={"mrope_section": [1, 1, 2], "rope_type": "default", "type": "default"},
                         pad_token_id=tokenizer.convert_tokens_to_ids("<|endoftext|>"), bos_token_id=None,
                         eos_token_id=tokenizer.convert_tokens_to_ids("<|im_end|>")),
        vision_config=dict(depth=2, hidden_size=16, intermediate_size=16, num_heads=2, out_hidden_size=hidden),
        image_token_id=ids["<|image_pad|>"], video_token_id=ids["<|video_pad|>"],
        vision_start_token_id=ids["<|vision_start|>"], vision_end_token_id=ids["<|vision_end|>"])).eval()
    torch.manual_seed(0)
    transformer = QwenImageTransformer2DModel(patch_size=2, in_channels=16, out_channels=4, num_layers=1,
                                              attention_head_dim=16, num_attention_heads=3,
                                              joint_attention_dim=hidden, guidance_embeds=False,
                                              axes_dims_rope=(8, 4, 4))
    torch.manual_seed(0)
    z_dim = 4
    vae = AutoencoderKLQwenImage(base_dim=2, z_dim=z_dim, dim_mult=[1, 2, 4, 4], num_res_blocks=1,
                                 temperal_downsample=[False, True, True], latents_mean=[0.0] * z_dim,
                                 latents_std=[1.0] * z_dim)
    return dict(scheduler=FlowMatchEulerDiscreteScheduler(), vae=vae, text_encoder=text_encoder,
                tokenizer=tokenizer, transformer=transformer)


def qwen_image_pipeline():
    """``QwenImagePipeline`` (Qwen/Qwen-Image layout: Qwen2.5-VL text encoder + Qwen2 tokenizer, MMDiT, Qwen VAE)."""
    from diffusers import QwenImagePipeline

    return QwenImagePipeline(**_qwen_components())


def qwen_vl_processor(tokenizer, image_processor=None):
    """The real ``Qwen2VLProcessor`` around ``tokenizer`` and the PIL image processor (patch 14, merge 2, as saved
    with Qwen/Qwen-Image-Edit-2509).

    transformers 5.23 builds this processor only with torchvision: its constructor checks every part against
    ``VideoProcessorMixin``, which the top-level package exports only when torchvision imports (a missing video
    processor fails that check too), and ``from_pretrained`` always loads ``Qwen2VLVideoProcessor``, which requires
    torchvision. The PyPI torchvision wheel links the CUDA build of torch, so on a CPU-only torch it does not import.
    Without it, the processor is made here without running that one class check; every call it serves (text +
    images) is the class's own code, and the edit pipeline never sends it a video."""
    from transformers import Qwen2VLImageProcessorPil, Qwen2VLProcessor

    image_processor = image_processor or Qwen2VLImageProcessorPil()
    if torchvision_usable():
        from transformers import Qwen2VLVideoProcessor

        return Qwen2VLProcessor(image_processor=image_processor, tokenizer=tokenizer,
                                video_processor=Qwen2VLVideoProcessor())
    processor = Qwen2VLProcessor.__new__(Qwen2VLProcessor)
    original = Qwen2VLProcessor.check_argument_for_proper_class

    def check(self, name, value):
        return None if name == "video_processor" and value is None else original(self, name, value)

    Qwen2VLProcessor.check_argument_for_proper_class = check
    try:
        processor.__init__(image_processor=image_processor, tokenizer=tokenizer, video_processor=None)
    finally:
        Qwen2VLProcessor.check_argument_for_proper_class = original
    return processor


def torchvision_usable() -> bool:
    try:
        import torchvision  # noqa: F401
    except Exception:  # noqa: BLE001 -- absent, or a CUDA build against a CPU torch (RuntimeError at import)
        return False
    return True


def qwen_image_edit_plus_pipeline():
    """``QwenImageEditPlusPipeline`` (Qwen/Qwen-Image-Edit-2509 layout): the Qwen-Image parts plus the
    ``Qwen2VLProcessor`` that feeds the reference pictures (at 384x384 area) to the text encoder's vision tower."""
    from diffusers import QwenImageEditPlusPipeline

    parts = _qwen_components()
    return QwenImageEditPlusPipeline(processor=qwen_vl_processor(parts["tokenizer"]), **parts)


BUILDERS = {"sd": sd_pipeline, "sdxl": sdxl_pipeline, "flux": flux_pipeline, "flux2_klein": flux2_klein_pipeline,
            "qwen_image": qwen_image_pipeline}


def save_tiny_qwen_edit_plus(folder: Path) -> Path:
    """``save_pretrained`` of the tiny Edit-Plus pipeline. Without torchvision the processor cannot save itself (it
    saves its video part too), so its tokenizer and image processor are saved into ``processor/`` as the real
    checkpoint has them and ``model_index.json`` names ``Qwen2VLProcessor`` for it."""
    import json

    import torch

    torch.set_num_threads(1)
    folder = Path(folder)
    if (folder / "model_index.json").is_file():
        return folder
    pipe = qwen_image_edit_plus_pipeline()
    if torchvision_usable():
        pipe.save_pretrained(folder)
        return folder
    processor = pipe.processor
    pipe.register_modules(processor=None)
    pipe.save_pretrained(folder)
    processor.tokenizer.save_pretrained(folder / "processor")
    processor.image_processor.save_pretrained(folder / "processor")
    (folder / "processor" / "processor_config.json").write_text(json.dumps({"processor_class": "Qwen2VLProcessor"}))
    index = json.loads((folder / "model_index.json").read_text())
    index["processor"] = ["transformers", "Qwen2VLProcessor"]
    (folder / "model_index.json").write_text(json.dumps(index, indent=2))
    return folder


def load_qwen_vl_processor(folder):
    """What ``Qwen2VLProcessor.from_pretrained(folder)`` returns where torchvision imports: the saved tokenizer and
    image processor in the real processor class (see ``qwen_vl_processor`` for why it is built here otherwise)."""
    from transformers import AutoTokenizer, Qwen2VLImageProcessorPil

    return qwen_vl_processor(AutoTokenizer.from_pretrained(folder), Qwen2VLImageProcessorPil.from_pretrained(folder))


# what the keyframe tests share; qwen_image (a Qwen2.5-VL text encoder, seconds to build) only where it is named
DEFAULT_NAMES = ("sd", "sdxl", "flux", "flux2_klein")


def save_tiny_image_models(root: Path, names=DEFAULT_NAMES) -> dict[str, Path]:
    """Build and ``save_pretrained`` each named pipeline under ``root``; the folders, by name."""
    import torch

    torch.set_num_threads(1)
    out = {}
    for name in names:
        folder = Path(root) / name
        if not (folder / "model_index.json").is_file():
            BUILDERS[name]().save_pretrained(folder)
        out[name] = folder
    return out


def save_tiny_taesd(folder: Path, downscale_blocks: int = 4) -> Path:
    """An ``AutoencoderTiny`` (the TAESD layout) whose 2**(blocks-1) scale matches the tiny SD VAE's (8x)."""
    import torch
    from diffusers import AutoencoderTiny

    torch.manual_seed(0)
    AutoencoderTiny(in_channels=3, out_channels=3, encoder_block_out_channels=(8,) * downscale_blocks,
                    decoder_block_out_channels=(8,) * downscale_blocks, latent_channels=4,
                    num_encoder_blocks=(1,) * downscale_blocks,
                    num_decoder_blocks=(1,) * downscale_blocks).eval().save_pretrained(folder)
    return Path(folder)


def _tiny_clip_vision(projection_dim: int = 32):
    import torch
    from transformers import CLIPVisionConfig, CLIPVisionModelWithProjection

    torch.manual_seed(0)
    return CLIPVisionModelWithProjection(CLIPVisionConfig(
        hidden_size=32, projection_dim=projection_dim, num_hidden_layers=2, num_attention_heads=2, image_size=32,
        patch_size=8, intermediate_size=37)).eval()


def save_tiny_sd_ip_adapter(unet, root: Path, projection_dim: int = 32, seed: int = 1) -> Path:
    """A folder shaped like ``h94/IP-Adapter`` for ``unet``: ``models/ip-adapter_sd15.safetensors`` (keys
    ``image_proj.*`` and ``ip_adapter.{1,3,5..}.to_{k,v}_ip.weight``, numbered as diffusers' loader numbers the
    cross-attention slots) and ``models/image_encoder`` (``CLIPVisionModelWithProjection``)."""
    import torch
    from diffusers.models.attention_processor import IPAdapterAttnProcessor2_0
    from diffusers.models.embeddings import ImageProjection
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    flat, key_id = {}, 1
    for name in unet.attn_processors:
        if name.endswith("attn1.processor"):
            continue
        if name.startswith("mid_block"):
            hidden = unet.config.block_out_channels[-1]
        elif name.startswith("up_blocks"):
            hidden = list(reversed(unet.config.block_out_channels))[int(name[len("up_blocks.")])]
        else:
            hidden = unet.config.block_out_channels[int(name[len("down_blocks.")])]
        sd = IPAdapterAttnProcessor2_0(hidden_size=hidden, cross_attention_dim=unet.config.cross_attention_dim,
                                       scale=1.0).state_dict()
        flat[f"ip_adapter.{key_id}.to_k_ip.weight"] = sd["to_k_ip.0.weight"].contiguous()
        flat[f"ip_adapter.{key_id}.to_v_ip.weight"] = sd["to_v_ip.0.weight"].contiguous()
        key_id += 2
    proj = ImageProjection(cross_attention_dim=unet.config.cross_attention_dim, image_embed_dim=projection_dim,
                           num_image_text_embeds=4).state_dict()
    flat.update({"image_proj.proj.weight": proj["image_embeds.weight"],
                 "image_proj.proj.bias": proj["image_embeds.bias"],
                 "image_proj.norm.weight": proj["norm.weight"], "image_proj.norm.bias": proj["norm.bias"]})
    (Path(root) / "models").mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in flat.items()}, str(Path(root) / "models" / "ip-adapter_sd15.safetensors"))
    _tiny_clip_vision(projection_dim).save_pretrained(Path(root) / "models" / "image_encoder")
    return Path(root)


def save_tiny_flux_ip_adapter(transformer, root: Path, projection_dim: int = 32, seed: int = 1) -> Path:
    """``root/ip_adapter.safetensors`` in the ``XLabs-AI/flux-ip-adapter`` key layout (``ip_adapter_proj_model.*``,
    ``double_blocks.N.processor.ip_adapter_double_stream_{k,v}_proj.*``) and ``root/image_encoder``."""
    import torch
    from diffusers.models.embeddings import ImageProjection
    from diffusers.models.transformers.transformer_flux import FluxIPAdapterAttnProcessor
    from safetensors.torch import save_file

    torch.manual_seed(seed)
    cfg = transformer.config
    hidden = cfg.num_attention_heads * cfg.attention_head_dim
    flat = {}
    for i in range(cfg.num_layers):
        sd = FluxIPAdapterAttnProcessor(hidden_size=hidden, cross_attention_dim=cfg.joint_attention_dim,
                                        scale=1.0).state_dict()
        for kv in ("k", "v"):
            for wb in ("weight", "bias"):
                flat[f"double_blocks.{i}.processor.ip_adapter_double_stream_{kv}_proj.{wb}"] = sd[f"to_{kv}_ip.0.{wb}"]
    proj = ImageProjection(cross_attention_dim=cfg.joint_attention_dim, image_embed_dim=projection_dim,
                           num_image_text_embeds=4).state_dict()
    flat.update({"ip_adapter_proj_model.proj.weight": proj["image_embeds.weight"],
                 "ip_adapter_proj_model.proj.bias": proj["image_embeds.bias"],
                 "ip_adapter_proj_model.norm.weight": proj["norm.weight"],
                 "ip_adapter_proj_model.norm.bias": proj["norm.bias"]})
    Path(root).mkdir(parents=True, exist_ok=True)
    save_file({k: v.contiguous() for k, v in flat.items()}, str(Path(root) / "ip_adapter.safetensors"))
    _tiny_clip_vision(projection_dim).save_pretrained(Path(root) / "image_encoder")
    return Path(root)


def save_tiny_clip(folder: Path) -> Path:
    """A random ``CLIPModel`` with its processor (``openai/clip-vit-base-patch32`` layout, 32 px images)."""
    import torch
    from transformers import CLIPConfig, CLIPImageProcessor, CLIPModel, CLIPProcessor

    tokenizer = clip_tokenizer()
    config = CLIPConfig(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=4, bos_token_id=0, eos_token_id=1, pad_token_id=1,
                         max_position_embeddings=77),
        vision_config=dict(image_size=32, patch_size=8, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                           num_attention_heads=4),
        projection_dim=16)
    torch.manual_seed(0)
    CLIPModel(config).eval().save_pretrained(folder)
    processor = CLIPImageProcessor(size={"shortest_edge": 32}, crop_size={"height": 32, "width": 32})
    CLIPProcessor(image_processor=processor, tokenizer=tokenizer).save_pretrained(folder)
    return Path(folder)


def save_tiny_siglip2(folder: Path) -> Path:
    """A random ``Siglip2Model`` with its processor (``google/siglip2-base-patch16-224`` layout; patch 16 and 256
    patches, because ``Siglip2Processor`` passes those at call time whatever the image processor was saved with)."""
    import torch
    from transformers import Siglip2Config, Siglip2ImageProcessor, Siglip2Model, Siglip2Processor, Siglip2Tokenizer

    vocab = {"<pad>": 0, "<eos>": 1, "<bos>": 2, "<unk>": 3, "<mask>": 4}
    for b in range(256):  # byte_fallback: every byte is a token
        vocab[f"<0x{b:02X}>"] = len(vocab)
    for w in ["\u2581"] + ["\u2581" + w for w in WORDS] + list("abcdefghijklmnopqrstuvwxyz0123456789.,!?'-:"):
        vocab.setdefault(w, len(vocab))
    tokenizer = Siglip2Tokenizer(vocab=vocab, merges=[], model_max_length=64)
    config = Siglip2Config(
        text_config=dict(vocab_size=len(tokenizer), hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                         num_attention_heads=4, max_position_embeddings=64, pad_token_id=0, eos_token_id=1,
                         bos_token_id=2),
        vision_config=dict(patch_size=16, num_patches=256, hidden_size=32, intermediate_size=37, num_hidden_layers=2,
                           num_attention_heads=4))
    torch.manual_seed(0)
    Siglip2Model(config).eval().save_pretrained(folder)
    Siglip2Processor(image_processor=Siglip2ImageProcessor(), tokenizer=tokenizer).save_pretrained(folder)
    return Path(folder)


def disc(color: tuple[int, int, int], size: tuple[int, int] = (96, 160), background=(128, 128, 128)):
    """A coloured disc on grey: a stand-in character whose likeness to another picture is known."""
    from PIL import Image, ImageDraw

    image = Image.new("RGB", size, background)
    w, h = size
    ImageDraw.Draw(image).ellipse([w * 0.2, h * 0.3, w * 0.8, h * 0.65], fill=color)
    return image
