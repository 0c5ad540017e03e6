"""Careers pages rendered in Chromium: a scrapy-playwright download handler for the requests a
careers spider marks to render (`crawler.app_shell.render_meta`); every other request is
downloaded by Scrapy's own HTTP handler, as without it.

- One Chromium per process, shared by the sources the process crawls (each in a browser context
  of its own), started when a page first needs it, started again after it died, closed with the
  last crawler that used it. It is Debian's Chromium, launched by its path with a fresh profile:
  a browser download cannot work here and is not what a server operator wants.
- A bounded number of pages at once per process, and a time limit per page (`render_timeout`:
  counted, and the crawl goes on). A page whose browser died is counted (`browser_restarted`) and
  the next page gets a new browser.
- Every request the page makes is fetched by Scrapy itself (route interception), through the same
  downloader middlewares as the spider's requests: the host guard, robots.txt, the per-host
  concurrency and delays, retries, the HTTP cache. So another host is refused and counted, and the
  crawler's User-Agent is the one sites see. Images, fonts and media are not loaded at all.
- The JSON the page fetches (XHR / fetch) is kept beside the rendered HTML, for the spider to read
  job-like arrays from; "load more" and next-page controls are clicked, and a list that grows as
  it is scrolled is scrolled, up to a bound.
"""

from __future__ import annotations

import asyncio
import contextvars
import json
import logging
import shutil
from contextlib import suppress
from dataclasses import dataclass, field
from typing import Any, Callable
from urllib.parse import urlsplit

import scrapy
from playwright.async_api import Browser, ElementHandle, Page, Playwright, Route, async_playwright
from playwright.async_api import Error as PlaywrightError
from playwright.async_api import Request as BrowserRequest
from scrapy.crawler import Crawler
from scrapy.exceptions import IgnoreRequest, NotSupported
from scrapy.http import Request, Response
from scrapy.http.request import NO_CALLBACK
from scrapy_playwright.handler import ScrapyPlaywrightDownloadHandler
from twisted.python.failure import Failure

from crawler.app_shell import ANSWERS, INSTALL_HINT, MORE_CONTROL_WORDS
from crawler.app_state import MAX_BLOCK_CHARS
from crawler.report import classify_failure, record_problem
from crawler.sources import board_url

logger = logging.getLogger(__name__)

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # crawlers and CI run as root, where Chromium's sandbox cannot start
    "--disable-gpu",
    # Chromium's own calls home: nothing a crawler wants, and refused on a closed network.
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    # The browser resolves no host itself: every request it makes is answered through Scrapy (and
    # what route interception does not see, a WebSocket, a DNS prefetch, goes nowhere).
    "--host-resolver-rules=MAP * ~NOTFOUND",
]
# What a page never loads: nothing in it tells a job, and it is most of a page's bytes.
BLOCKED_RESOURCES = frozenset({"image", "font", "media", "imageset", "texttrack", "manifest", "ping", "beacon", "csp_report"})
# The requests whose answers can hold jobs: a failure to fetch one from the site is an error.
DATA_RESOURCES = frozenset({"xhr", "fetch", "eventsource"})
# Browser request headers Scrapy sets itself (its User-Agent, the encodings it decodes).
_NOT_FORWARDED = frozenset({"user-agent", "accept-encoding", "host", "content-length", "connection"})
# Answer headers that describe bytes the browser is not given (Scrapy has decoded them).
_NOT_RETURNED = frozenset({"content-encoding", "content-length", "transfer-encoding"})
# A page has settled when it has fetched nothing for this long (at most SETTLE_SECONDS).
QUIET_SECONDS = 0.4
SETTLE_SECONDS = 8.0


class RenderProblem(Exception):
    """A page that could not be rendered; `problem_kind` is how the crawl reports it."""

    def __init__(self, kind: str, detail: str) -> None:
        super().__init__(detail)
        self.problem_kind = kind


class SharedChromium:
    """This process's one browser: launched when a page first needs it, launched again when it
    has died, closed when the last handler that used it closes."""

    def __init__(self) -> None:
        self.users = 0
        self.launches = 0
        self._playwright: Playwright | None = None
        self._browser: Browser | None = None
        self._lock = asyncio.Lock()
        self.pages = asyncio.Semaphore(1)  # pages rendered at once, see bound_pages

    def bound_pages(self, pages: int) -> None:
        """Pages this process renders at once (set by its first crawler: all share the setting)."""
        if self.users == 0 and self.launches == 0:
            self.pages = asyncio.Semaphore(max(1, pages))

    async def browser(self, executable: str) -> Browser:
        async with self._lock:
            if self._browser is None or not self._browser.is_connected():
                if self._playwright is None:
                    self._playwright = await async_playwright().start()
                self._browser = await self._playwright.chromium.launch(
                    executable_path=executable, args=CHROMIUM_FLAGS, headless=True
                )
                self.launches += 1
            return self._browser

    @property
    def connected(self) -> bool:
        return self._browser is not None and self._browser.is_connected()

    async def leave(self) -> None:
        self.users -= 1
        if self.users > 0 or self._playwright is None:
            return
        if self._browser is not None:
            with suppress(PlaywrightError):
                await self._browser.close()
        with suppress(PlaywrightError):
            await self._playwright.stop()
        self._browser = self._playwright = None


CHROMIUM = SharedChromium()


class _SharedProvider:
    """scrapy-playwright's browser provider, handing out the process's shared Chromium."""

    def __init__(self, executable: str) -> None:
        self.executable = executable

    async def start(self) -> None:
        pass

    async def launch_browser(self) -> Browser:
        try:
            return await CHROMIUM.browser(self.executable)
        except PlaywrightError as error:
            first_line = error.message.strip().splitlines()[0][:200]
            raise RenderProblem("needs_browser", f"Chromium ({self.executable}) did not start: {first_line}; {INSTALL_HINT}") from None

    async def launch_persistent_context(self, context_kwargs: dict) -> Any:
        raise NotSupported("jobatlas renders in fresh browser contexts only")

    async def close(self) -> None:
        pass


@dataclass
class _Render:
    """One page being rendered: the JSON it was answered, and its fetches still under way."""

    answers: list[Any] = field(default_factory=list)
    fetches: set[asyncio.Future] = field(default_factory=set)
    document_error: Exception | None = None


# The render under way in this task: route handlers are made inside it, and run outside it.
_current_render: contextvars.ContextVar[_Render] = contextvars.ContextVar("render")


class RenderHandler(ScrapyPlaywrightDownloadHandler):
    """Renders requests marked `playwright` in the shared Chromium; downloads the others as usual."""

    def __init__(self, crawler: Crawler) -> None:
        super().__init__(crawler)
        self.config.target_closed_max_retries = 0  # a page that killed the browser is reported, not retried
        self.crawler = crawler
        self.executable = shutil.which(crawler.settings["JOBATLAS_CHROMIUM"]) or crawler.settings["JOBATLAS_CHROMIUM"]
        self.browser_provider = _SharedProvider(self.executable)
        self.timeout = crawler.settings.getfloat("JOBATLAS_RENDER_TIMEOUT")
        self.clicks = crawler.settings.getint("JOBATLAS_RENDER_CLICKS")
        self.uses_browser = False
        CHROMIUM.bound_pages(crawler.settings.getint("JOBATLAS_RENDER_PAGES"))

    async def _launch(self) -> None:
        """Nothing at engine start: the browser starts when a page first needs it."""

    async def download_request(self, request: Request) -> Response:
        if not request.meta.get("playwright"):
            return await super().download_request(request)
        if not self.uses_browser:
            self.uses_browser = True
            CHROMIUM.users += 1
        render = _Render()
        async with CHROMIUM.pages:
            token = _current_render.set(render)
            try:
                response = await asyncio.wait_for(self._download_request(request), self.timeout)
            except asyncio.TimeoutError:
                raise RenderProblem("render_timeout", f"not rendered within {self.timeout:g} s") from None
            except PlaywrightError as error:
                if render.document_error is not None:
                    raise render.document_error from None
                if not CHROMIUM.connected:
                    raise RenderProblem("browser_restarted", f"the browser died rendering this page: {error.message[:200]}") from None
                raise RenderProblem("render_failed", error.message[:300]) from None
            finally:
                _current_render.reset(token)
                await self._end(request, render)
        self.crawler.stats.inc_value("jobatlas/render/pages")
        response.meta[ANSWERS] = render.answers
        return response

    async def _end(self, request: Request, render: _Render) -> None:
        """Close the page, and stop what it was still fetching."""
        for fetch in list(render.fetches):
            fetch.cancel()
        page: Page | None = request.meta.pop("playwright_page", None)
        if page is not None and not page.is_closed():
            with suppress(PlaywrightError, asyncio.TimeoutError):
                await asyncio.wait_for(page.close(), 5)

    async def _close(self) -> None:
        with suppress(PlaywrightError):
            await asyncio.gather(*[wrapper.context.close() for wrapper in self.context_wrappers.values()])
        self.context_wrappers.clear()
        if self.uses_browser:
            await CHROMIUM.leave()

    # -- every request of the page, fetched by Scrapy ------------------------------------------

    def _make_request_handler(self, **_: Any) -> Callable:
        render = _current_render.get()

        async def fetch_through_scrapy(route: Route, browser_request: BrowserRequest) -> None:
            fetch = asyncio.ensure_future(self._answer(route, browser_request, render))
            render.fetches.add(fetch)
            fetch.add_done_callback(render.fetches.discard)
            with suppress(asyncio.CancelledError):
                await fetch

        return fetch_through_scrapy

    async def _answer(self, route: Route, browser_request: BrowserRequest, render: _Render) -> None:
        resource = browser_request.resource_type
        if resource in BLOCKED_RESOURCES:
            self.crawler.stats.inc_value("jobatlas/render/not_loaded")
            await _quietly(route.abort("blockedbyclient"))
            return
        headers = {name: value for name, value in (await browser_request.all_headers()).items()
                   if name.lower() not in _NOT_FORWARDED and not name.startswith(":")}
        request = scrapy.Request(
            browser_request.url, method=browser_request.method, headers=headers,
            body=browser_request.post_data_buffer or b"", callback=NO_CALLBACK, dont_filter=True,
            # A redirect goes back to the browser, whose next request comes through here again.
            meta={"dont_redirect": True},
        )
        try:
            response = await self.crawler.engine.download_async(request)
        except Exception as error:  # refused (host guard, robots.txt) or failed: the page goes without
            main_document = browser_request.is_navigation_request() and browser_request.frame.parent_frame is None
            if main_document:
                render.document_error = error
            else:
                self._report_failed_fetch(browser_request, error)
            await _quietly(route.abort("blockedbyclient" if isinstance(error, IgnoreRequest) else "failed"))
            return
        if resource in ("xhr", "fetch"):
            answer = _json_of(response)
            if answer is not None:
                render.answers.append(answer)
        returned = {}
        for name, values in response.headers.items():
            text = name.decode("latin-1")
            if text.lower() not in _NOT_RETURNED:
                separator = "\n" if text.lower() == "set-cookie" else ", "
                returned[text] = separator.join(value.decode("latin-1") for value in values)
        await _quietly(route.fulfill(status=response.status, headers=returned, body=response.body))

    def _report_failed_fetch(self, browser_request: BrowserRequest, error: Exception) -> None:
        """What a page's request that failed is reported as:
        - a request to an ATS's API: the board behind the page, crawled after the site as the
          boards its pages link to are (`ats_board_found`);
        - one refused for its host (or robots.txt): a note (`render_refused`), since nearly every
          real page asks other hosts for analytics, fonts, videos; a page whose jobs come from
          another host shows none, which the run reports;
        - a data request (XHR, fetch) to the site that failed: an error, of the kind Scrapy's own
          request would give, since the jobs it held are missing;
        - a script, style sheet or frame of the site that failed: a note (`asset_not_loaded`)."""
        kind, detail = classify_failure(Failure(error))
        resource = browser_request.resource_type
        found = board_url(browser_request.url) if kind == "offsite_refused" else None
        boards = getattr(self.crawler.spider, "boards", None)
        if found and boards is not None:
            board_kind, board = found
            if board not in boards:
                boards[board] = board_kind
                record_problem(self.crawler.stats, "ats_board_found", browser_request.url, f"{board_kind} board {board}")
            return
        if kind in ("offsite_refused", "robots_disallowed"):
            kind, detail = "render_refused", f"{resource}: {detail}"
        elif resource not in DATA_RESOURCES:
            kind, detail = "asset_not_loaded", f"{resource}: {kind}: {detail}"
        record_problem(self.crawler.stats, kind, browser_request.url, detail)

    # -- letting the page settle, and asking it for more ---------------------------------------

    async def _apply_page_methods(self, page: Page, request: Request, spider: scrapy.Spider) -> None:
        """After the page has loaded: let it settle, then ask it for more (`ask_for_more`)."""
        asked = await ask_for_more(page, _current_render.get(), self.clicks)
        self.crawler.stats.inc_value("jobatlas/render/more", asked)


async def ask_for_more(page: Page, render: _Render, bound: int) -> int:
    """Wait until the page has fetched what it fetches, then ask it for more while that brings
    something new, at most `bound` times: click its "load more" / next control, or, without one,
    scroll to its end (a list that grows as it is scrolled). Returns how many times it gave more."""
    await _settle(render)
    for asked in range(bound):
        control = await _more_control(page)
        if control is None and not await _scrolls_further(page):
            return asked
        before = (len(render.answers), await _text_length(page))
        with suppress(PlaywrightError):
            if control is not None:
                await control.click(timeout=2000)
            else:
                await page.evaluate("() => window.scrollTo(0, document.documentElement.scrollHeight)")
        await _settle(render)
        if (len(render.answers), await _text_length(page)) == before:
            return asked
    return bound


async def _settle(render: _Render) -> None:
    """Wait until the page has had no fetch under way for QUIET_SECONDS (at most SETTLE_SECONDS:
    a page that polls never goes quiet)."""
    loop = asyncio.get_running_loop()
    start = quiet_since = loop.time()
    while loop.time() - start < SETTLE_SECONDS:
        await asyncio.sleep(0.05)
        if render.fetches:
            quiet_since = loop.time()
        elif loop.time() - quiet_since >= QUIET_SECONDS:
            return


# Finds a visible, enabled button (or a link that leads nowhere but to a script) whose words ask
# for more jobs or the next page, and marks it; a link to a real page is left to the spider.
_FIND_MORE_CONTROL = """(pattern) => {
  const words = new RegExp(pattern, "i");
  for (const element of document.querySelectorAll("button, [role=button], a, input[type=button], input[type=submit]")) {
    const text = (element.innerText || element.value || element.getAttribute("aria-label") || "").trim();
    if (!text || text.length > 40 || !words.test(text)) continue;
    if (element.disabled || element.getAttribute("aria-disabled") === "true") continue;
    const box = element.getBoundingClientRect();
    if (!box.width || !box.height) continue;
    const href = element.tagName === "A" ? (element.getAttribute("href") || "").trim() : "";
    if (href && !href.startsWith("#") && !href.toLowerCase().startsWith("javascript:")) continue;
    return element;
  }
  return null;
}"""


async def _more_control(page: Page) -> ElementHandle | None:
    with suppress(PlaywrightError):
        return (await page.evaluate_handle(_FIND_MORE_CONTROL, MORE_CONTROL_WORDS)).as_element()
    return None


async def _scrolls_further(page: Page) -> bool:
    """Whether the page goes on below what the window shows."""
    with suppress(PlaywrightError):
        return await page.evaluate(
            "() => document.documentElement.scrollHeight > window.scrollY + window.innerHeight + 1"
        )
    return False


async def _text_length(page: Page) -> int:
    with suppress(PlaywrightError):
        return await page.evaluate("() => document.body ? document.body.innerText.length : 0")
    return 0


async def _quietly(action: Any) -> None:
    """A route answered after its page was closed (a timeout, a crash) has no one to tell."""
    with suppress(PlaywrightError):
        await action


def _json_of(response: Response) -> Any:
    """The JSON value of an answer, or None when it is not JSON (or too big to be a job list)."""
    content_type = response.headers.get("Content-Type", b"").decode("latin-1").lower()
    body = response.body
    if len(body) > MAX_BLOCK_CHARS or not ("json" in content_type or body.lstrip()[:1] in (b"{", b"[")):
        return None
    try:
        return json.loads(body)
    except (ValueError, RecursionError):
        return None


# -- one page, outside a crawl (`jobatlas sources try`) ----------------------------------------


def render_once(url: str, executable: str, fetch: Callable[[str, str, dict[str, str], bytes], tuple[int, dict[str, str], bytes]],
                timeout: float = 30.0, bound: int = 10) -> tuple[str, list[Any]]:
    """Render one page as a crawl would, outside one: every request of the page on its host is
    answered by `fetch(method, url, headers, body) -> (status, headers, body)` (the caller's
    fetcher, as the crawler identifies itself), any other host refused, images, fonts and media
    not loaded. Returns the rendered HTML and the JSON answers the page was given."""

    async def run() -> tuple[str, list[Any]]:
        render = _Render()
        host = urlsplit(url).netloc.lower()

        async def answer(route: Route, browser_request: BrowserRequest) -> None:
            if browser_request.resource_type in BLOCKED_RESOURCES or urlsplit(browser_request.url).netloc.lower() != host:
                await _quietly(route.abort("blockedbyclient"))
                return
            headers = {name: value for name, value in browser_request.headers.items() if name.lower() not in _NOT_FORWARDED}
            try:
                status, answered, body = await asyncio.to_thread(
                    fetch, browser_request.method, browser_request.url, headers, browser_request.post_data_buffer or b""
                )
            except OSError:
                await _quietly(route.abort("failed"))
                return
            if browser_request.resource_type in ("xhr", "fetch"):
                value = _json_of(Response(browser_request.url, status=status, headers=answered, body=body))
                if value is not None:
                    render.answers.append(value)
            returned = {name: value for name, value in answered.items() if name.lower() not in _NOT_RETURNED}
            await _quietly(route.fulfill(status=status, headers=returned, body=body))

        async def tracked(route: Route, browser_request: BrowserRequest) -> None:
            fetch_task = asyncio.ensure_future(answer(route, browser_request))
            render.fetches.add(fetch_task)
            fetch_task.add_done_callback(render.fetches.discard)
            await fetch_task

        async with async_playwright() as playwright:
            browser = await playwright.chromium.launch(executable_path=executable, args=CHROMIUM_FLAGS, headless=True)
            try:
                context = await browser.new_context(service_workers="block")
                page = await context.new_page()
                await page.route("**", tracked)
                await page.goto(url)
                await ask_for_more(page, render, bound)
                return await page.content(), render.answers
            finally:
                await browser.close()

    try:
        return asyncio.run(asyncio.wait_for(run(), timeout))
    except asyncio.TimeoutError:
        raise RenderProblem("render_timeout", f"not rendered within {timeout:g} s") from None
    except PlaywrightError as error:
        raise RenderProblem("render_failed", error.message.strip().splitlines()[0][:300]) from None
