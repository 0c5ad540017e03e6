"""Language and location quality on the project's own labelled set, and what it costs.

    python bench/quality.py                 # every detector that is installed, full report
    python bench/quality.py --detectors fasttext-lid176,langdetect
    python bench/quality.py --misses        # also list every wrong answer of the default detector

The evaluation set lives in `bench/data/` and was written for this project:

* `language/<code>.txt`: per language, job titles and sentences of job-posting prose (intro,
  tasks, profile, benefits). Postings are put together from them with a fixed seed.
* `language/boilerplate_en.txt`: English page and ATS boilerplate (cookie banners, navigation,
  company blurbs, benefit lists, EEO statements, legal footers).
* `locations.tsv`: location strings as careers sites write them, with the countries they mean.

Kinds of language case, each scored through `pipelines.language.analyse_language` unless said:

* short      - one sentence, the detector alone (no evidence, no abstaining): raw detector skill;
* long       - title + description of at least 200 characters, no declared language;
* mixed      - the same with English boilerplate before (and sometimes after) the description;
* wrong-decl - long postings on a page that declares a wrong language (`en`, or a close sibling);
* bilingual  - a description, then an English version: main language and the other one;
* title-only - the title alone, no evidence: a label may be withheld; the score is the share of
               labels given that are right, and `coverage` says how many were given;
* mono-no-2nd - the long postings that were (rightly) given no second language.

Cost is the median per posting of language (`analyse_language` on a long posting) plus location
(`split_locations` + `resolve_location` of a location string), timed one posting at a time.
A detector whose package is missing is skipped with a note.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from crawler.items import RawLocation
from pipelines.language import DETECTORS, LanguageDetector, analyse_language
from pipelines.location import resolve_location, split_locations

DATA = Path(__file__).resolve().parent / "data"
SEED = 2026
LONG_PER_LANGUAGE = 40
BILINGUAL_PER_LANGUAGE = 8
MIN_DESCRIPTION = 200
# The wrong language a page most plausibly declares: its template's (English, or German for an
# English posting), or a close neighbour a careless locale switch produces.
SIBLING = {
    "da": "nb", "nb": "da", "sv": "nb", "cs": "sk", "sk": "cs", "es": "pt", "pt": "es", "it": "es",
    "fr": "it", "ru": "uk", "uk": "ru", "hr": "sl", "ro": "it", "nl": "de", "de": "nl", "pl": "cs",
    "fi": "et", "hu": "de", "tr": "de", "el": "en", "ja": "zh", "zh": "ja", "ko": "ja", "ar": "en",
    "en": "de",
}
KINDS = ("short", "long", "mixed", "wrong-decl", "bilingual", "title-only")


# -- the evaluation set ----------------------------------------------------------------------


def read_sections(path: Path) -> dict[str, list[str]]:
    """`[section]` headers, one item per line; blank lines and `#` comments ignored."""
    sections: dict[str, list[str]] = defaultdict(list)
    current = None
    for line in path.read_text(encoding="utf-8").splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.startswith("[") and line.endswith("]"):
            current = line[1:-1]
        elif current is None:
            raise ValueError(f"{path}: text before the first [section]")
        else:
            sections[current].append(line)
    return dict(sections)


@dataclass(frozen=True)
class Case:
    kind: str
    language: str  # the expected (main) language
    title: str | None
    description: str | None
    declared: str | None = None
    secondary: str | None = None  # bilingual cases: the expected other language


def _description(pool: dict[str, list[str]], rng: random.Random, full: bool = False) -> str:
    """A posting body as careers pages write it: intro, tasks, profile, benefits, one per line,
    at least MIN_DESCRIPTION characters (Chinese or Japanese sentences are short: they get more).
    A `full` one uses every line of the pool (1,500-2,500 characters, as many real postings)."""
    if full:
        return "\n".join([rng.choice(pool["intros"])] + [line for s in ("tasks", "profile", "benefits") for line in pool[s]])
    sections = {"tasks": rng.randint(1, 3), "profile": rng.randint(0, 2), "benefits": rng.randint(0, 2)}
    while True:
        lines = [rng.choice(pool["intros"])]
        for section, count in sections.items():
            lines += rng.sample(pool[section], min(count, len(pool[section])))
        if len("\n".join(lines)) >= MIN_DESCRIPTION:
            return "\n".join(lines)
        sections = {section: count + 1 for section, count in sections.items()}


def build_cases() -> tuple[list[Case], list[str]]:
    """Every language case, and the languages in the set."""
    pools = {
        path.stem: read_sections(path)
        for path in sorted((DATA / "language").glob("*.txt"))
        if path.stem != "boilerplate_en"
    }
    boilerplate = read_sections(DATA / "language" / "boilerplate_en.txt")
    before = [block for kind in ("cookie", "navigation", "about", "benefits") for block in boilerplate[kind]]
    after = [block for kind in ("eeo", "legal") for block in boilerplate[kind]]
    rng = random.Random(SEED)
    cases: list[Case] = []
    for language, pool in pools.items():
        for section in ("intros", "tasks", "profile", "benefits"):
            cases += [Case("short", language, None, sentence) for sentence in pool[section]]
        cases += [Case("title-only", language, title, None) for title in pool["titles"]]
        for _ in range(LONG_PER_LANGUAGE):
            # One posting in four is as long as many real ones; the rest are short, harder ones.
            title, description = rng.choice(pool["titles"]), _description(pool, rng, full=rng.random() < 0.25)
            cases.append(Case("long", language, title, description))
            wrong = SIBLING[language] if rng.random() < 0.5 else ("de" if language == "en" else "en")
            cases.append(Case("wrong-decl", language, title, description, declared=wrong))
            # Templates put one or two English blocks first, and often an English footer last;
            # one posting in four also has an English title ("Software Engineer" on a French site).
            header = rng.sample(before, rng.randint(1, 2))
            footer = rng.sample(after, rng.randint(0, 1))
            mixed_title = rng.choice(pools["en"]["titles"]) if rng.random() < 0.25 else title
            cases.append(Case("mixed", language, mixed_title, "\n".join([*header, description, *footer])))
        if language != "en":
            for _ in range(BILINGUAL_PER_LANGUAGE):
                # The English version stands for a translation: 70-100% of the original's length
                # (a Chinese, Japanese or Korean character counting as three Latin ones).
                own = _description(pool, rng)
                target = len(own) * (3 if language in ("ja", "zh", "ko") else 1)
                lines = rng.sample([line for lines in pools["en"].values() for line in lines if len(line) > 40], 12)
                english = lines.pop()
                while len(english) < 0.7 * target and len(english) + len(lines[-1]) <= target:
                    english += "\n" + lines.pop()
                cases.append(
                    Case("bilingual", language, rng.choice(pool["titles"]), own + "\n" + english, secondary="en")
                )
    return cases, list(pools)


def read_locations() -> list[tuple[str, str, frozenset[str], str | None]]:
    """(kind, raw, expected countries, country hint) per line of locations.tsv."""
    rows = []
    for number, line in enumerate((DATA / "locations.tsv").read_text(encoding="utf-8").splitlines(), 1):
        if not line.strip() or line.startswith("#"):
            continue
        fields = line.split("\t")
        if len(fields) not in (3, 4):
            raise ValueError(f"locations.tsv:{number}: expected kind, raw, countries[, hint]")
        kind, raw, countries = fields[:3]
        expected = frozenset() if countries == "-" else frozenset(countries.split(","))
        rows.append((kind, raw, expected, fields[3] if len(fields) == 4 and fields[3] else None))
    return rows


# -- scoring ---------------------------------------------------------------------------------


@dataclass
class Tally:
    right: int = 0
    wrong: int = 0
    abstained: int = 0

    def accuracy(self) -> float | None:
        """Right among the answers given (title-only), or among all cases (every other kind)."""
        given = self.right + self.wrong
        return self.right / given if given else None


def score_language(
    detector: LanguageDetector, cases: list[Case], misses: list[str] | None = None
) -> tuple[dict[str, Tally], dict[tuple[str, str], Tally], list[float]]:
    """Tallies per kind and per (language, kind), and the seconds spent per long posting."""
    by_kind: dict[str, Tally] = defaultdict(Tally)
    by_language: dict[tuple[str, str], Tally] = defaultdict(Tally)
    costs: list[float] = []
    for case in cases:
        if case.kind == "short":
            answer, secondary = detector.detect(case.description or "")[0], None
        else:
            start = time.perf_counter()
            result = analyse_language(case.title, case.description, declared=case.declared, detector=detector)
            if case.kind == "long":
                costs.append(time.perf_counter() - start)
            answer, secondary = result.language, result.secondary
        right = answer == case.language and (case.kind != "bilingual" or secondary == case.secondary)
        for tally in (by_kind[case.kind], by_language[case.language, case.kind]):
            if answer is None and case.kind == "title-only":
                tally.abstained += 1
            elif right:
                tally.right += 1
            else:
                tally.wrong += 1
        if case.kind == "long":
            # A monolingual posting must not get a second language either.
            if secondary is None:
                by_kind["mono-no-2nd"].right += 1
            else:
                by_kind["mono-no-2nd"].wrong += 1
        if misses is not None and not right and not (answer is None and case.kind == "title-only"):
            text = " | ".join(part for part in (case.title, case.description) if part).replace("\n", " / ")
            misses.append(
                f"{case.kind:<10} want {case.language}{'+' + case.secondary if case.secondary else ''}"
                f" got {answer}{'+' + secondary if secondary else ''}"
                f"{' (declared ' + case.declared + ')' if case.declared else ''}: {text[:150]}"
            )
    return by_kind, by_language, costs


def percent(value: float | None) -> str:
    return "-" if value is None else f"{100 * value:.1f}"


def table(header: list[str], rows: list[list[str]]) -> str:
    widths = [max(len(str(cell)) for cell in column) for column in zip(header, *rows)]
    lines = ["  ".join(str(cell).ljust(width) for cell, width in zip(header, widths))]
    lines.append("  ".join("-" * width for width in widths))
    lines += ["  ".join(str(cell).ljust(width) for cell, width in zip(row, widths)) for row in rows]
    return "\n".join(lines)


def time_location(raw: str, hint: str | None) -> tuple[float, frozenset[str]]:
    start = time.perf_counter()
    pieces = split_locations(raw) or [raw]
    countries = frozenset(
        code for piece in pieces if (code := resolve_location(RawLocation(raw=piece), hint)["country_code"])
    )
    return time.perf_counter() - start, countries


# -- report ----------------------------------------------------------------------------------


def load_detectors(names: list[str] | None) -> list[LanguageDetector]:
    detectors = []
    for name, factory in DETECTORS.items():
        if names and name not in names:
            continue
        try:
            start = time.perf_counter()
            detector = factory()
            print(f"  {name}: loaded in {time.perf_counter() - start:.2f} s")
            detectors.append(detector)
        except ImportError as error:
            print(f"  {name}: skipped, not installed ({error.name or error})")
    return detectors


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--detectors", help="comma-separated names (default: all installed)")
    parser.add_argument("--misses", action="store_true", help="list the first detector's wrong answers")
    args = parser.parse_args(argv)

    cases, languages = build_cases()
    counts = Counter(case.kind for case in cases)
    print(f"Language set: {len(languages)} languages ({', '.join(languages)}); cases per kind: "
          + ", ".join(f"{kind} {counts[kind]}" for kind in KINDS))
    print("Detectors:")
    detectors = load_detectors(args.detectors.split(",") if args.detectors else None)
    if not detectors:
        print("no detector installed")
        return 1

    comparison, per_language, costs_by_detector = [], {}, {}
    misses: list[str] = []
    for index, detector in enumerate(detectors):
        analyse_language("warm-up", "Warm-up text " * 30, detector=detector)
        by_kind, by_language, costs = score_language(detector, cases, misses if args.misses and index == 0 else None)
        per_language[detector.name] = by_language
        costs_by_detector[detector.name] = costs
        title = by_kind["title-only"]
        coverage = (title.right + title.wrong) / max(1, title.right + title.wrong + title.abstained)
        comparison.append(
            [detector.name]
            + [percent(by_kind[kind].accuracy()) for kind in (*KINDS, "mono-no-2nd")]
            + [percent(coverage), f"{1000 * statistics.median(costs):.3f}"]
        )

    print("\nLanguage accuracy per kind (%), title-only = right among labels given; cost = median ms per long posting")
    print(table(["detector", *KINDS, "mono-no-2nd", "title coverage", "ms/posting"], comparison))

    default = detectors[0].name
    print(f"\nPer language, {default} (%):")
    rows = []
    for language in languages:
        row = [language]
        for kind in KINDS:
            tally = per_language[default].get((language, kind))
            row.append(percent(tally.accuracy()) if tally else "")
        rows.append(row)
    print(table(["lang", *KINDS], rows))

    if len(detectors) > 1:
        print("\nPer language, long + mixed + wrong-decl together, every detector (%):")
        rows = []
        for language in languages:
            row = [language]
            for detector in detectors:
                tallies = [per_language[detector.name].get((language, kind), Tally()) for kind in ("long", "mixed", "wrong-decl")]
                right, given = sum(t.right for t in tallies), sum(t.right + t.wrong for t in tallies)
                row.append(percent(right / given if given else None))
            rows.append(row)
        print(table(["lang", *(detector.name for detector in detectors)], rows))

    # -- locations
    locations = read_locations()
    resolve_location(RawLocation(raw="Paris, France"))  # build the tables before timing anything
    location_costs: list[float] = []
    location_tally: dict[str, Tally] = defaultdict(Tally)
    location_misses = []
    for kind, raw, expected, hint in locations:
        seconds, countries = time_location(raw, hint)  # first sight of each string: no cache help
        location_costs.append(seconds)
        right = countries == expected
        for key in (kind, "all"):
            if right:
                location_tally[key].right += 1
            else:
                location_tally[key].wrong += 1
        if not right:
            location_misses.append(f"{kind:<10} {raw!r}{' hint ' + hint if hint else ''}: want "
                                   f"{','.join(sorted(expected)) or '-'} got {','.join(sorted(countries)) or '-'}")
    print(f"\nCountry accuracy on {len(locations)} location strings (%):")
    kinds = sorted(k for k in location_tally if k != "all") + ["all"]
    print(table(["kind", "strings", "accuracy"],
                [[k, location_tally[k].right + location_tally[k].wrong, percent(location_tally[k].accuracy())] for k in kinds]))
    for miss in location_misses:
        print("  miss:", miss)

    # -- cost of language + location per posting, with the default detector
    long_cases = [case for case in cases if case.kind == "long"]
    totals = []
    for number, case in enumerate(long_cases):
        _, raw, _, hint = locations[number % len(locations)]
        start = time.perf_counter()
        analyse_language(case.title, case.description, detector=detectors[0])
        split = split_locations(raw) or [raw]
        for piece in split:
            resolve_location(RawLocation(raw=piece), hint)
        totals.append(time.perf_counter() - start)
    print(f"\nCost per posting with {default} (median over {len(long_cases)} long postings): language "
          f"{1000 * statistics.median(costs_by_detector[default]):.3f} ms, location first sight "
          f"{1000 * statistics.median(location_costs):.3f} ms, language + location "
          f"{1000 * statistics.median(totals):.3f} ms (location strings repeat, as they do in a crawl)")

    if args.misses:
        print(f"\nWrong answers of {default}:")
        for miss in misses:
            print("  " + miss)
    return 0


if __name__ == "__main__":
    sys.exit(main())
