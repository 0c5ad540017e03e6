"""Gem job boards, read through Gem's public Job Board API.

A board is `https://jobs.gem.com/{board}` (postings at `/{board}/{id}`). One request per board:
`GET https://api.gem.com/job_board/v0/{board}/job_posts/` (the trailing slash is required; the
board name is case-sensitive) answers a bare JSON array, every open post, unpaged, texts inline.

A post (Greenhouse-like): `id` (a string), `title`, `absolute_url`, `content` (HTML) and
`content_plain`, `location` {name}, `offices` [{name, location {name}}], `location_type`
(remote, hybrid, in_office), `employment_type` (full_time, part_time, contract...),
`departments` [{name}], `requisition_id`, `first_published_at` and `updated_at`. No pay or
language field was seen in the evidence (open-source readers, Gem's API reference), so neither
is read.
"""

from __future__ import annotations

from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.board import JsonBoardSpider, dicts

API_HOST = "api.gem.com"


def listing_url(board_url: str) -> str | None:
    """The API listing for a board URL as users paste it (`jobs.gem.com/acme`, a posting under
    it), or None when it names no board."""
    board = board_from_url(board_url, "gem")
    return f"https://{API_HOST}/job_board/v0/{board.name}/job_posts/" if board else None


class GemSpider(JsonBoardSpider):
    name = "gem"
    api_hosts = frozenset({API_HOST})

    derive_api_url = staticmethod(listing_url)

    def job_posting(self, job: dict[str, Any]) -> JobPosting | None:
        """One Gem post as a JobPosting; None without an id."""
        job_id = text_of(job.get("id"))
        if job_id is None:
            return None
        board = board_from_url(self.source.url, "gem")
        workplace = text_of(job.get("location_type"))
        departments = [text_of(part.get("name")) for part in dicts(job.get("departments"))]
        return self.posting(
            key=job_id,
            external_id=job_id,
            url=text_of(job.get("absolute_url")) or (f"{board.url}/{job_id}" if board else self.source.url),
            title=text_of(job.get("title")),
            department=next(filter(None, departments), None),
            description_html=text_of(job.get("content")) or text_of(job.get("content_plain")),
            locations=_locations(job, remote=(workplace or "").lower() == "remote"),
            employment_type_raw=text_of(job.get("employment_type")),
            workplace_raw=workplace,
            date_posted_raw=text_of(job.get("first_published_at")),
        )


def _locations(job: dict[str, Any], remote: bool) -> list[RawLocation]:
    """Each office's place, else the post's one location."""
    names = [text_of(office.get("location")) or text_of(office.get("name")) for office in dicts(job.get("offices"))]
    names = [name for name in names if name] or [text_of(job.get("location"))]
    return [RawLocation(raw=name, remote=remote) for name in dict.fromkeys(filter(None, names))]
