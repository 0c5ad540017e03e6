"""The JSON-board template's own hooks, on saved answers fed straight to its callbacks: paging,
page sizes, jobs listed twice or without an id. Each connector's tests crawl it end to end."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from scrapy import Request
from scrapy.http import TextResponse
from scrapy.utils.test import get_crawler

from crawler.items import JobPosting
from crawler.report import EXAMPLES_KEY, PROBLEM_PREFIX
from crawler.sources import Source
from crawler.spiders.board import JsonBoardSpider, Page

ENDPOINT = "https://boards.example/api/jobs?per_page=3"


class OffsetBoard(JsonBoardSpider):
    """A board paged by offset, like Lever's or SmartRecruiters' APIs."""

    name = "offset-board"
    jobs_at = ("data", "jobs")
    total_at = ("data", "total")
    page_size = 50
    page_size_param = "per_page"

    def page_params(self, page: Page) -> dict[str, str]:
        return {"offset": str(page.offset), "per_page": str(self.page_size)}

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        return self.posting(key=str(job["id"]), title=job.get("title"), url=self.source.url)


def board(spider_class: type[JsonBoardSpider] = OffsetBoard, endpoint: str = ENDPOINT, **attributes: Any) -> JsonBoardSpider:
    spider = spider_class(source=Source(name="acme", url="https://acme.example/careers", endpoint=endpoint))
    spider.crawler = get_crawler(spider_class)
    for name, value in attributes.items():
        setattr(spider, name, value)
    return spider


def first_request(spider: JsonBoardSpider) -> Request:
    async def first() -> Request:
        return await anext(spider.start())

    return asyncio.run(first())


def answer(request: Request, jobs: list[Any], total: int | None = None) -> TextResponse:
    body = json.dumps({"data": {"jobs": jobs, "total": total}}).encode()
    return TextResponse(request.url, body=body, encoding="utf-8", request=request)


def read(spider: JsonBoardSpider, request: Request, response: TextResponse) -> tuple[list[JobPosting], list[Request]]:
    out = list(request.callback(response, **request.cb_kwargs))
    return [x for x in out if isinstance(x, JobPosting)], [x for x in out if isinstance(x, Request)]


def problems(spider: JsonBoardSpider) -> dict[str, int]:
    stats = spider.crawler.stats.get_stats()
    return {key.removeprefix(PROBLEM_PREFIX): value for key, value in stats.items() if key.startswith(PROBLEM_PREFIX)}


def jobs(*ids: Any) -> list[dict[str, Any]]:
    return [{"id": job_id, "title": f"Job {job_id}"} for job_id in ids]


def test_the_endpoint_sets_the_page_size_and_paging_goes_on_until_a_short_page():
    spider = board()
    request = first_request(spider)
    assert spider.page_size == 3  # from the endpoint's per_page, not the connector's 50
    assert "offset=0" in request.url and "per_page=3" in request.url

    postings, [second] = read(spider, request, answer(request, jobs(1, 2, 3)))
    assert [p.key for p in postings] == ["1", "2", "3"]
    assert "offset=3" in second.url
    postings, more = read(spider, second, answer(second, jobs(3, 4)))  # 3 moved back a page meanwhile
    assert ([p.key for p in postings], more, problems(spider)) == (["4"], [], {})


@pytest.mark.parametrize(("per_page", "expected"), [("0", 50), ("many", 50), ("", 50), ("7", 7)])
def test_an_unusable_page_size_in_the_endpoint_leaves_the_connectors_own(per_page, expected):
    spider = board(endpoint=f"https://boards.example/api/jobs?per_page={per_page}")
    first_request(spider)
    assert spider.page_size == expected


def test_a_page_longer_than_asked_for_is_read_as_a_page_of_the_servers_size_or_as_the_last():
    spider = board()
    request = first_request(spider)
    _, [following] = read(spider, request, answer(request, jobs(1, 2, 3, 4)))
    assert "offset=4" in following.url  # after what the page held

    strict = board(longer_page_ends_listing=True)
    request = first_request(strict)
    postings, more = read(strict, request, answer(request, jobs(1, 2, 3, 4)))
    assert (len(postings), more, problems(strict)) == (4, [], {})


def test_a_listing_that_stops_short_of_its_total_or_repeats_itself_is_truncated():
    spider = board()
    request = first_request(spider)
    _, [second] = read(spider, request, answer(request, jobs(1, 2, 3), total=7))
    read(spider, second, answer(second, jobs(4), total=0))  # later pages may state 0: the first page's total holds
    assert problems(spider) == {"truncated_listing": 1}
    [example] = spider.crawler.stats.get_value(EXAMPLES_KEY)
    assert example["detail"] == "data.total is 7, the listing ended at offset 3 after 4"

    stuck = board()
    request = first_request(stuck)
    _, [second] = read(stuck, request, answer(request, jobs(1, 2, 3)))
    postings, more = read(stuck, second, answer(second, jobs(1, 2, 3)))  # the server ignores the offset
    assert (postings, more, problems(stuck)) == ([], [], {"truncated_listing": 1})


def test_jobs_without_an_id_are_counted_unless_the_connector_skips_them_unnoted():
    listed = [*jobs(1), {"title": "no id"}, None, "text"]
    spider = board()
    request = first_request(spider)
    postings, _ = read(spider, request, answer(request, listed))
    assert ([p.key for p in postings], problems(spider)) == (["1"], {"bad_posting": 1})

    quiet = board(count_jobs_without_id=False)
    request = first_request(quiet)
    postings, _ = read(quiet, request, answer(request, listed))
    assert ([p.key for p in postings], problems(quiet)) == (["1"], {})


def test_an_answer_without_a_job_list_is_bad_json_and_stops_the_listing():
    spider = board()
    request = first_request(spider)
    broken = TextResponse(request.url, body=b'{"data": {"jobs": {"1": {}}}}', encoding="utf-8", request=request)
    assert read(spider, request, broken) == ([], [])
    assert problems(spider) == {"bad_json": 1}


class VersionedBoard(OffsetBoard):
    """A board whose jobs are known only in the light of the others (like Greenhouse's language
    versions), stating its company at the top of each answer (like Workable's account name)."""

    reads_whole_listing = True

    def note_page(self, data: Any, jobs: list[dict[str, Any]]) -> None:
        self.company = data["data"].get("company")

    def listing_read(self, jobs: list[dict[str, Any]]) -> None:
        self.titles = [job["title"] for job in jobs]

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        title = f"{job['title']} of {len(self.titles)}"
        return self.posting(key=str(job["id"]), title=title, url=self.source.url, company=self.company)


def test_a_board_read_whole_yields_nothing_until_its_last_page_then_every_job():
    spider = board(VersionedBoard)
    request = first_request(spider)
    response = answer(request, jobs(1, 2, 3))
    postings, [second] = read(spider, request, response)
    assert postings == []
    response = answer(second, [*jobs(3), {"id": 4, "title": "Job 4"}])
    response = response.replace(body=response.body.replace(b'"total"', b'"company": "Acme GmbH", "total"'))
    postings, more = read(spider, second, response)
    assert more == []
    assert [(p.key, p.title, p.company) for p in postings] == [
        ("1", "Job 1 of 4", "Acme GmbH"),
        ("2", "Job 2 of 4", "Acme GmbH"),
        ("3", "Job 3 of 4", "Acme GmbH"),
        ("4", "Job 4 of 4", "Acme GmbH"),
    ]
    spider.company = None
    assert spider.job_posting(jobs(5)[0]).company is None  # the source names none either


class LinkedBoard(OffsetBoard):
    """A board whose answers link their next page (JSON:API's `links.next`, a cursor)."""

    page_size = None

    def next_page_url(self, data: Any, response: TextResponse) -> str | None:
        return data["data"].get("next")


def test_a_linked_listing_is_followed_link_by_link_until_a_page_links_none():
    spider = board(LinkedBoard, endpoint="https://boards.example/api/jobs")
    request = first_request(spider)
    assert request.url == "https://boards.example/api/jobs"  # no paging parameters of its own
    response = answer(request, jobs(1, 2), total=5)
    response = response.replace(body=response.body.replace(b'"total"', b'"next": "https://boards.example/api/jobs?cursor=x7", "total"'))
    postings, [second] = read(spider, request, response)
    assert (len(postings), second.url) == (2, "https://boards.example/api/jobs?cursor=x7")
    postings, more = read(spider, second, answer(second, jobs(3)))
    assert (len(postings), more, problems(spider)) == (1, [], {"truncated_listing": 1})
    [example] = spider.crawler.stats.get_value(EXAMPLES_KEY)
    assert example["detail"] == "data.total is 5, the pages held 3"


def test_a_capped_server_pages_at_the_size_it_states_and_a_detail_without_its_job_is_bad_json():
    class CappedDetailedBoard(OffsetBoard):
        page_size_at = ("data", "limit")  # what SmartRecruiters' answers state
        detail_at = ("posting",)  # where Workday's details hold the job, say

        def detail_url(self, job: dict[str, Any]) -> str | None:
            return f"https://boards.example/api/jobs/{job['id']}"

    spider = board(CappedDetailedBoard, endpoint="https://boards.example/api/jobs")
    request = first_request(spider)
    response = answer(request, jobs(1, 2))
    response = response.replace(body=response.body.replace(b'"total"', b'"limit": 2, "total"'))
    details = read(spider, request, response)[1]
    assert [r.url for r in details] == [
        "https://boards.example/api/jobs/1", "https://boards.example/api/jobs/2", "https://boards.example/api/jobs?offset=2&per_page=50",
    ]  # a full page at the size the server states, though 50 were asked for

    good, bad = details[:2]
    body = json.dumps({"posting": {"id": 1}, "title": "Job 1, in full"}).encode()  # merged into the listed job
    [posting] = read(spider, good, TextResponse(good.url, body=body, encoding="utf-8", request=good))[0]
    assert (posting.key, posting.title) == ("1", "Job 1, in full")
    assert read(spider, bad, TextResponse(bad.url, body=b'{"error": "gone"}', encoding="utf-8", request=bad)) == ([], [])
    assert problems(spider) == {"bad_json": 1}


def test_no_spider_callback_is_a_generator_that_returns_a_value() -> None:
    """A crawl turns off Scrapy's check of each callback's source (WARN_ON_GENERATOR_RETURN_VALUE,
    a few ms for every crawler): a `return value` in a generator callback, whose value Scrapy
    would drop, is caught here instead."""
    import inspect

    from scrapy.utils.misc import is_generator_with_return_value

    from crawler.crawl import SPIDERS, spider_for

    offenders = [
        f"{spider.__name__}.{name}"
        for spider in map(spider_for, SPIDERS)
        for name, member in inspect.getmembers(spider, inspect.isgeneratorfunction)
        if is_generator_with_return_value(member)
    ]
    assert len(SPIDERS) > 30
    assert offenders == []
