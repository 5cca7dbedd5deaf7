"""A transcription server's answers turned into the transcript the local engine makes.

Servers differ: OpenAI lists words apart from the segments and without punctuation, others nest them in
segments or leave them out, and a server without verbose_json gives only the text. Every answer ends as
segments with words carrying a leading space and their punctuation (as faster-whisper gives them, which
sentence splitting and the hook window rely on); times a server did not give are estimated across the
piece, in proportion to the characters spoken. Pieces of a split file are offset back to the whole."""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

# Whisper's languages by the names OpenAI's verbose_json gives ("german"), with common aliases.
_NAMES = """english:en chinese:zh german:de spanish:es russian:ru korean:ko french:fr japanese:ja portuguese:pt
turkish:tr polish:pl catalan:ca dutch:nl arabic:ar swedish:sv italian:it indonesian:id hindi:hi finnish:fi
vietnamese:vi hebrew:he ukrainian:uk greek:el malay:ms czech:cs romanian:ro danish:da hungarian:hu tamil:ta
norwegian:no thai:th urdu:ur croatian:hr bulgarian:bg lithuanian:lt latin:la maori:mi malayalam:ml welsh:cy
slovak:sk telugu:te persian:fa latvian:lv bengali:bn serbian:sr azerbaijani:az slovenian:sl kannada:kn
estonian:et macedonian:mk breton:br basque:eu icelandic:is armenian:hy nepali:ne mongolian:mn bosnian:bs
kazakh:kk albanian:sq swahili:sw galician:gl marathi:mr punjabi:pa sinhala:si khmer:km shona:sn yoruba:yo
somali:so afrikaans:af occitan:oc georgian:ka belarusian:be tajik:tg sindhi:sd gujarati:gu amharic:am yiddish:yi
lao:lo uzbek:uz faroese:fo haitian_creole:ht pashto:ps turkmen:tk nynorsk:nn maltese:mt sanskrit:sa
luxembourgish:lb myanmar:my tibetan:bo tagalog:tl malagasy:mg assamese:as tatar:tt hawaiian:haw lingala:ln
hausa:ha bashkir:ba javanese:jw sundanese:su cantonese:yue burmese:my valencian:ca flemish:nl haitian:ht
letzeburgesch:lb pushto:ps panjabi:pa moldavian:ro moldovan:ro sinhalese:si castilian:es mandarin:zh
norwegian_bokmal:no bokmal:no farsi:fa filipino:tl"""
LANGUAGE_CODES: dict[str, str] = {
    name.replace("_", " "): code for name, code in (pair.split(":") for pair in _NAMES.split())
}
_CODES = set(LANGUAGE_CODES.values())


def language_code(value: Any) -> str | None:
    """A language code ("de") from what a server says: a code, a name ("german", "German") or a tag ("de-DE")."""
    if not isinstance(value, str) or not value.strip():
        return None
    text = value.strip().lower().replace("_", "-")
    if text in _CODES:
        return text
    if text in LANGUAGE_CODES:
        return LANGUAGE_CODES[text]
    base = text.split("-")[0]
    return base if base in _CODES else text


def _sentences(text: str) -> list[str]:
    return [part.strip() for part in re.split(r"(?<=[.!?])\s+", text.strip()) if part.strip()]


def _spread(pieces: Sequence[str], start: float, end: float) -> list[tuple[str, float, float]]:
    """Pieces of text with times estimated over [start, end], in proportion to their length."""
    total = sum(len(p) for p in pieces) or 1
    out, at = [], start
    for piece in pieces:
        step = (end - start) * len(piece) / total
        out.append((piece, round(at, 2), round(at + step, 2)))
        at += step
    return out


def _words_for(text: str, words: list[dict[str, Any]], start: float, end: float) -> list[dict[str, Any]]:
    """A segment's words with a leading space each; when the server's words match the text's tokens one for
    one, the tokens (which keep their punctuation) replace them; without words, they are estimated."""
    tokens = text.split()
    if not words:
        return [{"start": s, "end": e, "word": f" {w}"} for w, s, e in _spread(tokens, start, end)]
    if len(tokens) == len(words):
        words = [dict(word, word=token) for word, token in zip(words, tokens, strict=True)]
    return [
        {"start": round(float(w["start"]), 2), "end": round(float(w["end"]), 2), "word": " " + str(w["word"]).strip()}
        for w in words
    ]


def piece_segments(answer: dict[str, Any], duration: float) -> list[dict[str, Any]]:
    """One piece's segments in its own time, from whatever the server answered."""
    raw = answer.get("segments")
    if not isinstance(raw, list) or not raw:
        spread = _spread(_sentences(str(answer.get("text") or "")), 0.0, duration)
        return [{"start": s, "end": e, "text": t, "words": _words_for(t, [], s, e)} for t, s, e in spread]
    loose = [w for w in answer.get("words") or [] if isinstance(w, dict) and "start" in w]
    segments = []
    for n, seg in enumerate(raw):
        start, end = float(seg.get("start") or 0.0), float(seg.get("end") or 0.0)
        following = float(raw[n + 1].get("start") or end) if n + 1 < len(raw) else float("inf")
        nested = [w for w in seg.get("words") or [] if isinstance(w, dict) and "start" in w]
        mine = nested or [w for w in loose if (n == 0 or float(w["start"]) >= start) and float(w["start"]) < following]
        text = str(seg.get("text") or "").strip()
        segments.append({"start": round(start, 2), "end": round(end, 2), "text": text, "words": []})
        segments[-1]["words"] = _words_for(text, mine, start, end)
    return [s for s in segments if s["text"]]


def _shifted(segment: dict[str, Any], offset: float, length: float) -> dict[str, Any]:
    """A piece's segment in the whole file's time; times past the piece (a server's overshoot) end with it."""

    def at(seconds: float) -> float:
        return round(min(max(seconds, 0.0), length) + offset, 2)

    words = [dict(w, start=at(w["start"]), end=at(w["end"])) for w in segment["words"]]
    return dict(segment, start=at(segment["start"]), end=at(segment["end"]), words=words)


def merge(pieces: Sequence[tuple[float, float, dict[str, Any]]], duration: float) -> dict[str, Any]:
    """The whole file's transcript from (start, duration, answer) per piece, in order."""
    segments: list[dict[str, Any]] = []
    language = None
    for start, length, answer in pieces:
        segments += [_shifted(seg, start, length) for seg in piece_segments(answer, length)]
        language = language or language_code(answer.get("language"))
    return {
        "text": " ".join(seg["text"] for seg in segments).strip(),
        "segments": segments,
        "language": language,
        "language_probability": None,  # servers do not say how sure they are
        "duration_s": round(duration, 2),
    }
