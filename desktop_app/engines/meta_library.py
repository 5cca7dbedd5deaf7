"""Meta Ad Library API (`ads_archive`) over httpx: search parameters, cursor pagination that resumes,
the error table (re-auth, onboarding, halve the page, pause on rate limits), usage headers, and a
core-field fallback. The access token travels in a header and never reaches logs, storage or errors."""

from __future__ import annotations

import json
import logging
import os
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx

from desktop_app.core.context import CancelToken, JobContext, JobError
from desktop_app.core.secrets import get_secret
from desktop_app.core.settings import Settings
from desktop_app.core.source_rules import MAX_TERMS_CHARS
from desktop_app.core.text import plural
from desktop_app.core.types import LIBRARY_URL
from desktop_app.engines.network import (
    RETRYABLE_STATUS,
    GaveUp,
    RetryableError,
    RetryPolicy,
    host_of,
    offline,
    retry_after_seconds,
)

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
CONNECT_TIMEOUT_S = 10.0
NETWORK_BUDGET_S = 60.0  # how long a connection that keeps failing is retried, in all
log = logging.getLogger(__name__)


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


def unreachable(exc: httpx.TransportError, host: str) -> str:
    """Why Meta could not be reached, in words."""
    if isinstance(exc, httpx.ConnectTimeout):
        return f"{host} did not answer"
    if isinstance(exc, httpx.TimeoutException):
        return "Meta stopped answering"
    if isinstance(exc, httpx.ConnectError):
        if offline(str(exc)):
            return f"No internet connection: cannot reach {host}"
        return f"cannot connect to {host}"
    return "the connection to Meta dropped"


def graph_url() -> str:
    return os.environ.get("META_GRAPH_URL", DEFAULT_GRAPH_URL).rstrip("/")


def build_params(source: dict[str, Any], fields: list[str], limit: int) -> dict[str, str]:
    """Query parameters for `ads_archive` from a meta_search source."""
    page_ids = [str(p) for p in source.get("page_ids") or []]
    if len(page_ids) > MAX_PAGE_IDS:
        raise JobError(f"Meta accepts at most {MAX_PAGE_IDS} page ids per search ({len(page_ids)} given)")
    terms = str(source.get("terms") or "")
    if len(terms) > MAX_TERMS_CHARS:
        raise JobError(
            f"The search terms are {len(terms)} characters long; Meta's Ad Library accepts at most "
            f"{MAX_TERMS_CHARS}. Shorten them."
        )
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
        self.host = host_of(self.endpoint)
        # Rate limits pause for minutes, as Meta asks, so those waits may be long (a cancel cuts them short);
        # a connection that keeps failing is given up on within about a minute.
        self.policy = policy or RetryPolicy(attempts=6, max_wait_s=900, budget_s=NETWORK_BUDGET_S)
        self.client = httpx.Client(
            timeout=httpx.Timeout(timeout_s, connect=CONNECT_TIMEOUT_S),
            headers={"Authorization": f"Bearer {access_token}"},
        )

    def close(self) -> None:
        self.client.close()

    def page(
        self, params: dict[str, str], token: CancelToken, on_wait: Callable[[str], None]
    ) -> tuple[dict[str, Any], float]:
        """One page and the pause its usage headers ask for, with retries for transient errors."""
        return self.policy.call(lambda: self._get(params), token, on_wait, "Meta")

    def _get(self, params: dict[str, str]) -> tuple[dict[str, Any], float]:
        try:
            response = self.client.get(self.endpoint, params=params)
        except httpx.TransportError as exc:
            log.info("Meta request failed: %r", exc)
            raise RetryableError(unreachable(exc, self.host)) from exc
        except (httpx.HTTPError, httpx.InvalidURL) as exc:  # the request could not be built or read back
            log.info("Meta request could not be made: %r", exc)
            raise JobError("The Ad Library search could not be sent to Meta; check its terms and page ids") from exc
        try:
            body = response.json()
        except ValueError:
            body = {}
        error = body.get("error") if isinstance(body, dict) else None
        if response.status_code >= 400 or error:
            raise self._error(response, error if isinstance(error, dict) else {})
        return (body if isinstance(body, dict) else {}), usage_pause(response.headers)

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
            pause = usage_pause(response.headers) or retry_after_seconds(response.headers.get("retry-after")) or 120.0
            return RetryableError(f"Meta rate limit reached (code {api_error.code}); pausing", retry_after=pause)
        status = response.status_code
        if status == 429 or (api_error.code is None and status in RETRYABLE_STATUS):
            hint = retry_after_seconds(response.headers.get("retry-after"))
            busy = "Meta is limiting requests" if status == 429 else "Meta is temporarily unavailable"
            return RetryableError(f"{busy} (HTTP {status})", retry_after=hint)
        if api_error.code == 2 or api_error.transient or (status >= 500 and api_error.code is None):
            return RetryableError(f"Meta is temporarily unavailable ({api_error.message})")
        return api_error

    def redact(self, text: str) -> str:
        return text.replace(self._token, "***") if self._token else text


def job_error(error: MetaApiError) -> JobError:
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
    api = MetaAdLibrary(access_token, settings.graph_version)
    try:
        _Search(ctx, api).run()
    except GaveUp as exc:
        raise JobError(
            f"Cannot reach Meta: {exc.last}. Gave up after {exc.tries} tries over {exc.seconds:.0f} s; "
            "check the internet connection, then press Retry to go on from where the search stopped."
        ) from exc
    finally:
        api.close()
    # Pages fetched before an interruption are items already: return every ad of the job.
    return [(i.key, i.data) for i in ctx.items()]


class _Search:
    """One search's paging state, saved after every page so an interrupted search resumes from its cursor."""

    def __init__(self, ctx: JobContext, api: MetaAdLibrary) -> None:
        self.ctx = ctx
        self.api = api
        self.source = ctx.source.params
        state = ctx.stage_state
        self.fields: list[str] = state.get("fields") or ALL_FIELDS
        self.limit = int(state.get("limit") or self.source.get("page_size") or 200)
        self.max_ads = int(self.source.get("max_ads") or 100)
        self.after: str | None = state.get("after")
        self.found = int(state.get("found") or 0)

    def waiting(self, message: str) -> None:
        self.ctx.stage_progress(min(1.0, self.found / self.max_ads), message)

    def run(self) -> None:
        while self.found < self.max_ads:
            params = build_params(self.source, self.fields, min(self.limit, self.max_ads - self.found))
            if self.after:
                params["after"] = self.after
            try:
                page, pause = self.api.page(params, self.ctx.token, self.waiting)
            except MetaApiError as error:
                if self.adjust(error):
                    continue
                raise job_error(error) from None
            if not self.add(page):
                break
            if pause:
                self.waiting(f"Meta usage is high; pausing {pause:.0f} s")
                self.ctx.token.sleep(pause)

    def adjust(self, error: MetaApiError) -> bool:
        """Ask for less when Meta says so (a smaller page, the core fields); False when that cannot help."""
        if error.code == 1 and self.limit > 10:
            self.limit //= 2
            self.ctx.log("retry", f"Meta asked for less data per page; page size now {self.limit}")
            return True
        refused_field = error.code == 100 or (error.code is not None and 200 <= error.code < 300)
        if refused_field and self.fields == ALL_FIELDS:
            self.fields = CORE_FIELDS
            self.ctx.log("retry", "Meta refused some fields for this token; using the core field list")
            return True
        return False

    def add(self, page: dict[str, Any]) -> bool:
        """Add one page's ads as items and save the cursor; False when there is no next page."""
        batch = []
        for raw in page.get("data") or []:
            ad_id = str(raw.get("id") or "") if isinstance(raw, dict) else ""
            if not ad_id:
                continue
            meta = {k: v for k, v in raw.items() if k != "ad_snapshot_url"}
            meta["library_url"] = LIBRARY_URL.format(ad_id)
            batch.append((ad_id, {"ad": meta, "url": meta["library_url"]}))
        self.found += len(batch)
        paging = page.get("paging") or {}
        self.after = (paging.get("cursors") or {}).get("after")
        self.ctx.add_items(batch)
        self.ctx.save_stage_state(
            {"after": self.after, "fields": self.fields, "limit": self.limit, "found": self.found}
        )
        fetched = f"Fetched {plural(self.found, 'ad')} from the Ad Library"
        self.ctx.stage_progress(min(1.0, self.found / self.max_ads), fetched)
        return bool(batch and paging.get("next") and self.after)
