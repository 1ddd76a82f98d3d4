from rag.ingest.chunker import chunk_document
from rag.ingest.cleaner import clean_document, shared_keys, split_paragraphs
from rag.ingest.loader import load_documents
from tests.conftest import SEEDS


def _chunks():
    docs, _ = load_documents([SEEDS], 10**7)
    shared = shared_keys([[p.key for p in split_paragraphs(d.text)] for d in docs])
    return docs, [c for d in docs for c in chunk_document(clean_document(d, shared), 200, 20)]


def test_chunk_document__every_sentence_is_verbatim_at_its_offsets() -> None:
    docs, chunks = _chunks()
    texts = {d.source: d.text for d in docs}
    sentences = [s for c in chunks for s in c.sentences]
    assert len(sentences) > 100
    assert all(texts[c.source][s.start:s.end] == s.text for c in chunks for s in c.sentences)


def test_chunk_document__chunk_span_covers_its_sentences_and_ids_are_unique() -> None:
    _, chunks = _chunks()
    assert len({c.id for c in chunks}) == len(chunks)
    for c in chunks:
        assert c.start < c.end
        assert all(c.start <= s.end and s.start <= c.end for s in c.sentences)


def test_chunk_document__is_deterministic() -> None:
    assert [c.id for c in _chunks()[1]] == [c.id for c in _chunks()[1]]


def test_chunk_document__does_not_split_sentences_at_abbreviations() -> None:
    _, chunks = _chunks()
    sentences = {s.text for c in chunks for s in c.sentences}
    assert ("Witkoff met with Putin at the presidential library in St. Petersburg, which state news agencies "
            "said lasted four and a half hours.") in sentences
