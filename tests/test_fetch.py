"""URL ingest against a real HTTP server on 127.0.0.1: extraction, redirects, size and address limits."""

from __future__ import annotations

import socket
import sys
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

import rag.ingest.fetch as fetch_module
from rag.errors import (
    PrivateAddressError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    UnsupportedURLSchemeError,
    URLFetchError,
)
from rag.ingest.fetch import load_url
from rag.ingest.loader import load_documents
from rag.settings import RagSettings
from tests.pdfgen import BUDGET_REPORT, make_pdf

PAGE = (Path(__file__).parent / "data" / "formats" / "ferry_strike.html").read_bytes()
BIG = 300_000  # bytes the oversized responses send; the tests set a 100 KB limit


class NewsSite(BaseHTTPRequestHandler):
    """A small news site: an article, redirect chains, a PDF, oversized and slow responses."""

    def log_message(self, *args: object) -> None:  # keep test output quiet
        pass

    def _send(self, status: int, body: bytes = b"", ctype: str = "text/html; charset=utf-8",
              headers: dict[str, str] | None = None, length: bool = True) -> None:
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        if length:
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        path = self.path
        if path == "/news/2025/03/14/harbour-ferry-strike-ends":
            self._send(200, PAGE)
        elif path == "/go":  # two hops, the second relative
            self._send(301, headers={"Location": f"http://127.0.0.1:{self.server.server_port}/amp/ferry"})
        elif path == "/amp/ferry":
            self._send(302, headers={"Location": "/news/2025/03/14/harbour-ferry-strike-ends"})
        elif path.startswith("/loop/"):
            n = int(path.rsplit("/", 1)[1])
            self._send(302, headers={"Location": f"/loop/{n + 1}"})
        elif path == "/to-internal":
            self._send(302, headers={"Location": "http://10.0.0.7/admin"})
        elif path == "/to-file":
            self._send(302, headers={"Location": "file:///etc/passwd"})
        elif path == "/reports/budget.pdf":
            self._send(200, make_pdf(BUDGET_REPORT), ctype="application/pdf")
        elif path == "/huge-declared":
            self._send(200, b"x" * BIG)
        elif path == "/huge-streamed":  # no Content-Length: only counting while streaming can stop it
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            for _ in range(BIG // 10_000):
                self.wfile.write(b"<p>" + b"y" * 9_993 + b"</p>")
        elif path == "/slow":
            time.sleep(3)
            self._send(200, PAGE)
        elif path == "/photo.jpg":
            self._send(200, b"\xff\xd8\xff\xe0", ctype="image/jpeg")
        else:
            self._send(404, b"<h1>Not found</h1>")


class QuietServer(ThreadingHTTPServer):
    """The client hangs up on the oversized and slow pages on purpose; that broken pipe is not worth a traceback."""

    def handle_error(self, request, client_address) -> None:
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@pytest.fixture(scope="module")
def site() -> Iterator[str]:
    """Base URL of the news site, served from a thread on 127.0.0.1."""
    server = QuietServer(("127.0.0.1", 0), NewsSite)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}"
    finally:
        server.shutdown()
        server.server_close()


def _settings(**overrides) -> RagSettings:
    values = {"url_allow_private": True, "max_file_bytes": 100_000, "url_timeout": 5.0, **overrides}
    return RagSettings(_env_file=None, **values)


def test_load_url__extracts_article_text_and_metadata(site: str) -> None:
    doc = load_url(f"{site}/news/2025/03/14/harbour-ferry-strike-ends", _settings())
    port = site.rsplit(":", 1)[1]
    assert doc.source == f"127.0.0.1:{port}/news/2025/03/14/harbour-ferry-strike-ends" and doc.format == "url"
    assert (doc.title, doc.publisher, doc.date, doc.author) == (
        "Harbour ferry strike ends after 11 days", "Coastline Courier", "2025-03-14", "Maria Okafor")
    assert doc.url == "https://www.coastlinecourier.example/news/2025/03/14/harbour-ferry-strike-ends"  # canonical
    assert doc.original_path is None and "document.title" not in doc.text
    assert "the <script> tag in the timetable page was a mistake." in doc.text


def test_load_url__follows_a_bounded_redirect_chain(site: str) -> None:
    doc = load_url(f"{site}/go", _settings(url_max_redirects=2))
    assert doc.title == "Harbour ferry strike ends after 11 days"
    assert doc.source.endswith("/go")  # keyed by the URL the user gave, so re-ingesting it updates it
    with pytest.raises(TooManyRedirectsError) as err:
        load_url(f"{site}/go", _settings(url_max_redirects=1))
    assert str(err.value) == f"refused {site}/go: more than 1 redirects (RAG_URL_MAX_REDIRECTS)"
    with pytest.raises(TooManyRedirectsError):
        load_url(f"{site}/loop/0", _settings())


def test_load_url__reads_a_pdf_with_page_starts(site: str) -> None:
    doc = load_url(f"{site}/reports/budget.pdf", _settings())
    assert doc.format == "pdf" and len(doc.pages) == 2 and "212 million euro budget" in doc.text


@pytest.mark.parametrize(
    ("path", "why"),
    [("/huge-declared", "the response is 300,000 bytes, over the 100,000-byte limit"),
     ("/huge-streamed", "the response is larger than the 100,000-byte limit")],  # no Content-Length: counted
)
def test_load_url__stops_at_the_size_limit(site: str, path: str, why: str) -> None:
    with pytest.raises(ResponseTooLargeError) as err:
        load_url(site + path, _settings())
    assert str(err.value) == f"refused {site}{path}: {why} (RAG_MAX_FILE_BYTES)"


def test_display_url__never_shows_credentials() -> None:
    assert fetch_module.display_url("https://ann:s3cret@news.example/a?b=1") == "https://news.example/a?b=1"


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost"])
def test_load_url__refuses_loopback_unless_allowed(site: str, host: str) -> None:
    url = site.replace("127.0.0.1", host) + "/news/2025/03/14/harbour-ferry-strike-ends"
    with pytest.raises(PrivateAddressError) as err:
        load_url(url, _settings(url_allow_private=False))
    message = str(err.value)
    assert message.startswith(f"refused {url}: host '{host}' resolves to ")
    assert message.endswith(", a loopback address (set RAG_URL_ALLOW_PRIVATE=true to allow)")


def test_load_url__rechecks_every_redirect_hop(site: str, monkeypatch: pytest.MonkeyPatch) -> None:
    # Treat the test server as a public host, so the refusal can only come from the second hop.
    real = fetch_module._address_kind
    monkeypatch.setattr(fetch_module, "_address_kind", lambda ip: None if str(ip) == "127.0.0.1" else real(ip))
    with pytest.raises(PrivateAddressError) as err:
        load_url(f"{site}/to-internal", _settings(url_allow_private=False))
    assert str(err.value) == ("refused http://10.0.0.7/admin: host '10.0.0.7' resolves to 10.0.0.7, a private "
                              "address (set RAG_URL_ALLOW_PRIVATE=true to allow)")
    with pytest.raises(UnsupportedURLSchemeError):
        load_url(f"{site}/to-file", _settings())


def test_checked_address__refuses_when_any_resolved_address_is_private(monkeypatch: pytest.MonkeyPatch) -> None:
    answers = [(socket.AF_INET, socket.SOCK_STREAM, 6, "", (ip, 80)) for ip in ("93.184.215.14", "192.168.1.20")]
    monkeypatch.setattr(fetch_module.socket, "getaddrinfo", lambda *a, **k: answers)
    with pytest.raises(PrivateAddressError) as err:
        fetch_module.checked_address(fetch_module.httpx.URL("http://news.example/a"), allow_private=False)
    assert "resolves to 192.168.1.20, a private address" in str(err.value)


@pytest.mark.parametrize(
    ("url", "scheme"), [("ftp://files.example/article.txt", "ftp"), ("file:///etc/passwd", "file"),
                        ("javascript://alert(1)", "javascript")])
def test_load_url__refuses_non_http_schemes(url: str, scheme: str) -> None:
    with pytest.raises(UnsupportedURLSchemeError) as err:
        load_url(url, _settings())
    assert str(err.value) == f"refused {url}: only http and https URLs can be ingested, not '{scheme}'"


@pytest.mark.parametrize(
    ("path", "message"),
    [
        ("/missing", "HTTP 404 from {site}/missing"),
        ("/photo.jpg", "unsupported content type 'image/jpeg' at {site}/photo.jpg"),
    ],
)
def test_load_url__http_errors_and_unsupported_content_are_clear(site: str, path: str, message: str) -> None:
    with pytest.raises(URLFetchError) as err:
        load_url(site + path, _settings())
    assert str(err.value) == message.format(site=site)


def test_load_url__times_out(site: str) -> None:
    with pytest.raises(URLFetchError) as err:
        load_url(f"{site}/slow", _settings(url_timeout=0.5))
    assert str(err.value) == f"timed out after 0.5s fetching {site}/slow"


def test_load_documents__url_refusals_are_skips_and_good_urls_are_articles(site: str) -> None:
    good = f"{site}/news/2025/03/14/harbour-ferry-strike-ends"
    docs, skipped = load_documents([good, f"{site}/missing"], 100_000, _settings())
    assert [d.title for d in docs] == ["Harbour ferry strike ends after 11 days"]
    assert [(s.path, s.reason) for s in skipped] == [(f"{site}/missing", f"HTTP 404 from {site}/missing")]
