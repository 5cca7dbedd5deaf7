"""Ship a reader fine-tuned apart as the app's second reader (engines/heuristic/reader.py, SECOND_WEIGHTS): its
int8 arrays as saved, less the word embeddings (11.8 MB), which it borrows from the first reader so that the
frozen folder stays under 600 MB. Both must share the tokenizer, since the first's embeddings are looked up by
its token ids.

Usage: python scripts/ship_second_reader.py WEIGHTS.npz  (from scripts/finetune_analyser.py --out WEIGHTS.npz)
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.engines.heuristic import reader  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("weights", type=Path)
    args = parser.parse_args()
    tokenizer = args.weights.with_name(reader.TOKENIZER.name)
    if not tokenizer.is_file() or tokenizer.read_bytes() != reader.TOKENIZER.read_bytes():
        parser.error(f"{tokenizer} is missing or is not the first reader's tokenizer")
    with np.load(args.weights) as saved:
        arrays = {n: saved[n] for n in saved.files if n.split(":")[0] != reader.EMBEDDINGS}
    if len(arrays) == len(saved.files):
        parser.error(f"{args.weights} has no word embeddings: is it a reader saved by finetune_analyser.py?")
    np.savez_compressed(reader.SECOND_WEIGHTS, **arrays)
    print(f"Wrote {reader.SECOND_WEIGHTS} ({reader.SECOND_WEIGHTS.stat().st_size / 1e6:.1f} MB)")


if __name__ == "__main__":
    main()
