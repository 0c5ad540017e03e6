"""Clean, language and normalize steps on single items."""

import pytest

from crawler.items import JobPosting, RawLocation
from pipelines.clean import html_to_text, sanitize_html, unescape_once_if_escaped
from pipelines.language import LangdetectDetector, resolve_language
from pipelines.normalize import employment_type, iso_date, salary, workplace

GERMAN = (
    "Wir suchen eine erfahrene Elektroingenieurin oder einen erfahrenen Elektroingenieur für unser Werk "
    "in Stuttgart. Sie planen Schaltanlagen, begleiten die Inbetriebnahme beim Kunden und arbeiten eng "
    "mit unserem Vertrieb zusammen. Wir bieten flexible Arbeitszeiten und ein kollegiales Team."
)
FRENCH = (
    "Nous recherchons une cheffe de projet pour piloter l'installation de nos luminaires dans les musées "
    "et les hôtels. Vous coordonnez les équipes de pose, suivez les budgets et êtes l'interlocutrice "
    "principale de nos clients. Poste basé à Lyon avec des déplacements ponctuels."
)


@pytest.fixture(scope="module")
def detector():
    return LangdetectDetector()


def test_escaped_description_is_unescaped_once_and_made_plain():
    escaped = "&lt;p&gt;Fish &amp;amp; chips&lt;/p&gt;&lt;ul&gt;&lt;li&gt;Frying&lt;/li&gt;&lt;li&gt;Serving&lt;/li&gt;&lt;/ul&gt;"
    markup = unescape_once_if_escaped(escaped)
    assert markup.startswith("<p>")
    assert html_to_text(markup) == "Fish & chips\nFrying\nServing"
    assert unescape_once_if_escaped("<p>a &lt; b</p>") == "<p>a &lt; b</p>"


def test_sanitised_html_loses_scripts_handlers_and_javascript_urls():
    hostile = '<p onclick="steal()">Hi<script>alert(1)</script><a href="javascript:evil()">x</a><img src=x onerror=alert(1)></p>'
    clean = sanitize_html(hostile)
    for bad in ("script", "onclick", "onerror", "javascript:"):
        assert bad not in clean
    assert "<p>Hi" in clean


def test_text_keeps_no_script_or_style_content():
    assert html_to_text("<style>p{}</style><p>Bonjour</p><script>var x</script>") == "Bonjour"


def test_every_kind_of_space_run_becomes_one_space_and_lines_stay():
    markup = "<p>Paris\u00a0\u00a0 &nbsp;Lyon\tand  \u200bLille</p><p>  second\r line </p>\n\n<p>\u3000third</p>"
    assert html_to_text(markup) == "Paris Lyon and Lille\nsecond line\nthird"


def test_long_text_beats_a_wrong_declared_language(detector):
    assert resolve_language("Elektroingenieur (m/w/d)", GERMAN, declared="en", detector=detector)[0::2] == ("de", "detected")


def test_declared_language_labels_a_title_only_posting(detector):
    assert resolve_language("Data Engineer", None, declared="fr", detector=detector) == ("fr", 0.6, "declared")


def test_title_only_without_evidence_stays_unlabelled(detector):
    assert resolve_language("Data Engineer", None, detector=detector) == (None, None, None)


def test_ats_language_holds_unless_the_text_clearly_contradicts(detector):
    assert resolve_language("Cheffe de projet", FRENCH, stated="fr", detector=detector)[2] == "ats"
    assert resolve_language("Cheffe de projet", FRENCH, stated="en", detector=detector)[0::2] == ("fr", "detected")


def test_detection_is_deterministic(detector):
    text = "Ingeniero de datos. Buscamos una persona con experiencia en Python y SQL para nuestro equipo de Madrid."
    answers = {resolve_language(None, text, detector=LangdetectDetector()) for _ in range(5)}
    assert len(answers) == 1 and next(iter(answers))[0] == "es"


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2026-10-02", "2026-10-02"),
        ("2026-10-02T09:30:00Z", "2026-10-02T09:30:00+00:00"),
        ("2026-10-02T09:30:00+02:00", "2026-10-02T07:30:00+00:00"),
        ("2026-10-02 09:30:00 UTC", "2026-10-02T09:30:00+00:00"),
        (1790000000000, "2026-09-21T14:13:20+00:00"),
        ("Fri, 02 Oct 2026 09:30:00 +0200", "2026-10-02T07:30:00+00:00"),
        ("2 October 2026", None),
        ({"@value": "2026-10-02"}, "2026-10-02"),
        (None, None),
        (True, None),
    ],
)
def test_iso_date(value, expected):
    assert iso_date(value) == expected


@pytest.mark.parametrize(
    "value, expected",
    [
        ("FULL_TIME", "FULL_TIME"),
        (["PART_TIME", "CONTRACTOR"], "PART_TIME"),
        ("Full-time", "FULL_TIME"),
        ("Vollzeit, befristet", "FULL_TIME"),
        ("Internship", "INTERN"),
        ("CDD", "TEMPORARY"),
        ("per diem", "PER_DIEM"),
        ("whenever", None),
        (42, None),
    ],
)
def test_employment_type(value, expected):
    assert employment_type(value) == expected


def test_salary_from_quantitative_value_and_plain_amount():
    assert salary({"@type": "MonetaryAmount", "currency": "gbp",
                   "value": {"@type": "QuantitativeValue", "minValue": 90000, "maxValue": "70,000", "unitText": "YEAR"}}) == (
        70000.0, 90000.0, "GBP", "YEAR")
    assert salary({"currency": "EUR", "value": "3.200,50", "unitText": "MONTH"}) == (3200.5, 3200.5, "EUR", "MONTH")
    assert salary({"currency": "euros", "value": {"value": 18, "unitText": "hourly"}}) == (18.0, 18.0, None, "HOUR")
    assert salary("competitive") == (None, None, None, None)


def test_workplace():
    def posting(**fields):
        return JobPosting(source="s", key="k", url="u", **fields)

    office = RawLocation(raw="Paris, FR", city="Paris", country="FR")
    remote_de = RawLocation(raw="Germany", country="Germany", remote=True)
    assert workplace(posting(locations=[office])) == "onsite"
    assert workplace(posting(job_location_type="TELECOMMUTE", locations=[remote_de])) == "remote"
    assert workplace(posting(job_location_type=["TELECOMMUTE"], locations=[office])) == "hybrid"
    assert workplace(posting(locations=[RawLocation(raw="Hybrid - Berlin")])) == "hybrid"
    assert workplace(posting(workplace_raw="On-site", locations=[office])) == "onsite"
    assert workplace(posting()) is None


@pytest.mark.parametrize("text, amount", [("98000.0", 98000.0), ("50.000,00", 50000.0), ("1,234", 1234.0), ("€ 3.200,50", 3200.5)])
def test_salary_amount_strings(text, amount):
    assert salary({"currency": "EUR", "value": text})[0] == amount
