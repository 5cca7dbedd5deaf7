"""A reader of whole ad scripts: all-MiniLM-L6-v2 (Apache-2.0) fine-tuned end to end for the labels the analyser
decides (hook type, CTA type, offer types, urgency) by scripts/finetune_analyser.py.

The linear model (learned.py) sees words and word pairs; this reads sentences as a whole, so it holds on phrasings
no list and no word pair covers ("the first month's on us" is a free trial) and on transcripts with misheard
words. Its matrices are shipped as int8 with one scale per row (about 21 MB). A second reader, fine-tuned apart,
is shipped without its word embeddings (10 MB) and read beside it; the analyser takes their averaged probabilities.
The forward pass below is written once for any array module: the app reads with numpy, training learns with
jax.numpy through the same function.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

WEIGHTS = Path(__file__).with_name("reader_int8.npz")
# A second reader, fine-tuned apart (with the third takes of the spoken scripts), shipped without its word
# embeddings: it reads with the first's (tests/data/corpus/third_takes.md measured both ways).
SECOND_WEIGHTS = Path(__file__).with_name("reader_b_int8.npz")
TOKENIZER = Path(__file__).with_name("reader_tokenizer.json")
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
# The heads and their widths, in the weights' column order (tests/test_reader.py checks the lists are the schema's).
# offer_any is learned beside the types but not read: as a gate on them it changed no answer on validation fold 0.
HEADS = {"hook": len(HOOKS), "cta": len(CTAS), "offer": len(OFFERS), "offer_any": 1, "urgency": 1}
LAYERS, WIDTH, ATTENTION_HEADS = 6, 384, 12
MAX_TOKENS = 128
HEAD_TOKENS = 64  # a longer script is read as its first 64 tokens and its last 64: the hook opens it, the CTA ends it
EVEN_ODDS = 0.5  # an offer type, or urgency, counts above this probability
OPENING_WORDS = 20  # the hook is read from the opening (the label guide: about the first 3 s), at most this long
EMBEDDINGS = "embeddings.word_embeddings.weight"


@dataclass(frozen=True)
class Read:
    """What the reader makes of one script: each label's probability, in the schema's terms (the same shape as
    learned.Model.scores, so the two can be weighed together)."""

    hook: dict[str, float]  # one softmax over the hook types
    cta: dict[str, float]  # one softmax over the CTA types, "none" included
    offer: dict[str, float]  # one sigmoid per offer type
    urgency: float


def opening_end(text: str) -> int:
    """Where the opening ends: the first sentence that reaches eight words, at most OPENING_WORDS words (a
    transcript without full stops is cut by the count)."""
    words = list(re.finditer(r"\S+", text))
    for i, w in enumerate(words[:OPENING_WORDS]):
        if (i >= 7 or i == len(words) - 1) and w.group()[-1] in ".!?":
            return w.end()
    return words[min(OPENING_WORDS, len(words)) - 1].end() if words else 0


def kept(count: int) -> list[int]:
    """Which of a text's `count` tokens are read: all of them, or for a long text the first HEAD_TOKENS and the
    last (its closing words and [SEP])."""
    if count <= MAX_TOKENS:
        return list(range(count))
    return list(range(HEAD_TOKENS)) + list(range(count - (MAX_TOKENS - HEAD_TOKENS), count))


def encode(tokenizer: Any, texts: list[str]) -> tuple[Any, Any, Any]:
    """Token ids, the attention mask and the opening's mask of each text, padded to the longest (at most
    MAX_TOKENS): the opening mask marks the tokens the hook head averages."""
    import numpy as np

    encoded = [tokenizer.encode(t) for t in texts]
    width = min(MAX_TOKENS, max(len(e.ids) for e in encoded))
    ids = np.zeros((len(texts), width), np.int32)
    mask = np.zeros((len(texts), width), np.float32)
    opening = np.zeros((len(texts), width), np.float32)
    for i, (text, e) in enumerate(zip(texts, encoded, strict=True)):
        read = kept(len(e.ids))
        n = len(read)
        ids[i, :n], mask[i, :n] = [e.ids[k] for k in read], 1
        end = opening_end(text)
        opening[i, 1 : n - 1] = [e.offsets[k][0] < end for k in read[1 : n - 1]]
        if not opening[i].any():  # an empty text: its [SEP] stands in
            opening[i, 1] = 1
    return ids, mask, opening


def _norm(xp: Any, x: Any, gain: Any, bias: Any) -> Any:
    mean = x.mean(-1, keepdims=True)
    var = ((x - mean) ** 2).mean(-1, keepdims=True)
    return (x - mean) / xp.sqrt(var + 1e-12) * gain + bias


def _gelu(xp: Any, x: Any) -> Any:
    """GELU in its tanh form (jax's default), in training and reading alike; BERT's erf form differs by < 1e-3.
    The cube is spelt as products: numpy's float32 `x**3` is a general power, 50 times slower, most of a read."""
    return 0.5 * x * (1 + xp.tanh(0.7978845608 * (x + 0.044715 * (x * x * x))))


def _softmax(xp: Any, x: Any) -> Any:
    e = xp.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


def _pair(w: dict[str, Any], name: str) -> tuple[Any, Any]:
    return w[name + ".weight"], w[name + ".bias"]


def logits(
    xp: Any, w: dict[str, Any], ids: Any, mask: Any, opening: Any, drop: Callable[[Any, int], Any] | None = None
) -> dict[str, Any]:
    """Each head's logits: the hook's from the opening's tokens, the others' from the whole script's (both with
    [CLS]). `w` holds the encoder's arrays by their sentence-transformers names and the heads' as `head.w`/`.b`;
    `drop(x, k)` is dropout while learning."""
    drop = drop or (lambda x, _k: x)
    b, t = ids.shape
    x = w[EMBEDDINGS][ids] + w["embeddings.position_embeddings.weight"][:t]
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


def read_of(out: dict[str, Any], i: int) -> Read:
    """Script i's probabilities from the heads' logits."""
    import numpy as np

    def softmax(z: Any, classes: tuple[str, ...]) -> dict[str, float]:
        e = np.exp(z - z.max())
        return {c: float(p) for c, p in zip(classes, e / e.sum(), strict=True)}

    def sigmoid(z: Any) -> Any:
        return 1 / (1 + np.exp(-z))

    return Read(
        hook=softmax(out["hook"][i], HOOKS),
        cta=softmax(out["cta"][i], CTAS),
        offer={o: float(p) for o, p in zip(OFFERS, sigmoid(out["offer"][i]), strict=True)},
        urgency=float(sigmoid(out["urgency"][i][0])),
    )


def save_int8(path: Path, weights: dict[str, Any]) -> None:
    """Every encoder matrix as int8 with one float scale per row (a quarter of float32), the rest as float32."""
    import numpy as np

    arrays = {}
    for name, a in weights.items():
        a = np.asarray(a, dtype=np.float32)
        if a.ndim == 2 and not name.endswith(".w"):  # the heads stay float32
            scale = np.maximum(np.abs(a).max(1, keepdims=True), 1e-12) / 127
            arrays[name + ":q"], arrays[name + ":s"] = np.round(a / scale).astype(np.int8), scale
        else:
            arrays[name] = a
    np.savez_compressed(path, **arrays)


class _Int8:
    """A weight matrix kept as int8 with one scale per row, turned to float32 only as a read uses it: the rows a
    script looks up from the embeddings (the word table in float32 would hold 47 MB for the few hundred rows a
    script reads), or a whole encoder matrix for one product (float32 copies of them all would hold 42 MB between
    reads, the margin of the one-transcriber job's 600 MB)."""

    # numpy arithmetic on it raises instead of quietly building a float32 copy; `x @ m.T` goes to __rmatmul__
    __array_ufunc__ = None

    def __init__(self, q: Any, scale: Any, transposed: bool = False) -> None:
        self.q, self.scale, self.transposed = q, scale, transposed

    def __getitem__(self, rows: Any) -> Any:
        import numpy as np

        if self.transposed or isinstance(rows, tuple):
            raise TypeError("an int8 matrix is read by rows, or whole through np.asarray")
        return np.multiply(self.q[rows], self.scale[rows], dtype=np.float32)

    @property
    def T(self) -> _Int8:  # numpy's name, so that logits() reads the same for arrays
        return _Int8(self.q, self.scale, not self.transposed)

    def __array__(self, dtype: Any = None, copy: Any = None) -> Any:
        import numpy as np

        if copy is False:
            raise ValueError("an int8 matrix becomes float32 only as a new array")
        w = np.multiply(self.q, self.scale, dtype=np.float32)  # one pass, no int8-to-float32 copy first
        w = w.T if self.transposed else w
        return w if dtype is None else w.astype(dtype, copy=False)

    def __rmatmul__(self, x: Any) -> Any:
        return x @ self.__array__()


def load_int8(path: Path) -> dict[str, Any]:
    """The weights save_int8 wrote: the matrices it quantised kept as int8 (`np.asarray` turns one to float32), the
    rest float32."""
    import numpy as np

    with np.load(path) as z:
        out: dict[str, Any] = {n: z[n] for n in z.files if ":" not in n}
        for n in z.files:
            if n.endswith(":q"):
                out[n[:-2]] = _Int8(z[n], z[n[:-2] + ":s"])
    return out


def tokenizer_of(config: str) -> Any:
    """The model's WordPiece tokenizer from its JSON, without its own padding and cut (encode does both)."""
    from tokenizers import Tokenizer

    t = Tokenizer.from_str(config)
    t.no_padding()
    t.no_truncation()
    return t


@dataclass(frozen=True)
class Reader:
    tokenizer: Any
    weights: dict[str, Any]

    def read(self, texts: list[str]) -> list[Read]:
        """The labels of each script (one batch: for many scripts, give a few dozen at a time)."""
        import numpy as np

        out = logits(np, self.weights, *encode(self.tokenizer, texts))
        return [read_of(out, i) for i in range(len(texts))]


def mean_read(reads: Sequence[Read]) -> Read:
    """The readers' probabilities averaged, label by label."""

    def mean(probabilities: list[dict[str, float]]) -> dict[str, float]:
        return {label: sum(p[label] for p in probabilities) / len(probabilities) for label in probabilities[0]}

    return Read(
        hook=mean([r.hook for r in reads]),
        cta=mean([r.cta for r in reads]),
        offer=mean([r.offer for r in reads]),
        urgency=sum(r.urgency for r in reads) / len(reads),
    )


@dataclass(frozen=True)
class Readers:
    """Readers fine-tuned apart, asked together: on validation fold 0, inside the analyser, their averaged
    probabilities raised every heard figure over the first reader's alone and lowered no written one
    (tests/data/corpus/third_takes.md)."""

    readers: tuple[Reader, ...]

    def read(self, texts: list[str]) -> list[Read]:
        """Each script's labels, as the readers' average."""
        each = [r.read(texts) for r in self.readers]
        return [mean_read(reads) for reads in zip(*each, strict=True)]


def reader_at(weights: Path) -> Reader:
    """A reader from its int8 weights and the tokenizer saved beside them (scripts/finetune_analyser.py)."""
    loaded = load_int8(weights)
    if EMBEDDINGS not in loaded:
        raise ValueError(f"{weights} has no word embeddings: a second reader reads only beside the first (readers())")
    return Reader(tokenizer_of(weights.with_name(TOKENIZER.name).read_text(encoding="utf-8")), loaded)


@functools.cache
def reader() -> Reader | None:
    """The fine-tuned reader shipped with the app; None when its files are missing (the rules then decide alone)."""
    if not (WEIGHTS.is_file() and TOKENIZER.is_file()):
        return None
    return reader_at(WEIGHTS)


@functools.cache
def readers() -> Readers | None:
    """The shipped readers: the first, and the second reading with the first's word embeddings when it is shipped."""
    first = reader()
    if first is None:
        return None
    if not SECOND_WEIGHTS.is_file():
        return Readers((first,))
    second = {**load_int8(SECOND_WEIGHTS), EMBEDDINGS: first.weights[EMBEDDINGS]}
    return Readers((first, Reader(first.tokenizer, second)))
