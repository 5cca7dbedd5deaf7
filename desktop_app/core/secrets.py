"""Secrets (the Meta access token, the LLM API key): the environment first, then the OS keyring.

Never stored in the database, the settings file or the logs. Where no keyring exists, a secret set in
the window lives for this session only, and the caller is told so."""

from __future__ import annotations

import os

SERVICE = "AdAnalysisDesktop"
ENV = {"meta_token": "META_ACCESS_TOKEN", "llm_api_key": "OPENAI_API_KEY"}
_session: dict[str, str] = {}


def get_secret(name: str) -> str | None:
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
