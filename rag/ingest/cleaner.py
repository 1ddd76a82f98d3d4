"""Remove page chrome (donation and newsletter appeals, browser warnings, photo credits, UI words)
from articles while remembering where every kept paragraph sits in the original file.

Rules are generic, not tuned to particular files:
- a paragraph matching a boilerplate pattern, a lone UI word, or a photo caption/credit is dropped;
- a paragraph that also appears verbatim in another article is page chrome when it sits in a run at
  the start or end of the article (publisher header/footer). Repeated paragraphs in the middle of a
  body are real reporting shared by two articles: they are kept, and retrieval collapses the copies.
Does not split into chunks (see chunker.py) and never rewrites text: kept paragraphs are exact slices.
"""

from __future__ import annotations

import hashlib
import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from rag.models import SourceDocument
from rag.text import fold

_TERMINAL = tuple('.!?"”’\')')

BOILERPLATE_PATTERNS: tuple[re.Pattern[str], ...] = tuple(
    re.compile(p, re.IGNORECASE)
    for p in (
        r"\bnot supported\b.*\bbrowser\b",
        r"\b(?:upgrade|update|switch) (?:your|to a (?:modern|different)) browser\b",
        r"\benable javascript\b",
        r"^(?:scroll to top|back to top|read more|read next|close|share|share this|print|advertisement|"
        r"skip to (?:main )?content|continue reading|related|comments?)\W*$",
        r"\bsign up for\b.*\bnewsletter\b",
        r"\bsubscribe (?:now|today|to our)\b",
        r"\bsubscribers agree\b",
        r"\bprivacy policy\b",
        r"\bwe use cookies\b",
        r"^support (?:us|our|the)\b",
        r"\b(?:donate|make a donation|support us monthly|your support)\b",
        r"\bremind me later\b",
        r"\bnot ready to support\b",
        r"^get more news",
        r"^a message from\b",
        r"^dear readers\W*$",
        r"\bcontributed (?:to )?(?:this )?report(?:ing)?\W*$",
        r"^(?:[A-Z][\w.'-]+ ){1,3}reported from\b.*\band\b.*\breported from\b",
    )
)
# A caption ends in a credit: "... via Getty Images", "... AP / TASS", "... Reuters/".
_CREDIT_END = re.compile(r"(?:via Getty(?: Images)?|Getty Images|AP Photo\S*|/\s*[A-Z][\w ]*|Reuters|AFP)\s*$")
_CAPTION_TAIL = re.compile(r"\.\s*((?:[A-Z][\w.&'-]*\s*){1,5})$")
_WORD = re.compile(r"[\w’'-]+")


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of an article as an exact slice `text == original[start:end]`."""

    start: int
    end: int
    text: str

    @property
    def key(self) -> str:
        """Whitespace- and case-insensitive fingerprint, used to spot paragraphs shared by articles."""
        return hashlib.sha1(fold(self.text).encode()).hexdigest()[:12]


@dataclass(frozen=True)
class CleanedDocument:
    """An article after cleaning: its kept paragraphs (exact slices) and its headline."""

    doc: SourceDocument
    title: str
    paragraphs: list[Paragraph]
    dropped: list[tuple[Paragraph, str]]


def split_paragraphs(text: str) -> list[Paragraph]:
    """Each non-blank line is a paragraph, except that hard-wrapped lines are joined back together."""
    paras: list[Paragraph] = []
    for match in re.finditer(r"[^\n]+", text):
        start, end = match.start(), match.end()
        line = match.group()
        lead = len(line) - len(line.lstrip())
        trail = len(line) - len(line.rstrip())
        start, end = start + lead, end - trail
        if start >= end:
            continue
        prev = paras[-1] if paras else None
        continues = (
            prev is not None
            and text[prev.end : start].count("\n") == 1
            and not prev.text.endswith(_TERMINAL)
            and text[start].islower()
        )
        if continues:
            paras[-1] = Paragraph(prev.start, end, text[prev.start : end])
        else:
            paras.append(Paragraph(start, end, text[start:end]))
    return paras


def _words(text: str) -> list[str]:
    return _WORD.findall(text)


def boilerplate_reason(para: Paragraph) -> str | None:
    """Why this paragraph is page chrome on its own merits, or None when it may be article text."""
    text = para.text
    words = _words(text)
    # Length checks first: they are cheap, and skipping the regexes keeps long paragraphs linear.
    if len(words) <= 80:
        for pattern in BOILERPLATE_PATTERNS:
            if pattern.search(text):
                return f"pattern {pattern.pattern!r}"
    if len(words) <= 3 and not text.endswith(_TERMINAL):
        return "lone words"
    if len(words) <= 40 and not text.endswith(_TERMINAL) and _CREDIT_END.search(text):
        return "photo credit"
    if len(words) <= 20 and not text.endswith(_TERMINAL) and _CAPTION_TAIL.search(text):
        return "photo caption"
    return None


def _is_headline(para: Paragraph) -> bool:
    """A first line short enough and without a full stop reads as the headline (any capitalisation)."""
    words = _words(para.text)
    return 0 < len(words) <= 20 and not para.text.rstrip("\"”’'").endswith(".")


def _is_heading(para: Paragraph) -> bool:
    words = _words(para.text)
    if not words or len(words) > 16 or para.text.endswith("."):
        return False
    capitalised = sum(1 for w in words if w[0].isupper() or w[0].isdigit())
    return capitalised / len(words) >= 0.6


def shared_keys(documents: Iterable[list[str]]) -> set[str]:
    """Paragraph keys that occur in two or more documents."""
    counts: Counter[str] = Counter()
    for keys in documents:
        counts.update(set(keys))
    return {key for key, n in counts.items() if n >= 2}


def clean_document(doc: SourceDocument, shared: set[str] = frozenset()) -> CleanedDocument:
    """Drop chrome from one article; `shared` holds keys of paragraphs other articles contain too."""
    paras = split_paragraphs(doc.text)
    reasons: dict[int, str] = {}
    for i, para in enumerate(paras):
        reason = boilerplate_reason(para)
        if reason:
            reasons[i] = reason

    # Shared paragraphs in a run at either edge are the publisher's header/footer.
    for order in (range(len(paras)), range(len(paras) - 1, -1, -1)):
        for i in order:
            if paras[i].key in shared:
                reasons.setdefault(i, "repeated across articles (page chrome)")
            elif i not in reasons:
                break

    kept_idx = [i for i in range(len(paras)) if i not in reasons]
    title = ""
    if kept_idx and _is_headline(paras[kept_idx[0]]):
        title = paras[kept_idx[0]].text
    # Title-case lines inside the body are photo headings or captions, not reporting.
    for i in kept_idx[1:]:
        if _is_heading(paras[i]) and not paras[i].text.endswith(_TERMINAL):
            reasons[i] = "heading inside body (caption)"
    kept = [p for i, p in enumerate(paras) if i not in reasons]
    if not title:
        title = _fallback_title(kept, doc.source)
    dropped = [(paras[i], reasons[i]) for i in sorted(reasons)]
    return CleanedDocument(doc=doc, title=title, paragraphs=kept, dropped=dropped)


def _fallback_title(kept: list[Paragraph], source: str) -> str:
    if not kept:
        return source
    words = kept[0].text.split()
    return " ".join(words[:12]) + ("…" if len(words) > 12 else "")
