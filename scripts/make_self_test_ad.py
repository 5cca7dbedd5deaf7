"""Write resources/self_test/on-screen-offer.mp4: a silent ad made only of supers (a sale line, a discount, then
a "Shop now" end card), which `ad-analysis --self-test` analyses to show that the installed app reads an offer
that is only on screen. Made with the test suite's card renderer (PyAV and Pillow).

Usage: python scripts/make_self_test_ad.py
"""

from __future__ import annotations

import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from tests.visual_clips import video_of_cards  # noqa: E402

CARDS = [("Summer sale", 1.5), ("40% off everything", 2.0), ("Free shipping", 1.5), ("Shop now", 2.0)]
TARGET = REPO / "resources" / "self_test" / "on-screen-offer.mp4"


def main() -> None:
    TARGET.parent.mkdir(parents=True, exist_ok=True)
    video_of_cards(TARGET, CARDS, audio=True)
    print(f"wrote {TARGET.relative_to(REPO)} ({TARGET.stat().st_size // 1000} kB)")


if __name__ == "__main__":
    main()
