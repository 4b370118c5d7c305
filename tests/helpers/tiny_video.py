"""Tiny random-weight LTX and Wan pipelines, built offline and saved like hub snapshots.

The components are the real diffusers/transformers classes with the small configs diffusers' own
fast tests use; the T5/UMT5 tokenizer is built from an in-memory vocabulary (no sentencepiece, no
hub). Tests save them with ``save_pretrained`` and load them back through the product's loader.
"""

from __future__ import annotations

import os
from pathlib import Path

os.environ.setdefault("HF_HUB_OFFLINE", "1")

_TEXT = ("a the of and in on with red blue green fox cat dog city night day snow sea forest sky man woman "
         "walks runs flies camera close up wide shot light dark then style cinematic")
_WORDS = _TEXT.split()
_CHARS = list("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.,!?'\"-:;()")


def _text_stack(umt5: bool):
    import torch
    from transformers import T5Config, T5EncoderModel, T5Tokenizer, UMT5Config, UMT5EncoderModel

    vocab = [("<pad>", 0.0), ("</s>", 0.0), ("<unk>", 0.0), ("\u2581", -2.0)]
    vocab += [("\u2581" + w, -3.0) for w in _WORDS] + [(c, -5.0) for c in _CHARS]
    vocab += [("\u2581" + c, -5.5) for c in _CHARS]
    tokenizer = T5Tokenizer(vocab=vocab, extra_ids=0)
    kw = dict(d_ff=37, d_kv=8, d_model=32, num_heads=4, num_layers=2, num_decoder_layers=2,
              relative_attention_num_buckets=8, vocab_size=len(tokenizer), pad_token_id=0, eos_token_id=1,
              decoder_start_token_id=0)
    torch.manual_seed(0)
    encoder = UMT5EncoderModel(UMT5Config(**kw)) if umt5 else T5EncoderModel(T5Config(**kw))
    return tokenizer, encoder.eval()


def ltx_pipeline():
    import torch
    from diffusers import (
        AutoencoderKLLTXVideo,
        FlowMatchEulerDiscreteScheduler,
        LTXPipeline,
        LTXVideoTransformer3DModel,
    )

    torch.manual_seed(0)
    transformer = LTXVideoTransformer3DModel(
        in_channels=8, out_channels=8, patch_size=1, patch_size_t=1, num_attention_heads=4, attention_head_dim=8,
        cross_attention_dim=32, num_layers=1, caption_channels=32)
    torch.manual_seed(0)
    vae = AutoencoderKLLTXVideo(
        in_channels=3, out_channels=3, latent_channels=8, block_out_channels=(8, 8, 8, 8),
        decoder_block_out_channels=(8, 8, 8, 8), layers_per_block=(1, 1, 1, 1, 1),
        decoder_layers_per_block=(1, 1, 1, 1, 1), spatio_temporal_scaling=(True, True, False, False),
        decoder_spatio_temporal_scaling=(True, True, False, False), decoder_inject_noise=(False,) * 5,
        upsample_residual=(False,) * 4, upsample_factor=(1, 1, 1, 1), timestep_conditioning=False, patch_size=1,
        patch_size_t=1, encoder_causal=True, decoder_causal=False)
    vae.use_framewise_encoding = False
    vae.use_framewise_decoding = False
    tokenizer, text_encoder = _text_stack(umt5=False)
    return LTXPipeline(transformer=transformer, vae=vae, scheduler=FlowMatchEulerDiscreteScheduler(),
                       text_encoder=text_encoder, tokenizer=tokenizer)


def _wan_vae():
    import torch
    from diffusers import AutoencoderKLWan

    torch.manual_seed(0)
    return AutoencoderKLWan(base_dim=3, z_dim=16, dim_mult=[1, 1, 1, 1], num_res_blocks=1,
                            temperal_downsample=[False, True, True])


def _wan_transformer(in_channels=16, **extra):
    import torch
    from diffusers import WanTransformer3DModel

    torch.manual_seed(0)
    return WanTransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=in_channels, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=2, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, **extra)


def wan_t2v_pipeline():
    from diffusers import FlowMatchEulerDiscreteScheduler, WanPipeline

    tokenizer, text_encoder = _text_stack(umt5=True)
    return WanPipeline(transformer=_wan_transformer(), vae=_wan_vae(), scheduler=FlowMatchEulerDiscreteScheduler(
        shift=7.0), text_encoder=text_encoder, tokenizer=tokenizer, transformer_2=None)


def _wan_image_pipeline(image_size: int, pos_embed_seq_len: int | None):
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, WanImageToVideoPipeline
    from transformers import CLIPImageProcessor, CLIPVisionConfig, CLIPVisionModel

    tokenizer, text_encoder = _text_stack(umt5=True)
    torch.manual_seed(0)
    image_encoder = CLIPVisionModel(CLIPVisionConfig(hidden_size=4, num_hidden_layers=2, num_attention_heads=2,
                                                     image_size=image_size, intermediate_size=16, patch_size=1)).eval()
    extra = {"pos_embed_seq_len": pos_embed_seq_len} if pos_embed_seq_len else {}
    return WanImageToVideoPipeline(
        transformer=_wan_transformer(in_channels=36, image_dim=4, **extra), vae=_wan_vae(),
        scheduler=FlowMatchEulerDiscreteScheduler(shift=7.0), text_encoder=text_encoder, tokenizer=tokenizer,
        image_encoder=image_encoder, image_processor=CLIPImageProcessor(crop_size=image_size, size=image_size),
        transformer_2=None)


def wan_i2v_pipeline():
    return _wan_image_pipeline(32, None)


def wan_flf2v_pipeline():
    """First-last-frame layout: the two images' embeddings are concatenated (needs pos_embed_seq_len)."""
    return _wan_image_pipeline(4, 2 * (4 * 4 + 1))


def wan_vace_pipeline():
    """Wan 2.1 VACE layout: a text-to-video transformer with control blocks after layers 0 and 2 that read the
    conditioning video, its mask and the reference pictures (96 channels: 2 x 16 latents + 64 mask)."""
    import torch
    from diffusers import FlowMatchEulerDiscreteScheduler, WanVACEPipeline, WanVACETransformer3DModel

    tokenizer, text_encoder = _text_stack(umt5=True)
    torch.manual_seed(0)
    transformer = WanVACETransformer3DModel(
        patch_size=(1, 2, 2), num_attention_heads=2, attention_head_dim=12, in_channels=16, out_channels=16,
        text_dim=32, freq_dim=256, ffn_dim=32, num_layers=3, cross_attn_norm=True, qk_norm="rms_norm_across_heads",
        rope_max_seq_len=32, vace_layers=[0, 2], vace_in_channels=96)
    return WanVACEPipeline(transformer=transformer, vae=_wan_vae(), scheduler=FlowMatchEulerDiscreteScheduler(
        shift=7.0), text_encoder=text_encoder, tokenizer=tokenizer, transformer_2=None)


BUILDERS = {"ltx": ltx_pipeline, "wan_t2v": wan_t2v_pipeline, "wan_i2v": wan_i2v_pipeline,
            "wan_flf2v": wan_flf2v_pipeline, "wan_vace": wan_vace_pipeline}


def save_tiny_models(root: Path, names=tuple(BUILDERS)) -> dict[str, Path]:
    """Build each tiny pipeline and ``save_pretrained`` it under ``root/<name>``."""
    import torch

    torch.set_num_threads(1)
    out = {}
    for name in names:
        folder = Path(root) / name
        BUILDERS[name]().save_pretrained(folder)
        out[name] = folder
    return out
