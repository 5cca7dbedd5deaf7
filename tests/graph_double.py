"""A loopback stand-in for Meta's Graph API ad library (`GET /{version}/ads_archive`), for the Meta client's tests,
the watchlists' and the benches (serve it with tests.servers.serve)."""

from __future__ import annotations

import contextlib
import json
import socket
import time
from collections import deque
from http.server import BaseHTTPRequestHandler
from typing import Any
from urllib.parse import parse_qs, urlparse

from tests.servers import send_json, send_text


class GraphDouble:
    """`GET /{version}/ads_archive` like Meta's Graph API: bearer token, cursor pages, scripted errors.

    `errors` are answered, one per request, before normal pages (a step with "text" instead of "error" is a
    plain-text answer, as a proxy or load balancer gives); `refused_fields` makes any request asking for
    them fail with code 100; `max_limit` makes larger pages fail with code 1; `drop_connections` closes
    every connection without an answer. Each request is recorded with its arrival time ("at"). `ads` may be
    replaced between requests (a page's ads change between two checks); `search_page_ids` narrows the answer."""

    def __init__(self, token: str, ads: int, version: str = "v25.0") -> None:
        self.token = token
        self.version = version
        self.ads = [
            {
                "id": f"7{n:014d}",
                "page_id": f"1{n % 3:014d}",
                "page_name": ["Example Meals", "Northwind Fitness", "Lumen Skincare"][n % 3],
                "ad_delivery_start_time": "2026-09-01",
                "ad_creative_bodies": [f"Ad number {n}"],
                "ad_snapshot_url": f"https://www.facebook.com/ads/archive/render_ad/?id=7{n:014d}&access_token={token}",
                "publisher_platforms": ["facebook"],
                "eu_total_reach": 1000 + n,
            }
            for n in range(ads)
        ]
        self.errors: deque[dict[str, Any]] = deque()
        self.refused_fields: set[str] = set()
        self.max_limit = 1000
        self.usage_headers: dict[str, str] = {}
        self.delay_s = 0.0
        self.drop_connections = False
        self.requests: list[dict[str, Any]] = []
        self.base = ""

    def handle(self, request: BaseHTTPRequestHandler) -> None:
        parsed = urlparse(request.path)
        params = {k: v[0] for k, v in parse_qs(parsed.query).items()}
        self.requests.append(
            {
                "path": parsed.path,
                "params": params,
                "auth": request.headers.get("Authorization"),
                "at": time.monotonic(),
            }
        )
        if self.drop_connections:
            request.close_connection = True
            with contextlib.suppress(OSError):
                request.connection.shutdown(socket.SHUT_RDWR)
            return
        if self.delay_s:
            time.sleep(self.delay_s)
        if parsed.path != f"/{self.version}/ads_archive":
            self._error(request, 400, {"message": "Unknown path components", "code": 2500})
            return
        if request.headers.get("Authorization") != f"Bearer {self.token}":
            self._error(request, 400, {"message": "Invalid OAuth access token.", "code": 190, "type": "OAuthException"})
            return
        if self.errors:
            step = self.errors.popleft()
            if "text" in step:
                send_text(request, step.get("status", 400), step["text"], step.get("headers"))
            else:
                self._error(request, step.get("status", 400), step["error"], step.get("headers"))
            return
        fields = params.get("fields", "id").split(",")
        refused = self.refused_fields & set(fields)
        if refused:
            self._error(
                request, 400, {"message": f"(#100) Tried accessing nonexisting field ({min(refused)})", "code": 100}
            )
            return
        limit = int(params.get("limit", 25))
        if limit > self.max_limit:
            self._error(
                request,
                500,
                {"message": "Please reduce the amount of data you're asking for, then retry your request", "code": 1},
            )
            return
        start = int(params.get("after", "0"))
        pages = set(json.loads(params.get("search_page_ids", "[]")))  # a page search gets that page's ads only
        ads = [ad for ad in self.ads if not pages or ad.get("page_id") in pages]
        page = [{k: v for k, v in ad.items() if k in fields} for ad in ads[start : start + limit]]
        end = start + len(page)
        body: dict[str, Any] = {"data": page}
        if page:
            body["paging"] = {"cursors": {"before": str(start), "after": str(end)}}
            if end < len(ads):
                body["paging"]["next"] = f"{self.base}{parsed.path}?after={end}&access_token={self.token}"
        send_json(request, 200, body, self.usage_headers)

    def _error(
        self, request: BaseHTTPRequestHandler, status: int, error: dict[str, Any], headers: dict[str, str] | None = None
    ) -> None:
        error = {"type": "OAuthException", "fbtrace_id": "AbCdEfTrace123", **error}
        send_json(request, status, {"error": error}, headers)
