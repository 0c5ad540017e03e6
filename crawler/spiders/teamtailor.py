"""Teamtailor career sites, read through their public RSS feed (no API key).

Teamtailor's JSON:API (`api.teamtailor.com/v1/jobs`) needs a company key, but every career site
(`{company}.teamtailor.com`, or the company's own domain) publishes its open jobs keyless:

    GET https://{career site}/jobs.rss?per_page=100&offset=N

RSS 2.0 in the namespace `tt` = https://teamtailor.com/locations. The feed lists the first 100
jobs unless told otherwise; `per_page` and `offset` page it. The channel's `title` is the
company; each `item` has `title`, `description` (the ad, HTML), `pubDate` (RFC 822), `link`
(`.../jobs/{id}-{slug}`), `guid`, `remoteStatus` (none / onsite / hybrid / temporary / fully),
`tt:department`, `tt:role` and `tt:locations` / `tt:location` {tt:name, tt:city, tt:country
(a name), tt:zip, tt:address}. It says nothing of salary, employment type or the ad's language.

A multi-language career site serves each language under a locale prefix (`/de/jobs`,
`/fr-CA/jobs`) and, as far as public sources show, a feed per language (`/de/jobs.rss`); a
board URL with such a prefix is read through that feed, and the prefix is passed on as the
declared language (evidence the language step weighs against the ad's own text).

An `endpoint` not ending in `.rss` is taken as a mirror of the v1 JSON:API (`{"data": [jobs],
"included": [locations, departments], "links": {"next"}, "meta": {"record-count"}}`): job
`attributes` title, body, created-at, end-date, remote-status, employment-type, min-salary,
max-salary, currency, salary-time-unit, language-code, status, internal; `links`
careersite-job-url and careersite-job-apply-url; `relationships` locations and department.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from lxml import etree
from scrapy.http import Response

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import Source, board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider, Page, dig

PAGE_SIZE = 100

_JOB_ID = re.compile(r"/jobs/(\d+)")
# Teamtailor's remote statuses as the normalize step reads them. "none" is the default of every
# job, not a statement, and "temporary" (remote for now, at the office later) is both.
_WORKPLACE = {"fully": "remote", "hybrid": "hybrid", "temporary": "hybrid", "onsite": "onsite"}
# Never fetch a DTD or expand an entity from an untrusted feed.
_XML_PARSER = etree.XMLParser(resolve_entities=False, no_network=True)


def feed_url(board_url: str) -> str | None:
    """The RSS feed of a career site URL as users paste it (`acme.teamtailor.com/jobs`,
    `careers.acme.com/de/jobs`, a posting page), or None when it is not an http(s) URL."""
    site = board_from_url(board_url, "teamtailor")
    if site is None:
        return None
    return f"{site.origin}{f'/{site.locale}' if site.locale else ''}/jobs.rss"


def feed_locale(url: str) -> str | None:
    """The locale prefix of a career site or feed URL (`/fr-CA/jobs.rss` → `fr-CA`), if any."""
    site = board_from_url(url, "teamtailor")
    return site.locale if site else None


def rss_item(item: etree._Element) -> dict[str, Any]:
    """One RSS `item` as a plain dict under the feed's own names (namespaces dropped);
    `locations` is a list of {name, city, country, zip, address}."""
    fields: dict[str, Any] = {
        name: item.findtext("{*}" + name)
        for name in ("title", "description", "pubDate", "link", "guid", "remoteStatus", "department", "role")
    }
    fields["locations"] = [
        {name: place.findtext("{*}" + name) for name in ("name", "city", "country", "zip", "address")}
        for place in item.findall("{*}locations/{*}location")
    ]
    return fields


class TeamtailorSpider(JsonBoardSpider):
    name = "teamtailor"
    # The keyless feed lives on the career site's own host, which is the source's host.
    api_hosts = frozenset()
    jobs_at = ("data",)  # a feed's items, or a JSON:API document's jobs
    total_at = ("meta", "record-count")  # the JSON:API mirror's
    count_jobs_without_id = False
    channel_title: str | None = None  # the feed's: the company
    included: dict[tuple[str, str], dict[str, Any]] = {}  # the JSON:API page's resources, by (type, id)

    derive_api_url = staticmethod(feed_url)

    def __init__(self, source: Source, **kwargs: Any) -> None:
        super().__init__(source, **kwargs)
        listing = source.endpoint or feed_url(source.url) or ""
        self.feed = urlsplit(listing).path.endswith(".rss")
        # A feed pages by offset (its `per_page` in an endpoint sets the page size); the
        # JSON:API mirror links its next page.
        self.page_size, self.page_size_param = (PAGE_SIZE, "per_page") if self.feed else (None, None)
        self.locale = feed_locale(listing)

    def page_params(self, page: Page) -> dict[str, str]:
        return {"per_page": str(self.page_size), "offset": str(page.offset)}

    def listing_body(self, response: Response) -> Any:
        """A feed as {"title": the channel's, "data": its items as `rss_item` gives them}."""
        if not self.feed:
            return super().listing_body(response)
        try:
            root = etree.fromstring(response.body, _XML_PARSER)
        except etree.XMLSyntaxError as error:
            self.problem("bad_xml", response.url, f"invalid XML: {error}"[:300])
            return None
        channel = root.find("channel") if root.tag == "rss" else None
        if channel is None:
            self.problem("bad_xml", response.url, f"expected an RSS feed, found <{root.tag}>"[:300])
            return None
        return {"title": channel.findtext("title"), "data": [rss_item(item) for item in channel.findall("item")]}

    def next_page_url(self, data: Any, response: Response) -> str | None:
        # Same path and query as the mirror's `links.next`, on the host this page came from.
        parts = urlsplit(text_of(dig(data, ("links", "next"))) or "")
        return response.urljoin(parts.path + (f"?{parts.query}" if parts.query else "")) if parts.path else None

    def note_page(self, data: Any, jobs: list[dict[str, Any]]) -> None:
        self.channel_title = text_of(data.get("title"))
        self.included = _included(data.get("included"))

    def job_id(self, job: dict[str, Any]) -> str | None:
        return _feed_key(job) if self.feed else super().job_id(job)

    def job_postings(self, job: dict[str, Any]) -> list[JobPosting | None]:
        return [self.rss_posting(job, self.channel_title) if self.feed else self.api_posting(job, self.included)]

    def rss_posting(self, item: dict[str, Any], company: str | None = None) -> JobPosting | None:
        """One feed item (as `rss_item` gives it) as a JobPosting; None when it has neither a
        job link nor a guid. `company` is the channel's title."""
        link, key = text_of(item.get("link")), _feed_key(item)
        if key is None:
            return None
        workplace = _WORKPLACE.get((text_of(item.get("remoteStatus")) or "").lower())
        places = item.get("locations") if isinstance(item.get("locations"), list) else []
        return self.posting(
            key=key,
            external_id=key,
            url=link or self.source.url,
            title=text_of(item.get("title")),
            department=text_of(item.get("department")),
            description_html=text_of(item.get("description")),
            locations=_locations(places, remote=workplace == "remote"),
            workplace_raw=workplace,
            date_posted_raw=text_of(item.get("pubDate")),
            declared_language=self.locale,
            company=company,
        )

    # -- a v1 JSON:API mirror ----------------------------------------------------------------

    def parse_api_page(self, response: Response, listed: int, visited: set[str]) -> Iterator[JobPosting | scrapy.Request]:
        data = self.json_body(response)
        if data is None:
            return
        jobs = data.get("data") if isinstance(data, dict) else None
        if not isinstance(jobs, list):
            self.problem("bad_json", response.url, 'expected a JSON:API document with a "data" list')
            return
        self.count_page()

        included = _included(data.get("included"))
        for job in jobs:
            posting = self.api_posting(job, included) if isinstance(job, dict) else None
            if posting is not None:
                yield posting
        listed += len(jobs)

        links = data.get("links") if isinstance(data.get("links"), dict) else {}
        next_link = text_of(links.get("next"))
        if next_link:
            # Same path and query, on the host this page came from (the endpoint's, for a mirror).
            parts = urlsplit(next_link)
            url = response.urljoin(parts.path + (f"?{parts.query}" if parts.query else ""))
            if url not in visited:
                visited.add(url)
                yield scrapy.Request(url, callback=self.parse_api_page, errback=self.on_error, cb_kwargs={"listed": listed, "visited": visited})
                return
        meta = data.get("meta") if isinstance(data.get("meta"), dict) else {}
        total = meta.get("record-count")
        if isinstance(total, int) and not isinstance(total, bool) and total > listed:
            self.problem("truncated_listing", response.url, f"meta.record-count is {total}, the pages held {listed}")

    def api_posting(self, job: dict[str, Any], included: dict[tuple[Any, str], dict[str, Any]] | None = None) -> JobPosting | None:
        """One JSON:API job resource as a JobPosting; None when it has no id or is not an open,
        public job. `included` maps (type, id) of the document's included resources to their
        attributes (locations, departments)."""
        job_id = text_of(job.get("id"))
        attributes = job.get("attributes")
        if job_id is None or not isinstance(attributes, dict):
            return None
        if attributes.get("internal") is True or (text_of(attributes.get("status")) or "open") != "open":
            return None
        included = included or {}
        links = job.get("links") if isinstance(job.get("links"), dict) else {}
        relationships = job.get("relationships") if isinstance(job.get("relationships"), dict) else {}
        workplace = _WORKPLACE.get((text_of(attributes.get("remote-status")) or "").lower())
        # Current API versions link `locations`; older ones a single `location`.
        places = [
            included.get(("locations", location_id))
            for name in ("locations", "location")
            for location_id in _related_ids(relationships.get(name))
        ]
        departments = [included.get(("departments", i)) or {} for i in _related_ids(relationships.get("department"))]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(links.get("careersite-job-url")) or self.source.url,
            apply_url=text_of(links.get("careersite-job-apply-url")),
            title=text_of(attributes.get("title")),
            department=next((text_of(d.get("name")) for d in departments if d.get("name")), None),
            description_html=text_of(attributes.get("body")),
            locations=_locations(places, remote=workplace == "remote"),
            employment_type_raw=text_of(attributes.get("employment-type")),
            workplace_raw=workplace,
            date_posted_raw=text_of(attributes.get("created-at")),
            valid_through_raw=text_of(attributes.get("end-date")),
            salary_raw=monetary_amount(
                attributes.get("min-salary"),
                attributes.get("max-salary"),
                text_of(attributes.get("currency")),
                text_of(attributes.get("salary-time-unit")),
            ),
            stated_language=text_of(attributes.get("language-code")),
        )


def _feed_key(item: dict[str, Any]) -> str | None:
    """A feed item's job id, from its link (`.../jobs/{id}-{slug}`), else its guid."""
    job_id = _JOB_ID.search(text_of(item.get("link")) or "")
    return job_id.group(1) if job_id else text_of(item.get("guid"))


def _locations(places: list[Any], remote: bool) -> list[RawLocation]:
    """Teamtailor locations ({name, city, country, zip}; the street `address` is the office's,
    not needed to place the job). The name ("Stockholm HQ", "Canada - REMOTE") is kept as the
    raw text; city and country, where given, win over it. A fully remote job's locations say
    where applicants may work from."""
    locations = []
    for place in places:
        if not isinstance(place, dict):
            continue
        location = RawLocation(
            raw=text_of(place.get("name")) or "",
            city=text_of(place.get("city")),
            country=text_of(place.get("country")),
            postal_code=text_of(place.get("zip")),
            remote=remote,
        )
        if location.raw or location.city or location.country:
            locations.append(location)
    return locations


def _included(resources: Any) -> dict[tuple[str, str], dict[str, Any]]:
    """A JSON:API document's `included` resources: (type, id) → attributes."""
    return {
        (resource["type"], str(resource.get("id"))): resource["attributes"]
        for resource in (resources if isinstance(resources, list) else [])
        if isinstance(resource, dict)
        and isinstance(resource.get("type"), str)
        and isinstance(resource.get("attributes"), dict)
    }


def _related_ids(relationship: Any) -> list[str]:
    """The ids a JSON:API relationship links to (`{"data": {...}}` or `{"data": [...]}`)."""
    data = relationship.get("data") if isinstance(relationship, dict) else None
    linked = data if isinstance(data, list) else [data]
    return [str(item["id"]) for item in linked if isinstance(item, dict) and item.get("id") is not None]
