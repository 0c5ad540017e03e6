"""Careers pages that need a browser: whether a source renders its pages, how a request asks to
be rendered (by crawler/render.py).

A source renders when its entry says `render: true`, never when it says `render: false`, and
otherwise once one of its pages turned out to be an application shell; that decision is kept in
the store, so later crawls go straight to the browser. Without Chromium (or scrapy-playwright)
nothing is rendered: a source that needs it reports `needs_browser`, saying how to install it.
"""

from __future__ import annotations

import importlib.util
import shutil
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

import scrapy
from scrapy.settings import BaseSettings

if TYPE_CHECKING:
    from crawler.spiders.careers_site import CareersSiteSpider

# Where crawler/render.py leaves the JSON answers a rendered page fetched.
ANSWERS = "jobatlas_json_answers"
# Words of the controls that bring more jobs into the page: "load more", "show more jobs", a next
# page, in the languages of the sites crawled (a JavaScript regular expression, case-insensitive).
MORE_CONTROL_WORDS = (
    r"^\s*(load|show|view|see) more\b|\bmore (jobs|positions|openings|results)\b|^\s*next\b"
    r"|\bmehr (laden|anzeigen)\b|\bweitere (stellen|jobs|laden|anzeigen)\b|^\s*(weiter|nächste)\b"
    r"|\b(voir|afficher|charger) plus\b|\bplus d.offres\b|^\s*suivant"
    r"|\b(ver|cargar|mostrar) más\b|\bmás ofertas\b|^\s*siguiente\b"
    r"|\b(carica|mostra|vedi) altr[ei]\b|^\s*successiv"
    r"|\b(ver|carregar|mostrar) mais\b|^\s*próxim"
    r"|\bmeer (laden|tonen|vacatures)\b|\btoon meer\b|^\s*volgende\b"
    r"|\b(pokaż|załaduj) więcej\b|\b(visa|ladda) fler\b"
)
INSTALL_HINT = "install Chromium to read it: apt-get install chromium (and pip install scrapy-playwright)"


def handler_settings() -> dict[str, Any]:
    """The careers spider's download handlers: crawler/render.py where scrapy-playwright is
    installed (it renders only the requests marked so), Scrapy's own otherwise."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return {}
    handler = "crawler.render.RenderHandler"
    return {"DOWNLOAD_HANDLERS": {"http": handler, "https": handler}}


def browser_missing(settings: BaseSettings) -> str | None:
    """Why this machine cannot render pages, or None when it can."""
    if importlib.util.find_spec("scrapy_playwright") is None:
        return "scrapy-playwright is not installed"
    if shutil.which(settings["JOBATLAS_CHROMIUM"]) is None:
        return f"no Chromium found ({settings['JOBATLAS_CHROMIUM']})"
    return None


def render_meta(url: str, source: str) -> dict[str, Any]:
    """What marks a request to be rendered, and keeps it apart from plain downloads."""
    return {
        "playwright": True,
        "playwright_include_page": True,  # the handler closes the page itself, whatever happened
        "playwright_context": f"source:{source}",
        "playwright_context_kwargs": {"service_workers": "block"},  # every request must reach the route
        # The rendered DOM is not the page's bytes: never cached as them, nor served from them.
        "dont_cache": True,
        # A rendered page takes seconds: it waits in a download slot of its own, so that the page's
        # own requests (in the host's slot) never queue behind it, and its time does not stretch
        # the host's AutoThrottle delay.
        "download_slot": f"render:{urlsplit(url).netloc}",
        "autothrottle_dont_adjust_delay": True,
    }


class RenderChoice:
    """Whether a careers spider renders its pages: declared by its source, or decided on its pages."""

    def __init__(self, spider: CareersSiteSpider) -> None:
        self.spider = spider
        self.missing = browser_missing(spider.settings)
        self.on = bool(spider.source.render)
        if self.on and self.missing:
            spider.problem("needs_browser", spider.source.url, f"render: true, but {self.missing}; {INSTALL_HINT}")
            self.on = False

    def mark(self, request: scrapy.Request) -> scrapy.Request:
        """`request`, to be rendered when the source renders."""
        if self.on:
            request.meta.update(render_meta(request.url, self.spider.source.name))
        return request
