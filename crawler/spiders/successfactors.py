"""SAP SuccessFactors career sites: Career Site Builder (CSB, "RMK") sites and classic
Recruiting Management career pages.

CSB sites are served on the company's domain (`jobs.sap.com`, `careers.{company}.com`; their
pages load `rmkcdn.successfactors.com` assets) and have no public JSON API. Their search page
is server-rendered, 25 results a page:

    GET {origin}/search/?q=&sortColumn=referencedate&sortDirection=desc&startrow=N

with a `tr.data-row` per job (`a.jobTitle-link` to `/job/{slug}/{id}/`, `span.jobLocation`,
`span.jobDate` "Aug 21, 2026") and `span.paginationLabel` "Results 1 – 25 of 230". Each job page
carries schema.org JobPosting microdata (some tenants JSON-LD too): `title`, `datePosted` and
`validThrough` as Java dates ("Fri Aug 21 00:00:00 UTC 2026"), `hiringOrganization`,
`jobLocation` → `address` {addressLocality, addressRegion, postalCode, addressCountry} and the
text in `span.jobdescription[itemprop=description]`; it is read with crawler.extract, else from
that markup (`h1#job-title`, `span.jobGeoLocation`). The page's `lang`/hreflang is its language.

Classic pages (`career{N}.successfactors.com|eu/career?company={id}`) render the list with
script; their public XML feed (SAP KBA 2428902) is read instead, unpaged:

    GET https://career{N}.successfactors.com/career?company={id}&career_ns=job_listing_summary&resultType=XML

`<Job-Listing><Job>` with `ReqId`, `JobTitle`, `Job-Description` (HTML), `Posted-Date`
(MM/DD/YYYY) and tenant-defined facets `filterN`/`mfieldN` {label, value} ("Posting Location",
"Country", "Type of Employment", "Job Family / Functional Area"), read by their labels. The
posting page is `career?company={id}&career_ns=job_listing&career_job_req_id={ReqId}`.
CSB's Google-jobs feed (`/sitemal.xml`) is not used: tenants may switch it off.
"""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator
from datetime import datetime
from urllib.parse import parse_qs, urlencode, urlsplit

import scrapy
from lxml import etree
from scrapy.http import Response
from w3lib.url import add_or_replace_parameter

from crawler.extract import declared_language, extract_job_postings, hreflang_alternates, text_of, to_item
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider

PAGE_SIZE = 25
CLASSIC_HOST = re.compile(r"career\d*\.(successfactors|sapsf)\.(com|eu|cn)")
JOB_ID = re.compile(r"/job/(?:[^/]+/)?(\d+)/?$")
DATES = ("%a %b %d %H:%M:%S %Z %Y", "%b %d, %Y", "%m/%d/%Y")


def listing_url(board_url: str) -> str | None:
    """The classic XML feed, or the CSB search page (under a tenant prefix such as `/tfl/search/`)."""
    board = board_from_url(board_url, "successfactors")
    if board is None:
        return None
    parts = urlsplit(board_url)
    company = parse_qs(parts.query).get("company", [""])[0]
    if CLASSIC_HOST.fullmatch(parts.hostname or ""):
        if not company:
            return None
        query = urlencode({"company": company, "career_ns": "job_listing_summary", "resultType": "XML"})
        return f"https://{board.netloc}/career?{query}"
    prefix = parts.path.split("/search", 1)[0].rstrip("/") if "/search" in parts.path else ""
    return f"{board.origin}{prefix}/search/?q=&sortColumn=referencedate&sortDirection=desc&startrow=0"


def iso_date(value: str | None) -> str | None:
    """SuccessFactors' date spellings as ISO dates; anything else as given."""
    for form in DATES:
        try:
            return datetime.strptime(value or "", form).date().isoformat()
        except ValueError:
            continue
    return value


class SuccessFactorsSpider(SourceSpider):
    name = "successfactors"
    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url and "resultType=XML" in url:
            yield scrapy.Request(url, callback=self.parse_feed, errback=self.on_error)
        elif url:
            yield self._search(url, 0, set())

    def _search(self, url: str, startrow: int, seen: set[str]) -> scrapy.Request:
        return scrapy.Request(add_or_replace_parameter(url, "startrow", str(startrow)), callback=self.parse_search,
                              errback=self.on_error, cb_kwargs={"startrow": startrow, "seen": seen})

    def parse_search(self, response: Response, startrow: int, seen: set[str]) -> Iterator[scrapy.Request]:
        text = getattr(response, "text", "")
        rows = response.css("tr.data-row") if text else []
        if not rows and not re.search(r"successfactors|searchresults|jobTitle-link", text, re.IGNORECASE):
            self.problem("bad_posting", response.url, "not a Career Site Builder search page")
            return
        self.count_page()
        fresh = 0
        for row in rows:
            href = row.css("a.jobTitle-link::attr(href)").get()
            url = response.urljoin(href) if href else None
            if url is None or url in seen:
                continue
            seen.add(url)
            fresh += 1
            listed = {"title": row.css("a.jobTitle-link::text").get(), "location": row.css("span.jobLocation::text").get(),
                      "date": row.css("span.jobDate::text").get()}
            yield scrapy.Request(url, callback=self.parse_job, errback=self.on_error, cb_kwargs={"listed": listed})
        label = " ".join(response.css("span.paginationLabel ::text").getall())
        total = int(re.findall(r"\d+", label.replace(",", ""))[-1]) if re.search(r"\d", label) else None
        more = len(seen) < total if total is not None else len(rows) >= PAGE_SIZE
        if more and fresh:
            yield self._search(response.url, startrow + len(rows), seen)
        elif more:
            self.problem("truncated_listing", response.url, f"the listing ended after {len(seen)} jobs")

    def parse_job(self, response: Response, listed: dict[str, str | None]) -> Iterator[JobPosting]:
        self.count_page()
        match = JOB_ID.search(urlsplit(response.url).path)
        job_id = match.group(1) if match else response.url
        page = response.selector
        alternates = hreflang_alternates(page, response.url)
        nodes = extract_job_postings(page, response.url).postings
        if nodes:
            item = to_item(nodes[0], source=self.source.name, page_url=response.url, company=self.source.company,
                           declared=declared_language(page, response.url, alternates))
            item.ats, item.key, item.external_id = self.name, job_id, job_id
            item.date_posted_raw = iso_date(text_of(item.date_posted_raw)) or iso_date(text_of(listed["date"]))
            item.valid_through_raw = iso_date(text_of(item.valid_through_raw))
            item.title = item.title or text_of(listed["title"])
            if not item.locations and text_of(listed["location"]):
                item.locations = [RawLocation(raw=text_of(listed["location"]) or "")]
            yield item
            return
        place = text_of(response.css("span.jobGeoLocation::text").get()) or text_of(listed["location"])
        yield self.posting(
            key=job_id, external_id=job_id, url=response.url,
            title=text_of(response.css("h1#job-title ::text, [itemprop=title] ::text").get()) or text_of(listed["title"]),
            description_html=text_of(response.css("span.jobdescription, [itemprop=description]").get()),
            locations=[RawLocation(raw=place)] if place else [],
            date_posted_raw=iso_date(text_of(listed["date"])),
            declared_language=declared_language(page, response.url, alternates),
        )

    def parse_feed(self, response: Response) -> Iterator[JobPosting]:
        parser = etree.XMLParser(resolve_entities=False, no_network=True, recover=False)
        try:
            root = etree.fromstring(response.body, parser)
        except etree.XMLSyntaxError as error:
            self.problem("bad_xml", response.url, str(error)[:300])
            return
        if root.tag != "Job-Listing":
            self.problem("bad_xml", response.url, f"expected <Job-Listing>, got <{root.tag}>")
            return
        self.count_page()
        company = parse_qs(urlsplit(response.url).query).get("company", [""])[0]
        for job in root.iter("Job"):
            req_id = text_of(job.findtext("ReqId"))
            if req_id is None:
                self.problem("bad_posting", response.url, "a job without a ReqId")
                continue
            facets = {text_of(f.findtext("label")) or "": text_of(f.findtext("value")) for f in job
                      if isinstance(f.tag, str) and f.tag.startswith(("filter", "mfield"))}
            place, country = _facet(facets, "location", "city"), _facet(facets, "country")
            page = response.urljoin("?" + urlencode({"company": company, "career_ns": "job_listing",
                                                     "career_job_req_id": req_id}))
            yield self.posting(
                key=req_id, external_id=req_id, url=page, title=text_of(job.findtext("JobTitle")),
                description_html=text_of(job.findtext("Job-Description")),
                department=_facet(facets, "job family", "functional area", "department"),
                locations=[RawLocation(raw=place or country or "", country=country)] if place or country else [],
                employment_type_raw=_facet(facets, "type of employment", "employment type", "schedule"),
                date_posted_raw=iso_date(text_of(job.findtext("Posted-Date"))),
            )


def _facet(facets: dict[str, str | None], *words: str) -> str | None:
    """The value of the first facet whose label names one of `words` (labels are the tenant's)."""
    return next((value for label, value in facets.items() if value and any(w in label.lower() for w in words)), None)
