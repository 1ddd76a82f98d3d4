"""Fetch one article from an http(s) URL, safely: `load_url(url, settings)`.

A URL is untrusted input, so before each request (the first and every redirect hop):
- only http and https are allowed (`UnsupportedURLSchemeError`);
- the host is resolved and EVERY address it resolves to must be public; loopback, private, link-local,
  reserved, multicast and unspecified addresses are refused (`PrivateAddressError`) unless
  `RAG_URL_ALLOW_PRIVATE=true`. The request then goes to the address that was checked (Host header and
  TLS server name stay the original host), so a second DNS answer cannot swap in an internal address;
- redirects are followed by hand, at most `RAG_URL_MAX_REDIRECTS` (`TooManyRedirectsError`);
- the body is streamed and abandoned as soon as it passes `RAG_MAX_FILE_BYTES` (`ResponseTooLargeError`);
- the whole fetch has a deadline of `RAG_URL_TIMEOUT` seconds; proxies from the environment are ignored.
Network failures, HTTP errors and unsupported content types raise `URLFetchError`.
HTML is extracted with trafilatura (scripts never run); PDF and plain text use the file readers.
Feeds are not fetched by URL (save the feed as a file and ingest that).
"""

from __future__ import annotations

import hashlib
import ipaddress
import socket
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urljoin

import httpx

from rag.errors import (
    PrivateAddressError,
    ResponseTooLargeError,
    TooManyRedirectsError,
    UnsupportedURLSchemeError,
    URLFetchError,
)
from rag.ingest.formats import Article
from rag.ingest.formats.feed import is_feed
from rag.ingest.formats.html import read_html
from rag.ingest.formats.pdf import read_pdf
from rag.ingest.formats.text import decode_text
from rag.models import SourceDocument
from rag.settings import RagSettings

USER_AGENT = "newsrag/0.1 (+article ingest)"
_REDIRECTS = (301, 302, 303, 307, 308)
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")


@dataclass(frozen=True)
class Fetched:
    """A response body that passed every check, and where it finally came from."""

    url: str  # the URL asked for
    final_url: str  # after redirects
    content_type: str
    body: bytes


def display_url(url: str | httpx.URL) -> str:
    """The URL without user:password, for messages."""
    try:
        parsed = httpx.URL(str(url))
    except httpx.InvalidURL:
        return str(url)[:200]
    return str(parsed.copy_with(userinfo=b"")) if parsed.userinfo else str(url)


def _address_kind(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> str | None:
    """Why `ip` is not a public address, or None when it is."""
    mapped = getattr(ip, "ipv4_mapped", None)
    if mapped is not None:  # ::ffff:127.0.0.1 is 127.0.0.1
        ip = mapped
    for kind in ("loopback", "private", "link_local", "multicast", "unspecified", "reserved"):
        if getattr(ip, f"is_{kind}"):
            return kind.replace("_", "-")
    return None if ip.is_global else "non-public"


def checked_address(url: httpx.URL, allow_private: bool) -> str:
    """Resolve the URL's host; refuse it unless every address is public (or private ones are allowed)."""
    host = url.host
    port = url.port or (443 if url.scheme == "https" else 80)
    try:
        infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    except (socket.gaierror, UnicodeError) as exc:
        raise URLFetchError(f"could not resolve host '{host}' of {display_url(url)}") from exc
    addresses = list(dict.fromkeys(str(info[4][0]).split("%")[0] for info in infos))
    if not addresses:
        raise URLFetchError(f"could not resolve host '{host}' of {display_url(url)}")
    if not allow_private:
        for address in addresses:
            kind = _address_kind(ipaddress.ip_address(address))
            if kind:
                raise PrivateAddressError(
                    f"refused {display_url(url)}: host '{host}' resolves to {address}, a {kind} address "
                    "(set RAG_URL_ALLOW_PRIVATE=true to allow)")
    return addresses[0]


def _checked_url(raw: str) -> httpx.URL:
    try:
        url = httpx.URL(raw)
    except httpx.InvalidURL as exc:
        raise URLFetchError(f"not a valid URL: {raw[:200]}") from exc
    if url.scheme not in ("http", "https"):
        raise UnsupportedURLSchemeError(
            f"refused {display_url(raw)}: only http and https URLs can be ingested, not '{url.scheme or '(none)'}'")
    if not url.host:
        raise URLFetchError(f"not a valid URL (no host): {display_url(raw)}")
    return url


def _read_capped(response: httpx.Response, url: httpx.URL, max_bytes: int, deadline: float, timeout: float) -> bytes:
    declared = response.headers.get("content-length", "")
    if declared.isdigit() and int(declared) > max_bytes:
        raise ResponseTooLargeError(
            f"refused {display_url(url)}: the response is {int(declared):,} bytes, over the {max_bytes:,}-byte "
            "limit (RAG_MAX_FILE_BYTES)")
    body = bytearray()
    for chunk in response.iter_bytes():  # decompressed bytes: the limit also stops compression bombs
        body += chunk
        if len(body) > max_bytes:
            raise ResponseTooLargeError(
                f"refused {display_url(url)}: the response is larger than the {max_bytes:,}-byte limit "
                "(RAG_MAX_FILE_BYTES)")
        if time.monotonic() > deadline:
            raise URLFetchError(f"timed out after {timeout:g}s fetching {display_url(url)}")
    return bytes(body)


def fetch(url: str, settings: RagSettings) -> Fetched:
    """GET `url` with every check in the module docstring; the body of the final response."""
    current = _checked_url(url)
    timeout = settings.url_timeout
    deadline = time.monotonic() + timeout
    redirects = 0
    with httpx.Client(timeout=timeout, follow_redirects=False, trust_env=False,
                      headers={"User-Agent": USER_AGENT}) as client:
        while True:
            address = checked_address(current, settings.url_allow_private)
            host_header = current.host if current.port is None else f"{current.host}:{current.port}"
            pinned = current.copy_with(host=address, fragment=None)
            extensions = {"sni_hostname": current.host} if current.scheme == "https" else {}
            request = client.build_request("GET", pinned, headers={"Host": host_header}, extensions=extensions)
            try:
                response = client.send(request, stream=True)
            except httpx.TimeoutException as exc:
                raise URLFetchError(f"timed out after {timeout:g}s fetching {display_url(current)}") from exc
            except httpx.HTTPError as exc:
                raise URLFetchError(f"could not fetch {display_url(current)} ({type(exc).__name__})") from exc
            try:
                location = response.headers.get("location")
                if response.status_code in _REDIRECTS and location:
                    if redirects >= settings.url_max_redirects:
                        raise TooManyRedirectsError(
                            f"refused {display_url(url)}: more than {settings.url_max_redirects} redirects "
                            "(RAG_URL_MAX_REDIRECTS)")
                    redirects += 1
                    current = _checked_url(urljoin(str(current), location))
                    continue
                if response.status_code >= 400:
                    raise URLFetchError(f"HTTP {response.status_code} from {display_url(current)}")
                try:
                    body = _read_capped(response, current, settings.max_file_bytes, deadline, timeout)
                except httpx.TimeoutException as exc:
                    raise URLFetchError(f"timed out after {timeout:g}s fetching {display_url(current)}") from exc
                except httpx.HTTPError as exc:
                    raise URLFetchError(f"could not fetch {display_url(current)} ({type(exc).__name__})") from exc
                content_type = response.headers.get("content-type", "").split(";")[0].strip().lower()
                return Fetched(url=url, final_url=str(current), content_type=content_type, body=body)
            finally:
                response.close()


def url_source(url: str) -> str:
    """The source key of a fetched article: host and path (and query), without scheme or credentials."""
    parsed = httpx.URL(url)
    key = parsed.host + (f":{parsed.port}" if parsed.port else "") + (parsed.raw_path.decode("ascii") or "/")
    return key.rstrip("/") or parsed.host


def _extract(page: Fetched) -> Article:
    kind = page.content_type
    body = page.body
    if kind in _HTML_TYPES or (not kind and b"<html" in body[:4096].lower()):
        return read_html(body, url=page.final_url)
    if kind == "application/pdf" or body.startswith(b"%PDF-"):
        return read_pdf(body)
    if kind in _TEXT_TYPES:
        return Article(text=decode_text(body))
    if is_feed(body):
        raise URLFetchError(f"{display_url(page.final_url)} is an RSS/Atom feed: save it as a .rss file and "
                            "ingest the file (one article per entry)")
    raise URLFetchError(f"unsupported content type '{kind or 'unknown'}' at {display_url(page.final_url)}")


def load_url(url: str, settings: RagSettings) -> SourceDocument:
    """Fetch `url` (see the module docstring for the checks) and extract its article."""
    page = fetch(url, settings)
    article = _extract(page)
    if not article.text.strip():
        raise URLFetchError(f"no article text at {display_url(page.final_url)}")
    source = url_source(url)
    fmt = "pdf" if article.pages else "url"
    return SourceDocument(
        source=source, path=Path(source), text=article.text,
        # Pages carry ads and timestamps that change on every fetch: the version is the extracted article.
        sha256=hashlib.sha256(article.text.encode()).hexdigest(),
        title=article.title, publisher=article.publisher, date=article.date,
        url=article.url or display_url(page.final_url), author=article.author, pages=article.pages,
        format=fmt, original_path=None,
    )
