"""Step 4: dates to ISO 8601, employment type to Google's enum, workplace to onsite / hybrid /
remote, salary to min / max / ISO 4217 currency / period."""

from __future__ import annotations

import math
import re
import unicodedata
from datetime import date, datetime, timezone
from email.utils import parsedate_to_datetime
from typing import Any

from crawler.extract import text_of
from crawler.items import JobPosting

EMPLOYMENT_TYPES = ("FULL_TIME", "PART_TIME", "CONTRACTOR", "TEMPORARY", "INTERN", "VOLUNTEER", "PER_DIEM", "OTHER")
SALARY_PERIODS = ("HOUR", "DAY", "WEEK", "MONTH", "YEAR")

# Spellings met in the wild (lower case, separators removed) → Google's enum.
_EMPLOYMENT_ALIASES = {
    "fulltime": "FULL_TIME", "permanent": "FULL_TIME", "fulltimepermanent": "FULL_TIME",
    "vollzeit": "FULL_TIME", "cdi": "FULL_TIME", "tempsplein": "FULL_TIME", "jornadacompleta": "FULL_TIME",
    "tiempocompleto": "FULL_TIME", "tempointegral": "FULL_TIME", "tempopieno": "FULL_TIME",
    "parttime": "PART_TIME", "teilzeit": "PART_TIME", "tempspartiel": "PART_TIME",
    "mediajornada": "PART_TIME", "tiempoparcial": "PART_TIME", "tempoparziale": "PART_TIME",
    "contractor": "CONTRACTOR", "contract": "CONTRACTOR", "freelance": "CONTRACTOR", "freelancer": "CONTRACTOR",
    "temporary": "TEMPORARY", "temp": "TEMPORARY", "cdd": "TEMPORARY", "befristet": "TEMPORARY",
    "fixedterm": "TEMPORARY", "seasonal": "TEMPORARY",
    "intern": "INTERN", "internship": "INTERN", "praktikum": "INTERN", "stage": "INTERN",
    "pasantia": "INTERN", "estagio": "INTERN", "tirocinio": "INTERN", "apprenticeship": "INTERN",
    "trainee": "INTERN", "traineeship": "INTERN",
    "workingstudent": "PART_TIME", "werkstudent": "PART_TIME", "minijob": "PART_TIME",
    "volunteer": "VOLUNTEER", "perdiem": "PER_DIEM", "other": "OTHER",
}
_PERIOD_ALIASES = {
    "HOUR": "HOUR", "HOURLY": "HOUR", "HR": "HOUR", "PERHOUR": "HOUR", "DAY": "DAY", "DAILY": "DAY",
    "PERDAY": "DAY", "WEEK": "WEEK", "WEEKLY": "WEEK", "PERWEEK": "WEEK", "MONTH": "MONTH",
    "MONTHLY": "MONTH", "PERMONTH": "MONTH", "YEAR": "YEAR", "YEARLY": "YEAR", "ANNUAL": "YEAR",
    "ANNUALLY": "YEAR", "ANNUM": "YEAR", "PERYEAR": "YEAR", "PERANNUM": "YEAR", "1YEAR": "YEAR",
}
_REMOTE_WORDS = re.compile(r"remote|telecommute|télétravail|teletrabajo|remoto|homeoffice|home office|fully distributed", re.I)
_HYBRID_WORDS = re.compile(r"hybrid|hybride|híbrido|ibrido", re.I)


def iso_date(value: Any) -> str | None:
    """ISO 8601 date or UTC datetime from what sites publish: ISO strings (with or without time
    and offset), RFC 822 dates (RSS feeds), epoch seconds or milliseconds. Anything else → None."""
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, (int, float)):
        seconds = value / 1000 if value > 10**11 else value
        try:
            return datetime.fromtimestamp(seconds, tz=timezone.utc).isoformat(timespec="seconds")
        except (OverflowError, OSError, ValueError):
            return None
    text = text_of(value)
    if not text:
        return None
    text = text.replace(" UTC", "+00:00").replace("Z", "+00:00")
    try:
        parsed = datetime.fromisoformat(text)
    except ValueError:
        try:
            return date.fromisoformat(text[:10]).isoformat()
        except ValueError:
            pass
        try:
            parsed = parsedate_to_datetime(text)  # "Fri, 24 Jul 2026 09:05:16 +0200"
        except (TypeError, ValueError, IndexError):
            return None
    if len(text) <= 10:
        return parsed.date().isoformat()
    if parsed.tzinfo is None:
        return parsed.isoformat(timespec="seconds")
    try:
        return parsed.astimezone(timezone.utc).isoformat(timespec="seconds")
    except OverflowError:  # year 1 or 9999 pushed past the calendar by its offset
        return None


def employment_type(value: Any) -> str | None:
    """The first recognised value of a string, a comma-separated string or a list."""
    values = value if isinstance(value, list) else re.split(r"[,/;]", text_of(value) or "")
    for candidate in values:
        name = text_of(candidate)
        if not name:
            continue
        if name.upper() in EMPLOYMENT_TYPES:
            return name.upper()
        alias = _EMPLOYMENT_ALIASES.get(re.sub(r"[^a-z]", "", _fold(name)))
        if alias:
            return alias
    return None


def workplace(item: JobPosting) -> str | None:
    """onsite / hybrid / remote: an ATS's own statement, then schema.org TELECOMMUTE (hybrid when
    an office is also given), then what the location texts say."""
    if item.workplace_raw:
        stated = _fold(item.workplace_raw)
        if _HYBRID_WORDS.search(stated):
            return "hybrid"
        if _REMOTE_WORDS.search(stated):
            return "remote"
        if re.search(r"on.?site|office|presencial|vor ort", stated):
            return "onsite"
    location_types = [text_of(t) or "" for t in (item.job_location_type if isinstance(item.job_location_type, list) else [item.job_location_type])]
    offices = [loc for loc in item.locations if not loc.remote]
    if any(t.upper() == "TELECOMMUTE" for t in location_types):
        return "hybrid" if offices else "remote"
    texts = " ".join(loc.raw for loc in item.locations)
    if _HYBRID_WORDS.search(texts):
        return "hybrid"
    if _REMOTE_WORDS.search(texts) or (item.locations and not offices):
        return "remote"
    return "onsite" if offices else None


def salary(value: Any) -> tuple[float | None, float | None, str | None, str | None]:
    """(min, max, currency, period) from a schema.org MonetaryAmount (value may be a number or a
    QuantitativeValue with minValue / maxValue / value and unitText), or from pay written as text
    ("$105k - $125k", "45.000 € - 55.000 € brutto pro Jahr"), as several ATSs give it."""
    if isinstance(value, str):
        return salary_in_text(value)
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict)), None)
    if not isinstance(value, dict):
        return None, None, None, None
    currency = text_of(value.get("currency"))
    currency = currency.upper() if currency and re.fullmatch(r"[A-Za-z]{3}", currency) else None
    amount = value.get("value")
    period_text = text_of(value.get("unitText"))
    if isinstance(amount, dict):
        low = _amount(amount.get("minValue"))
        high = _amount(amount.get("maxValue"))
        exact = _amount(amount.get("value"))
        if low is None and high is None:
            low = high = exact
        period_text = text_of(amount.get("unitText")) or period_text
    else:
        low = high = _amount(amount)
    if low is not None and high is not None and low > high:
        low, high = high, low
    period = _PERIOD_ALIASES.get(re.sub(r"[^A-Z0-9]", "", period_text.upper())) if period_text else None
    if low is None and high is None:
        return None, None, None, None
    return low, high, currency, period


# -- pay written as text ---------------------------------------------------------------------

_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "₹": "INR", "¥": "JPY", "zł": "PLN"}
_CURRENCY_CODE = re.compile(r"\b(USD|EUR|GBP|CAD|AUD|CHF|SEK|NOK|DKK|PLN|INR|ILS|BRL|MXN|NZD|SGD|JPY|ZAR)\b", re.I)
_PAY_NUMBER = re.compile(r"(\d[\d.,\s]*\d|\d)\s*([kK]\b)?")
_PAY_PERIODS = (
    (re.compile(r"hour|stunde|heure|hora", re.I), "HOUR"),
    (re.compile(r"\bday\b|daily|\btag\b|jour\b", re.I), "DAY"),
    (re.compile(r"week|woche|semaine", re.I), "WEEK"),
    (re.compile(r"month|monat|mois|\bmes\b", re.I), "MONTH"),
    (re.compile(r"year|annual|annum|jahr|par an\b|\bano\b|año", re.I), "YEAR"),
)


def salary_in_text(text: str) -> tuple[float | None, float | None, str | None, str | None]:
    """(min, max, currency, period) of a pay range written as text; Nones when it names no amount."""
    amounts = [_pay_amount(digits, thousands) for digits, thousands in _PAY_NUMBER.findall(text)[:2]]
    amounts = [amount for amount in amounts if amount]
    if not amounts:
        return None, None, None, None
    code = _CURRENCY_CODE.search(text)
    currency = code.group(1).upper() if code else next((c for sign, c in _CURRENCY_SIGNS.items() if sign in text), None)
    period = next((name for pattern, name in _PAY_PERIODS if pattern.search(text)), None)
    low, high = sorted((amounts[0], amounts[-1]))
    return low, high, currency, period


def _pay_amount(digits: str, thousands: str) -> float | None:
    digits = re.sub(r"\s", "", digits)
    # A last separator followed by one or two digits is a decimal mark; others group thousands.
    digits = re.sub(r"[.,](\d{1,2})$", r"#\1", digits)
    try:
        amount = float(re.sub(r"[.,]", "", digits).replace("#", "."))
    except ValueError:
        return None
    return amount * 1000 if thousands else amount


def _amount(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, (int, float)):
        return float(value) if value >= 0 and math.isfinite(value) else None
    text = text_of(value)
    if not text:
        return None
    digits = re.sub(r"[^\d.,]", "", text)
    # "50.000,00", "50,000.00", "118000.0": a last separator followed by one or two digits is the
    # decimal mark (thousands come in threes).
    digits = re.sub(r"[.,](\d{1,2})$", r"#\1", digits)
    digits = re.sub(r"[.,]", "", digits).replace("#", ".")
    try:
        amount = float(digits)
    except ValueError:
        return None
    return amount if math.isfinite(amount) else None


def _fold(text: str) -> str:
    return "".join(c for c in unicodedata.normalize("NFKD", text.casefold()) if not unicodedata.combining(c))


class NormalizePipeline:
    def process_item(self, item: JobPosting) -> JobPosting:
        item.date_posted = iso_date(item.date_posted_raw)
        item.valid_through = iso_date(item.valid_through_raw)
        item.employment_type = employment_type(item.employment_type_raw)
        item.workplace = workplace(item)
        item.salary_min, item.salary_max, item.salary_currency, item.salary_period = salary(item.salary_raw)
        return item
