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
from parsel import Selector
from scrapy.http import Response
from scrapy.settings import BaseSettings

from crawler.middlewares import HostAllowanceMiddleware
from pipelines.store import RENDERS_STAT, remembered_renders

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
# Where single-page applications mount what their scripts draw.
MOUNT_POINTS = "#root, #app, #__next, #__nuxt, #___gatsby, #svelte, app-root, [data-reactroot], [ng-app]"
# A page with less text than this (outside scripts and styles) that runs scripts is a shell.
SHELL_TEXT_CHARS = 300
# The meta key of a page rendered because it was an application shell: why it was taken for one.
APP_SHELL = "jobatlas_app_shell"
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
        # Nor does it take a place of the host's allowance: its requests take theirs.
        HostAllowanceMiddleware.EXEMPT_KEY: True,
    }


def app_shell(selector: Selector) -> str | None:
    """Why a page without jobs or links looks like an application shell, whose content its
    scripts draw (an empty mount point, or hardly any text, beside scripts); None when it does not."""
    scripts = len(selector.xpath("//script[not(@type) or contains(@type, 'javascript') or @type = 'module']"))
    if not scripts:
        return None
    outside_scripts = "[not(ancestor::script or ancestor::style or ancestor::noscript or ancestor::template)]"
    for mount in selector.css(MOUNT_POINTS):
        if not "".join(mount.xpath(f".//text(){outside_scripts}").getall()).strip():
            name = mount.attrib.get("id")
            return f"an empty {'#' + name if name else mount.root.tag} and {scripts} scripts"
    chars = len(" ".join(" ".join(selector.xpath(f"//body//text(){outside_scripts}").getall()).split()))
    if chars < SHELL_TEXT_CHARS:
        return f"{chars} characters of text and {scripts} scripts"
    return None


class RenderChoice:
    """Whether a careers spider renders its pages: declared by its source, remembered from an
    earlier crawl, or decided when a page turns out to be an application shell."""

    def __init__(self, spider: CareersSiteSpider) -> None:
        self.spider = spider
        self.declared = spider.source.render
        self.missing = browser_missing(spider.settings)
        remembered = self.declared is None and remembered_renders(spider.settings["JOBATLAS_DB"], spider.source.name)
        self.on = bool(self.declared or remembered)
        if self.on and self.missing:
            why = "render: true" if self.declared else "its pages were rendered before"
            self._needs_browser(spider.source.url, why)

    def _needs_browser(self, url: str, why: str) -> None:
        self.spider.problem("needs_browser", url, f"{why}, but {self.missing}; {INSTALL_HINT}")
        self.on, self.missing_reported = False, True

    missing_reported = False

    def mark(self, request: scrapy.Request) -> scrapy.Request:
        """`request`, to be rendered when the source renders."""
        if self.on:
            request.meta.update(render_meta(request.url, self.spider.source.name))
        return request

    def shell_request(self, response: Response, request: scrapy.Request) -> scrapy.Request | None:
        """The page again, rendered, when it was fetched plain, showed nothing, and looks like an
        application shell (the source's later pages are rendered too); None otherwise."""
        if self.declared is False or response.meta.get("playwright"):
            return None
        reason = app_shell(response.selector)
        if reason is None:
            return None
        if self.missing:
            if not self.missing_reported:
                self._needs_browser(response.url, f"an application shell ({reason})")
            return None
        self.on = True
        request = self.mark(request.replace(dont_filter=True))
        request.meta[APP_SHELL] = reason
        return request

    def rendered_shell_read(self, response: Response) -> None:
        """A page rendered as an application shell gave jobs or links: the source renders, and
        the store remembers it for the next crawls."""
        reason = response.meta.get(APP_SHELL)
        if reason and not self.spider.crawler.stats.get_value(RENDERS_STAT):
            self.spider.crawler.stats.set_value(RENDERS_STAT, 1)
            self.spider.problem("app_shell", response.url, f"{reason}: rendered in Chromium from now on")
