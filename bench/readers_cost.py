"""What the offline analyser's second reader costs: resident memory and time per ad, the first reader alone against
the two the app averages (engines/heuristic/reader.py, readers()).

Reads the first 40 dev.json scripts one at a time, as the analyser reads an ad, after one warm-up read. Memory is
this process's resident set after each reader is loaded and has read once (the second borrows the first's word
embeddings, so it adds its encoder only). Last line: one JSON object with the figures.

Usage: python bench/readers_cost.py
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from desktop_app.engines.heuristic import reader  # noqa: E402

CORPUS = REPO / "tests" / "data" / "corpus"
SCRIPTS = 40


def rss_mb() -> float:
    """This process's resident set, from /proc (Linux)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS in /proc/self/status")


def ms_per_ad(read: reader.Reader | reader.Readers, texts: list[str]) -> float:
    """Mean time of one read of one script, in ms."""
    began = time.perf_counter()
    for text in texts:
        read.read([text])
    return 1000 * (time.perf_counter() - began) / len(texts)


def main() -> None:
    texts = [e["script"] for e in json.loads((CORPUS / "dev.json").read_text(encoding="utf-8"))][:SCRIPTS]
    before = rss_mb()
    first = reader.reader()
    if first is None:
        sys.exit("The shipped reader is missing: reader_int8.npz and reader_tokenizer.json are needed.")
    first.read(texts[:1])
    with_first = rss_mb()
    both = reader.readers()
    if both is None or len(both.readers) != 2:
        sys.exit("The second reader is missing: reader_b_int8.npz is needed.")
    both.readers[1].read(texts[:1])
    with_both = rss_mb()
    alone, averaged = ms_per_ad(first, texts), ms_per_ad(both, texts)
    print(f"Offline analyser's readers on {len(texts)} dev.json scripts, one at a time")
    print(f"  first reader:  +{with_first - before:.0f} MB resident, {alone:.1f} ms an ad")
    print(f"  second beside: +{with_both - with_first:.0f} MB resident, {averaged:.1f} ms an ad for both, averaged")
    print(
        json.dumps(
            {
                "first_reader_mb": round(with_first - before, 1),
                "second_reader_mb": round(with_both - with_first, 1),
                "first_ms_per_ad": round(alone, 1),
                "both_ms_per_ad": round(averaged, 1),
                "scripts": len(texts),
            }
        )
    )


if __name__ == "__main__":
    main()
