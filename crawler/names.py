"""What users type for a language or a country on the command line, read as an ISO code: `fr`,
`French`, `français`; `CH`, `Switzerland`, `Schweiz`. An unknown value is an error that suggests
the closest names."""

from __future__ import annotations

import difflib
import unicodedata
from functools import lru_cache

import pycountry
from babel import Locale, UnknownLocaleError

from pipelines.location import resolve_country


class UnknownName(ValueError):
    """Not a language (or country) jobatlas knows; the message suggests close matches."""


def _folded(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(char for char in decomposed if not unicodedata.combining(char)).split())


@lru_cache(maxsize=1)
def _language_names() -> dict[str, str]:
    """Folded name → ISO 639-1 code: every two-letter code, its English name, and its own name."""
    english = Locale("en").languages
    names: dict[str, str] = {}
    for language in pycountry.languages:
        code = getattr(language, "alpha_2", None)
        if not code:
            continue
        names[code] = code
        names[_folded(english.get(code, language.name))] = code
        try:
            autonym = Locale.parse(code).languages.get(code)
        except (UnknownLocaleError, ValueError):
            autonym = None
        if autonym:
            names.setdefault(_folded(autonym), code)
    return names


def language_code(text: str) -> str:
    """The ISO 639-1 code `text` names (a code like `fr` or `fr-CA`, or a language's name in
    English or in itself); raises UnknownName with suggestions."""
    folded = _folded(text.strip())
    primary = folded.replace("_", "-").split("-")[0]
    names = _language_names()
    code = names.get(folded) or (names.get(primary) if len(primary) == 2 else None)
    if code:
        return code
    raise UnknownName(f"unknown language {text!r}{_suggest(folded, names, Locale('en').languages)}")


def country_code(text: str) -> str:
    """The ISO 3166-1 alpha-2 code `text` names (a code, or a name in any language); raises
    UnknownName with suggestions."""
    code = resolve_country(text)
    if code:
        return code
    names = {_folded(country.name): country.alpha_2 for country in pycountry.countries}
    labels = {country.alpha_2: country.name for country in pycountry.countries}
    raise UnknownName(f"unknown country {text!r}{_suggest(_folded(text), names, labels)}")


def _suggest(folded: str, names: dict[str, str], labels: dict[str, str]) -> str:
    close = difflib.get_close_matches(folded, list(names), n=3, cutoff=0.6)
    codes = list(dict.fromkeys(names[name] for name in close))
    if not codes:
        return " (give an ISO code)"
    return "; did you mean " + " or ".join(f"{code} ({labels.get(code, code)})" for code in codes) + "?"
