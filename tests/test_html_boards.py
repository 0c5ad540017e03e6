"""Job boards that publish HTML listings and schema.org JobPosting pages (Jobvite, JazzHR) are
careers sites to jobatlas: crawled generically, in their real page shapes, over 127.0.0.1."""

from __future__ import annotations

import json

from conftest import RecordingHandler, crawl_into, query


def posting_page(title: str, description: str, city: str, country: str, language: str) -> str:
    data = {
        "@context": "https://schema.org", "@type": "JobPosting", "title": title, "description": description,
        "datePosted": "2026-10-12", "employmentType": "FULL_TIME",
        "hiringOrganization": {"@type": "Organization", "name": "Harbor Freight Lines"},
        "jobLocation": {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": city, "addressCountry": country}},
    }
    return (f'<html lang="{language}"><head><title>{title}</title><script type="application/ld+json">{json.dumps(data)}</script>'
            f'</head><body><div class="jv-page-body"><h2 class="jv-header">{title}</h2></div></body></html>')


JOBS = {
    "oYKBAfwD": ("Dispatcher", "<p>Plan the daily routes of our regional fleet, talk to drivers and customers, and keep "
                 "every delivery on time across the Midwest network we operate from Columbus.</p>", "Columbus, OH", "US", "en"),
    "pQ7rTs2M": ("Disponent (m/w/d)", "<p>Sie planen die Touren unserer Fahrzeuge im Nahverkehr, stimmen sich mit Fahrern und "
                 "Kunden ab und sorgen dafür, dass jede Lieferung pünktlich ankommt.</p>", "Hamburg", "DE", "de"),
}


class JobviteBoard(RecordingHandler):
    """`jobs.jobvite.com/{company}/jobs`: a table of jobs grouped by department, each `/{company}/job/{id}`."""

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        if self.path == "/harborfreight/jobs":
            rows = "".join(
                f'<tr><td class="jv-job-list-name"><a href="/harborfreight/job/{job_id}">{title}</a></td>'
                f'<td class="jv-job-list-location">{city}</td></tr>'
                for job_id, (title, _, city, _, _) in JOBS.items()
            )
            page = f'<html><body><h3 class="h2">Operations</h3><table class="jv-job-list">{rows}</table></body></html>'
            self.send_body(200, page.encode(), "text/html; charset=utf-8")
        elif self.path.startswith("/harborfreight/job/") and self.path.rsplit("/", 1)[1] in JOBS:
            self.send_body(200, posting_page(*JOBS[self.path.rsplit("/", 1)[1]]).encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"<h1>Not found</h1>", "text/html; charset=utf-8")


class JazzHRBoard(RecordingHandler):
    """`{company}.applytojob.com/apply`: a list of jobs, each `/apply/{code}/{Title-Slug}`."""

    codes = {"Ab12Cd34Ef": "oYKBAfwD", "Gh56Ij78Kl": "pQ7rTs2M"}

    def do_GET(self) -> None:  # noqa: N802
        self.requests.append(self.path)
        if self.path in ("/apply", "/apply/"):
            items = "".join(
                f'<li class="list-group-item"><h3 class="list-group-item-heading"><a href="/apply/{code}/{JOBS[job][0].split()[0]}">'
                f'{JOBS[job][0]}</a></h3><ul><li><i class="fa fa-map-marker"></i>{JOBS[job][2]}</li></ul></li>'
                for code, job in self.codes.items()
            )
            self.send_body(200, f'<html><body><div class="jobs-list"><ul>{items}</ul></div></body></html>'.encode(), "text/html; charset=utf-8")
        elif self.path.startswith("/apply/") and self.path.split("/")[2] in self.codes:
            self.send_body(200, posting_page(*JOBS[self.codes[self.path.split("/")[2]]]).encode(), "text/html; charset=utf-8")
        else:
            self.send_body(404, b"<h1>Not found</h1>", "text/html; charset=utf-8")


def test_jobvite_and_jazzhr_boards_are_read_as_careers_sites(tmp_path, site_server):
    with site_server(handler=type("Jobvite", (JobviteBoard,), {})) as (jobvite, _), \
            site_server(handler=type("JazzHR", (JazzHRBoard,), {})) as (jazzhr, _):
        entries = [{"name": "jobvite", "url": f"{jobvite}/harborfreight/jobs"}, {"name": "jazzhr", "url": f"{jazzhr}/apply"}]
        result, db = crawl_into(tmp_path, entries, "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    rows = query(db, "SELECT source, title, language FROM jobs ORDER BY source, title")
    assert [(row["source"], row["title"], row["language"]) for row in rows] == [
        ("jazzhr", "Dispatcher", "en"), ("jazzhr", "Disponent (m/w/d)", "de"),
        ("jobvite", "Dispatcher", "en"), ("jobvite", "Disponent (m/w/d)", "de"),
    ]
    assert {row["status"] for row in query(db, "SELECT status FROM crawl_runs")} == {"complete"}
