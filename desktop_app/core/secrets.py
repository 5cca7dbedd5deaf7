"""Secrets (the Meta access token, the LLM API key): the environment first, then the OS keyring.

Never stored in the database, the settings file or the logs: every value read or set here is registered
with core/scrub.py, which hides it wherever text is stored, printed or logged. Where no keyring exists, a
secret set in the window lives for this session only, and the caller is told so."""

from __future__ import annotations

import os

from desktop_app.core.scrub import register

SERVICE = "AdAnalysisDesktop"
ENV = {
    "meta_token": "META_ACCESS_TOKEN",
    "llm_api_key": "OPENAI_API_KEY",
    "transcribe_api_key": "AD_ANALYSIS_TRANSCRIBE_KEY",
}
_session: dict[str, str] = {}


def get_secret(name: str) -> str | None:
    value = _lookup(name)
    register(value)
    return value


def _lookup(name: str) -> str | None:
    from_env = os.environ.get(ENV[name])
    if from_env:
        return from_env
    if name in _session:
        return _session[name]
    try:
        import keyring

        return keyring.get_password(SERVICE, name)
    except Exception:  # no backend, locked keyring, D-Bus missing: all mean "not available"
        return None


def set_secret(name: str, value: str) -> bool:
    """Store a secret; False means no OS keyring is available and it is kept for this session only."""
    register(value)
    try:
        import keyring

        if value:
            keyring.set_password(SERVICE, name, value)
        else:
            keyring.delete_password(SERVICE, name)
        _session.pop(name, None)
        return True
    except Exception:
        if value:
            _session[name] = value
        else:
            _session.pop(name, None)
        return False
