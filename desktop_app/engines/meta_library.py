"""Meta Ad Library API (`ads_archive`) over httpx: search parameters, cursor pagination that resumes,
the error table (re-auth, onboarding, halve the page, pause on rate limits), usage headers, and a
core-field fallback. The access token travels in a header and never reaches logs, storage or errors."""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from desktop_app.core.context import JobContext, JobError
from desktop_app.core.secrets import get_secret
from desktop_app.core.settings import Settings
from desktop_app.core.types import LIBRARY_URL
from desktop_app.engines.network import RetryableError, RetryPolicy

DEFAULT_GRAPH_URL = "https://graph.facebook.com"
CORE_FIELDS = [
    "id", "ad_creation_time", "ad_delivery_start_time", "ad_delivery_stop_time", "ad_creative_bodies",
    "ad_creative_link_titles", "ad_creative_link_descriptions", "ad_creative_link_captions", "page_id",
    "page_name", "publisher_platforms", "languages",
]  # fmt: skip
# ad_snapshot_url is never asked for: it embeds the access token. The page URL is built from the id.
ALL_FIELDS = [*CORE_FIELDS, "eu_total_reach", "bylines", "currency", "spend", "impressions", "estimated_audience_size"]
RATE_LIMIT_CODES = {4, 17, 32, 613, 368, *range(80000, 80015)}
MAX_PAGE_IDS = 10


@dataclass
class MetaApiError(Exception):
    status: int
    code: int | None
    subcode: int | None
    message: str
    user_message: str | None
    fbtrace_id: str | None
    transient: bool

    def __str__(self) -> str:
        return f"Meta error {self.code}: {self.user_message or self.message}"


def graph_url() -> str:
    return os.environ.get("META_GRAPH_URL", DEFAULT_GRAPH_URL).rstrip("/")


def build_params(source: dict[str, Any], fields: list[str], limit: int) -> dict[str, str]:
    """Query parameters for `ads_archive` from a meta_search source."""
    page_ids = [str(p) for p in source.get("page_ids") or []]
    if len(page_ids) > MAX_PAGE_IDS:
        raise JobError(f"Meta accepts at most {MAX_PAGE_IDS} page ids per search ({len(page_ids)} given)")
    params = {
        "ad_reached_countries": json.dumps([c.upper() for c in source["countries"]]),
        "ad_type": source.get("ad_type", "ALL"),
        "ad_active_status": source.get("active_status", "ACTIVE"),
        "media_type": source.get("media_type", "VIDEO"),
        "fields": ",".join(fields),
        "limit": str(limit),
    }
    if source.get("terms"):
        params["search_terms"] = str(source["terms"])
        params["search_type"] = source.get("search_type", "KEYWORD_UNORDERED")
    if page_ids:
        params["search_page_ids"] = json.dumps(page_ids)
    for key, param in (("date_min", "ad_delivery_date_min"), ("date_max", "ad_delivery_date_max")):
        if source.get(key):
            params[param] = str(source[key])
    for key in ("publisher_platforms", "languages"):
        if source.get(key):
            params[key] = json.dumps(list(source[key]))
    return params


def usage_pause(headers: httpx.Headers) -> float:
    """Seconds to wait before the next call, from X-App-Usage and X-Business-Use-Case-Usage."""
    highest, regain_minutes = 0.0, 0.0
    try:
        app = json.loads(headers.get("x-app-usage") or "{}")
        highest = max([float(v) for v in app.values() if isinstance(v, int | float)] or [0.0])
        buc = json.loads(headers.get("x-business-use-case-usage") or "{}")
        for entries in buc.values():
            for entry in entries:
                highest = max(highest, *(float(entry.get(k, 0)) for k in ("call_count", "total_time", "total_cputime")))
                regain_minutes = max(regain_minutes, float(entry.get("estimated_time_to_regain_access") or 0))
    except (ValueError, TypeError, AttributeError):
        return 0.0
    if regain_minutes:
        return regain_minutes * 60
    if highest > 95:
        return 60.0
    if highest > 80:
        return 5.0
    return 0.0


class MetaAdLibrary:
    def __init__(
        self,
        access_token: str,
        version: str = "v25.0",
        base_url: str | None = None,
        policy: RetryPolicy | None = None,
        timeout_s: float = 30.0,
    ) -> None:
        self._token = access_token
        self.endpoint = f"{(base_url or graph_url())}/{version}/ads_archive"
        # Rate limits pause for minutes, so waits may be long; a cancel still cuts them short.
        self.policy = policy or RetryPolicy(attempts=6, max_wait_s=900)
        self.client = httpx.Client(timeout=timeout_s, headers={"Authorization": f"Bearer {access_token}"})

    def close(self) -> None:
        self.client.close()

    def page(
        self, params: dict[str, str], ctx: JobContext, on_wait: Callable[[str], None]
    ) -> tuple[dict[str, Any], float]:
        """One page and the pause its usage headers ask for, with retries for transient errors."""
        return self.policy.call(lambda: self._get(params), ctx.token, on_wait, "Meta")

    def _get(self, params: dict[str, str]) -> tuple[dict[str, Any], float]:
        try:
            response = self.client.get(self.endpoint, params=params)
        except httpx.TransportError as exc:
            raise RetryableError(f"cannot reach Meta: {type(exc).__name__}") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code >= 400 or error:
            raise self._error(response, error or {})
        return body, usage_pause(response.headers)

    def _error(self, response: httpx.Response, error: dict[str, Any]) -> Exception:
        api_error = MetaApiError(
            status=response.status_code,
            code=error.get("code"),
            subcode=error.get("error_subcode"),
            message=self.redact(str(error.get("message") or f"HTTP {response.status_code}")),
            user_message=self.redact(str(error["error_user_msg"])) if error.get("error_user_msg") else None,
            fbtrace_id=error.get("fbtrace_id"),
            transient=bool(error.get("is_transient")),
        )
        if api_error.code in RATE_LIMIT_CODES:
            pause = usage_pause(response.headers) or 120.0
            return RetryableError(f"Meta rate limit reached (code {api_error.code}); pausing", retry_after=pause)
        if api_error.code == 2 or api_error.transient or (response.status_code >= 500 and api_error.code is None):
            return RetryableError(f"Meta is temporarily unavailable ({api_error.message})")
        return api_error

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def _job_error(error: MetaApiError) -> JobError:
    trace = f"fbtrace_id {error.fbtrace_id}" if error.fbtrace_id else None
    if error.code in (190, 102):
        return JobError(
            "Your Meta access token is invalid or has expired. Paste a new one in Settings.",
            settings_field="meta_token",
            detail=trace,
        )
    if error.code == 10 and error.subcode == 2332002:
        return JobError(
            "Meta needs you to confirm your identity before using the Ad Library API: confirm it at "
            "facebook.com/ID, wait for approval, then create a new access token.",
            settings_field="meta_token",
            detail=trace,
        )
    return JobError(f"Meta refused the search: {error.user_message or error.message}", detail=trace)


def fetch_meta_ads(ctx: JobContext, settings: Settings) -> list[tuple[str, dict[str, Any]]]:
    """Page through the search, adding each page's ads as items; resumes from the saved cursor."""
    access_token = get_secret("meta_token")
    if not access_token:
        raise JobError(
            "A Meta access token is needed to search the Ad Library. Add it in Settings.", settings_field="meta_token"
        )
    source = ctx.source.params
    state = ctx.stage_state
    fields = state.get("fields") or ALL_FIELDS
    limit = int(state.get("limit") or source.get("page_size") or 200)
    max_ads = int(source.get("max_ads") or 100)
    after: str | None = state.get("after")
    found = int(state.get("found") or 0)
    api = MetaAdLibrary(access_token, settings.graph_version)

    def waiting(message: str) -> None:
        ctx.stage_progress(min(1.0, found / max_ads), message)

    try:
        while found < max_ads:
            params = build_params(source, fields, min(limit, max_ads - found))
            if after:
                params["after"] = after
            try:
                page, pause = api.page(params, ctx, waiting)
            except MetaApiError as error:
                if error.code == 1 and limit > 10:
                    limit //= 2
                    ctx.log("retry", f"Meta asked for less data per page; page size now {limit}")
                    continue
                refused_field = error.code == 100 or (error.code is not None and 200 <= error.code < 300)
                if refused_field and fields == ALL_FIELDS:
                    fields = CORE_FIELDS
                    ctx.log("retry", "Meta refused some fields for this token; using the core field list")
                    continue
                raise _job_error(error) from None
            batch = []
            for raw in page.get("data") or []:
                ad_id = str(raw.get("id") or "")
                if not ad_id:
                    continue
                meta = {k: v for k, v in raw.items() if k != "ad_snapshot_url"}
                meta["library_url"] = LIBRARY_URL.format(ad_id)
                batch.append((ad_id, {"ad": meta, "url": meta["library_url"]}))
            found += len(batch)
            after = ((page.get("paging") or {}).get("cursors") or {}).get("after")
            has_next = bool((page.get("paging") or {}).get("next"))
            ctx.add_items(batch)
            ctx.save_stage_state({"after": after, "fields": fields, "limit": limit, "found": found})
            ctx.stage_progress(min(1.0, found / max_ads), f"Fetched {found} ad(s) from the Ad Library")
            if not batch or not has_next or not after:
                break
            if pause:
                waiting(f"Meta usage is high; pausing {pause:.0f} s")
                ctx.token.sleep(pause)
    finally:
        api.close()
    # Pages fetched before an interruption are items already: return every ad of the job.
    return [(i.key, i.data) for i in ctx.items()]
