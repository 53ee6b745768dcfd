"""A generic same-site crawler for the canary tests: follows every link and
redirect, submits every GET form (its defaults, and each option of each
select), and reads every download as text: PDFs through ``pdftotext``, CSV
and .ics raw. New pages and new file channels are covered without changing
this module."""

from __future__ import annotations

import shutil
import subprocess
import tempfile
from collections import Counter, deque
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlencode, urljoin, urlsplit

from django.conf import settings

from tests.needs import need

SKIP = ("/static/", "/uitloggen/")
MAX_PAGES = 400
# Query parameters that only sort, keep state or open a popup: the same rows.
NEUTRAL_PARAMETERS = {"o", "_changelist_filters", "_popup", "_to_field", "_facets"}
# Query variants of one path (filters, pages, options) followed at most.
MAX_VARIANTS_PER_PATH = 15
MAX_FORM_VARIANTS = 25
FILE_TYPES = ("application/pdf", "text/csv", "text/calendar")


def pdf_text(data: bytes) -> str:
    need(shutil.which("pdftotext") is not None, "pdftotext (poppler-utils) is needed to read PDFs")
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(data)
        handle.flush()
        result = subprocess.run(
            ["pdftotext", "-enc", "UTF-8", handle.name, "-"],
            capture_output=True,
            check=False,
            timeout=60,
        )
    if result.returncode != 0 and b"stream" not in data:
        # Not a PDF inside (an uploaded test document): with no compressed
        # stream, the raw bytes hold all the text there is.
        return data.decode(errors="replace")
    assert result.returncode == 0, f"pdftotext: {result.stderr.decode()} on {data[:40]!r}"
    return result.stdout.decode()


def readable(data: bytes, content_type: str) -> str:
    """What a reader of the response sees, in a form a canary cannot hide
    in: PDF text (plus the same without whitespace, as a line may break inside
    a word), unfolded .ics lines (RFC 5545 folds at 75 octets), UTF-16 CSV."""
    if content_type == "application/pdf":
        text = pdf_text(data)
        return f"{text}\n{''.join(text.split())}"
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        return data.decode("utf-16")
    text = data.decode("utf-8-sig", errors="replace")
    if content_type == "text/calendar":
        text = text.replace("\r\n ", "").replace("\r\n\t", "").replace("\n ", "")
    return text


class _Page(HTMLParser):
    """Links and GET forms of an HTML page."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.links: list[str] = []
        self.forms: list[dict] = []
        self._form: dict | None = None
        self._select: str | None = None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "option":
            if self._form is not None and self._select:
                self._form["selects"][self._select].append(a.get("value", ""))
        elif tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "input" and a.get("value", "").startswith(("http://", "https://")):
            self.links.append(a["value"])  # a URL to copy, e.g. the calendar feed
        elif tag == "form":
            self._form = {
                "method": a.get("method", "get").lower(),
                "action": a.get("action", ""),
                "fields": {},
                "selects": {},
                "choices": {},  # checkboxes and radio buttons: their values
            }
            self.forms.append(self._form)
        elif self._form is None or not a.get("name"):
            return
        elif tag == "input" and a.get("type", "text") not in (
            "submit",
            "button",
            "checkbox",
            "radio",
            "file",
        ):
            self._form["fields"][a["name"]] = a.get("value", "")
        elif tag == "input" and a.get("type") in ("checkbox", "radio"):
            self._form["choices"].setdefault(a["name"], []).append(a.get("value", "on"))
            if "checked" in a:
                self._form["fields"][a["name"]] = a.get("value", "on")
        elif tag == "textarea":
            self._form["fields"][a["name"]] = ""
        elif tag == "select":
            self._select = a["name"]
            self._form["selects"][a["name"]] = []

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)


def parse(body: str) -> _Page:
    page = _Page()
    page.feed(body)
    return page


def _form_urls(form: dict, base: str) -> list[str]:
    """A GET form submitted with its defaults, and once per option of each select."""
    if form["method"] != "get":
        return []
    action = urljoin(base, form["action"]) if form["action"] else base
    defaults = dict(form["fields"])
    for name, options in form["selects"].items():
        defaults.setdefault(name, options[0] if options else "")
    variants = [defaults]
    for name, options in form["selects"].items():
        variants += [{**defaults, name: option} for option in options[1:]]
    return [f"{urlsplit(action).path}?{urlencode(v)}" for v in variants[:MAX_FORM_VARIANTS]]


@dataclass
class Crawl:
    texts: dict[str, str] = field(default_factory=dict)  # url -> what the user could read
    statuses: dict[str, int] = field(default_factory=dict)
    downloads: dict[str, str] = field(default_factory=dict)  # url -> content type
    truncated: bool = False  # stopped at max_pages with links left to follow

    def containing(self, needle: str) -> list[str]:
        return [url for url, text in self.texts.items() if needle in text]


def _local(href: str, base: str) -> str | None:
    href = href.split("#", 1)[0].strip()
    if not href or href.startswith(("mailto:", "javascript:", "tel:")):
        return None
    for origin in (settings.SMO_BASE_URL.rstrip("/"), "http://testserver"):
        if href.startswith(origin + "/"):
            href = href[len(origin) :]
    if "://" in href or href.startswith("//"):
        return None
    parts = urlsplit(urljoin(base, href))
    query = [(k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in NEUTRAL_PARAMETERS]
    url = f"{parts.path}?{urlencode(query)}" if query else parts.path
    return None if url.startswith(SKIP) else url


def _body(response) -> bytes:
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def crawl(client, start_urls, max_pages: int = MAX_PAGES) -> Crawl:
    result = Crawl()
    queue = deque(start_urls)
    variants: Counter[str] = Counter()
    while queue and len(result.texts) < max_pages:
        url = queue.popleft()
        path = url.split("?", 1)[0]
        if url in result.texts or (url != path and variants[path] >= MAX_VARIANTS_PER_PATH):
            continue
        variants[path] += url != path
        response = client.get(url)
        result.statuses[url] = response.status_code
        content_type = response.get("Content-Type", "text/html").split(";")[0].strip()
        data = _body(response)
        found: list[str] = []
        text = readable(data, content_type)
        if content_type in FILE_TYPES or response.has_header("Content-Disposition"):
            result.downloads[url] = content_type
        if content_type == "text/html":
            page = parse(text)
            found = page.links + [u for form in page.forms for u in _form_urls(form, url)]
        if response.has_header("Location"):
            found.append(response["Location"])
        result.texts[url] = text
        for href in found:
            link = _local(href, url)
            if link is not None and link not in result.texts:
                queue.append(link)
    result.truncated = any(
        url not in result.texts and ("?" not in url or variants[url.split("?", 1)[0]] < MAX_VARIANTS_PER_PATH)
        for url in queue
    )
    return result
