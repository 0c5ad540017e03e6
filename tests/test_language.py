"""Language resolution: the hard cases the project measured (bench/quality.py), pinned.

Texts are written for these tests. They run on the default detector (CLD2 where it is sure, py3langid elsewhere); each candidate
detector's adapter is also checked, and skipped when its package is not installed.
"""

from __future__ import annotations

import pytest

from crawler.items import JobPosting
from pipelines.language import (
    DETECTORS,
    Cld2FirstDetector,
    TARGET_LANGUAGES,
    LangdetectDetector,
    LanguagePipeline,
    LanguageResult,
    LinguaDetector,
    Py3langidDetector,
    analyse_language,
    default_detector,
    language_code,
)

DANISH = (
    "Vi søger en erfaren tekniker til vores værksted i Esbjerg. Du får ansvaret for service og reparation "
    "af vores kunders maskiner, og du arbejder tæt sammen med resten af holdet. Vi tilbyder en god løn og "
    "fleksible arbejdstider."
)
NORWEGIAN = (
    "Vi søker en erfaren tekniker til verkstedet vårt i Stavanger. Du får ansvaret for service og reparasjon "
    "av kundenes maskiner, og du jobber tett sammen med resten av laget. Vi tilbyr god lønn og fleksibel "
    "arbeidstid."
)
CZECH = (
    "Hledáme zkušeného technika do naší dílny v Plzni. Budete mít na starosti servis a opravy strojů našich "
    "zákazníků a budete úzce spolupracovat se zbytkem týmu. Nabízíme dobrou mzdu a pružnou pracovní dobu."
)
SLOVAK = (
    "Hľadáme skúseného technika do našej dielne v Nitre. Budete mať na starosti servis a opravy strojov našich "
    "zákazníkov a budete úzko spolupracovať so zvyškom tímu. Ponúkame dobrú mzdu a pružný pracovný čas."
)
PORTUGUESE = (
    "Procuramos um técnico experiente para a nossa oficina em Braga. Vai ficar responsável pela assistência e "
    "reparação das máquinas dos nossos clientes e vai trabalhar em estreita colaboração com o resto da equipa."
)
SPANISH = (
    "Buscamos un técnico con experiencia para nuestro taller en Bilbao. Te encargarás del servicio y la "
    "reparación de las máquinas de nuestros clientes y trabajarás en estrecha colaboración con el resto del equipo."
)
CROATIAN = (
    "Tražimo iskusnog tehničara za našu radionicu u Osijeku. Bit ćeš zadužen za servis i popravak strojeva "
    "naših kupaca i blisko ćeš surađivati s ostatkom tima. Nudimo dobru plaću i fleksibilno radno vrijeme."
)
CHINESE = (
    "我们正在为苏州工厂招聘一名经验丰富的设备技术员。你将负责客户设备的维修和保养，并与团队其他成员密切合作。"
    "我们提供有竞争力的薪资和弹性工作时间。"
)
GERMAN = (
    "Für unseren Kundendienst in Bremen suchen wir einen Servicetechniker. Sie warten und reparieren die "
    "Anlagen unserer Kunden vor Ort und dokumentieren Ihre Einsätze. Wir bieten ein unbefristetes "
    "Arbeitsverhältnis, einen Firmenwagen und 30 Tage Urlaub."
)
FRENCH = (
    "Nous recherchons un technicien de maintenance pour notre atelier de Rennes.\n"
    "Vous assurez l'entretien et la réparation des machines de nos clients et vous travaillez en lien "
    "étroit avec l'équipe commerciale.\n"
    "Nous offrons un contrat à durée indéterminée, une voiture de service et des horaires souples."
)
ENGLISH = (
    "We are looking for a maintenance technician for our workshop in Rennes.\n"
    "You will service and repair our customers' machines and work closely with the sales team.\n"
    "We offer a permanent contract, a company car and flexible hours."
)
EEO = (
    "We are an equal opportunity employer and value diversity. All applicants will be considered without "
    "regard to race, religion, sex, sexual orientation, gender identity, national origin, age or disability."
)
BENEFITS = (
    "What we offer: a competitive salary with an annual bonus, a pension plan, private medical and dental "
    "insurance, 30 days of paid holiday, a wellbeing allowance and parental leave for every parent."
)


@pytest.fixture(scope="module")
def detector():
    pytest.importorskip("py3langid", reason="the default detector: pyproject.toml must list it")
    pytest.importorskip("pycld2", reason="the default detector: pyproject.toml must list it")
    return default_detector()


def language(detector, title=None, description=None, **evidence):
    return analyse_language(title, description, detector=detector, **evidence)


# -- close pairs, long enough to tell --------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [(DANISH, "da"), (NORWEGIAN, "nb"), (CZECH, "cs"), (SLOVAK, "sk"), (PORTUGUESE, "pt"), (SPANISH, "es"),
     (CROATIAN, "hr"), (CHINESE, "zh")],
    ids=["da", "nb", "cs", "sk", "pt", "es", "hr", "zh"],
)
def test_close_languages_apart(detector, text, expected):
    result = language(detector, None, text)
    assert (result.language, result.method) == (expected, "detected")
    assert result.confidence >= 0.8


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Vi tilbyder en god løn, pension og fleksible arbejdstider.", "da"),
        ("Vi tilbyr god lønn, pensjon og fleksibel arbeidstid.", "nb"),
        ("Nabízíme dobrou mzdu a pružnou pracovní dobu.", "cs"),
        ("Ponúkame dobrú mzdu a pružný pracovný čas.", "sk"),
        ("Oferecemos um bom salário e horário flexível.", "pt"),
        ("Ofrecemos un buen salario y horario flexible.", "es"),
        ("Nudimo dobru plaću i fleksibilno radno vrijeme.", "hr"),
        ("Oferim un salariu bun și program flexibil de lucru.", "ro"),
    ],
)
def test_short_sentences_of_close_languages(detector, text, expected):
    # One sentence: the detector alone must still tell the neighbours apart.
    assert detector.detect(text)[0] == expected


def test_short_romanian_posting_is_labelled_or_left_alone(detector):
    result = language(detector, "Tehnician service", "Căutăm un tehnician cu experiență pentru atelierul nostru din Brașov.")
    assert result.language in ("ro", None)
    assert language(detector, "Tehnician service", "Căutăm un tehnician cu experiență pentru atelierul nostru din "
                    "Brașov. Oferim un salariu bun și program flexibil.").language == "ro"


# -- evidence ----------------------------------------------------------------------------------


def test_german_posting_on_an_english_page(detector):
    result = language(detector, "Servicetechniker (m/w/d)", GERMAN, declared="en")
    assert (result.language, result.method) == ("de", "detected")


def test_declared_language_agreeing_with_the_text(detector):
    assert language(detector, "Servicetechniker (m/w/d)", GERMAN, declared="de-DE").language == "de"


def test_ats_statement_holds_unless_clearly_contradicted(detector):
    assert language(detector, "Technicien", FRENCH, stated="fr").method == "ats"
    result = language(detector, "Servicetechniker", GERMAN, stated="en")
    assert (result.language, result.method) == ("de", "detected")


def test_english_boilerplate_before_a_french_description(detector):
    result = language(detector, "Technicien de maintenance (H/F)", f"{EEO}\n{BENEFITS}\n{FRENCH}")
    assert result.language == "fr"
    assert result.secondary is None  # the boilerplate is not a second version of the posting


def test_english_company_blurb_does_not_outweigh_the_posting(detector):
    # Not caught as boilerplate by any phrase: the posting's own (French) part still wins.
    blurb = (
        "Our company designs and builds packaging machines for food producers in more than forty countries, "
        "and our engineers support them from the first drawing to the last spare part."
    )
    assert language(detector, "Technicien de maintenance", blurb + "\n" + FRENCH).language == "fr"


def test_bilingual_posting_french_then_english(detector):
    result = language(detector, "Technicien de maintenance / Maintenance technician", FRENCH + "\n" + ENGLISH)
    assert (result.language, result.secondary) == ("fr", "en")


def test_monolingual_posting_has_no_secondary_language(detector):
    assert language(detector, "Maintenance technician", ENGLISH + "\n" + ENGLISH.upper()).secondary is None


def test_no_posting_is_labelled_from_boilerplate_alone(detector):
    # All of it is boilerplate: it is still read (there is nothing else), and it is English.
    assert language(detector, None, EEO + "\n" + BENEFITS).language == "en"


# -- title only ----------------------------------------------------------------------------------


def test_title_only_takes_the_declared_language(detector):
    assert language(detector, "Data Engineer", declared="fr") == language(detector, "Data Engineer", declared="fr-CA")
    assert language(detector, "Data Engineer", declared="fr") == LanguageResult("fr", 0.6, "declared")


def test_title_only_without_evidence_abstains_on_ambiguous_titles(detector):
    assert language(detector, "Data Engineer").language in ("en", None)
    assert language(detector, "Controller").language is None


@pytest.mark.parametrize(
    ("title", "acceptable"),
    [
        ("Vertriebsmitarbeiter im Innendienst (m/w/d)", {"de", None}),
        ("Kierownik zmiany produkcyjnej", {"pl", None}),
        ("Sjuksköterska till akutmottagningen", {"sv", None}),
        ("経理担当", {"ja", None}),  # kanji only: Chinese and Japanese look alike
        ("会計スタッフ", {"ja"}),  # kana is Japanese
        ("물류센터 관리자", {"ko"}),  # Hangul is Korean
        ("Λογιστής", {"el"}),
    ],
)
def test_title_only_labels_are_right_or_withheld(detector, title, acceptable):
    assert language(detector, title).language in acceptable


def test_declared_language_in_the_wrong_script_loses(detector):
    assert language(detector, "会計スタッフ", declared="en").language == "ja"
    assert language(detector, None, CHINESE, declared="en").language == "zh"


# -- codes and detectors ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("value", "expected"),
    [("zh-cn", "zh"), ("zh-TW", "zh"), ("zh-Hant", "zh"), ("no", "nb"), ("nb-NO", "nb"), ("iw", "he"),
     ("pt_BR", "pt"), ("x-default", None), ("", None), (None, None)],
)
def test_language_codes(value, expected):
    assert language_code(value) == expected


def test_langdetect_maps_chinese_and_is_deterministic():
    detector = LangdetectDetector(seed=0)
    answers = {detector.detect(CHINESE) for _ in range(3)} | {LangdetectDetector(seed=0).detect(CHINESE)}
    assert len(answers) == 1 and next(iter(answers))[0] == "zh"


@pytest.mark.parametrize("name", [name for name in DETECTORS if name != "lingua"])
def test_every_candidate_detector_speaks_target_codes(name):
    try:
        detector = DETECTORS[name]()
    except ImportError:
        pytest.skip(f"{name} is not installed")
    code, probability = detector.detect(NORWEGIAN)
    assert code in TARGET_LANGUAGES and 0 < probability <= 1
    assert detector.detect(FRENCH)[0] == "fr"
    assert detector.detect("")[0] in (None, *TARGET_LANGUAGES)


# Bosnian in Latin script, which the project labels `hr` (CLD2 alone answers `bs`).
BOSNIAN = (
    "Tražimo iskusnog programera koji će se pridružiti našem timu u Sarajevu. Radit ćete na razvoju web "
    "aplikacija i sarađivati sa kolegama iz cijele regije. Nudimo konkurentnu platu i fleksibilno radno vrijeme."
)


def test_cld2_first_answers_sure_long_text_itself_and_hands_the_rest_to_py3langid():
    pytest.importorskip("pycld2")
    detector = Cld2FirstDetector()
    careful = Py3langidDetector()
    # Long and plainly French: CLD2's own answer, its share of the text as the probability.
    assert detector.detect(FRENCH) == ("fr", 0.99)
    assert careful.detect(FRENCH) != ("fr", 0.99)
    # A language outside the targets, and a text too short for CLD2: py3langid's answer.
    assert detector.detect(BOSNIAN) == careful.detect(BOSNIAN) and detector.detect(BOSNIAN)[0] == "hr"
    assert detector.detect("Servicetechniker (m/w/d)") == careful.detect("Servicetechniker (m/w/d)")


def test_lingua_adapter_on_a_small_language_set():
    # Restricted to three languages so that lingua loads three models, not thirty-six.
    pytest.importorskip("lingua")
    detector = LinguaDetector(languages=("da", "nb", "sv"))
    assert detector.detect(DANISH)[0] == "da"
    assert detector.detect(NORWEGIAN)[0] == "nb"


# -- pipeline ------------------------------------------------------------------------------------


def test_pipeline_fills_the_item(detector):
    item = JobPosting(source="s", key="k", url="u", title="Servicetechniker", description=GERMAN, declared_language="en")
    LanguagePipeline(detector).process_item(item)
    assert (item.language, item.language_method) == ("de", "detected")
    assert 0.8 <= item.language_confidence <= 1
    assert item.secondary_language is None


def test_pipeline_records_the_other_language_of_a_bilingual_posting(detector):
    item = JobPosting(source="s", key="k", url="u", title="Technicien", description=FRENCH + "\n" + ENGLISH)
    LanguagePipeline(detector).process_item(item)
    assert (item.language, item.secondary_language) == ("fr", "en")
