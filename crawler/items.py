"""The one shape every spider yields.

A spider fills in what the source says (raw values, as published); the pipelines then fill in
the normalised fields (plain text, language, ISO country, enums, dates) on the way to the store.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass
class RawLocation:
    """One place a posting is offered in, as the source states it."""

    raw: str = ""
    city: str | None = None
    region: str | None = None
    country: str | None = None  # a code or a name, in any language: the location pipeline decides
    postal_code: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    remote: bool = False  # an "applicant location requirement" of a remote job, not an office


@dataclass
class JobPosting:
    # -- set by the spider: identity and provenance
    source: str
    key: str  # unique within the source and stable across crawls (URL, or ATS id + language)
    url: str
    ats: str = "careers_site"
    external_id: str | None = None
    apply_url: str | None = None
    translation_key: str | None = None  # postings sharing it are translations of each other

    # -- set by the spider: content as published
    title: str | None = None
    company: str | None = None
    department: str | None = None
    description_html: str | None = None  # may be HTML, escaped HTML or plain text
    locations: list[RawLocation] = field(default_factory=list)
    employment_type_raw: Any = None
    job_location_type: Any = None  # schema.org jobLocationType (TELECOMMUTE), or ATS equivalent
    workplace_raw: str | None = None  # an ATS's own onsite/hybrid/remote statement
    date_posted_raw: Any = None
    valid_through_raw: Any = None
    salary_raw: Any = None  # schema.org baseSalary, or an ATS compensation object

    # -- language evidence gathered by the spider
    stated_language: str | None = None  # what an ATS says structurally
    declared_language: str | None = None  # <html lang>, hreflang of the page itself, URL locale
    country_hint: str | None = None  # ISO alpha-2 a source gives for ambiguous places (TLD, config)

    # -- filled in by the pipelines
    description: str | None = None
    language: str | None = None
    language_confidence: float | None = None
    language_method: str | None = None
    secondary_language: str | None = None  # the other language of a bilingual posting
    employment_type: str | None = None
    workplace: str | None = None
    date_posted: str | None = None
    valid_through: str | None = None
    salary_min: float | None = None
    salary_max: float | None = None
    salary_currency: str | None = None
    salary_period: str | None = None
    resolved_locations: list[dict[str, Any]] = field(default_factory=list)
