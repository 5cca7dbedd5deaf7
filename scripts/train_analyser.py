"""Train the offline analyser's learned decisions (desktop_app/engines/heuristic/learned.py) on the labelled
ad scripts in tests/data/corpus: the dev part and the train_*.json parts, all written blind to the code.
The held-out part is never read here: bench/analyser_accuracy.py measures on it.

Plain numpy: one linear layer per decision (softmax for hook and CTA type, a sigmoid per offer type and for
urgency), L2-regularised, full-batch Adam. `--folds K` reports K-fold cross-validated accuracy on the training
scripts (for choosing settings) instead of writing the model.

Usage: python scripts/train_analyser.py [--folds 5] [--l2 0.001] [--steps 400]
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import Counter
from pathlib import Path
from typing import Any, get_args

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.core.schema import CtaType, HookType, OfferType  # noqa: E402
from desktop_app.engines.heuristic.learned import MODEL, features, sentences_of  # noqa: E402

CORPUS = REPO / "tests" / "data" / "corpus"
HEADS: dict[str, tuple[tuple[str, ...], bool]] = {
    "hook": (tuple(get_args(HookType)), False),
    "cta": (tuple(get_args(CtaType)), False),
    "offer": (tuple(get_args(OfferType)), True),
    "offer_any": (("offer",), True),
    "urgency": (("urgent",), True),
}


def training_scripts() -> list[dict[str, Any]]:
    parts = [CORPUS / "dev.json", *sorted(CORPUS.glob("train_*.json"))]
    return [entry for part in parts for entry in json.loads(part.read_text(encoding="utf-8"))]


def targets(entry: dict[str, Any], head: str) -> set[str]:
    labels = entry["labels"]
    if head == "hook":
        return {labels["hook_type"]}
    if head == "cta":
        return {labels["cta_type"]}
    if head == "offer":
        return set(labels["offer_types"])
    if head == "offer_any":
        return {"offer"} if labels["offer_types"] else set()
    return {"urgent"} if labels["urgency"] else set()


def script_sentences(entry: dict[str, Any]) -> list[str]:
    return sentences_of(entry["script"]) + sentences_of(entry.get("copy") or "")


def fit(x: Any, y: Any, multi: bool, l2: float, steps: int, rate: float = 0.05) -> Any:
    """Weights minimising the (softmax or sigmoid) cross-entropy plus l2 * |W|^2 / 2."""
    w = np.zeros((x.shape[1], y.shape[1]), dtype=np.float32)
    m, v = np.zeros_like(w), np.zeros_like(w)
    for step in range(1, steps + 1):
        logits = x @ w
        if multi:
            p = 1.0 / (1.0 + np.exp(-logits))
        else:
            e = np.exp(logits - logits.max(axis=1, keepdims=True))
            p = e / e.sum(axis=1, keepdims=True)
        grad = x.T @ (p - y) / len(x) + l2 * w
        m = 0.9 * m + 0.1 * grad
        v = 0.999 * v + 0.001 * grad**2
        w -= rate * (m / (1 - 0.9**step)) / (np.sqrt(v / (1 - 0.999**step)) + 1e-8)
    return w


def train(entries: list[dict[str, Any]], l2: float, steps: int, min_count: int = 2) -> dict[str, Any]:
    found = [features(script_sentences(e)) for e in entries]
    counts = Counter(f for fs in found for f in fs)
    vocabulary = sorted(f for f, n in counts.items() if n >= min_count)
    index = {f: i for i, f in enumerate(vocabulary)}
    x = np.zeros((len(entries), len(vocabulary)), dtype=np.float32)
    for row, fs in enumerate(found):
        x[row, [index[f] for f in fs if f in index]] = 1.0
    model: dict[str, Any] = {"vocabulary": np.array(vocabulary), "heads": np.array(list(HEADS))}
    for head, (classes, multi) in HEADS.items():
        y = np.array([[c in targets(e, head) for c in classes] for e in entries], dtype=np.float32)
        model[f"{head}.classes"] = np.array(classes)
        model[f"{head}.weights"] = fit(x, y, multi, l2, steps).astype(np.float16)
        model[f"{head}.multi"] = np.array(multi)
    return model


def cross_validate(entries: list[dict[str, Any]], folds: int, l2: float, steps: int) -> dict[str, float]:
    """Accuracy per field over K folds, with the model loaded the way the app loads it."""
    import tempfile

    from desktop_app.engines.heuristic import learned

    rng = np.random.default_rng(0)
    order = rng.permutation(len(entries))
    right: Counter[str] = Counter()
    for k in range(folds):
        test = {int(i) for i in order[k::folds]}
        model = train([e for i, e in enumerate(entries) if i not in test], l2, steps)
        with tempfile.TemporaryDirectory() as tmp:
            path = Path(tmp) / "model.npz"
            np.savez_compressed(path, **model)
            learned.MODEL = path
            learned.model.cache_clear()
            loaded = learned.model()
            assert loaded is not None
            for i in test:
                e, s = entries[i], script_sentences(entries[i])
                labels = e["labels"]
                cta, offers = loaded.label("cta", s), loaded.offer_types(s)
                right["hook_type"] += loaded.label("hook", s) == labels["hook_type"]
                right["cta_present"] += (cta != "none") == labels["cta_present"]
                right["cta_type"] += cta == labels["cta_type"]
                right["offer_present"] += bool(offers) == labels["offer_present"]
                right["offer_types"] += offers == sorted(labels["offer_types"])
                right["urgency"] += bool(loaded.labels("urgency", s)) == labels["urgency"]
    return {field: round(100 * n / len(entries), 1) for field, n in right.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--folds", type=int, default=0, help="cross-validate instead of writing the model")
    parser.add_argument("--l2", type=float, default=0.001)
    parser.add_argument("--steps", type=int, default=400)
    args = parser.parse_args()
    entries = training_scripts()
    if args.folds:
        print(
            f"{args.folds}-fold cross-validation on {len(entries)} training scripts (l2 {args.l2}, {args.steps} steps)"
        )
        print(json.dumps(cross_validate(entries, args.folds, args.l2, args.steps)))
        return
    model = train(entries, args.l2, args.steps)
    np.savez_compressed(MODEL, **model)
    print(f"Trained on {len(entries)} scripts: {len(model['vocabulary'])} features -> {MODEL.relative_to(REPO)}")


if __name__ == "__main__":
    main()
