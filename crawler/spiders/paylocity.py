"""Paylocity job boards: the board page's embedded job list, then each job's page for its text.

A board is `https://recruiting.paylocity.com/Recruiting/Jobs/All/{guid}[/{Company-Name}]` (older
boards `/Recruiting/Jobs/List/{number}`; a job at `/Recruiting/Jobs/Details/{id}`). The board page
carries every open job in one script, `window.pageData = {...}`, as `Jobs` [{JobId, JobTitle,
LocationName (the employer's label for an office), JobLocation {City, State, Country, Zip},
PublishedDate, HiringDepartment, IsRemote, IndeedRemoteType (0 temporarily remote, 1 hybrid, 2
fully remote), IsInternal}] - an unknown board is a page without it. A job's page has its
sections (job type, description, requirements, salary) in `<div class="job-preview-details">`.
Paylocity states no language or closing date.
"""

from __future__ import annotations

import json
import re
from collections.abc import AsyncIterator, Iterator
from typing import Any

import scrapy
from scrapy.http import Response, TextResponse

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import SourceSpider
from crawler.spiders.board import dicts

_PAGE_DATA = re.compile(r"window\.pageData\s*=\s*(?=\{)")
WORKPLACES = {0: "remote", 1: "hybrid", 2: "remote"}


def listing_url(board_url: str) -> str | None:
    """The board page of a URL as users paste it (the board, with or without its company name),
    or None when it names no board."""
    board = board_from_url(board_url, "paylocity")
    return board.url if board else None


class PaylocitySpider(SourceSpider):
    name = "paylocity"

    derive_api_url = staticmethod(listing_url)

    async def start(self) -> AsyncIterator[scrapy.Request]:
        url = self.api_url()
        if url:
            yield scrapy.Request(url, callback=self.parse_board, errback=self.on_error)

    def parse_board(self, response: Response) -> Iterator[scrapy.Request]:
        page = response.text if isinstance(response, TextResponse) else ""
        found = _PAGE_DATA.search(page)
        try:
            data = json.JSONDecoder().raw_decode(page, found.end())[0] if found else None
        except ValueError as error:
            self.problem("bad_json", response.url, f"window.pageData is not JSON: {error}"[:300])
            return
        if not isinstance(data, dict) or not isinstance(data.get("Jobs"), list):
            self.problem("bad_json", response.url, "no job list (window.pageData.Jobs) on the board page")
            return
        self.count_page()
        for job in dicts(data["Jobs"]):
            job_id = text_of(job.get("JobId"))
            if job_id is None:
                self.problem("bad_posting", response.url, "a job without an id")
            elif job.get("IsInternal") is not True:  # internal jobs are for the company's staff only
                yield response.follow(f"/Recruiting/Jobs/Details/{job_id}", callback=self.parse_job, errback=self.on_error,
                                      cb_kwargs={"job_id": job_id, "job": job})

    def parse_job(self, response: Response, job_id: str, job: dict[str, Any]) -> Iterator[JobPosting]:
        self.count_page()
        text = response.css(".job-preview-details").get() if isinstance(response, TextResponse) else None
        if text is None:  # a job closed since the board was read answers 200 "Job Not Found"
            self.problem("bad_posting", response.url, "no job text on the job page")
        address = job.get("JobLocation") if isinstance(job.get("JobLocation"), dict) else {}
        city, region, country = (text_of(address.get(key)) for key in ("City", "State", "Country"))
        label = text_of(job.get("LocationName")) or text_of(address.get("Name"))
        raw = ", ".join(part for part in (city, region, country) if part) or label
        remote_type = job.get("IndeedRemoteType") if job.get("IsRemote") is True else None
        workplace = WORKPLACES.get(remote_type, "remote") if job.get("IsRemote") is True else None
        yield self.posting(
            key=job_id,
            external_id=job_id,
            url=f"https://recruiting.paylocity.com/Recruiting/Jobs/Details/{job_id}",
            apply_url=f"https://recruiting.paylocity.com/Recruiting/Jobs/Apply/{job_id}",
            title=re.sub(r"\s+", " ", text_of(job.get("JobTitle")) or "").strip() or None,
            department=text_of(job.get("HiringDepartment")),
            description_html=text,
            locations=[RawLocation(raw=raw, city=city, region=region, country=country, postal_code=text_of(address.get("Zip")),
                                   remote=workplace == "remote")] if raw else [],
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("PublishedDate")),
        )
