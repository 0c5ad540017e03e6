"""Eightfold AI career sites (`{company}.eightfold.ai/careers`, or the company's own host such
as `explore.jobs.netflix.net`), read through the public SmartApply API their pages call.

    GET {origin}/api/apply/v2/jobs?domain={domain}&start=N&num=10

answers `{"positions": [...], "count": N}`, 10 positions a page whatever `num` asks. `domain`
names the company's tenant (netflix.com, arcadis.com); it is taken from the board URL's own
`?domain=` when it has one, else inferred - `{company}.com` for `{company}.eightfold.ai`, the
host's last two labels on a company host. That inference is the weak point (Netflix's host is
netflix.net, its domain netflix.com): give the URL with `?domain=` where it differs.

A position has `id`, `name`, `location` and `locations` ("Los Gatos,California,United States of
America"), `department`, `business_unit`, `t_create` / `t_update` (epoch seconds),
`ats_job_id` / `display_job_id`, `locale` ("en-US"), `work_location_option` (onsite, hybrid,
remote) / `location_flexibility`, `canonicalPositionUrl` and `job_description`, empty in the
list. The text comes from the detail, `GET {origin}/api/apply/v2/jobs/{id}?domain={domain}`,
the same object with `job_description` (HTML). Eightfold publishes neither pay nor contract kind
here (`type` is "ATS", the position's origin).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, Page

PAGE_SIZE = 10
API_PATH = "/api/apply/v2/jobs"


def board_domain(board_url: str) -> str | None:
    """The tenant's `domain` parameter for a board URL (see the module docstring)."""
    parts = urlsplit(board_url)
    stated = parse_qs(parts.query).get("domain", [""])[0].strip()
    if stated:
        return stated
    labels = (parts.hostname or "").split(".")
    if parts.hostname and parts.hostname.endswith(".eightfold.ai"):
        return f"{labels[0]}.com"
    return ".".join(labels[-2:]) if len(labels) >= 2 else None


def listing_url(board_url: str) -> str | None:
    """The first listing URL for a board URL as users paste it, or None when it names no board."""
    board = board_from_url(board_url, "eightfold")
    domain = board_domain(board_url)
    if board is None or domain is None:
        return None
    return f"https://{board.netloc}{API_PATH}?" + urlencode({"domain": domain})


class EightfoldSpider(JsonBoardSpider):
    name = "eightfold"
    jobs_at = ("positions",)
    total_at = ("count",)
    page_size = PAGE_SIZE
    headers = {"Accept": "application/json"}  # noqa: RUF012 - the template's own class attribute

    derive_api_url = staticmethod(listing_url)

    def page_params(self, page: Page) -> dict[str, str]:
        return {"start": str(page.offset), "num": str(PAGE_SIZE)}

    def detail_url(self, job: dict[str, Any]) -> str | None:
        if text_of(job.get("job_description")):
            return None
        listing = urlsplit(self.api_url() or "")
        domain = parse_qs(listing.query).get("domain", [""])[0]
        return f"{listing.scheme}://{listing.netloc}{API_PATH}/{self.job_id(job)}?" + urlencode({"domain": domain})

    def merge_detail(self, job: dict[str, Any], detail: dict[str, Any]) -> dict[str, Any]:
        # Some tenants wrap the detail; the listing's values stay where the detail has none.
        inner = detail.get("position") if isinstance(detail.get("position"), dict) else detail
        return {**job, **{key: value for key, value in inner.items() if value not in (None, "", [])}}

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One position (listing entry merged with its detail) as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        workplace = text_of(job.get("work_location_option")) or text_of(job.get("location_flexibility"))
        board = board_from_url(self.source.url, "eightfold")
        page = f"{board.origin}/careers/job/{job_id}" if board else self.source.url
        locale = text_of(job.get("locale"))
        return self.posting(
            key=job_id,
            external_id=text_of(job.get("display_job_id")) or text_of(job.get("ats_job_id")) or job_id,
            url=text_of(job.get("canonicalPositionUrl")) or page,
            title=text_of(job.get("name")),
            department=text_of(job.get("department")) or text_of(job.get("business_unit")),
            description_html=text_of(job.get("job_description")),
            locations=_locations(job, remote=(workplace or "").lower() == "remote"),
            workplace_raw=workplace,
            date_posted_raw=_epoch_ms(job.get("t_create")) or _epoch_ms(job.get("t_update")),
            stated_language=locale.replace("_", "-").split("-")[0].lower() if locale else None,
        )


def _epoch_ms(value: Any) -> int | None:
    """Eightfold's epoch seconds as epoch milliseconds (the form the date step reads)."""
    seconds = value if isinstance(value, (int, float)) and not isinstance(value, bool) else None
    if isinstance(value, str) and value.strip().isdigit():
        seconds = int(value)
    return int(seconds * 1000) if seconds else None


def _locations(job: dict[str, Any], remote: bool) -> list[RawLocation]:
    """Each of `locations` ("City,Region,Country"), else `location`; the last part is the country."""
    places = job.get("locations")
    names = [text_of(place) for place in places] if isinstance(places, list) else []
    names = [name for name in names if name] or [text_of(job.get("location"))]
    locations = []
    for name in dict.fromkeys(filter(None, names)):
        parts = [part.strip() for part in name.split(",") if part.strip()]
        city = parts[0] if len(parts) >= 3 else None
        locations.append(RawLocation(raw=name, city=city, country=parts[-1] if len(parts) >= 2 else None,
                                     remote=remote))
    return locations
