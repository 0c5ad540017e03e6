"""Breezy HR career sites: the positions JSON their page offers, and each posting's page.

Each company has a host, `https://{slug}.breezy.hr/` (postings at `/p/{friendly_id}`). Every
open position comes in one request, unpaged: `GET https://{slug}.breezy.hr/json` answers a bare
array of `{id, friendly_id, name, url, published_date, type {id: "fullTime", name: "Full-Time"},
location {city, state {id, name}, country {id: "US", name}, name: "Austin, TX", is_remote},
locations [same shape] (several places), department (text), salary (free text, "$105k -
$125k"), company {name, logo_url, friendly_id}}`; a site that does not exist redirects to
marketing.breezy.hr.

The list has no text: each position's page `/p/{friendly_id}` carries it as schema.org
JobPosting JSON-LD (`description`, `baseSalary`, `datePosted`, `validThrough`,
`jobLocationType`), read as the position's detail. Breezy says nothing of a posting's language.
Detail pages are requested beside the list URL (the source's `endpoint`, if any: its trailing
`/json` replaced by `/p/{friendly_id}`); a page answering 404 drops its position.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit

from scrapy.http import Response, TextResponse

from crawler.extract import extract_job_postings, text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, dicts

JSON_LD = "_json_ld"  # where a position keeps its page's JobPosting


def listing_url(board_url: str) -> str | None:
    """The positions URL for a career site URL as users paste it (`acme.breezy.hr`, a posting
    `/p/{friendly_id}`), or None when it names no site."""
    board = board_from_url(board_url, "breezy")
    return f"https://{board.netloc}/json" if board else None


class BreezySpider(JsonBoardSpider):
    name = "breezy"

    derive_api_url = staticmethod(listing_url)

    def detail_url(self, job: dict[str, Any]) -> str | None:
        # The page is beside the list: `.../json` → `.../p/{friendly_id}`, on the endpoint too.
        base = (self.api_url() or "").split("?")[0].removesuffix("/").removesuffix("/json")
        friendly_id = text_of(job.get("friendly_id"))
        path = f"/p/{friendly_id}" if friendly_id else urlsplit(text_of(job.get("url")) or "").path
        return f"{base}{path}" if path.startswith("/p/") else None

    def parse_detail(self, response: Response, job: dict[str, Any]) -> Iterator[JobPosting]:
        nodes = extract_job_postings(response.selector, response.url).postings if isinstance(response, TextResponse) else []
        self.count_page()
        if nodes:
            job = {**job, JSON_LD: nodes[0]}
        else:  # the list's fields are still worth keeping
            self.problem("bad_posting", response.url, "no schema.org JobPosting on the posting page")
        yield from self._postings(job)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Breezy position (with its page's JSON-LD, if read) as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        page = job.get(JSON_LD) if isinstance(job.get(JSON_LD), dict) else {}
        board = board_from_url(self.source.url, "breezy")
        friendly_id = text_of(job.get("friendly_id"))
        url = text_of(job.get("url")) or (f"https://{board.netloc}/p/{friendly_id}" if board and friendly_id else self.source.url)
        places = dicts(job.get("locations")) or dicts([job.get("location")])
        locations = [location for location in map(_location, places) if location]
        kind = job.get("type")
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=url,
            apply_url=f"{url.rstrip('/')}/apply" if url != self.source.url else None,
            title=text_of(job.get("name")) or text_of(page.get("title")),
            company=text_of(job.get("company")) or self.source.company,
            department=text_of(job.get("department")),
            description_html=text_of(page.get("description")),
            locations=locations,
            employment_type_raw=text_of(kind) or text_of(kind.get("id") if isinstance(kind, dict) else None),
            job_location_type=page.get("jobLocationType"),
            workplace_raw="remote" if locations and all(location.remote for location in locations) else None,
            date_posted_raw=text_of(job.get("published_date")) or text_of(page.get("datePosted")),
            valid_through_raw=text_of(page.get("validThrough")),
            salary_raw=page.get("baseSalary") or text_of(job.get("salary")),
        )


def _location(place: dict[str, Any]) -> RawLocation | None:
    """A Breezy place: state and country are {id, name}; the country's id is its ISO code."""
    state, country = place.get("state"), place.get("country")
    city = text_of(place.get("city"))
    region = (text_of(state.get("name")) or text_of(state.get("id"))) if isinstance(state, dict) else text_of(state)
    country = (text_of(country.get("id")) or text_of(country.get("name"))) if isinstance(country, dict) else text_of(country)
    raw = text_of(place.get("name")) or ", ".join(part for part in (city, region, country) if part)
    if not raw:
        return None
    return RawLocation(raw=raw, city=city, region=region, country=country, remote=place.get("is_remote") is True)
