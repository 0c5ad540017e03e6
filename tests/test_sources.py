"""The sources file: what is accepted, what is refused (before any request), and ATS detection."""

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from conftest import run_cli

from crawler.sources import (
    Board,
    SourcesError,
    board_from_url,
    board_url,
    detect_kind,
    load_sources,
    parse_sources,
    select_sources,
)


def write(tmp_path: Path, entries: object) -> Path:
    path = tmp_path / "sources.yml"
    path.write_text(yaml.safe_dump({"sources": entries}), encoding="utf-8")
    return path


def test_a_valid_file_loads_with_kinds_filled_in(tmp_path):
    path = write(
        tmp_path,
        [
            {"name": "tradingview", "url": "https://www.tradingview.com/careers/"},
            {"name": "airbnb", "url": "https://boards.greenhouse.io/airbnb"},
            {
                "name": "local-test",
                "url": "http://127.0.0.1:8765/careers/",
                "kind": "careers_site",
                "endpoint": "http://127.0.0.1:8765/api/jobs.json",
                "company": "Local Test Ltd",
            },
        ],
    )
    sources = load_sources(path)
    assert [(s.name, s.kind) for s in sources] == [
        ("tradingview", "careers_site"),
        ("airbnb", "greenhouse"),
        ("local-test", "careers_site"),
    ]
    assert sources[2].hosts == {"127.0.0.1:8765"}
    assert sources[2].company == "Local Test Ltd"


@pytest.mark.parametrize(
    "entries, message",
    [
        ([{"name": "a", "url": "https://a.example/jobs", "colour": "red"}], "entry 1 (a): colour: unknown key"),
        (
            [{"name": "a", "url": "https://a.example/"}, {"name": "a", "url": "https://b.example/"}],
            "entry 2 (a): duplicate name 'a'",
        ),
        ([{"name": "a", "url": "ftp://a.example/jobs"}], "entry 1 (a): url: 'ftp://a.example/jobs' is not an http(s) URL"),
        ([{"name": "a", "url": "https://a.example/", "kind": "monster"}], "entry 1 (a): kind: unknown kind 'monster'"),
        ([{"name": "Bad Name", "url": "https://a.example/"}], "entry 1 (Bad Name): name: name must match"),
        ([{"url": "https://a.example/"}], "entry 1: name: Field required"),
        (["https://a.example/"], "entry 1: expected a mapping"),
        ([], "'sources' must be a non-empty list"),
    ],
)
def test_a_bad_file_is_refused_naming_the_entry(entries, message):
    with pytest.raises(SourcesError) as error:
        parse_sources({"sources": entries}, origin="s.yml")
    assert message in str(error.value)


def test_a_file_that_is_not_yaml_is_refused(tmp_path):
    path = tmp_path / "sources.yml"
    path.write_text("sources: [name: {", encoding="utf-8")
    with pytest.raises(SourcesError, match="not valid YAML"):
        load_sources(path)


def test_only_selects_named_sources_and_refuses_unknown_names():
    sources = parse_sources({"sources": [{"name": "a", "url": "https://a.example/"}, {"name": "b", "url": "https://b.example/"}]})
    assert [s.name for s in select_sources(sources, ("b",))] == ["b"]
    with pytest.raises(SourcesError, match="unknown source name"):
        select_sources(sources, ("c",))


def test_cli_refuses_a_bad_file_with_exit_2_before_any_request(tmp_path, site_server):
    with site_server() as (base, requests):
        path = write(
            tmp_path,
            [
                {"name": "good", "url": base + "/careers/"},
                {"name": "good", "url": base + "/other/"},
            ],
        )
        result = subprocess.run(
            [sys.executable, "-m", "crawler.cli", "crawl", "--sources", str(path), "--db", str(tmp_path / "j.db")],
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert result.returncode == 2
        assert "entry 2 (good): duplicate name 'good'" in result.stderr
        assert requests == []
    assert not (tmp_path / "j.db").exists()


@pytest.mark.parametrize(
    "url, kind",
    [
        ("https://boards.greenhouse.io/airbnb", "greenhouse"),
        ("https://job-boards.greenhouse.io/airbnb", "greenhouse"),
        ("https://job-boards.eu.greenhouse.io/acme", "greenhouse"),
        ("https://jobs.lever.co/leverdemo", "lever"),
        ("https://jobs.eu.lever.co/acme", "lever"),
        ("https://jobs.ashbyhq.com/serval", "ashby"),
        ("https://apply.workable.com/acme/", "workable"),
        ("https://careers.smartrecruiters.com/ABOUTYOUGmbH", "smartrecruiters"),
        ("https://jobs.smartrecruiters.com/ABOUTYOUGmbH", "smartrecruiters"),
        ("https://greatminds.recruitee.com/", "recruitee"),
        ("https://acme.jobs.personio.de/", "personio"),
        ("https://acme.jobs.personio.com/", "personio"),
        ("https://jobba-pa-kits.teamtailor.com/jobs", "teamtailor"),
        ("https://acme.na.teamtailor.com/jobs", "teamtailor"),
        ("https://aig.wd1.myworkdayjobs.com/aig", "workday"),
        ("https://www.welcometothejungle.com/fr/companies/lucca/jobs", "welcometothejungle"),
        ("https://www.tradingview.com/careers/", "careers_site"),
        ("https://greenhouse.io.example.com/jobs", "careers_site"),
    ],
)
def test_detect_kind(url, kind):
    assert detect_kind(url) == kind


@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://boards.greenhouse.io/embed/job_board?for=acme", ("greenhouse", "https://boards.greenhouse.io/acme")),
        ("https://boards.greenhouse.io/embed/job_board/js?for=acme", ("greenhouse", "https://boards.greenhouse.io/acme")),
        ("https://job-boards.eu.greenhouse.io/acme/jobs/4012", ("greenhouse", "https://job-boards.eu.greenhouse.io/acme")),
        ("https://jobs.lever.co/acme/5f1e0c2a-uuid/apply", ("lever", "https://jobs.lever.co/acme")),
        ("https://jobs.ashbyhq.com/serval/embed?version=2", ("ashby", "https://jobs.ashbyhq.com/serval")),
        ("https://apply.workable.com/acme/j/AB12CD/", ("workable", "https://apply.workable.com/acme")),
        ("https://careers.smartrecruiters.com/AcmeGmbH/", ("smartrecruiters", "https://careers.smartrecruiters.com/AcmeGmbH")),
        ("https://acme.recruitee.com/o/backend-engineer", ("recruitee", "https://acme.recruitee.com")),
        ("https://acme.jobs.personio.de/job/123", ("personio", "https://acme.jobs.personio.de")),
        ("https://acme.teamtailor.com/jobs/77-cook", ("teamtailor", "https://acme.teamtailor.com")),
        ("https://aig.wd1.myworkdayjobs.com/en-US/aig/job/NY/Analyst_R1", ("workday", "https://aig.wd1.myworkdayjobs.com/aig")),
        ("https://boards.greenhouse.io/embed/job_board", None),
        ("https://www.example.com/careers/", None),
        # Where the spiders and this module once read URLs differently, the rule kept:
        # a Greenhouse token is the first segment, even a two-letter one (it was skipped as a locale)...
        ("https://boards.greenhouse.io/hp/jobs/4012", ("greenhouse", "https://boards.greenhouse.io/hp")),
        # ...and `for=` names the board whatever the path (the spider read it under /embed only).
        ("https://boards.greenhouse.io/?for=acme", ("greenhouse", "https://boards.greenhouse.io/acme")),
        # A Workday locale may carry a script (`zh-Hant`); only a leading one is skipped.
        (
            "https://acme.wd1.myworkdayjobs.com/zh-Hant/External/job/Taipei/Engineer_R7",
            ("workday", "https://acme.wd1.myworkdayjobs.com/External"),
        ),
        # The APIs' own URLs, as users paste them, name the board they serve.
        ("https://boards-api.greenhouse.io/v1/boards/acme/jobs?content=true", ("greenhouse", "https://job-boards.greenhouse.io/acme")),
        ("https://api.greenhouse.io/v1/boards/acme", ("greenhouse", "https://job-boards.greenhouse.io/acme")),
        ("https://boards-api.eu.greenhouse.io/v1/boards/acme/jobs", ("greenhouse", "https://job-boards.eu.greenhouse.io/acme")),
        ("https://api.ashbyhq.com/posting-api/job-board/serval?includeCompensation=true", ("ashby", "https://jobs.ashbyhq.com/serval")),
        ("https://api.lever.co/v0/postings/acme?mode=json", ("lever", "https://jobs.lever.co/acme")),
        ("https://api.eu.lever.co/v0/postings/acme", ("lever", "https://jobs.eu.lever.co/acme")),
        ("https://api.smartrecruiters.com/v1/companies/AcmeGmbH/postings", ("smartrecruiters", "https://jobs.smartrecruiters.com/AcmeGmbH")),
        ("https://apply.workable.com/api/v3/accounts/acme/jobs", ("workable", "https://apply.workable.com/acme")),
        ("https://www.workable.com/api/accounts/acme?details=true", ("workable", "https://apply.workable.com/acme")),
        ("https://acme.recruitee.com/api/offers/", ("recruitee", "https://acme.recruitee.com")),
        ("https://acme.jobs.personio.de/xml?language=de", ("personio", "https://acme.jobs.personio.de")),
        ("https://acme.wd5.myworkdayjobs.com/wday/cxs/acme/Careers/jobs", ("workday", "https://acme.wd5.myworkdayjobs.com/Careers")),
        # Workday's other host, naming the tenant in the path, with or without a locale.
        ("https://wd3.myworkdaysite.com/recruiting/acme/External", ("workday", "https://wd3.myworkdaysite.com/recruiting/acme/External")),
        ("https://wd3.myworkdaysite.com/fr-FR/recruiting/acme/External/job/Paris/Chef_R9", ("workday", "https://wd3.myworkdaysite.com/recruiting/acme/External")),
        ("https://api.greenhouse.io/v1/partner/candidates", None),  # an API path naming no board
        ("https://apply.workable.com/j/AB12CD", None),  # a short link names no account
        ("https://jobs.ashbyhq.com/api/non-user-graphql", None),  # nor does an API path
        ("https://jobs.lever.co/acme<script>", None),  # not a name's shape
        ("ftp://jobs.lever.co/acme", None),  # boards are web pages
    ],
)
def test_board_url(url, expected):
    assert board_url(url) == expected


@pytest.mark.parametrize(
    "url, kind, expected",
    [
        (
            "https://job-boards.eu.greenhouse.io/acme/jobs/4012",
            None,
            Board("greenhouse", "https", "job-boards.eu.greenhouse.io", name="acme", eu=True),
        ),
        ("https://jobs.lever.co/acme", "lever", Board("lever", "https", "jobs.lever.co", name="acme")),
        (
            "https://Acme.wd3.myworkdayjobs.com/en-US/Careers/job/Berlin/Engineer_R1",
            None,
            Board("workday", "https", "acme.wd3.myworkdayjobs.com", name="Careers", tenant="acme", locale="en-US"),
        ),
        (
            "http://127.0.0.1:8080/fr-CA/jobs.rss",
            "teamtailor",
            Board("teamtailor", "http", "127.0.0.1:8080", locale="fr-CA"),
        ),
        # A declared Recruitee, Personio or Teamtailor source may be the company's own domain...
        ("https://careers.acme.nl/o/cook", "recruitee", Board("recruitee", "https", "careers.acme.nl")),
        ("https://careers.acme.nl/o/cook", None, None),  # ...which, undeclared, is just a careers site
        ("https://careers.acme.com/acme", "lever", None),  # other ATSs serve boards on their own hosts only
        ("https://boards.greenhouse.io/acme", "lever", None),
    ],
)
def test_board_from_url(url, kind, expected):
    assert board_from_url(url, kind) == expected


def test_sources_detect_finds_boards_a_careers_page_embeds(site_server, tmp_path):
    site = tmp_path / "site"
    (site / "careers").mkdir(parents=True)
    (site / "careers" / "index.html").write_text(
        '<h1>Join us</h1><iframe src="https://jobs.lever.co/acme?embed=1"></iframe>'
        '<script src="https://boards.greenhouse.io/embed/job_board/js?for=acme"></script>'
        '<a href="/careers/team">Team</a>'
    )
    with site_server(site) as (origin, requests):
        result = run_cli("sources", "detect", origin + "/careers/", "https://jobs.ashbyhq.com/serval")
    assert result.returncode == 0, result.stderr
    # One line per URL, in order, kind<TAB>url: what scripts read. The boards a page links go to stderr.
    assert result.stdout.splitlines() == [f"careers_site\t{origin}/careers/", "ashby\thttps://jobs.ashbyhq.com/serval"]
    assert "links a lever board, crawled with it: https://jobs.lever.co/acme" in result.stderr
    assert "links a greenhouse board, crawled with it: https://boards.greenhouse.io/acme" in result.stderr
    assert requests == ["/careers/"]


OWN_DOMAIN_PAGES = {
    "teamtailor": '<link rel="stylesheet" href="https://assets-aws.teamtailor-cdn.com/assets/careersite.css">',
    "recruitee": '<script src="https://careers-analytics.recruitee.com/careers-site.js"></script>',
    "softgarden": '<script src="https://tracker.softgarden.de/track.js"></script>',
    "dvinci": '<meta name="dvinciVersion" content="4.21">',
    "avature": '<form action="/careers/SearchJobs/" method="get"><input name="keyword"></form>',
    "factorial": "<li data-controller='job-postings' data-job-postings-url='/job_posting/cook-1'></li>",
    "phenom": '<script src="https://cdn.phenompeople.com/CareerConnectResources/pcs/common/js/vendor.js"></script>',
}


def test_sources_detect_recognises_boards_on_the_companys_own_domain(site_server, tmp_path):
    site = tmp_path / "site"
    for kind, marker in OWN_DOMAIN_PAGES.items():
        (site / kind).mkdir(parents=True)
        (site / kind / "index.html").write_text(f"<html><head>{marker}</head><body><h1>Jobs</h1></body></html>")
    (site / "plain").mkdir()
    (site / "plain" / "index.html").write_text("<html><body><h1>Work with us</h1><p>teamtailor is a word here</p></body></html>")
    with site_server(site) as (origin, _):
        urls = [f"{origin}/{kind}/" for kind in [*OWN_DOMAIN_PAGES, "plain"]]
        result = run_cli("sources", "detect", *urls)
        offline = run_cli("sources", "detect", "--no-fetch", *urls)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [f"{kind}\t{origin}/{kind}/" for kind in OWN_DOMAIN_PAGES] + [f"careers_site\t{origin}/plain/"]
    assert offline.stdout.splitlines() == [f"careers_site\t{url}" for url in urls]  # --no-fetch never looks


def test_sources_detect_keeps_one_line_per_url_when_a_page_cannot_be_fetched():
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    result = run_cli("sources", "detect", f"http://127.0.0.1:{port}/jobs/", "https://jobs.lever.co/acme")
    assert result.returncode == 0
    assert result.stdout.splitlines() == [f"careers_site\thttp://127.0.0.1:{port}/jobs/", "lever\thttps://jobs.lever.co/acme"]
    assert "could not fetch" in result.stderr


def test_the_bundled_sources_file_names_every_ats_and_tradingview():
    from crawler.crawl import SPIDERS
    from crawler.data import data_dir

    sources = load_sources(data_dir() / "sources.yml")
    assert {source.kind for source in sources} == set(SPIDERS)
    assert any(source.name == "tradingview" and source.kind == "careers_site" for source in sources)
