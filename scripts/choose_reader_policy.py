"""Choose how the analyser combines the reader, the rules and the linear model (decisions.py's policy), on one
validation fold of the training scripts, never on the held-out ones.

Give it a reader trained without that fold (scripts/finetune_analyser.py --validate K --out F.npz); it trains the
linear model without the fold too, then runs the whole analyser, as the app does, on the fold's written scripts,
noised copies and transcripts under each candidate policy: the linear model's share beside the reader for the hook
and CTA types, and whether the trusted offer rules add their types. Each field depends only on its own part of the
policy, so the printed table is read per field. Last line: one JSON object with the figures.

Usage: python scripts/choose_reader_policy.py F.npz [--fold K]
"""

from __future__ import annotations

import argparse
import itertools
import json
import sys
import tempfile
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO / "bench"))
sys.path.insert(0, str(REPO / "scripts"))

from analyser_accuracy import FIELDS, accuracy  # noqa: E402
from train_analyser import folds_of, learning_set, noised, train, training_scripts, use_model  # noqa: E402

from desktop_app.engines.heuristic import decisions, reader  # noqa: E402

SHARES = (0.0, 0.25, 0.5, 0.65, 0.8)
OFFER_RULES = decisions.TRUSTED_OFFER_RULES


_READ: dict[str, reader.Read] = {}


class _Remembering(reader.Reader):
    """The fold's reader, reading each text once however many policies ask (the policies change nothing it reads)."""

    def read(self, texts: list[str]) -> list[reader.Read]:
        missing = [t for t in texts if t not in _READ]
        if missing:
            _READ.update(zip(missing, super().read(missing), strict=True))
        return [_READ[t] for t in texts]


def use_policy(share: float, rules: bool) -> None:
    decisions.LINEAR_SHARE = share
    decisions.TRUSTED_OFFER_RULES = OFFER_RULES if rules else frozenset()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path)
    parser.add_argument("--fold", type=int, default=0)
    args = parser.parse_args()
    written, spoken = training_scripts()
    fold_of = folds_of(written, 5)
    left = [e for e in written if fold_of[e["id"]] == args.fold]
    parts: dict[str, list[dict[str, Any]]] = {
        "written": left,
        "noised": [noised(e, 2) for e in left],
        "spoken": [e for e in spoken if fold_of[e["id"]] == args.fold],
    }
    shipped_like = reader.reader_at(args.weights)
    fold_reader = _Remembering(shipped_like.tokenizer, shipped_like.weights)
    decisions.readers = lambda: fold_reader  # type: ignore[attr-defined,assignment]
    print(f"Policies on fold {args.fold}: {', '.join(f'{n} {len(p)}' for n, p in parts.items())} scripts", flush=True)
    figures = []
    with tempfile.TemporaryDirectory() as tmp:
        kept = [e for e in written if fold_of[e["id"]] != args.fold]
        use_model(train(learning_set(kept, [e for e in spoken if fold_of[e["id"]] != args.fold], True), 0.001, 400),
                  Path(tmp))  # fmt: skip
        for share, rules in itertools.product(SHARES, (True, False)):
            use_policy(share, rules)
            got = {name: accuracy(entries) for name, entries in parts.items()}
            figures.append({"linear_share": share, "offer_rules": rules, "accuracy_percent": got})
            row = "  ".join(f"{f} {got['written'][f]:5.1f}/{got['spoken'][f]:5.1f}" for f in FIELDS)
            print(f"share {share:.2f} offer rules {rules!s:5}  (written/spoken) {row}", flush=True)
    print(json.dumps({"fold": args.fold, "policies": figures}))


if __name__ == "__main__":
    main()
