"""A tiny random chat model (Qwen2 layout, byte-level BPE, ChatML template) built offline for tests and benches.

The weights are random, so the text is noise; under JSON-schema constrained decoding it is still valid JSON of
the requested shape, which is exactly what the script writer's wiring needs to be tested against. Built from code
only: no hub, no files but the ones ``save_pretrained`` writes.
"""

from __future__ import annotations

from pathlib import Path

# Qwen2.5-style ChatML (no tools); add_generation_prompt appends the assistant header.
CHATML_TEMPLATE = (
    "{%- for message in messages %}"
    "{{- '<|im_start|>' + message['role'] + '\n' + message['content'] + '<|im_end|>' + '\n' }}"
    "{%- endfor %}"
    "{%- if add_generation_prompt %}{{- '<|im_start|>assistant\n' }}{%- endif %}"
)
SPECIAL_TOKENS = ("<|endoftext|>", "<|im_start|>", "<|im_end|>")

# Whole words as single tokens, so a random model fills a string with a few dozen tokens, not hundreds.
_WORD_TEXT = (
    "a the of and to in on with at cat dog city night day sunset ocean beach forest mountain river sky rain "
    "man woman child robot car train slow fast camera close wide shot light dark soft warm cold golden red blue "
    "green street market coffee morning walks runs looks smiles turns opens lens frame scene"
)
_WORDS = _WORD_TEXT.split()


def _bpe_vocab() -> tuple[dict[str, int], list[tuple[str, str]]]:
    from tokenizers.pre_tokenizers import ByteLevel

    vocab = {ch: i for i, ch in enumerate(sorted(ByteLevel.alphabet()))}
    merges: list[tuple[str, str]] = []
    space = "\u0120"  # byte-level stand-in for a leading space

    def add(piece: str) -> None:
        # Merge left to right so every word is reachable by encoding, not only by decoding.
        current = piece[0]
        for ch in piece[1:]:
            merged = current + ch
            if merged not in vocab:
                vocab[merged] = len(vocab)
                merges.append((current, ch))
            current = merged

    for word in _WORDS:
        add(word)
        add(space + word)
    for piece in ('{"', '":', '","', '"}', "},{", '":"', '":['):
        add(piece)
    return vocab, merges


def build_tiny_chat_model(target: str | Path, *, hidden_size: int = 32, layers: int = 2, seed: int = 0) -> Path:
    """Save a random Qwen2ForCausalLM and its tokenizer to ``target``; load it back with ``from_pretrained``."""
    import torch
    from transformers import Qwen2Config, Qwen2ForCausalLM, Qwen2Tokenizer

    vocab, merges = _bpe_vocab()
    for token in SPECIAL_TOKENS:
        vocab[token] = len(vocab)
    tokenizer = Qwen2Tokenizer(vocab=vocab, merges=merges, unk_token=None, eos_token="<|im_end|>",
                               pad_token="<|endoftext|>", bos_token=None)
    tokenizer.chat_template = CHATML_TEMPLATE
    eos = tokenizer.convert_tokens_to_ids("<|im_end|>")
    pad = tokenizer.convert_tokens_to_ids("<|endoftext|>")
    config = Qwen2Config(vocab_size=len(tokenizer), hidden_size=hidden_size, intermediate_size=2 * hidden_size,
                         num_hidden_layers=layers, num_attention_heads=4, num_key_value_heads=2,
                         max_position_embeddings=8192, eos_token_id=eos, pad_token_id=pad, bos_token_id=None,
                         tie_word_embeddings=True)
    torch.manual_seed(seed)
    model = Qwen2ForCausalLM(config).eval()
    model.generation_config.eos_token_id = eos
    model.generation_config.pad_token_id = pad
    target = Path(target)
    model.save_pretrained(target)
    tokenizer.save_pretrained(target)
    return target
