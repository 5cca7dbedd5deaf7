"""Finding a competitor's Meta page by its name, for a watchlist: the Ad Library API has no page search, so the
name is searched as ad text in the chosen countries and the pages behind the ads found are offered, the ones whose
name matches first. One request; a marketer then follows the page by its id."""

from __future__ import annotations

import json
from dataclasses import dataclass

from desktop_app.core.context import CancelToken, JobError
from desktop_app.core.secrets import get_secret
from desktop_app.core.settings import Settings
from desktop_app.engines.meta_library import MetaAdLibrary, MetaApiError, job_error
from desktop_app.engines.network import GaveUp

PAGES_FROM = 200  # ads asked for: enough to find a brand's page among the pages that mention it


@dataclass(frozen=True)
class FoundPage:
    page_id: str
    name: str
    ads: int  # how many of the ads found were the page's


def find_pages(
    settings: Settings, name: str, countries: list[str], token: CancelToken | None = None
) -> list[FoundPage]:
    """The pages whose ads mention `name`, those named like it first, then by how many ads they had. Raises
    JobError with a plain reason (no token, a refused token, Meta unreachable)."""
    access_token = get_secret("meta_token")
    if not access_token:
        raise JobError("A Meta access token is needed to find a page. Add it in Settings.", settings_field="meta_token")
    params = {
        "search_terms": name,
        "search_type": "KEYWORD_UNORDERED",
        "ad_reached_countries": json.dumps([c.upper() for c in countries]),
        "ad_active_status": "ALL",
        "ad_type": "ALL",
        "fields": "page_id,page_name",
        "limit": str(PAGES_FROM),
    }
    api = MetaAdLibrary(access_token, settings.graph_version)
    try:
        page, _pause = api.page(params, token or CancelToken(), lambda _message: None)
    except MetaApiError as error:
        raise job_error(error) from None
    except GaveUp as exc:
        raise JobError(f"Cannot reach Meta to find the page: {exc.last}. Check the internet connection.") from exc
    finally:
        api.close()
    return rank_pages(name, page.get("data") or [])


def rank_pages(name: str, ads: list[dict[str, object]]) -> list[FoundPage]:
    """Distinct pages of the ads, exact name matches first, then names containing it, then the rest."""
    counts: dict[str, list[str]] = {}
    for ad in ads:
        page_id, page_name = str(ad.get("page_id") or ""), str(ad.get("page_name") or "")
        if page_id.isdigit():
            counts.setdefault(page_id, [page_name, "0"])
            counts[page_id][1] = str(int(counts[page_id][1]) + 1)
    wanted = name.casefold().strip()

    def rank(item: tuple[str, list[str]]) -> tuple[int, int, str]:
        named = item[1][0].casefold()
        closeness = 0 if named == wanted else 1 if wanted in named else 2
        return closeness, -int(item[1][1]), named

    return [FoundPage(pid, page_name, int(n)) for pid, (page_name, n) in sorted(counts.items(), key=rank)]
