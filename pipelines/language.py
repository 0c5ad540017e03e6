"""Step 2: which language is this posting in, and how sure are we.

Evidence, strongest first:
1. what the ATS states structurally (`stated_language`) - kept unless the text clearly says otherwise;
2. the posting's own text (title + description), through a detector - never the page chrome,
   which the spiders do not pass on;
3. what the page declares (`declared_language`: its own hreflang, URL locale, <html lang>) -
   used when the text is too short to tell, and overruled when a long text contradicts it.
A short text with no declared language stays NULL: a wrong label is worse than none.
"""

from __future__ import annotations

from typing import Protocol

from langdetect import DetectorFactory
from langdetect.detector_factory import PROFILES_DIRECTORY
from langdetect.lang_detect_exception import LangDetectException

from crawler.extract import language_tag
from crawler.items import JobPosting

# Below this many characters, detectors guess; above LONG_TEXT, they rarely err.
SHORT_TEXT = 80
LONG_TEXT = 120
# Detection cost grows with text length while the answer stops changing long before 2,000 chars.
MAX_DETECTION_CHARS = 2000
# How sure the detector must be to overrule stated/declared evidence, or to label on its own.
OVERRULE_CONFIDENCE = 0.95
ACCEPT_CONFIDENCE = 0.80


class LanguageDetector(Protocol):
    def detect(self, text: str) -> tuple[str | None, float]:
        """(ISO 639-1 code or None, confidence 0..1)."""
        ...


class LangdetectDetector:
    """langdetect (Google's language-detection port), seeded so that equal text gets equal answers."""

    def __init__(self, seed: int = 0) -> None:
        self._factory = DetectorFactory()
        self._factory.load_profile(PROFILES_DIRECTORY)
        self._factory.seed = seed

    def detect(self, text: str) -> tuple[str | None, float]:
        detector = self._factory.create()
        detector.append(text)
        try:
            best = detector.get_probabilities()[0]
        except (LangDetectException, IndexError):
            return None, 0.0
        return language_tag(best.lang), round(best.prob, 4)  # zh-cn / zh-tw → zh


def resolve_language(
    title: str | None,
    description: str | None,
    *,
    stated: str | None = None,
    declared: str | None = None,
    detector: LanguageDetector,
) -> tuple[str | None, float | None, str | None]:
    """(language, confidence, method) for one posting, from the evidence described above."""
    stated, declared = language_tag(stated), language_tag(declared)
    text = "\n".join(part for part in (title, description) if part)[:MAX_DETECTION_CHARS]
    detected, confidence = detector.detect(text) if len(text) >= SHORT_TEXT else (None, 0.0)
    clearly_detected = detected and len(text) >= LONG_TEXT and confidence >= OVERRULE_CONFIDENCE

    if stated:
        if clearly_detected and detected != stated:
            return detected, confidence, "detected"
        return stated, 1.0, "ats"
    if declared and detected != declared and not clearly_detected:
        return declared, 0.6, "declared"
    if detected and confidence >= ACCEPT_CONFIDENCE:
        return detected, confidence, "detected"
    return None, None, None


class LanguagePipeline:
    def __init__(self, detector: LanguageDetector | None = None) -> None:
        self.detector = detector or LangdetectDetector()

    def process_item(self, item: JobPosting) -> JobPosting:
        item.language, item.language_confidence, item.language_method = resolve_language(
            item.title,
            item.description,
            stated=item.stated_language,
            declared=item.declared_language,
            detector=self.detector,
        )
        return item
