"""Builds the bundled sample ads: espeak-ng speaks each script, ffmpeg muxes it over a branded card.

Run once by a developer (needs the Debian packages espeak-ng and ffmpeg); the outputs are committed:
resources/sample_ads/*.mp4, resources/sample_ads/ads.json (Meta-like metadata the app reads) and
tests/data/sample_ads_truth.json (scripts and labels the tests check transcripts and analyses against).
"""

from __future__ import annotations

import json
import subprocess
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
OUT = REPO / "resources" / "sample_ads"
TRUTH = REPO / "tests" / "data" / "sample_ads_truth.json"
FONT = "/usr/share/fonts/truetype/dejavu/DejaVuSans-Bold.ttf"

ADS = [
    {
        "id": "900000000000001",
        "page_id": "100000000000001",
        "page_name": "Example Meals",
        "colour": "0x2e7d32",
        "voice": "en-us+klatt2",
        "script": (
            "Tired of deciding what to cook every single night? Example Meals sends fresh ingredients and "
            "easy recipes to your door, ready in 20 minutes. Get 50% off your first box and "
            "free shipping, this week only. Order now to claim your discount."
        ),
        "body": "Dinner, sorted. 50% off your first box + free shipping this week only.",
        "title": "50% off your first box",
        "start": "2026-09-01",
        "reach": 182000,
        "labels": {
            "hook_type": "question",
            "cta_type": "shop_now",
            "offer": True,
            "offer_types": ["discount", "free_shipping", "limited_time"],
            "urgency": True,
        },
    },
    {
        "id": "900000000000002",
        "page_id": "100000000000002",
        "page_name": "Northwind Fitness",
        "colour": "0x1565c0",
        "voice": "en-us+klatt2",
        "script": (
            "80% of new gym members quit within five months. Northwind Fitness gives you a plan "
            "around your schedule, with short workouts you can do at home. Start your free 14 day "
            "trial. Get the app today."
        ),
        "body": "Workouts that fit your day. Free 14-day trial.",
        "title": "Try Northwind free for 14 days",
        "start": "2026-06-15",
        "reach": 640000,
        "labels": {
            "hook_type": "statistic",
            "cta_type": "download",
            "offer": True,
            "offer_types": ["free_trial"],
            "urgency": False,
        },
    },
    {
        "id": "900000000000003",
        "page_id": "100000000000003",
        "page_name": "Lumen Skincare",
        "colour": "0xad1457",
        "voice": "en-us",
        "script": (
            "I used to hide my skin in every photo. Then a friend told me about Lumen. After four weeks my "
            "redness was gone, and I finally felt confident again. Lumen comes with a 60-day money back "
            "guarantee. Learn more on our website."
        ),
        "body": "Real results from real customers. 60-day money-back guarantee.",
        "title": "Calm, clear skin with Lumen",
        "start": "2026-03-02",
        "reach": 95000,
        "labels": {
            "hook_type": "testimonial",
            "cta_type": "learn_more",
            "offer": True,
            "offer_types": ["guarantee"],
            "urgency": False,
        },
    },
    {
        "id": "900000000000004",
        "page_id": "100000000000004",
        "page_name": "Acme Books",
        "colour": "0x4527a0",
        "voice": "en-us+f2",
        "script": (
            "Attention small business owners. Are you still doing your books in a spreadsheet? Acme Books "
            "sends your invoices, tracks your expenses and files your taxes, all in one place. "
            "Book your consultation today."
        ),
        "body": "Accounting software built for small businesses.",
        "title": "Book a demo",
        "start": "2026-10-20",
        "reach": 12000,
        "labels": {
            "hook_type": "direct_callout",
            "cta_type": "book",
            "offer": False,
            "offer_types": [],
            "urgency": False,
        },
    },
    {
        "id": "900000000000005",
        "page_id": "100000000000005",
        "page_name": "Brightside Coffee",
        "colour": "0x5d4037",
        "voice": "en-us+f2",
        "script": (
            "Every morning on a small farm in Colombia, Maria picks the ripest coffee cherries by hand. "
            "She has done it for 30 years. That care is in every cup of Brightside Coffee."
        ),
        "body": "From Maria's farm to your cup.",
        "title": "Brightside Coffee",
        "start": "2025-12-01",
        "reach": 310000,
        "labels": {
            "hook_type": "story",
            "cta_type": "none",
            "offer": False,
            "offer_types": [],
            "urgency": False,
        },
    },
    {
        "id": "900000000000006",
        "page_id": "100000000000006",
        "page_name": "Pulse Audio",
        "colour": "0x212121",
        "voice": None,
        "script": "",
        "body": "Feel every beat. Pulse Pro headphones.",
        "title": "Pulse Pro",
        "start": "2026-08-10",
        "reach": 54000,
        "labels": {
            "hook_type": "none",
            "cta_type": "none",
            "offer": False,
            "offer_types": [],
            "urgency": False,
        },
    },
    {
        "id": "900000000000007",
        "page_id": "100000000000007",
        "page_name": "Greenleaf Insurance",
        "colour": "0x00695c",
        "voice": "en-us+m1",
        "script": (
            "Over 2 million drivers switched to Greenleaf last year. Why? Because they saved an average "
            "of $400 on car insurance. Getting a quote takes two minutes. Sign up today "
            "and see how much you could save."
        ),
        "body": "Join 2 million drivers who switched and saved.",
        "title": "Get a quote in 2 minutes",
        "start": "2026-01-05",
        "reach": 870000,
        "labels": {
            "hook_type": "social_proof",
            "cta_type": "sign_up",
            "offer": False,
            "offer_types": [],
            "urgency": False,
        },
    },
]


def build(ad: dict[str, object], tmp: Path) -> str:
    name = f"{ad['id']}.mp4"
    target = OUT / name
    wav = tmp / f"{ad['id']}.wav"
    if ad["voice"]:
        subprocess.run(
            ["espeak-ng", "-v", str(ad["voice"]), "-s", "135", "-w", str(wav), str(ad["script"])], check=True
        )
        audio = ["-i", str(wav)]
        audio_filter: list[str] = []
    else:
        # Music only: a few bars of chords, no speech.
        audio = [
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=220:duration=9",
            "-f",
            "lavfi",
            "-i",
            "sine=frequency=330:duration=9",
        ]
        audio_filter = [
            "-filter_complex",
            "[1:a][2:a]amix=inputs=2,volume=0.5,tremolo=f=2[a]",
            "-map",
            "0:v",
            "-map",
            "[a]",
        ]
    text = str(ad["page_name"]).replace(":", r"\:")
    draw = f"drawtext=fontfile={FONT}:text='{text}':fontcolor=white:fontsize=20:x=(w-text_w)/2:y=(h-text_h)/2"
    subprocess.run(
        [
            "ffmpeg", "-y", "-loglevel", "error",
            "-f", "lavfi", "-i", f"color=c={ad['colour']}:s=270x480:r=10",
            *audio,
            *audio_filter,
            "-vf", draw,
            "-shortest",
            "-c:v", "libx264", "-preset", "veryslow", "-crf", "38", "-pix_fmt", "yuv420p",
            "-c:a", "aac", "-b:a", "40k", "-ac", "1", "-ar", "22050",
            "-movflags", "+faststart",
            str(target),
        ],
        check=True,
    )  # fmt: skip
    return name


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    TRUTH.parent.mkdir(parents=True, exist_ok=True)
    metadata, truth = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        for ad in ADS:
            video = build(ad, Path(tmp))
            metadata.append(
                {
                    "id": ad["id"],
                    "page_id": ad["page_id"],
                    "page_name": ad["page_name"],
                    "ad_creation_time": ad["start"],
                    "ad_delivery_start_time": ad["start"],
                    "ad_creative_bodies": [ad["body"]],
                    "ad_creative_link_titles": [ad["title"]],
                    "publisher_platforms": ["facebook", "instagram"],
                    "languages": ["en"],
                    "eu_total_reach": ad["reach"],
                    "video": video,
                }
            )
            truth[str(ad["id"])] = {"script": ad["script"], "labels": ad["labels"]}
    (OUT / "ads.json").write_text(json.dumps(metadata, indent=2) + "\n", encoding="utf-8")
    TRUTH.write_text(json.dumps(truth, indent=2) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
