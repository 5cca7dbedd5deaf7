"""The fine-tuned readers (engines/heuristic/reader.py): their labels are the schema's, int8 storage keeps the
weights, the shipped two fit the frozen build, are averaged, and read a long script to its end. Their held-out
floors, from text and as heard, are the whole analyser's (tests/test_heuristic.py)."""

from __future__ import annotations

from pathlib import Path
from typing import get_args

import numpy as np
import pytest

from desktop_app.core.schema import CtaType, HookType, OfferType
from desktop_app.engines.heuristic import reader


def test_its_labels_are_the_schemas() -> None:
    """The lists are spelt out because their order is the weights' columns; their members must be the schema's."""
    for ours, schema in ((reader.HOOKS, HookType), (reader.CTAS, CtaType), (reader.OFFERS, OfferType)):
        assert sorted(ours) == sorted(get_args(schema))
    assert list(reader.HEADS) == ["hook", "cta", "offer", "offer_any", "urgency"]


def test_int8_storage_keeps_each_weight_within_half_a_step(tmp_path: Path) -> None:
    rng = np.random.default_rng(0)
    weights = {
        reader.EMBEDDINGS: rng.normal(size=(50, 8)).astype(np.float32),
        "encoder.layer.0.output.dense.weight": rng.normal(size=(8, 8)).astype(np.float32),
        "encoder.layer.0.output.dense.bias": rng.normal(size=8).astype(np.float32),
        "hook.w": rng.normal(size=(16, 3)).astype(np.float32),  # heads stay float32
    }
    reader.save_int8(tmp_path / "w.npz", weights)
    back = reader.load_int8(tmp_path / "w.npz")
    for name, a in weights.items():
        got = back[name][np.arange(len(a))] if name == reader.EMBEDDINGS else np.asarray(back[name])
        step = np.abs(a).max(axis=-1, keepdims=True) / 127 if a.ndim == 2 and name != "hook.w" else 0
        assert got.dtype == np.float32
        assert np.all(np.abs(got - a) <= step / 2 + 1e-6), name
    ids = np.array([[3, 7], [49, 0]])
    assert back[reader.EMBEDDINGS][ids].shape == (2, 2, 8)
    with pytest.raises(TypeError):
        back[reader.EMBEDDINGS].T[0]  # read by rows only: a transposed row would be a column


def test_the_shipped_reader_reads_the_same_from_int8_as_from_float32_copies() -> None:
    shipped = reader.reader()
    assert shipped is not None
    matrix = shipped.weights["encoder.layer.0.output.dense.weight"]
    assert matrix.q.dtype == np.int8  # kept small between reads, turned to float32 only for a product
    as_float = {n: v if n == reader.EMBEDDINGS else np.asarray(v) for n, v in shipped.weights.items()}
    texts = ["Tired of cooking every night? Get fifty percent off your first box. Shop now.", "", "word " * 200]
    encoded = reader.encode(shipped.tokenizer, texts)
    got, expected = reader.logits(np, shipped.weights, *encoded), reader.logits(np, as_float, *encoded)
    for head in reader.HEADS:
        assert np.array_equal(got[head], expected[head]), head


def test_the_opening_is_the_first_full_sentence_or_twenty_words() -> None:
    text = "Stop. Your knees hurt because of your shoes, not your age. Try Stride for 30 days."
    assert text[: reader.opening_end(text)].endswith("not your age.")
    unpunctuated = " ".join(f"word{i}" for i in range(40))
    assert unpunctuated[: reader.opening_end(unpunctuated)].split()[-1] == "word19"


def test_the_shipped_reader_fits_the_frozen_build() -> None:
    assert reader.WEIGHTS.is_file() and reader.WEIGHTS.stat().st_size < 25_000_000
    assert reader.TOKENIZER.is_file()
    read = reader.reader()
    assert read is not None
    [answer] = read.read(["Tired of cold coffee? This mug keeps it hot for six hours. Shop now and save 20%."])
    assert sum(answer.hook.values()) == pytest.approx(1.0, abs=1e-4)
    assert max(answer.cta, key=answer.cta.__getitem__) == "shop_now"
    assert [o for o, p in answer.offer.items() if p > reader.EVEN_ODDS] == ["discount"]
    assert answer.urgency < reader.EVEN_ODDS


def test_the_second_reader_borrows_the_first_ones_words_and_fits_the_frozen_build() -> None:
    assert reader.SECOND_WEIGHTS.is_file() and reader.SECOND_WEIGHTS.stat().st_size < 12_000_000
    with np.load(reader.SECOND_WEIGHTS) as shipped:
        assert not [n for n in shipped.files if n.startswith(reader.EMBEDDINGS)]
    both = reader.readers()
    assert both is not None and len(both.readers) == 2
    first, second = both.readers
    assert second.weights[reader.EMBEDDINGS] is first.weights[reader.EMBEDDINGS]  # one table in memory, not two
    [answer] = second.read(["Tired of cold coffee? This mug keeps it hot for six hours. Shop now and save 20%."])
    assert max(answer.cta, key=answer.cta.__getitem__) == "shop_now"  # it reads sensibly through the borrowed words
    assert [o for o, p in answer.offer.items() if p > reader.EVEN_ODDS] == ["discount"]
    with pytest.raises(ValueError, match="no word embeddings"):
        reader.reader_at(reader.SECOND_WEIGHTS)  # alone it cannot read: it says so, not a KeyError mid-read


def test_the_readers_answer_with_their_probabilities_averaged() -> None:
    both = reader.readers()
    assert both is not None
    texts = ["Join 40,000 runners who switched. Free shipping this week only. Shop now.", "Book a free call today."]
    answers = both.read(texts)
    alone = [r.read(texts) for r in both.readers]
    assert alone[0] != alone[1]  # two readers that read differently, or averaging would change nothing
    for i, answer in enumerate(answers):
        first, second = alone[0][i], alone[1][i]
        for label, p in answer.hook.items():
            assert p == pytest.approx((first.hook[label] + second.hook[label]) / 2)
        for label, p in answer.offer.items():
            assert p == pytest.approx((first.offer[label] + second.offer[label]) / 2)
        for label, p in answer.cta.items():
            assert p == pytest.approx((first.cta[label] + second.cta[label]) / 2)
        assert answer.urgency == pytest.approx((first.urgency + second.urgency) / 2)


def test_a_long_script_is_read_to_its_end() -> None:
    """A 45-60 s ad runs past the 128 tokens the model reads: its opening and its closing words are read."""
    assert reader.kept(300) == [*range(64), *range(236, 300)] and reader.kept(90) == list(range(90))
    middle = "Our team spent three years testing fabrics in labs and on trails, in rain and in snow, on long hikes "
    middle += "and short commutes, so that every seam holds and every zip runs smooth. "
    script = f"I used to hate my rain jacket. {middle * 4}Use code TRAIL30 for 30% off, only until Sunday. Shop now."
    read = reader.reader()
    assert read is not None and len(read.tokenizer.encode(script).ids) > reader.MAX_TOKENS
    [answer] = read.read([script])
    assert max(answer.cta, key=answer.cta.__getitem__) == "shop_now"
    assert answer.offer["discount"] > reader.EVEN_ODDS and answer.urgency > reader.EVEN_ODDS
