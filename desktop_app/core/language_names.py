"""Language names people read, from the ISO 639-1 codes Whisper and Meta give."""

from __future__ import annotations

LANGUAGES = {
    "en": "English", "de": "German", "fr": "French", "es": "Spanish", "it": "Italian", "nl": "Dutch",
    "pl": "Polish", "pt": "Portuguese", "sv": "Swedish", "da": "Danish", "fi": "Finnish", "cs": "Czech",
    "ro": "Romanian", "hu": "Hungarian", "el": "Greek", "tr": "Turkish", "ru": "Russian", "uk": "Ukrainian",
    "ja": "Japanese", "no": "Norwegian", "sk": "Slovak", "sl": "Slovenian", "hr": "Croatian", "bg": "Bulgarian",
    "lt": "Lithuanian", "lv": "Latvian", "et": "Estonian", "ga": "Irish", "ar": "Arabic", "zh": "Chinese",
    "ko": "Korean", "hi": "Hindi",
}  # fmt: skip


def language_name(code: str) -> str:
    """ "German" for "de"; a code without a name here reads as "another language (xx)"."""
    return LANGUAGES.get(code.lower(), f"another language ({code})")
