"""The chat model behind Chat: any OpenAI-compatible server, streamed through the official async
`openai` client, so the window's event loop (qasync) stays free while the answer arrives.

Every failure becomes a `ChatStreamError` whose message says what happened in words a marketer can
act on, with secrets scrubbed out (the technical detail goes to the log); the caller keeps whatever
text arrived before it."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

from desktop_app.core.chat import ChatStreamError
from desktop_app.core.scrub import endpoint_without_credentials, register, register_url, scrub
from desktop_app.engines.network import server_message

log = logging.getLogger(__name__)


class ChatModel:
    """Implements `core.chat.ChatStreamer` for an OpenAI-compatible server."""

    def __init__(self, model: str, base_url: str | None = None, api_key: str | None = None, timeout_s: float = 60.0):
        self.model = model
        self.base_url = base_url or None
        self.api_key = api_key
        self.timeout_s = timeout_s
        register(api_key)
        register_url(base_url)

    def describe(self) -> str:
        """The model and where it runs, as people say it: "gpt-4o-mini (OpenAI)", "llama3 on this computer",
        "llama3 on gpu-box" (the host name only: never a port, a path or a user:password@ part)."""
        if not self.base_url:
            return f"{self.model} (OpenAI)"
        host = urlsplit(endpoint_without_credentials(self.base_url)).hostname or "your server"
        if host in ("localhost", "127.0.0.1", "::1"):
            return f"{self.model} on this computer"
        return f"{self.model} on {host}"

    async def stream(self, messages: list[dict[str, str]]) -> AsyncIterator[str]:
        """The answer's text as it arrives."""
        import httpx
        import openai

        client = openai.AsyncOpenAI(
            base_url=self.base_url, api_key=self.api_key or "not-needed", timeout=self.timeout_s, max_retries=1
        )
        finish: str | None = None
        received = 0
        try:
            stream: Any = await client.chat.completions.create(
                model=self.model,
                messages=messages,  # type: ignore[arg-type]
                stream=True,
            )
            async for chunk in stream:
                if not chunk.choices:
                    continue
                choice = chunk.choices[0]
                if choice.delta is not None and choice.delta.content:
                    received += len(choice.delta.content)
                    yield choice.delta.content
                finish = choice.finish_reason or finish
        except openai.APIStatusError as exc:
            log.info("chat request refused by %s: %s", self.describe(), scrub(str(exc)))
            raise ChatStreamError(scrub(self._refused(exc))) from exc
        except (openai.APIConnectionError, openai.APITimeoutError, httpx.HTTPError) as exc:
            log.info("chat stream from %s failed: %s", self.describe(), scrub(f"{exc!r} (cause {exc.__cause__!r})"))
            where = f"after {received} characters" if received else "before any answer arrived"
            raise ChatStreamError(
                f"The connection to {self.describe()} broke {where} ({self._connection_problem(exc)})."
            ) from exc
        finally:
            await client.close()
        if finish is None:
            raise ChatStreamError(f"The answer from {self.describe()} stopped before it was finished.")
        if finish == "length":
            raise ChatStreamError("The answer reached the model's length limit and is cut short.")

    def _refused(self, exc: Any) -> str:
        status = exc.status_code
        if status in (401, 403):
            return f"{self.describe()} rejected the API key (HTTP {status}). Check the key in Settings."
        if status == 404:
            return f"The server does not know the model {self.model!r} (HTTP 404). Check the model in Settings."
        if status == 429:
            return f"{self.describe()} is rate limiting requests (HTTP 429). Try again in a moment."
        found = server_message(exc)
        return f"{self.describe()} refused the request (HTTP {status})" + (f": {found}" if found else ".")

    def _connection_problem(self, exc: BaseException) -> str:
        """What went wrong on the wire, in words (the exception classes and errno go to the log)."""
        import openai

        # By class name: openai releases wrap httpx or its successor httpx2, whose classes share names.
        cause = exc.__cause__ or exc.__context__
        names = {kind.__name__ for e in (exc, cause) if e is not None for kind in type(e).__mro__}
        if isinstance(exc, openai.APITimeoutError) or "TimeoutException" in names:
            return f"no answer within {self.timeout_s:.0f} s"
        if "ConnectError" in names:
            return "the server could not be reached"
        if "RemoteProtocolError" in names:
            return "the server closed the connection"
        return "the network connection failed"
