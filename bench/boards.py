"""Throughput from ATS JSON boards: `jobatlas crawl` on synthetic Greenhouse, Lever, Ashby,
Recruitee and Workable boards served from 127.0.0.1, through the whole pipeline into SQLite.

    python bench/boards.py [--boards 40] [--postings-per-board 250] [--workers N] [--profile]
                           [--set NAME=VALUE ...]

The boards (one ATS per board, in turn) are generated in memory, deterministically (seeded), in
the real answer shapes each spider reads (crawler/spiders/<kind>.py, tests/sites/ats/<kind>/):
Greenhouse `{"jobs", "meta": {"total"}}` with HTML-escaped `content`, offices, departments,
metadata, pay ranges, language and location variants of one job; Lever's list paged by
`skip` / `limit`, with categories, lists, `additional`, epoch-ms dates and salary ranges; Ashby
`{"jobs"}` with postal addresses, secondary locations, compensation tiers and a few unlisted
jobs; Recruitee `{"offers"}` with translations (some offers in two languages: one posting per
language) and structured locations; Workable's widget `{"name", "jobs"}` with `locations`,
description / requirements / benefits, and a few jobs listed once per place. Descriptions are
2-6 KB of HTML in English, French, German, Spanish, Portuguese, Italian or Dutch; locations are
free text as boards write them ("Berlin, DE; Remote - EMEA", "New York, NY"), several per
posting for a share of them, some remote; most postings carry a salary and a department.

Every answer is encoded (and gzipped, for clients that accept it, as the real APIs do) once,
before a ThreadingHTTPServer in a child process serves them; its own capacity is measured
first, so that it is known not to be the bottleneck. Then the real CLI crawls a sources file
with one source per board (`url` the board's public URL, `endpoint` the local API URL) with
AutoThrottle off. Prints postings/s, CPU seconds per 1,000 postings, peak RSS, and the rows
stored, which must equal the postings generated (exit status 1 otherwise). `--profile` runs the
crawl under cProfile and prints its top 30 functions by cumulative time and by own time."""

from __future__ import annotations

import argparse
import concurrent.futures
import contextlib
import gzip
import html
import json
import multiprocessing
import random
import resource
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid
from collections import Counter
from datetime import datetime, timedelta, timezone
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any, Callable, Iterator
from urllib.parse import parse_qs

import yaml

sys.path.insert(0, str(Path(__file__).parent))
from throughput import REPO, count_rows, measured  # noqa: E402

KINDS = ["greenhouse", "lever", "ashby", "recruitee", "workable"]
LEVER_PAGE_SIZE = 100  # what crawler/spiders/lever.py asks for when the endpoint names no `limit`
EPOCH = datetime(2026, 1, 5, 8, 0, tzinfo=timezone.utc)  # postings are published in the 300 days after

# -- text ---------------------------------------------------------------------------------------

# A few sentences per language: descriptions shuffle and repeat them to 2-6 KB.
PROSE = {
    "en": [
        "We are a growing company that builds software used every day by thousands of small businesses.",
        "You will design, build and run services that our customers rely on, and you will own them from the first sketch to production.",
        "You will work closely with product managers, designers and the support team, who hear first what our users need.",
        "We value clear writing, careful reviews and calm incident handling more than heroics late at night.",
        "Our teams are small and autonomous: each one decides how it works and is trusted to deliver.",
        "We invest in learning, with a yearly budget for books, courses and conferences for everyone.",
        "You will help us improve how we plan, ship and measure our work across several offices.",
        "We believe diverse teams build better products, and we welcome applications from every background.",
    ],
    "fr": [
        "Nous sommes une entreprise en pleine croissance qui conçoit des logiciels utilisés chaque jour par des milliers de petites entreprises.",
        "Vous concevrez et ferez fonctionner des services sur lesquels nos clients comptent, de la première esquisse à la mise en production.",
        "Vous travaillerez en lien étroit avec les chefs de produit, les designers et l'équipe support, qui entend la première ce dont nos utilisateurs ont besoin.",
        "Nous accordons plus de valeur à une écriture claire, à des relectures attentives et au calme pendant les incidents qu'aux exploits nocturnes.",
        "Nos équipes sont petites et autonomes : chacune décide de sa façon de travailler et on lui fait confiance pour livrer.",
        "Nous investissons dans la formation, avec un budget annuel pour les livres, les cours et les conférences.",
        "Vous nous aiderez à améliorer la façon dont nous planifions, livrons et mesurons notre travail entre plusieurs bureaux.",
        "Nous pensons que des équipes diverses construisent de meilleurs produits et nous accueillons les candidatures de tous les horizons.",
    ],
    "de": [
        "Wir sind ein wachsendes Unternehmen und entwickeln Software, die täglich von tausenden kleinen Betrieben genutzt wird.",
        "Sie entwerfen, entwickeln und betreiben Dienste, auf die sich unsere Kundinnen und Kunden verlassen, von der ersten Skizze bis zum Betrieb.",
        "Sie arbeiten eng mit Produktmanagement, Design und dem Support zusammen, der als Erster hört, was unsere Nutzer brauchen.",
        "Klare Texte, sorgfältige Reviews und Ruhe bei Störungen sind uns wichtiger als nächtliche Heldentaten.",
        "Unsere Teams sind klein und selbstständig: Jedes entscheidet, wie es arbeitet, und wir vertrauen darauf, dass es liefert.",
        "Wir investieren in Weiterbildung, mit einem jährlichen Budget für Bücher, Kurse und Konferenzen für alle.",
        "Sie helfen uns dabei, besser zu planen, auszuliefern und unsere Arbeit über mehrere Standorte hinweg zu messen.",
        "Wir glauben, dass vielfältige Teams bessere Produkte bauen, und freuen uns über Bewerbungen aus allen Lebenswegen.",
    ],
    "es": [
        "Somos una empresa en crecimiento que desarrolla software que usan cada día miles de pequeñas empresas.",
        "Diseñarás, construirás y mantendrás servicios en los que confían nuestros clientes, desde el primer boceto hasta producción.",
        "Trabajarás de cerca con los equipos de producto, diseño y soporte, que son los primeros en escuchar lo que necesitan nuestros usuarios.",
        "Valoramos la escritura clara, las revisiones cuidadosas y la calma durante las incidencias más que los esfuerzos heroicos de madrugada.",
        "Nuestros equipos son pequeños y autónomos: cada uno decide cómo trabaja y confiamos en que cumpla.",
        "Invertimos en formación, con un presupuesto anual para libros, cursos y conferencias para todas las personas.",
        "Nos ayudarás a mejorar cómo planificamos, entregamos y medimos nuestro trabajo entre varias oficinas.",
        "Creemos que los equipos diversos crean mejores productos y damos la bienvenida a candidaturas de cualquier trayectoria.",
    ],
    "pt": [
        "Somos uma empresa em crescimento que desenvolve software usado todos os dias por milhares de pequenas empresas.",
        "Vai desenhar, construir e manter serviços em que os nossos clientes confiam, desde o primeiro esboço até à produção.",
        "Vai trabalhar de perto com as equipas de produto, design e apoio ao cliente, que são as primeiras a ouvir o que os utilizadores precisam.",
        "Valorizamos a escrita clara, as revisões cuidadosas e a calma durante os incidentes mais do que os esforços heroicos de madrugada.",
        "As nossas equipas são pequenas e autónomas: cada uma decide como trabalha e confiamos que entrega.",
        "Investimos na aprendizagem, com um orçamento anual para livros, cursos e conferências para todas as pessoas.",
        "Vai ajudar-nos a melhorar a forma como planeamos, entregamos e medimos o nosso trabalho entre vários escritórios.",
        "Acreditamos que equipas diversas constroem produtos melhores e recebemos candidaturas de todos os percursos.",
    ],
    "it": [
        "Siamo un'azienda in crescita che sviluppa software usato ogni giorno da migliaia di piccole imprese.",
        "Progetterai, costruirai e gestirai servizi su cui i nostri clienti fanno affidamento, dalla prima bozza fino alla produzione.",
        "Lavorerai a stretto contatto con i product manager, i designer e il team di assistenza, che ascolta per primo le esigenze degli utenti.",
        "Diamo più valore a una scrittura chiara, a revisioni attente e alla calma durante gli incidenti che agli sforzi eroici notturni.",
        "I nostri team sono piccoli e autonomi: ognuno decide come lavorare e ci fidiamo della sua capacità di consegnare.",
        "Investiamo nella formazione, con un budget annuale per libri, corsi e conferenze per tutte le persone.",
        "Ci aiuterai a migliorare il modo in cui pianifichiamo, rilasciamo e misuriamo il nostro lavoro tra diverse sedi.",
        "Crediamo che i team eterogenei costruiscano prodotti migliori e accogliamo candidature da ogni percorso.",
    ],
    "nl": [
        "Wij zijn een groeiend bedrijf dat software bouwt die elke dag door duizenden kleine ondernemingen wordt gebruikt.",
        "Je ontwerpt, bouwt en beheert diensten waarop onze klanten vertrouwen, van de eerste schets tot in productie.",
        "Je werkt nauw samen met productmanagers, ontwerpers en het supportteam, dat als eerste hoort wat onze gebruikers nodig hebben.",
        "Wij hechten meer waarde aan helder schrijven, zorgvuldige reviews en rust tijdens storingen dan aan nachtelijke heldendaden.",
        "Onze teams zijn klein en zelfstandig: elk team bepaalt hoe het werkt en wij vertrouwen erop dat het levert.",
        "Wij investeren in leren, met een jaarlijks budget voor boeken, cursussen en conferenties voor iedereen.",
        "Je helpt ons beter te plannen, op te leveren en ons werk over meerdere kantoren te meten.",
        "Wij geloven dat diverse teams betere producten bouwen en verwelkomen sollicitaties van iedere achtergrond.",
    ],
}
HEADINGS = {  # about us, the role, your profile, what we offer
    "en": ["About us", "What you will do", "What we look for", "What we offer"],
    "fr": ["À propos de nous", "Vos missions", "Votre profil", "Ce que nous offrons"],
    "de": ["Über uns", "Deine Aufgaben", "Dein Profil", "Was wir bieten"],
    "es": ["Sobre nosotros", "Tus funciones", "Tu perfil", "Qué ofrecemos"],
    "pt": ["Sobre nós", "As tuas funções", "O teu perfil", "O que oferecemos"],
    "it": ["Chi siamo", "Le tue attività", "Il tuo profilo", "Cosa offriamo"],
    "nl": ["Over ons", "Wat ga je doen", "Wie zoeken wij", "Wat bieden wij"],
}
ITEMS = {
    "en": [
        "Several years of experience in a similar role",
        "Fluent written and spoken English",
        "A habit of writing things down",
        "Flexible working hours and a home-office budget",
        "Thirty days of paid leave",
        "Mentor colleagues and review their work",
    ],
    "fr": [
        "Plusieurs années d'expérience sur un poste similaire",
        "Un français courant, à l'écrit comme à l'oral",
        "L'habitude de documenter votre travail",
        "Des horaires flexibles et un budget pour le télétravail",
        "Trente jours de congés payés",
        "Accompagner vos collègues et relire leur travail",
    ],
    "de": [
        "Mehrjährige Erfahrung in einer vergleichbaren Position",
        "Sehr gute Deutschkenntnisse in Wort und Schrift",
        "Freude daran, Dinge sauber zu dokumentieren",
        "Flexible Arbeitszeiten und ein Budget fürs Homeoffice",
        "Dreißig Tage bezahlter Urlaub",
        "Kolleginnen und Kollegen begleiten und ihre Arbeit prüfen",
    ],
    "es": [
        "Varios años de experiencia en un puesto similar",
        "Español fluido, oral y escrito",
        "La costumbre de documentar tu trabajo",
        "Horario flexible y un presupuesto para teletrabajo",
        "Treinta días de vacaciones pagadas",
        "Acompañar a tus compañeros y revisar su trabajo",
    ],
    "pt": [
        "Vários anos de experiência numa função semelhante",
        "Português fluente, oral e escrito",
        "O hábito de documentar o teu trabalho",
        "Horário flexível e um orçamento para teletrabalho",
        "Trinta dias de férias pagas",
        "Acompanhar os teus colegas e rever o trabalho deles",
    ],
    "it": [
        "Diversi anni di esperienza in un ruolo simile",
        "Ottima conoscenza dell'italiano scritto e parlato",
        "L'abitudine di documentare il proprio lavoro",
        "Orari flessibili e un budget per il lavoro da casa",
        "Trenta giorni di ferie retribuite",
        "Affiancare i colleghi e rivedere il loro lavoro",
    ],
    "nl": [
        "Meerdere jaren ervaring in een vergelijkbare functie",
        "Vloeiend Nederlands in woord en geschrift",
        "De gewoonte om je werk vast te leggen",
        "Flexibele werktijden en een budget voor thuiswerken",
        "Dertig vakantiedagen",
        "Collega's begeleiden en hun werk reviewen",
    ],
}
TITLES = {
    "en": [
        "Senior Backend Engineer",
        "Product Designer",
        "Account Executive",
        "Customer Success Manager",
        "Data Analyst",
        "Site Reliability Engineer",
        "Financial Controller",
        "Marketing Manager",
    ],
    "fr": [
        "Ingénieur·e backend senior",
        "Designer produit",
        "Commercial·e grands comptes",
        "Chargé·e de clientèle",
        "Analyste de données",
        "Ingénieur·e fiabilité",
        "Contrôleur·se financier·ère",
        "Responsable marketing",
    ],
    "de": [
        "Senior Backend-Entwickler (m/w/d)",
        "Produktdesigner (m/w/d)",
        "Vertriebsmitarbeiter (m/w/d)",
        "Kundenbetreuer (m/w/d)",
        "Datenanalyst (m/w/d)",
        "Systemadministrator (m/w/d)",
        "Buchhalter (m/w/d)",
        "Marketingmanager (m/w/d)",
    ],
    "es": [
        "Ingeniero/a backend sénior",
        "Diseñador/a de producto",
        "Ejecutivo/a de cuentas",
        "Gestor/a de clientes",
        "Analista de datos",
        "Ingeniero/a de fiabilidad",
        "Controller financiero",
        "Responsable de marketing",
    ],
    "pt": [
        "Engenheiro/a backend sénior",
        "Designer de produto",
        "Executivo/a de vendas",
        "Gestor/a de clientes",
        "Analista de dados",
        "Engenheiro/a de fiabilidade",
        "Controller financeiro",
        "Gestor/a de marketing",
    ],
    "it": [
        "Ingegnere backend senior",
        "Product designer",
        "Responsabile commerciale",
        "Customer success manager",
        "Analista dati",
        "Ingegnere di affidabilità",
        "Controller finanziario",
        "Responsabile marketing",
    ],
    "nl": [
        "Senior backend-ontwikkelaar",
        "Productontwerper",
        "Accountmanager",
        "Klantsuccesmanager",
        "Data-analist",
        "Site reliability engineer",
        "Financieel controller",
        "Marketingmanager",
    ],
}
DEPARTMENTS = ["Engineering", "Product", "Sales", "Customer Success", "Data", "Infrastructure", "Finance", "Marketing"]

# (city, region, region code, country as boards write it, ISO code), by the languages posted there.
PLACES = {
    "en": [
        ("New York", "New York", "NY", "United States", "US"),
        ("San Francisco", "California", "CA", "United States", "US"),
        ("Austin", "Texas", "TX", "USA", "US"),
        ("London", "England", "ENG", "United Kingdom", "GB"),
        ("Dublin", "Leinster", "D", "Ireland", "IE"),
        ("Toronto", "Ontario", "ON", "Canada", "CA"),
        ("Sydney", "New South Wales", "NSW", "Australia", "AU"),
    ],
    "fr": [
        ("Paris", "Île-de-France", "IDF", "France", "FR"),
        ("Lyon", "Auvergne-Rhône-Alpes", "ARA", "France", "FR"),
        ("Bruxelles", "Bruxelles-Capitale", "BRU", "Belgique", "BE"),
        ("Genève", "Genève", "GE", "Suisse", "CH"),
        ("Montréal", "Québec", "QC", "Canada", "CA"),
    ],
    "de": [
        ("Berlin", "Berlin", "BE", "Deutschland", "DE"),
        ("München", "Bayern", "BY", "Germany", "DE"),
        ("Hamburg", "Hamburg", "HH", "Deutschland", "DE"),
        ("Wien", "Wien", "W", "Österreich", "AT"),
        ("Zürich", "Zürich", "ZH", "Schweiz", "CH"),
    ],
    "es": [
        ("Madrid", "Comunidad de Madrid", "MD", "España", "ES"),
        ("Barcelona", "Cataluña", "CT", "Spain", "ES"),
        ("Ciudad de México", "CDMX", "CMX", "México", "MX"),
        ("Buenos Aires", "Buenos Aires", "BA", "Argentina", "AR"),
    ],
    "pt": [
        ("Lisboa", "Lisboa", "LX", "Portugal", "PT"),
        ("Porto", "Porto", "PO", "Portugal", "PT"),
        ("São Paulo", "São Paulo", "SP", "Brasil", "BR"),
    ],
    "it": [
        ("Milano", "Lombardia", "MI", "Italia", "IT"),
        ("Roma", "Lazio", "RM", "Italy", "IT"),
        ("Torino", "Piemonte", "TO", "Italia", "IT"),
    ],
    "nl": [
        ("Amsterdam", "Noord-Holland", "NH", "Nederland", "NL"),
        ("Rotterdam", "Zuid-Holland", "ZH", "Netherlands", "NL"),
        ("Utrecht", "Utrecht", "UT", "Nederland", "NL"),
        ("Antwerpen", "Antwerpen", "VAN", "België", "BE"),
    ],
}
CURRENCIES = {"US": "USD", "GB": "GBP", "CA": "CAD", "AU": "AUD", "CH": "CHF", "MX": "MXN", "AR": "ARS", "BR": "BRL"}
LANGUAGE_WEIGHTS = {"en": 40, "fr": 12, "de": 14, "es": 10, "pt": 8, "it": 8, "nl": 8}
EMPLOYMENT = {  # one generic type → each ATS's own spelling
    "full_time": {
        "greenhouse": "Full-time",
        "lever": "Full-time",
        "ashby": "FullTime",
        "recruitee": "fulltime_permanent",
        "workable": "Full-time",
    },
    "part_time": {
        "greenhouse": "Part-time",
        "lever": "Part-time",
        "ashby": "PartTime",
        "recruitee": "parttime_permanent",
        "workable": "Part-time",
    },
    "fixed_term": {
        "greenhouse": "Fixed term",
        "lever": "Full-time",
        "ashby": "Temporary",
        "recruitee": "fulltime_fixed_term",
        "workable": "Full-time",
    },
    "contract": {
        "greenhouse": "Contract",
        "lever": "Contract",
        "ashby": "Contract",
        "recruitee": "freelance",
        "workable": "Contract",
    },
    "intern": {
        "greenhouse": "Internship",
        "lever": "Intern",
        "ashby": "Intern",
        "recruitee": "internship",
        "workable": "Internship",
    },
}
WORKPLACE = {  # generic → Greenhouse custom field, Lever, Ashby
    "onsite": ("On-site", "onsite", "OnSite"),
    "hybrid": ("Hybrid", "hybrid", "Hybrid"),
    "remote": ("Remote", "remote", "Remote"),
}


def place_text(rng: random.Random, place: tuple[str, ...]) -> str:
    """One place as boards type it: "Paris, France", "Berlin, DE", "New York, NY", "Lisboa"."""
    city, _, region_code, country, code = place
    if code in ("US", "CA", "AU"):
        return rng.choice([f"{city}, {region_code}", f"{city}, {region_code}", f"{city}, {country}"])
    return rng.choice([f"{city}, {country}", f"{city}, {code}", f"{city}, {country}", city])


def remote_text(rng: random.Random, place: tuple[str, ...]) -> str:
    return rng.choice(
        [
            f"Remote - {place[3]}",
            f"Remote ({place[3]})",
            "Remote - EMEA" if place[4] not in ("US", "CA", "AU", "MX", "AR", "BR") else f"Remote, {place[4]}",
        ]
    )


def sections(rng: random.Random, language: str) -> list[tuple[str, list[str], list[str]]]:
    """(heading, paragraphs, list items) sections of one description of 2-6 KB."""
    target, size, result = rng.randint(1900, 5300), 0, []  # the last section takes it past the target
    while size < target:
        heading = HEADINGS[language][len(result) % 4]
        paragraphs = [" ".join(rng.sample(PROSE[language], rng.randint(2, 4))) for _ in range(rng.randint(1, 2))]
        items = rng.sample(ITEMS[language], rng.randint(0, 4))
        result.append((heading, paragraphs, items))
        size += len(heading) + sum(len(p) + 7 for p in paragraphs) + sum(len(i) + 9 for i in items) + 20
    return result


def sections_html(parts: list[tuple[str, list[str], list[str]]]) -> str:
    return "".join(
        f"<h2>{html.escape(heading)}</h2>"
        + "".join(f"<p>{html.escape(p)}</p>" for p in paragraphs)
        + ("<ul>" + "".join(f"<li>{html.escape(i)}</li>" for i in items) + "</ul>" if items else "")
        for heading, paragraphs, items in parts
    )


def sections_text(parts: list[tuple[str, list[str], list[str]]]) -> str:
    return "\n\n".join(
        "\n".join([heading, *paragraphs, *(f"- {i}" for i in items)]) for heading, paragraphs, items in parts
    )


def job(rng: random.Random, language: str | None = None) -> dict[str, Any]:
    """One job in no ATS's shape yet."""
    language = language or rng.choices(list(LANGUAGE_WEIGHTS), weights=list(LANGUAGE_WEIGHTS.values()))[0]
    places = rng.sample(PLACES[language], rng.choices([1, 2, 3], weights=[65, 25, 10])[0])
    workplace = rng.choices(["onsite", "hybrid", "remote"], weights=[45, 35, 20])[0]
    employment = rng.choices(list(EMPLOYMENT), weights=[75, 8, 7, 5, 5])[0]
    salary = None
    if rng.random() < 0.7:
        period = "HOUR" if employment in ("contract", "intern") else "YEAR"
        low = rng.randint(20, 60) if period == "HOUR" else rng.randrange(35_000, 150_000, 1_000)
        salary = (low, round(low * rng.uniform(1.1, 1.4)), CURRENCIES.get(places[0][4], "EUR"), period)
    published = EPOCH + timedelta(minutes=rng.randrange(300 * 24 * 60))
    return {
        "language": language,
        "title": rng.choice(TITLES[language]),
        "department": rng.choice(DEPARTMENTS),
        "places": places,
        "workplace": workplace,
        "employment": employment,
        "salary": salary,
        "sections": sections(rng, language),
        "published": published,
    }


def translated(rng: random.Random, original: dict[str, Any]) -> dict[str, Any]:
    """The same job in another language (English, unless it already is)."""
    language = "en" if original["language"] != "en" else rng.choice(["fr", "de", "es", "nl"])
    return {
        **original,
        "language": language,
        "title": rng.choice(TITLES[language]),
        "sections": sections(rng, language),
    }


# -- boards in each ATS's shape -----------------------------------------------------------------


def greenhouse_board(
    rng: random.Random, slug: str, company: str, count: int, first_id: int, languages: Counter
) -> dict[str, Any]:
    posts, internal_id, base = [], first_id * 3, None
    while len(posts) < count:
        roll = rng.random()
        if base is not None and roll < 0.08:
            current = translated(rng, base)  # another language version of the same job
        elif base is not None and roll < 0.14 and len(base["places"]) > 1:
            current = {**base, "places": base["places"][1:]}  # a location variant of the same job
        else:
            current = base = job(rng)
            internal_id += 1
        post_id = first_id * 10 + len(posts)
        languages[current["language"]] += 1
        texts = [place_text(rng, place) for place in current["places"]]
        if current["workplace"] == "remote":
            texts.append(remote_text(rng, current["places"][0]))
        metadata = [
            {
                "id": 501,
                "name": "Employment Type",
                "value": EMPLOYMENT[current["employment"]]["greenhouse"],
                "value_type": "single_select",
            },
            {
                "id": 502,
                "name": "Workplace Type",
                "value": WORKPLACE[current["workplace"]][0],
                "value_type": "single_select",
            },
            {
                "id": 503,
                "name": "Career Level",
                "value": rng.choice(["Junior", "Mid", "Senior", "Lead"]),
                "value_type": "single_select",
            },
        ]
        pay = []
        if current["salary"]:
            low, high, currency, period = current["salary"]
            label = "Annual base salary" if period == "YEAR" else "Hourly pay"
            pay = [
                {
                    "min_cents": low * 100,
                    "max_cents": high * 100,
                    "currency_type": currency,
                    "title": f"{label}, {place[0]}",
                    "blurb": "Pay depends on location and experience.",
                }
                for place in current["places"]
                if CURRENCIES.get(place[4], "EUR") == currency
            ]
        published = current["published"]
        posts.append(
            {
                "absolute_url": f"https://job-boards.greenhouse.io/{slug}/jobs/{post_id}",
                "data_compliance": [
                    {
                        "type": "gdpr",
                        "requires_consent": False,
                        "requires_processing_consent": False,
                        "requires_retention_consent": False,
                        "retention_period": None,
                    }
                ],
                "internal_job_id": internal_id,
                "location": {"name": "; ".join(texts)},
                "metadata": metadata,
                "id": post_id,
                "updated_at": (published + timedelta(days=rng.randint(0, 20))).isoformat(),
                "requisition_id": f"REQ-{internal_id}",
                "title": current["title"],
                "company_name": company,
                "first_published": published.isoformat(),
                "language": current["language"],
                "content": html.escape(sections_html(current["sections"])),  # Greenhouse escapes its HTML once
                "departments": [
                    {
                        "id": 70 + DEPARTMENTS.index(current["department"]),
                        "name": current["department"],
                        "child_ids": [],
                        "parent_id": None,
                    }
                ],
                "offices": [
                    {
                        "id": 800 + n,
                        "name": place[0],
                        "location": f"{place[0]}, {place[1]}, {place[3]}",
                        "child_ids": [],
                        "parent_id": None,
                    }
                    for n, place in enumerate(current["places"])
                ],
                "pay_input_ranges": pay,
            }
        )
    return {"jobs": posts, "meta": {"total": len(posts)}}


def lever_postings(
    rng: random.Random, slug: str, company: str, count: int, first_id: int, languages: Counter
) -> list[dict[str, Any]]:
    postings = []
    for _ in range(count):
        current = job(rng)
        languages[current["language"]] += 1
        posting_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        intro, *rest = current["sections"]
        closing = rest.pop() if len(rest) > 1 else None
        texts = [place_text(rng, place) for place in current["places"]]
        if current["workplace"] == "remote":
            texts = [remote_text(rng, current["places"][0])] + texts[1:]
        categories = {
            "commitment": EMPLOYMENT[current["employment"]]["lever"],
            "department": current["department"],
            "location": texts[0],
            "team": rng.choice(["Platform", "Growth", "Core", "Enterprise"]),
            "allLocations": texts,
        }
        posting = {
            "additional": f"<div>{' '.join(closing[1])}</div>" if closing else "",
            "additionalPlain": " ".join(closing[1]) if closing else "",
            "categories": categories,
            "createdAt": int(current["published"].timestamp() * 1000),
            "descriptionPlain": sections_text([intro]),
            "description": "".join(f"<div>{html.escape(p)}</div>" for p in intro[1])
            + ("<ul>" + "".join(f"<li>{html.escape(x)}</li>" for x in intro[2]) + "</ul>" if intro[2] else ""),
            "id": posting_id,
            "lists": [
                {"text": heading, "content": "".join(f"<li>{html.escape(x)}</li>" for x in [*paragraphs, *items])}
                for heading, paragraphs, items in rest
            ],
            "text": current["title"],
            "country": current["places"][0][4],
            "workplaceType": WORKPLACE[current["workplace"]][1] if rng.random() < 0.9 else "unspecified",
            "opening": "",
            "openingPlain": "",
            "descriptionBody": "",
            "descriptionBodyPlain": "",
            "hostedUrl": f"https://jobs.lever.co/{slug}/{posting_id}",
            "applyUrl": f"https://jobs.lever.co/{slug}/{posting_id}/apply",
        }
        if current["salary"]:
            low, high, currency, period = current["salary"]
            posting["salaryRange"] = {
                "currency": currency,
                "interval": "per-year-salary" if period == "YEAR" else "per-hour-wage",
                "min": low,
                "max": high,
            }
        postings.append(posting)
    return postings


def ashby_board(
    rng: random.Random, slug: str, company: str, count: int, first_id: int, languages: Counter
) -> dict[str, Any]:
    """`count` listed jobs (the ones the spider keeps) and a few unlisted ones."""
    jobs, listed = [], 0
    while listed < count:
        current = job(rng)
        job_id = str(uuid.UUID(int=rng.getrandbits(128), version=4))
        is_listed = rng.random() > 0.03
        if is_listed:
            listed += 1
            languages[current["language"]] += 1
        remote = current["workplace"] == "remote"
        first, *others = current["places"]
        entry = {
            "id": job_id,
            "title": current["title"],
            "department": current["department"],
            "team": rng.choice(["Platform", "Growth", "Core", "Enterprise"]),
            "employmentType": EMPLOYMENT[current["employment"]]["ashby"],
            "location": remote_text(rng, first) if remote else first[0],
            "secondaryLocations": [{"location": place[0], "address": ashby_address(place)} for place in others],
            "publishedAt": current["published"].isoformat(timespec="milliseconds"),
            "isListed": is_listed,
            "isRemote": remote,
            "workplaceType": WORKPLACE[current["workplace"]][2],
            "address": ashby_address(first),
            "jobUrl": f"https://jobs.ashbyhq.com/{slug}/{job_id}",
            "applyUrl": f"https://jobs.ashbyhq.com/{slug}/{job_id}/application",
            "descriptionHtml": sections_html(current["sections"]),
            "descriptionPlain": sections_text(current["sections"]),
            "shouldDisplayCompensationOnJobPostings": current["salary"] is not None,
        }
        if current["salary"]:
            low, high, currency, period = current["salary"]
            salary = {
                "id": f"c-{currency}",
                "summary": f"{low}-{high} {currency}",
                "compensationType": "Salary",
                "interval": f"1 {period}",
                "currencyCode": currency,
                "minValue": low,
                "maxValue": high,
            }
            equity = {
                "id": "c-eq",
                "summary": "0.05% – 0.1%",
                "compensationType": "EquityPercentage",
                "interval": "NONE",
                "currencyCode": None,
                "minValue": 0.05,
                "maxValue": 0.1,
            }
            entry["compensation"] = {
                "compensationTierSummary": f"{low}-{high} {currency} • 0.05% – 0.1%",
                "scrapeableCompensationSalarySummary": f"{low}-{high} {currency}",
                "compensationTiers": [
                    {
                        "id": "t1",
                        "tierSummary": f"{low}-{high} {currency}",
                        "title": first[0],
                        "additionalInformation": None,
                        "components": [equity, salary],
                    }
                ],
                "summaryComponents": [equity, salary],
            }
        jobs.append(entry)
    return {"apiVersion": "1", "jobs": jobs}


def ashby_address(place: tuple[str, ...]) -> dict[str, Any]:
    return {"postalAddress": {"addressLocality": place[0], "addressRegion": place[1], "addressCountry": place[3]}}


def recruitee_board(
    rng: random.Random, slug: str, company: str, count: int, first_id: int, languages: Counter
) -> dict[str, Any]:
    """Offers adding up to `count` postings: a bilingual offer is two."""
    offers, postings = [], 0
    while postings < count:
        current = job(rng)
        versions = [current] + ([translated(rng, current)] if count - postings >= 2 and rng.random() < 0.2 else [])
        postings += len(versions)
        languages.update(version["language"] for version in versions)
        offer_id = first_id * 10 + len(offers)
        offer_slug = f"{current['title'].lower().replace(' ', '-').replace('/', '-')}-{offer_id}"
        own = recruitee_texts(current)
        offer = {
            "id": offer_id,
            "guid": f"g{offer_id:x}",
            "slug": offer_slug,
            **own,
            "primary_lang_code": current["language"],
            "translations": {
                version["language"]: (own if version is current else recruitee_texts(version)) for version in versions
            },
            "department": current["department"],
            "company_name": company,
            "locations": [
                {
                    "id": 3000 + n,
                    "name": f"{place[0]} office",
                    "city": place[0],
                    "state": place[1],
                    "country": place[3],
                    "country_code": place[4],
                    "postal_code": None,
                    "street": None,
                }
                for n, place in enumerate(current["places"])
            ],
            "city": current["places"][0][0],
            "country": current["places"][0][3],
            "country_code": current["places"][0][4],
            # Hybrid offers tick `remote` as well, half of the time.
            "remote": current["workplace"] == "remote" or (current["workplace"] == "hybrid" and rng.random() < 0.5),
            "hybrid": current["workplace"] == "hybrid",
            "on_site": current["workplace"] == "onsite",
            "employment_type_code": EMPLOYMENT[current["employment"]]["recruitee"],
            "experience_code": rng.choice(["entry_level", "mid_level", "experienced"]),
            "status": "published",
            "published_at": current["published"].strftime("%Y-%m-%d %H:%M:%S UTC"),
            "created_at": (current["published"] - timedelta(days=2)).strftime("%Y-%m-%d %H:%M:%S UTC"),
            "careers_url": f"https://{slug}.recruitee.com/o/{offer_slug}",
            "careers_apply_url": f"https://{slug}.recruitee.com/o/{offer_slug}/c/new",
        }
        if current["salary"]:
            low, high, currency, period = current["salary"]
            offer["salary"] = {"min": low, "max": high, "currency": currency, "period": period.lower()}
        else:
            offer["salary"] = {"min": None, "max": None, "currency": None, "period": None}
        offers.append(offer)
    return {"offers": offers}


def recruitee_texts(version: dict[str, Any]) -> dict[str, str]:
    """An offer's texts in one language: the last section is the requirements."""
    *description, requirements = version["sections"]
    return {
        "title": version["title"],
        "description": sections_html(description),
        "requirements": sections_html([requirements]),
    }


def workable_board(
    rng: random.Random, slug: str, company: str, count: int, first_id: int, languages: Counter
) -> dict[str, Any]:
    jobs = []
    for number in range(count):
        current = job(rng)
        languages[current["language"]] += 1
        shortcode = f"{rng.getrandbits(40):010X}"
        experience = rng.choice(["Entry level", "Mid-Senior level", "Director"])
        if len(current["places"]) > 1 and rng.random() < 0.3:
            # An older board: the job listed once per place, the whole job repeated.
            jobs += [workable_entry(current, shortcode, number, experience, [place]) for place in current["places"]]
        else:
            jobs.append(workable_entry(current, shortcode, number, experience, current["places"]))
    return {"name": company, "description": None, "jobs": jobs}


def workable_entry(
    current: dict[str, Any], shortcode: str, number: int, experience: str, places: list[tuple[str, ...]]
) -> dict[str, Any]:
    description, requirements, benefits = current["sections"], None, None
    if len(description) > 2:
        *description, requirements, benefits = description
    first = places[0]
    return {
        "title": current["title"],
        "shortcode": shortcode,
        "code": f"{current['department'][:3].upper()}-{number}",
        "employment_type": EMPLOYMENT[current["employment"]]["workable"],
        "telecommuting": current["workplace"] == "remote",
        "department": current["department"],
        "url": f"https://apply.workable.com/j/{shortcode}",
        "shortlink": f"https://apply.workable.com/j/{shortcode}",
        "application_url": f"https://apply.workable.com/j/{shortcode}/apply",
        "published_on": current["published"].date().isoformat(),
        "created_at": (current["published"] - timedelta(days=3)).date().isoformat(),
        "country": first[3],
        "city": first[0],
        "state": first[1],
        "education": "",
        "experience": experience,
        "function": current["department"],
        "industry": "Computer Software",
        "locations": [
            {"country": p[3], "countryCode": p[4], "city": p[0], "region": p[1], "hidden": False} for p in places
        ],
        "description": sections_html(description),
        "requirements": sections_html([requirements]) if requirements else "",
        "benefits": sections_html([benefits]) if benefits else "",
    }


# -- generation, serving ------------------------------------------------------------------------


def encoded(data: Any) -> tuple[bytes, bytes]:
    body = json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return body, gzip.compress(body, compresslevel=1, mtime=0)


def generate(
    boards: int, per_board: int
) -> tuple[dict[str, tuple[bytes, bytes, int]], dict[str, list[bytes]], list[dict[str, str]], Counter]:
    """(responses by path: (body, gzipped body, postings in it); Lever postings encoded one by one
    by path; the board sources, endpoints relative to the server; the postings the spiders should
    store, by language)."""
    responses: dict[str, tuple[bytes, bytes, int]] = {}
    lever: dict[str, list[bytes]] = {}
    sources: list[dict[str, str]] = []
    languages: Counter = Counter()
    for number in range(boards):
        kind = KINDS[number % len(KINDS)]
        rng = random.Random(1000 + number)
        slug = f"{rng.choice(['acme', 'northwind', 'tidewater', 'brightloop', 'fjordlight', 'trapkracht'])}{number}"
        company = f"{slug.rstrip('0123456789').title()} {number} Ltd"
        first_id = 4_100_000 + number * per_board * 2
        if kind == "greenhouse":
            board_url, path = f"https://boards.greenhouse.io/{slug}", f"/v1/boards/{slug}/jobs"
            responses[path] = (
                *encoded(greenhouse_board(rng, slug, company, per_board, first_id, languages)),
                per_board,
            )
            endpoint = f"{path}?content=true&pay_transparency=true"
        elif kind == "lever":
            board_url, path = f"https://jobs.lever.co/{slug}", f"/v0/postings/{slug}"
            lever[path] = [encoded(p)[0] for p in lever_postings(rng, slug, company, per_board, first_id, languages)]
            endpoint = f"{path}?mode=json"
        elif kind == "ashby":
            board_url, path = f"https://jobs.ashbyhq.com/{slug}", f"/posting-api/job-board/{slug}"
            responses[path] = (*encoded(ashby_board(rng, slug, company, per_board, first_id, languages)), per_board)
            endpoint = f"{path}?includeCompensation=true"
        elif kind == "recruitee":
            board_url, path = f"https://{slug}.recruitee.com/", f"/{slug}/api/offers/"
            responses[path] = (*encoded(recruitee_board(rng, slug, company, per_board, first_id, languages)), per_board)
            endpoint = path
        else:
            board_url, path = f"https://apply.workable.com/{slug}/", f"/api/v1/widget/accounts/{slug}"
            responses[path] = (*encoded(workable_board(rng, slug, company, per_board, first_id, languages)), per_board)
            endpoint = f"{path}?details=true"
        sources.append(
            {"name": f"{kind}-{slug}", "url": board_url, "kind": kind, "endpoint": endpoint, "company": company}
        )
    return responses, lever, sources, languages


def lever_page(postings: list[bytes], skip: int, limit: int) -> tuple[bytes, bytes, int]:
    page = postings[skip : skip + limit]
    body = b"[" + b",".join(page) + b"]"
    return body, gzip.compress(body, compresslevel=1, mtime=0), len(page)


class BoardsHandler(BaseHTTPRequestHandler):
    """Answers every board from bodies encoded beforehand; Lever pages by `skip` / `limit`."""

    protocol_version = "HTTP/1.1"
    responses: dict[str, tuple[bytes, bytes, int]]
    lever: dict[str, list[bytes]]
    pages: dict[tuple[str, int, int], tuple[bytes, bytes, int]]
    served: Any  # multiprocessing.Value: board answers sent

    def do_GET(self) -> None:  # noqa: N802
        path, _, query = self.path.partition("?")
        answer = self.responses.get(path)
        if path in self.lever:
            params = parse_qs(query)
            skip, limit = int(params.get("skip", ["0"])[0]), int(params.get("limit", [str(LEVER_PAGE_SIZE)])[0])
            answer = self.pages.get((path, skip, limit))
            if answer is None:  # a page size not encoded beforehand
                answer = self.pages[(path, skip, limit)] = lever_page(self.lever[path], skip, limit)
        elif path == "/robots.txt":
            answer = (b"User-agent: *\nDisallow:\n", b"", 0)
        if answer is None:
            self._send(404, b"", "text/plain")
            return
        zipped = answer[1] and "gzip" in (self.headers.get("Accept-Encoding") or "")
        if answer[1]:  # a board, not robots.txt
            with self.served.get_lock():
                self.served.value += 1
        self._send(
            200,
            answer[1] if zipped else answer[0],
            "application/json; charset=utf-8" if answer[1] else "text/plain",
            "gzip" if zipped else None,
        )

    def _send(self, status: int, body: bytes, content_type: str, encoding: str | None = None) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        if encoding:
            self.send_header("Content-Encoding", encoding)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def serve(
    responses: dict[str, tuple[bytes, bytes, int]], lever: dict[str, list[bytes]]
) -> tuple[multiprocessing.Process, str, Any]:
    """A ThreadingHTTPServer in a forked child process: (the process, origin, its board answer counter)."""
    context = multiprocessing.get_context("fork")
    served = context.Value("q", 0)
    pages = {
        (path, skip, LEVER_PAGE_SIZE): lever_page(postings, skip, LEVER_PAGE_SIZE)
        for path, postings in lever.items()
        for skip in range(0, len(postings) + 1, LEVER_PAGE_SIZE)
    }
    handler = type(
        "Boards", (BoardsHandler,), {"responses": responses, "lever": lever, "pages": pages, "served": served}
    )
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    server.daemon_threads = True
    process = context.Process(target=server.serve_forever, daemon=True)
    process.start()
    server.socket.close()  # the child listens; the parent keeps no copy
    return process, f"http://127.0.0.1:{server.server_address[1]}", served


def server_capacity(origin: str, routes: list[tuple[str, int]], seconds: float = 2.0) -> tuple[float, float]:
    """(responses/s, postings/s) the server gives 8 plain clients accepting gzip, as Scrapy does."""
    deadline = time.perf_counter() + seconds

    def fetch_loop(offset: int) -> tuple[int, int]:
        responses = postings = 0
        while time.perf_counter() < deadline:
            url, count = routes[(offset + responses * 8) % len(routes)]
            request = urllib.request.Request(origin + url, headers={"Accept-Encoding": "gzip"})
            urllib.request.urlopen(request, timeout=10).read()
            responses, postings = responses + 1, postings + count
        return responses, postings

    with concurrent.futures.ThreadPoolExecutor(8) as pool:
        results = list(pool.map(fetch_loop, range(8)))
    return sum(r for r, _ in results) / seconds, sum(p for _, p in results) / seconds


def check_store(db: Path) -> tuple[Counter, Counter, Counter]:
    """(runs by status, problems by kind, rows by language) in the store."""
    with sqlite3.connect(db) as connection:
        statuses = Counter(dict(connection.execute("SELECT status, COUNT(*) FROM crawl_runs GROUP BY status")))
        problems: Counter = Counter()
        for (text,) in connection.execute("SELECT problems FROM crawl_runs WHERE problems IS NOT NULL"):
            problems.update(json.loads(text) if text else {})
        languages = Counter(dict(connection.execute("SELECT COALESCE(language, '?'), COUNT(*) FROM jobs GROUP BY 1")))
    return statuses, problems, languages


@contextlib.contextmanager
def redis_workers(count: int, tmp_path: Path) -> Iterator[tuple[str, Callable[[], float]]]:
    """A redis-server on 127.0.0.1 and `count` workers waiting on it; yields its URL and a function
    giving the workers' CPU seconds once they have left (after the crawl)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    server = subprocess.Popen(["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
                              stdout=subprocess.DEVNULL)
    url = f"redis://127.0.0.1:{port}/0"
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    workers = [
        subprocess.Popen([sys.executable, "-m", "crawler.cli", "worker", "--redis", url, "--data", str(tmp_path / f"worker-{n}"),
                          "--once", "--set", "AUTOTHROTTLE_ENABLED=false"], cwd=REPO, stderr=subprocess.DEVNULL)
        for n in range(count)
    ]

    def workers_cpu() -> float:
        for worker in workers:
            worker.wait(timeout=120)
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        return (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)

    try:
        time.sleep(0.5)  # the server up before anyone asks it
        yield url, workers_cpu
    finally:
        for worker in workers:
            worker.kill()
        server.terminate()
        server.wait()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--boards", type=int, default=40)
    parser.add_argument("--postings-per-board", type=int, default=250)
    parser.add_argument("--workers", type=int, help="passed on to `jobatlas crawl --workers` (default: not passed)")
    parser.add_argument("--profile", action="store_true", help="run the crawl under cProfile; print its top functions")
    parser.add_argument(
        "--redis-workers", type=int, metavar="N",
        help="crawl through Redis instead: a redis-server started here, N `jobatlas worker`s and the coordinator",
    )
    parser.add_argument(
        "--set",
        dest="overrides",
        action="append",
        default=[],
        metavar="NAME=VALUE",
        help="passed on to `jobatlas crawl --set` (repeatable)",
    )
    args = parser.parse_args()

    started = time.perf_counter()
    responses, lever, sources, generated = generate(args.boards, args.postings_per_board)
    expected = sum(generated.values())
    raw = sum(len(r[0]) for r in responses.values()) + sum(len(p) + 1 for postings in lever.values() for p in postings)
    kinds = Counter(source["kind"] for source in sources)
    print(
        f"generated: {args.boards} boards ({', '.join(f'{n} {k}' for k, n in kinds.items())}), {expected} postings, "
        f"{raw / 1e6:.1f} MB of JSON, in {time.perf_counter() - started:.1f} s"
    )

    crawl_command = [sys.executable, "-m", "crawler.cli", "crawl"]
    if args.workers is not None:
        help_text = subprocess.run(
            [*crawl_command, "--help"], cwd=REPO, capture_output=True, text=True, check=False
        ).stdout
        if "--workers" not in help_text:
            sys.exit("this `jobatlas crawl` has no --workers option:\n" + help_text[-2000:])

    server, origin, served = serve(responses, lever)
    try:
        routes = [(path, count) for path, (_, _, count) in responses.items()]
        routes += [
            (f"{path}?mode=json&skip={skip}&limit={LEVER_PAGE_SIZE}", len(postings[skip : skip + LEVER_PAGE_SIZE]))
            for path, postings in lever.items()
            for skip in range(0, len(postings), LEVER_PAGE_SIZE)
        ]
        per_second, postings_per_second = server_capacity(origin, routes)
        print(f"server alone: {per_second:.0f} responses/s, {postings_per_second:.0f} postings/s to 8 plain clients")

        with tempfile.TemporaryDirectory() as tmp:
            tmp_path = Path(tmp)
            sources_file, db = tmp_path / "sources.yml", tmp_path / "jobs.db"
            for source in sources:
                source["endpoint"] = origin + source["endpoint"]
            sources_file.write_text(
                yaml.safe_dump({"sources": sources}, allow_unicode=True, sort_keys=False), encoding="utf-8"
            )
            crawl = [
                *crawl_command,
                "--sources",
                str(sources_file),
                "--db",
                str(db),
                "--quiet",
                "--set",
                "AUTOTHROTTLE_ENABLED=false",
            ]
            for override in args.overrides:
                crawl += ["--set", override]
            if args.workers is not None:
                crawl += ["--workers", str(args.workers)]
            if args.profile:
                crawl = [sys.executable, "-m", "cProfile", "-o", str(tmp_path / "profile"), *crawl[1:]]

            before = served.value
            if args.redis_workers:
                with redis_workers(args.redis_workers, tmp_path) as (url, workers_cpu):
                    wall, cpu, rss = measured([*crawl, "--redis", url])
                coordinator_cpu, cpu = cpu, cpu + workers_cpu()
                print(f"coordinator: {coordinator_cpu:.1f} CPU s, {expected / coordinator_cpu:,.0f} postings written"
                      f" per CPU second; {args.redis_workers} worker(s): {cpu - coordinator_cpu:.1f} CPU s")
            else:
                wall, cpu, rss = measured(crawl)
            requests = served.value - before
            rows = count_rows(db, "jobs")
            statuses, problems, languages = check_store(db)
            print(
                f"jobatlas   {expected / wall:8.0f} postings/s  {1000 * cpu / expected:6.2f} CPU s/1,000 postings  "
                f"peak RSS {rss} MB  ({wall:.1f} s wall, {cpu:.1f} s CPU, {requests} board answers served)"
            )
            print(
                f"rows stored: {rows} of {expected} postings generated; runs: "
                + ", ".join(f"{n} {status}" for status, n in statuses.most_common())
                + "; problems: "
                + (", ".join(f"{kind} {n}" for kind, n in problems.most_common()) or "none")
            )
            print(
                "languages stored (generated): "
                + ", ".join(f"{language} {n} ({generated[language]})" for language, n in languages.most_common())
            )
            if args.profile:
                import pstats

                stats = pstats.Stats(str(tmp_path / "profile"))
                stats.sort_stats("cumulative").print_stats(30)
                stats.sort_stats("tottime").print_stats(30)
            if rows != expected:
                sys.exit(f"FAIL: {rows} rows stored, {expected} expected")
    finally:
        server.terminate()
        server.join()


if __name__ == "__main__":
    main()
