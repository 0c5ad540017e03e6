"""The DOM fallback reads posting pages that carry no job markup from their HTML alone, and only
when sure: a German bakery's and a Catalan/Spanish cooperative's sites served on 127.0.0.1 and
crawled by the real `jobatlas crawl`, with near-misses (a listing, a contact page, blog articles)
beside the postings; then single pages read as Scrapy hands them to the spider."""

from __future__ import annotations

import pytest
from conftest import REPO, SITES, crawl_into, last_run, query
from scrapy.http import HtmlResponse

from crawler.dom_fallback import dom_posting

REAL_PAGES = REPO.parent / "shared" / "real-samples" / "careers-pages"


def test_plain_html_postings_are_read_and_near_misses_are_not(tmp_path, site_server):
    with site_server(SITES / "dom" / "sonnenkorn") as (bakery, bakery_requests):
        with site_server(SITES / "dom" / "coopter") as (cooperative, cooperative_requests):
            sources = [
                {"name": "sonnenkorn", "url": f"{bakery}/stellen/"},
                {"name": "coopter", "url": f"{cooperative}/treballa/"},
            ]
            result, db = crawl_into(tmp_path, sources, "--workers", "1")
    assert result.returncode == 0, result.stdout + result.stderr
    # The near-misses were fetched, and are not postings.
    assert {"/stellen/kontakt.html", "/stellen/einblicke-backstube.html"} <= set(bakery_requests)
    assert "/treballa/blog/collita-2026.html" in cooperative_requests
    jobs = {row["title"]: row for row in query(db, "SELECT * FROM jobs")}
    assert set(jobs) == {
        "Bäcker (m/w/d)", "Verkäuferin / Verkäufer in Teilzeit",
        "Mecànic de maquinària agrícola", "Conductor de reparto (C+E)",
        "Administratiu/iva comptable",  # only in the sitemap
    }
    # The language is the description's: the bakery's page template says lang="en" and its cookie
    # banner and footer are English; the cooperative's pages say lang="ca", one posting is Spanish.
    assert {title: row["language"] for title, row in jobs.items()} == {
        "Bäcker (m/w/d)": "de", "Verkäuferin / Verkäufer in Teilzeit": "de",
        "Mecànic de maquinària agrícola": "ca", "Conductor de reparto (C+E)": "es",
        "Administratiu/iva comptable": "ca",
    }
    baker = jobs["Bäcker (m/w/d)"]["description"]
    assert baker.startswith("Deine Aufgaben\nDu stellst Brot, Brezen und Feingebäck")
    assert baker.endswith("frisches Brot für dich und deine Familie.")
    for chrome in ("cookies", "Imprint", "More jobs", "Contact"):
        assert chrome not in baker
    assert "galetes" not in jobs["Conductor de reparto (C+E)"]["description"]  # a hidden cookie notice
    assert "Weitere Standorte" not in jobs["Verkäuferin / Verkäufer in Teilzeit"]["description"]  # the sidebar
    assert {title: row["employment_type"] for title, row in jobs.items() if "Bäcker" in title or "Teilzeit" in title} == {
        "Bäcker (m/w/d)": "FULL_TIME", "Verkäuferin / Verkäufer in Teilzeit": "PART_TIME",
    }
    assert jobs["Verkäuferin / Verkäufer in Teilzeit"]["apply_url"] == "https://bewerbung.sonnenkorn.example/verkauf-augsburg/"
    places = query(db, "SELECT j.title, l.city, l.country_code FROM job_locations l JOIN jobs j ON j.id = l.job_id")
    assert {(p["title"], p["city"], p["country_code"]) for p in places} == {
        ("Bäcker (m/w/d)", "München", "DE"),
        ("Verkäuferin / Verkäufer in Teilzeit", "Augsburg", "DE"),
        ("Mecànic de maquinària agrícola", "Girona", "ES"),
        ("Conductor de reparto (C+E)", "Figueres", "ES"),
        ("Administratiu/iva comptable", "Olot", "ES"),
    }
    assert last_run(db, "sonnenkorn")["status"] == last_run(db, "coopter")["status"] == "complete"


def _page(html: str, url: str = "https://jobs.example/jobs/42") -> HtmlResponse:
    return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")


_TEXT = (
    "<p>Nous recherchons une comptable pour notre agence lyonnaise. Vous tiendrez la comptabilité"
    " générale de trois filiales, préparerez les déclarations de TVA et les clôtures mensuelles, et"
    " travaillerez avec nos commissaires aux comptes lors de la clôture annuelle.</p>"
    "<p>Diplôme de niveau bac+3 en comptabilité et trois ans d'expérience en cabinet ou en entreprise"
    " sont attendus. Maîtrise d'un logiciel comptable et d'Excel indispensable.</p>"
)


def test_label_value_lines_and_og_title():
    page = _page(
        "<html><head><meta property='og:title' content='Comptable H/F – Atelier Rhône'>"
        "<meta property='og:site_name' content='Atelier Rhône'></head><body>"
        "<nav><a href='/'>Accueil</a> <a href='/offres/'>Offres</a></nav>"
        f"<div class='offre'><p><b>Lieu :</b> Lyon, France<br>Type de contrat : CDI</p>{_TEXT}"
        "<a href='/offres/42/postuler'>Postuler</a></div></body></html>"
    )
    posting = dom_posting(page)
    assert posting["title"] == "Comptable H/F"
    assert posting["jobLocation"] == ["Lyon, France"] and posting["employmentType"] == "CDI"
    assert posting["potentialAction"]["target"] == "https://jobs.example/offres/42/postuler"
    assert "Accueil" not in posting["description"] and "comptabilité générale" in posting["description"]


def test_a_label_element_followed_by_its_value():
    page = _page(
        "<html><body><h1>Księgowa</h1><div class='info'><label>Lokalizacja</label><span>Kraków</span></div>"
        f"<div class='opis'>{_TEXT}</div></body></html>"
    )
    assert dom_posting(page)["jobLocation"] == ["Kraków"]


@pytest.mark.parametrize(
    ("body", "why"),
    [
        ("<h1>Comptable</h1><p>Lieu : Lyon</p><p>Ce poste est pourvu.</p>", "a stub: too little text"),
        (f"<h1>Notre histoire</h1>{_TEXT}", "no sign of a posting"),
        (
            "<h1>Nos offres</h1>" + _TEXT + "".join(f"<div><h2>Poste {n}</h2><p>Lieu : Lyon</p></div>" for n in range(3)),
            "the same label on every row: a listing",
        ),
        (
            f"<h1>Nos offres</h1><div>{_TEXT}<p>Lieu : Lyon</p>"
            + "".join(f"<a href='/jobs/{n}'>Poste {n}</a>" for n in range(3)) + "</div>",
            "the main part links several postings: a listing",
        ),
        (f"<p>Lieu : Lyon</p>{_TEXT}", "no title"),
        (f"<h1>Travailler chez nous</h1>{_TEXT}<a href='/jobs/'>Postuler</a>", "an apply button back to the listing"),
        (f"<h1>Contact</h1>{_TEXT}<p>Office: +33 4 78 00 00 00</p>", "a phone number is not a location"),
    ],
)
def test_not_sure_means_no_posting(body, why):
    assert dom_posting(_page(f"<html><body>{body}</body></html>"), "/jobs/") is None, why


def test_a_heading_naming_the_careers_section_is_not_the_title():
    def page(head: str) -> HtmlResponse:
        return _page(f"<html><head>{head}</head><body><h1>Karriere</h1><p>Ort: Wien</p>{_TEXT}</body></html>")

    assert dom_posting(page("<meta property='og:title' content='Koch (m/w/d)'>"))["title"] == "Koch (m/w/d)"
    assert dom_posting(page("")) is None  # no job title anywhere: not sure


def test_below_the_listing_a_job_title_is_a_sign():
    def page(title: str) -> HtmlResponse:
        return _page(f"<html><body><h1>{title}</h1>{_TEXT}</body></html>", "https://acme.example/careers/backend-engineer")

    assert dom_posting(page("Backend Engineer"), "/careers/")["title"] == "Backend Engineer"
    assert dom_posting(page("Backend Engineer")) is None  # not known to be below a listing
    assert dom_posting(page("Life at Acme"), "/careers/") is None


def test_hidden_and_chrome_text_is_left_out():
    page = _page(
        "<html><body><div class='cookie-consent'><p>" + "We use cookies. " * 20 + "</p></div>"
        "<header><h1>Acme</h1></header><main><h1>Comptable</h1><dl><dt>Location</dt><dd>Lyon</dd></dl>"
        f"<div hidden>Ancienne offre</div>{_TEXT}<aside>Offres similaires</aside></main></body></html>"
    )
    posting = dom_posting(page)
    assert posting["title"] == "Comptable" and posting["jobLocation"] == ["Lyon"]
    for chrome in ("cookies", "Ancienne offre", "similaires", "<h1>"):
        assert chrome not in posting["description"]


@pytest.mark.skipif(not REAL_PAGES.is_dir(), reason="../shared/real-samples is not here (only on the project's machines)")
def test_a_client_rendered_widget_is_not_a_posting():
    # A real job widget page whose rows are template placeholders until a script runs.
    page = REAL_PAGES / "jobseek__jobylon_mcdonalds_se.html"
    response = HtmlResponse(url="https://emp.jobylon.example/widget", body=page.read_bytes(), encoding="utf-8")
    assert dom_posting(response, "/") is None
