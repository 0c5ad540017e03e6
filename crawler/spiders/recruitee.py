"""Recruitee career sites, read through the public careers site API.

One request per site: `GET https://{company}.recruitee.com/api/offers/` (a career site on its own
domain answers the same path there) returns `{"offers": [...]}`, unpaged and without a total.

Each offer carries `id`, `slug`, `title`, `description` and `requirements` (HTML), in the site's
primary language, and `translations` {locale: {title, description, requirements, ...}} with one
entry per language the offer is published in; `locations` [{city, state, country, country_code,
postal_code}] (older offers: `city`, `state_name`, `country`, `country_code` on the offer),
`remote` / `hybrid` / `on_site`, `employment_type_code` ("fulltime_fixed_term"), `salary` {min,
max, currency, period}, `published_at` / `created_at` ("2026-05-21 07:41:12 UTC"),
`careers_url`, `careers_apply_url`, `department` and `company_name`.

Each language of an offer becomes its own posting, keyed `{id}:{locale}`.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlsplit

from crawler.extract import text_of
from crawler.items import JobPosting, RawLocation
from crawler.sources import board_from_url
from crawler.spiders.base import monetary_amount
from crawler.spiders.board import JsonBoardSpider


def listing_url(site_url: str) -> str | None:
    """The offers API URL of a career site, on Recruitee's host or the company's own
    (`https://acme.recruitee.com/o/some-offer` → `https://acme.recruitee.com/api/offers/`)."""
    site = board_from_url(site_url, "recruitee")
    return f"{site.origin}/api/offers/" if site else None


class RecruiteeSpider(JsonBoardSpider):
    name = "recruitee"
    # The API lives on each company's own career site host, which is the source's own host.
    jobs_at = ("offers",)

    derive_api_url = staticmethod(listing_url)

    def job_postings(self, offer: dict[str, Any]) -> list[JobPosting]:
        """One JobPosting per language the offer is published in; none when it has no id."""
        offer_id = text_of(offer.get("id"))
        if offer_id is None:
            return []
        versions = _versions(offer)
        shared: dict[str, Any] = dict(
            external_id=offer_id,
            url=text_of(offer.get("careers_url")) or self._offer_url(offer),
            apply_url=text_of(offer.get("careers_apply_url")),
            translation_key=f"offer:{offer_id}" if len(versions) > 1 else None,
            department=text_of(offer.get("department")),
            locations=_locations(offer),
            employment_type_raw=_employment_type(offer.get("employment_type_code")),
            workplace_raw=_workplace(offer),
            date_posted_raw=text_of(offer.get("published_at")) or text_of(offer.get("created_at")),
            salary_raw=_salary(offer.get("salary")),
        )
        company = text_of(offer.get("company_name"))
        if company:
            shared["company"] = company
        return [
            self.posting(
                key=f"{offer_id}:{locale}" if locale else offer_id,
                title=text_of(version.get("title")),
                description_html=_description(version),
                stated_language=locale,
                **shared,
            )
            for locale, version in versions.items()
        ]

    def _offer_url(self, offer: dict[str, Any]) -> str:
        slug = text_of(offer.get("slug"))
        parts = urlsplit(self.source.url)
        return f"{parts.scheme}://{parts.netloc}/o/{slug}" if slug else self.source.url


def _versions(offer: dict[str, Any]) -> dict[str | None, dict[str, Any]]:
    """Locale → the offer's texts in that language.

    The offer's own fields are in its primary language, so they stand in for missing texts of
    that locale only; a translation without a title is not published in that language. An
    offer without translations is one posting whose language Recruitee does not state."""
    translations = offer.get("translations") if isinstance(offer.get("translations"), dict) else {}
    locales = [locale for locale, texts in translations.items() if isinstance(texts, dict) and locale]
    primary = text_of(offer.get("primary_lang_code")) or (locales[0] if len(locales) == 1 else None)
    versions: dict[str | None, dict[str, Any]] = {}
    for locale in locales:
        texts = {name: value for name, value in translations[locale].items() if value not in (None, "")}
        if locale == primary:
            texts = {**offer, **texts}
        if text_of(texts.get("title")):
            versions[locale] = texts
    return versions or {None: offer}


def _description(texts: dict[str, Any]) -> str | None:
    # The career page shows the requirements under the description.
    parts = (text_of(texts.get("description")), text_of(texts.get("requirements")))
    return "\n".join(part for part in parts if part) or None


def _locations(offer: dict[str, Any]) -> list[RawLocation]:
    # A fully remote offer's places say where applicants may live, not where an office is.
    remote = offer.get("remote") is True and offer.get("on_site") is not True and offer.get("hybrid") is not True
    places = offer.get("locations") if isinstance(offer.get("locations"), list) else []
    places = [place for place in places if isinstance(place, dict)]
    if not places:
        places = [{**offer, "state": offer.get("state_name")}]
    locations = []
    for place in places:
        city, state = text_of(place.get("city")), text_of(place.get("state"))
        country = text_of(place.get("country_code")) or text_of(place.get("country"))
        if city or state or country:
            postal_code = text_of(place.get("postal_code"))
            locations.append(RawLocation(city=city, region=state, country=country, postal_code=postal_code, remote=remote))
    return locations


def _workplace(offer: dict[str, Any]) -> str | None:
    # Remote and on-site both ticked: part of the week at the office, which is what hybrid says.
    if offer.get("hybrid") is True or (offer.get("remote") is True and offer.get("on_site") is True):
        return "hybrid"
    if offer.get("remote") is True:
        return "remote"
    return "onsite" if offer.get("on_site") is True else None


def _employment_type(code: Any) -> list[str]:
    """Recruitee's codes join hours and contract ("fulltime_fixed_term", "parttime_minijob"):
    their words in order, of which the normalize step takes the first it knows."""
    text = text_of(code)
    return text.split("_") if text else []


def _salary(salary: Any) -> dict[str, Any] | None:
    if not isinstance(salary, dict):
        return None
    currency, period = text_of(salary.get("currency")), text_of(salary.get("period"))
    return monetary_amount(salary.get("min"), salary.get("max"), currency, period)
