"""Extraction on saved responses: JobPosting shapes, language evidence, links to follow."""

import json

from scrapy.http import HtmlResponse

from crawler.extract import (
    declared_language,
    extract_job_postings,
    hreflang_alternates,
    job_links,
    language_tag,
    pagination_links,
    to_item,
)

POSTING = {
    "@context": "https://schema.org",
    "@type": "JobPosting",
    "title": "Responsable logistique",
    "description": "<p>Vous pilotez nos entrepôts.</p>",
    "identifier": {"@type": "PropertyValue", "name": "Maison", "value": "ML-204"},
    "hiringOrganization": {"@type": "Organization", "name": "Maison Lumière"},
    "jobLocation": [
        {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Lyon", "addressCountry": "FR"}},
        {"@type": "Place", "address": {"@type": "PostalAddress", "addressLocality": "Gent", "addressRegion": "VOV",
                                        "addressCountry": {"@type": "Country", "name": "Belgique"}}},
    ],
    "datePosted": "2026-10-02",
}


def page(body: str, url: str = "https://jobs.example.com/fr/emplois/42", head: str = "", lang: str = "fr") -> HtmlResponse:
    html = f'<!doctype html><html lang="{lang}"><head>{head}</head><body>{body}</body></html>'
    return HtmlResponse(url=url, body=html.encode("utf-8"), encoding="utf-8")


def json_ld(data: object) -> str:
    return f'<script type="application/ld+json">{json.dumps(data, ensure_ascii=False)}</script>'


def extract(response: HtmlResponse):
    return extract_job_postings(response.selector, response.url)


def test_single_object():
    result = extract(page(json_ld(POSTING)))
    assert [p["title"] for p in result.postings] == ["Responsable logistique"]
    assert result.broken_blocks == []


def test_array_and_graph_and_nested_main_entity():
    breadcrumb = {"@type": "BreadcrumbList", "itemListElement": []}
    array = page(json_ld([breadcrumb, POSTING]))
    graph = page(json_ld({"@context": "https://schema.org", "@graph": [{"@type": "Organization", "name": "X"}, POSTING]}))
    nested = page(json_ld({"@type": "WebPage", "mainEntity": dict(POSTING, **{"@type": ["JobPosting"]})}))
    for response in (array, graph, nested):
        assert [p["title"] for p in extract(response).postings] == ["Responsable logistique"]


def test_a_broken_block_beside_a_good_one_is_reported_and_the_good_one_kept():
    head = '<script type="application/ld+json">{"@type": "Organization", "name": </script>'
    result = extract(page(json_ld(POSTING), head=head))
    assert len(result.postings) == 1
    assert len(result.broken_blocks) == 1 and "malformed JSON-LD" in result.broken_blocks[0][0]
    assert not result.hidden_postings()  # an Organization block, beside the posting it could not hide


def test_a_broken_block_may_hide_a_posting_only_when_it_names_one_and_the_page_gave_none():
    broken_posting = '<script type="application/ld+json">{"@type": "JobPosting", "title": </script>'
    broken_crumbs = '<script type="application/ld+json">{"@type": "BreadcrumbList", "item": </script>'
    assert extract(page(broken_posting)).hidden_postings()
    assert not extract(page(broken_crumbs)).hidden_postings()
    assert not extract(page(json_ld(POSTING), head=broken_posting)).hidden_postings()


def test_forgiving_parse_of_trailing_commas_and_raw_newlines():
    block = '<script type="application/ld+json">{"@type": "JobPosting", "title": "Koch\n(m/w/d)", "description": "x",}</script>'
    result = extract(page(block))
    assert result.postings[0]["title"] == "Koch\n(m/w/d)"
    assert result.broken_blocks == []


def test_microdata_posting_keeps_description_markup():
    body = """
    <div itemscope itemtype="https://schema.org/JobPosting">
      <h1 itemprop="title">Monteur Elektrotechnik</h1>
      <div itemprop="description"><p>Sie montieren <b>Schaltanlagen</b>.</p></div>
      <meta itemprop="datePosted" content="2026-09-30">
      <div itemprop="jobLocation" itemscope itemtype="https://schema.org/Place">
        <div itemprop="address" itemscope itemtype="https://schema.org/PostalAddress">
          <span itemprop="addressLocality">Wien</span><meta itemprop="addressCountry" content="AT">
        </div>
      </div>
    </div>"""
    postings = extract(page(body, lang="de")).postings
    assert len(postings) == 1
    item = to_item(postings[0], source="s", page_url="https://jobs.example.com/stellen/7")
    assert item.title == "Monteur Elektrotechnik"
    assert "<b>Schaltanlagen</b>" in item.description_html
    assert [(loc.city, loc.country) for loc in item.locations] == [("Wien", "AT")]
    assert item.date_posted_raw == "2026-09-30"


def test_page_without_markup_has_no_postings():
    assert extract(page("<h1>Nos offres</h1><div id='app'></div>")).postings == []


def test_to_item_maps_fields_and_locations():
    item = to_item(POSTING, source="maison", page_url="https://jobs.example.com/fr/emplois/42?utm=x", company="Fallback")
    assert item.external_id == "ML-204"
    assert item.company == "Maison Lumière"
    assert [(l.city, l.region, l.country) for l in item.locations] == [("Lyon", None, "FR"), ("Gent", "VOV", "Belgique")]
    assert item.locations[1].raw == "Gent, VOV, Belgique"
    assert item.translation_key == "id:ML-204"


def test_to_item_survives_wrong_types():
    weird = {"@type": "JobPosting", "title": 12345, "description": None, "jobLocation": [None, 7, "Berlin"],
             "identifier": ["a", "b"], "hiringOrganization": ["Acme"], "applicantLocationRequirements": {"name": "Germany"}}
    item = to_item(weird, source="s", page_url="https://x.example/jobs/1")
    assert item.title == "12345"
    assert item.external_id == "a"
    assert [(l.raw, l.remote) for l in item.locations] == [("Berlin", False), ("Germany", True)]


def test_hreflang_alternates_give_a_shared_translation_key():
    head = ('<link rel="alternate" hreflang="fr" href="/fr/emplois/42">'
            '<link rel="alternate" hreflang="en-GB" href="https://jobs.example.com/en/jobs/42">'
            '<link rel="alternate" hreflang="x-default" href="https://jobs.example.com/">')
    french = page(json_ld(POSTING), head=head)
    english = page(json_ld(POSTING), url="https://jobs.example.com/en/jobs/42", head=head, lang="en")
    keys = set()
    for response in (french, english):
        alternates = hreflang_alternates(response.selector, response.url)
        assert alternates == {"fr": "https://jobs.example.com/fr/emplois/42", "en-gb": "https://jobs.example.com/en/jobs/42"}
        keys.add(to_item(POSTING, source="s", page_url=response.url, alternates=alternates).translation_key)
    assert len(keys) == 1


def test_declared_language_prefers_own_hreflang_then_url_locale_then_html_lang():
    head = '<link rel="alternate" hreflang="de-AT" href="https://jobs.example.com/x/7">'
    own = page("", url="https://jobs.example.com/x/7", head=head, lang="en")
    assert declared_language(own.selector, own.url, hreflang_alternates(own.selector, own.url)) == "de"
    locale = page("", url="https://jobs.example.com/es-mx/empleos/7", lang="en")
    assert declared_language(locale.selector, locale.url, {}) == "es"
    plain = page("", url="https://jobs.example.com/jobs/7", lang="pt-BR")
    assert declared_language(plain.selector, plain.url, {}) == "pt"
    nothing = page("", url="https://jobs.example.com/jobs/7", lang="")
    assert declared_language(nothing.selector, nothing.url, {}) is None


def test_language_tag():
    assert [language_tag(v) for v in ("fr-FR", "EN", "zh-cn", "pt_BR", "english", "", None, "x-default")] == [
        "fr", "en", "zh", "pt", None, None, None, None
    ]


def test_links_to_postings_and_pagination():
    body = """
      <nav><a href="/">Home</a> <a href="/about-us">About</a> <a href="/blog/post">Blog</a></nav>
      <a href="/careers/engineering/backend">Backend</a>
      <a href="/stellenangebote/koch-123">Koch</a>
      <a href="/careers/brochure.pdf">PDF</a>
      <a href="mailto:jobs@example.com">Mail</a>
      <a href="https://elsewhere.example.org/jobs/1">Elsewhere</a>
      <a href="/careers/?page=2">2</a>
      <a href="/careers/list-3.html" rel="next">→</a>
      <a href="/careers/list-9.html">Suivant</a>
    """
    response = page(body, url="https://www.example.com/careers/")
    links = job_links(response.selector, response.url, "/careers/")
    assert "https://www.example.com/careers/engineering/backend" in links
    assert "https://www.example.com/stellenangebote/koch-123" in links
    assert "https://elsewhere.example.org/jobs/1" in links  # the spider drops other hosts
    assert not any(link.endswith((".pdf", "/about-us", "/blog/post", "/")) for link in links)
    assert pagination_links(response.selector, response.url) == {
        "https://www.example.com/careers/?page=2",
        "https://www.example.com/careers/list-3.html",
        "https://www.example.com/careers/list-9.html",
    }
