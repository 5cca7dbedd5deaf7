"""Adapters to the outside world that the pipeline's stages drive: the Meta client, yt-dlp, the whisper
child, the analysers (LLM and offline), Chat's model client and the shared network policy.

Heavy libraries are imported inside these modules, never at package import."""
