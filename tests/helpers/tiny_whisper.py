"""Tiny random speech models built offline for tests and benches: a Whisper checkpoint (transformers layout), the
same checkpoint converted for faster-whisper (CTranslate2), and a Qwen3 forced aligner.

Random weights transcribe noise; what these prove is the wiring (loading through the studio's own loaders, word
timestamps in the right shape, language handling). The Whisper vocabulary keeps the real id layout (50257 text ids,
then the special tokens, 99 languages, 1501 timestamps: 51865) so the generation config and CTranslate2's
multilingual check behave as with real weights (../shared/recipes/voice/tiny_whisper.py measured this).
"""

from __future__ import annotations

import json
from pathlib import Path

LANGS = ["en", "zh", "de", "es", "ru", "ko", "fr", "ja", "pt", "tr", "pl", "ca", "nl", "ar", "sv", "it",
         "id", "hi", "fi", "vi", "he", "uk", "el", "ms", "cs", "ro", "da", "hu", "ta", "no", "th", "ur",
         "hr", "bg", "lt", "la", "mi", "ml", "cy", "sk", "te", "fa", "lv", "bn", "sr", "az", "sl", "kn",
         "et", "mk", "br", "eu", "is", "hy", "ne", "mn", "bs", "kk", "sq", "sw", "gl", "mr", "pa", "si",
         "km", "sn", "yo", "so", "af", "oc", "ka", "be", "tg", "sd", "gu", "am", "yi", "lo", "uz", "fo",
         "ht", "ps", "tk", "nn", "mt", "sa", "lb", "my", "bo", "tl", "mg", "as", "tt", "haw", "ln", "ha",
         "ba", "jw", "su"]  # Whisper's 99 languages, in Whisper's id order

# whisper-base's sizes (72M parameters): the compute of the real model, with random weights
BASE_DIMS = dict(d_model=512, encoder_layers=6, decoder_layers=6, encoder_attention_heads=8,
                 decoder_attention_heads=8, encoder_ffn_dim=2048, decoder_ffn_dim=2048)

_CORPUS = ["The quick brown fox jumps over the lazy dog.", "Hello world, this is a caption test.",
           "seven curious children watch quietly from the old wooden bridge",
           "今天天气很好，我们一起去公园散步。", "看看美丽的花朵和绿色的树木。"] * 20


def build_tiny_whisper(target: str | Path, *, dims: dict | None = None, seed: int = 0,
                       max_new_tokens: int | None = 24) -> Path:
    """Save a random WhisperForConditionalGeneration with its tokenizer, feature extractor and generation config
    to ``target`` (a folder ``from_pretrained`` and ``ct2-transformers-converter`` read). ``max_new_tokens`` caps
    what the random model writes through transformers (a real model stops at its end token; a random one would run
    to 448 tokens)."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, processors, trainers
    from transformers import (
        GenerationConfig,
        WhisperConfig,
        WhisperFeatureExtractor,
        WhisperForConditionalGeneration,
        WhisperProcessor,
        WhisperTokenizerFast,
    )

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    tok.train_from_iterator(_CORPUS, trainers.BpeTrainer(
        vocab_size=600, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(), show_progress=False))
    vocab = tok.get_vocab()
    merges = json.loads(tok.to_str())["model"]["merges"]
    for i in range(len(vocab), 50256):
        vocab[f"\u0120zzfill{i}"] = i  # unreachable by merges; keeps Whisper's id layout
    vocab[""] = 50256  # as in the real multilingual vocabulary: CTranslate2 reads it as "multilingual"
    full = Tokenizer(models.BPE(vocab=vocab, merges=[tuple(m.split(" ")) if isinstance(m, str) else tuple(m)
                                                     for m in merges]))
    full.pre_tokenizer, full.decoder = tok.pre_tokenizer, tok.decoder
    full.post_processor = processors.ByteLevel(trim_offsets=False)
    specials = (["<|endoftext|>", "<|startoftranscript|>"] + [f"<|{code}|>" for code in LANGS] +
                ["<|translate|>", "<|transcribe|>", "<|startoflm|>", "<|startofprev|>", "<|nocaptions|>",
                 "<|notimestamps|>"] + [f"<|{i * 0.02:.2f}|>" for i in range(1501)])
    full.add_special_tokens(specials)
    assert full.get_vocab_size() == 51865, full.get_vocab_size()
    full.save(str(target / "tokenizer.json"))
    ids = {name: full.token_to_id(name) for name in specials}

    tokenizer = WhisperTokenizerFast(tokenizer_file=str(target / "tokenizer.json"), unk_token="<|endoftext|>",
                                     bos_token="<|endoftext|>", eos_token="<|endoftext|>",
                                     pad_token="<|endoftext|>")
    features = WhisperFeatureExtractor(feature_size=80)
    WhisperProcessor(feature_extractor=features, tokenizer=tokenizer).save_pretrained(target)
    features.save_pretrained(target)  # preprocessor_config.json: faster-whisper reads n_mels from it

    torch.manual_seed(seed)
    real = len(tok.get_vocab())  # ids from here to 50256 are fillers: never generated
    space = full.token_to_id("\u0120")
    size = dict(d_model=64, encoder_layers=2, decoder_layers=2, encoder_attention_heads=2,
                decoder_attention_heads=2, encoder_ffn_dim=128, decoder_ffn_dim=128)
    size.update(dims or {})
    config = WhisperConfig(vocab_size=51865, num_mel_bins=80, **size, max_source_positions=1500,
                           max_target_positions=448, pad_token_id=50257, bos_token_id=50257, eos_token_id=50257,
                           decoder_start_token_id=50258, suppress_tokens=list(range(real, 50257)), init_std=0.2,
                           begin_suppress_tokens=[space, 50257] if space is not None else [50257])
    model = WhisperForConditionalGeneration(config).eval()
    model.generation_config = GenerationConfig(
        decoder_start_token_id=50258, eos_token_id=50257, pad_token_id=50257, bos_token_id=50257,
        max_length=448, no_timestamps_token_id=50363, prev_sot_token_id=50361, is_multilingual=True,
        lang_to_id={f"<|{code}|>": ids[f"<|{code}|>"] for code in LANGS},
        task_to_id={"transcribe": 50359, "translate": 50358},
        alignment_heads=[[layer, head] for layer in range(min(2, size["decoder_layers"]))
                         for head in range(min(2, size["decoder_attention_heads"]))],
        max_initial_timestamp_index=50, suppress_tokens=config.suppress_tokens,
        begin_suppress_tokens=config.begin_suppress_tokens, max_new_tokens=max_new_tokens)
    model.save_pretrained(target)
    return target


def convert_for_faster_whisper(hf_dir: str | Path, target: str | Path, *, quantization: str = "float32") -> Path:
    """The transformers checkpoint converted by CTranslate2's own converter (the class behind
    ``ct2-transformers-converter``, run in this process: transformers is imported already)."""
    from ctranslate2.converters import TransformersConverter

    converter = TransformersConverter(str(hf_dir), copy_files=["tokenizer.json", "preprocessor_config.json"])
    converter.convert(str(target), quantization=quantization, force=True)
    return Path(target)


# audio placeholder(s), then every word followed by its two <timestamp> slots (start, end)
ALIGNER_TEMPLATE = (
    "{%- for m in messages -%}{%- for c in m.content -%}"
    "{%- if c.type == 'audio' -%}<|audio_start|><|audio_pad|><|audio_end|>{%- endif -%}"
    "{%- if c.type == 'text' -%}{{ c.text }}<timestamp><timestamp>{%- endif -%}"
    "{%- endfor -%}{%- endfor -%}")


def build_tiny_aligner(target: str | Path, *, seed: int = 0) -> Path:
    """Save a random Qwen3ASRForTokenClassification (the Qwen3 forced aligner's class) and its processor."""
    import torch
    from tokenizers import Tokenizer, decoders, models, pre_tokenizers, trainers
    from transformers import (
        Qwen2TokenizerFast,
        Qwen3ASRConfig,
        Qwen3ASRFeatureExtractor,
        Qwen3ASRForTokenClassification,
        Qwen3ASRProcessor,
    )

    target = Path(target)
    target.mkdir(parents=True, exist_ok=True)
    tok = Tokenizer(models.BPE())
    tok.pre_tokenizer = pre_tokenizers.ByteLevel(add_prefix_space=False)
    tok.decoder = decoders.ByteLevel()
    specials = ["<|endoftext|>", "<|im_start|>", "<|im_end|>", "<|audio_start|>", "<|audio_end|>",
                "<|audio_pad|>", "<timestamp>", "<asr_text>"]
    tok.train_from_iterator(_CORPUS[:2] * 20, trainers.BpeTrainer(
        vocab_size=400, special_tokens=specials, initial_alphabet=pre_tokenizers.ByteLevel.alphabet(),
        show_progress=False))
    tok.save(str(target / "tokenizer.json"))
    tokenizer = Qwen2TokenizerFast(
        tokenizer_file=str(target / "tokenizer.json"), unk_token=None, bos_token=None, eos_token="<|im_end|>",
        pad_token="<|endoftext|>",
        extra_special_tokens={"audio_token": "<|audio_pad|>", "audio_bos_token": "<|audio_start|>",
                              "audio_eos_token": "<|audio_end|>"})
    Qwen3ASRProcessor(feature_extractor=Qwen3ASRFeatureExtractor(), tokenizer=tokenizer,
                      chat_template=ALIGNER_TEMPLATE).save_pretrained(target)
    torch.manual_seed(seed)
    ids = {name: tokenizer.convert_tokens_to_ids(name) for name in specials}
    config = Qwen3ASRConfig(
        audio_config={"d_model": 32, "encoder_layers": 1, "encoder_attention_heads": 2, "encoder_ffn_dim": 64,
                      "output_dim": 32, "downsample_hidden_size": 8, "num_mel_bins": 128},
        text_config={"vocab_size": len(tokenizer), "hidden_size": 32, "intermediate_size": 64,
                     "num_hidden_layers": 1, "num_attention_heads": 2, "num_key_value_heads": 1,
                     "head_dim": 16, "max_position_embeddings": 4096},
        audio_token_id=ids["<|audio_pad|>"], timestamp_token_id=ids["<timestamp>"],
        pad_token_id=ids["<|endoftext|>"], eos_token_id=ids["<|im_end|>"], num_labels=400)
    Qwen3ASRForTokenClassification(config).eval().save_pretrained(target)
    return target
