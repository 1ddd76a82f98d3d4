"""Split a cleaned article into chunks with llama-index's SentenceSplitter, keeping for every chunk
its span in the ORIGINAL file and every sentence in it with exact original offsets.

Does not embed or store anything.
"""

from __future__ import annotations

import bisect
import hashlib
from dataclasses import dataclass
from functools import lru_cache

from llama_index.core import Document
from llama_index.core.node_parser import SentenceSplitter

from rag.ingest.cleaner import CleanedDocument
from rag.models import Sentence
from rag.text import PARAGRAPH_SEPARATOR, split_sentences


@dataclass(frozen=True)
class Chunk:
    """A chunk ready to embed: text from the cleaned article plus its location in the original file."""

    id: str
    source: str
    title: str
    doc_sha256: str
    version: str  # clean signature of the article version this chunk was cut from (see rag/index/state.py)
    text: str
    start: int
    end: int
    sentences: list[Sentence]


@lru_cache(maxsize=8)
def _splitter(chunk_size: int, chunk_overlap: int) -> SentenceSplitter:
    return SentenceSplitter(chunk_size=chunk_size, chunk_overlap=chunk_overlap,
                            paragraph_separator=PARAGRAPH_SEPARATOR)


def chunk_document(cleaned: CleanedDocument, chunk_size: int, chunk_overlap: int,
                   version: str = "") -> list[Chunk]:
    """Chunks of one cleaned article, in reading order, with ids derived from content and `version`.

    The version is part of the id so two versions of an article never share a chunk record: the old
    one stays intact (and visible) until the new one is committed.
    """
    doc = cleaned.doc
    clean_parts: list[str] = []
    clean_starts: list[int] = []  # where each kept paragraph begins in the cleaned text
    sentences: list[tuple[int, Sentence]] = []  # (start in cleaned text, sentence)
    pos = 0
    for para in cleaned.paragraphs:
        clean_starts.append(pos)
        for sent in split_sentences(para.text, para.start):
            sentences.append((pos + sent.start - para.start, sent))
        clean_parts.append(para.text)
        pos += len(para.text) + len(PARAGRAPH_SEPARATOR)
    clean_text = PARAGRAPH_SEPARATOR.join(clean_parts)
    if not clean_text.strip():
        return []

    def to_original(clean_pos: int) -> int:
        i = max(bisect.bisect_right(clean_starts, clean_pos) - 1, 0)
        para = cleaned.paragraphs[i]
        return min(para.start + (clean_pos - clean_starts[i]), para.end)

    nodes = _splitter(chunk_size, chunk_overlap).get_nodes_from_documents([Document(text=clean_text)])
    sent_starts = [s for s, _ in sentences]
    chunks: list[Chunk] = []
    search_from = 0
    for node in nodes:
        text = node.get_content()
        cs = clean_text.find(text, search_from)
        if cs < 0:  # the splitter normally returns exact slices; fall back to its own offsets
            cs = node.start_char_idx or 0
        ce = cs + len(text)
        search_from = cs + 1
        # Sentences are sorted by start: look only at those that can overlap [cs, ce), so a long
        # article costs linear time, not chunks x sentences.
        lo = max(bisect.bisect_right(sent_starts, cs) - 1, 0)
        hi = bisect.bisect_left(sent_starts, ce)
        in_chunk = [
            sent for start, sent in sentences[lo:hi]
            if start < ce and start + len(sent.text) > cs
        ]
        in_chunk = [s for s in in_chunk if s.start < to_original(ce - 1) + 1]
        start, end = to_original(cs), to_original(ce - 1) + 1
        digest = hashlib.sha256(f"{doc.source}\x00{version}\x00{start}\x00{text}".encode()).hexdigest()[:32]
        chunks.append(Chunk(
            id=digest, source=doc.source, title=cleaned.title, doc_sha256=doc.sha256, version=version,
            text=text, start=start, end=end, sentences=in_chunk,
        ))
    return chunks
