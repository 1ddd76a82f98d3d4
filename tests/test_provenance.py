"""Citations carry their article's publisher, date, link and PDF page; a disagreement names the newer report."""

from __future__ import annotations

from rag.models import Answer, Citation, Passage, Sentence
from rag.provenance import newer_sentence, newer_source, with_metadata


def _passage(source: str, start: int, end: int, **meta) -> Passage:
    return Passage(id=source, source=source, title="T", text="x", start=start, end=end,
                   sentences=[Sentence(start, end, "x")], **meta)


def _cite(n: int, source: str, start: int = 0, **meta) -> Citation:
    return Citation(n=n, source=source, title="T", quote="q", start=start, end=start + 1, **meta)


def test_with_metadata__copies_publisher_date_url_and_pdf_page_from_the_passage_holding_the_quote() -> None:
    passages = [_passage("w/a.pdf", 100, 400, publisher="Courier", date="2025-03-14", url="https://c.example/a",
                         page_starts=[(0, 1), (250, 2)])]
    [c] = with_metadata([_cite(1, "w/a.pdf", 300)], passages)
    assert (c.publisher, c.date, c.url, c.page) == ("Courier", "2025-03-14", "https://c.example/a", 2)
    assert {"publisher", "date", "url", "page"} <= set(c.to_dict())


def test_with_metadata__leaves_a_citation_without_passage_as_it_is() -> None:
    cite = _cite(1, "w/gone.txt")
    assert with_metadata([cite], []) == [cite]


def test_newer_source__names_the_most_recent_of_two_dated_disagreeing_reports() -> None:
    cites = [_cite(1, "w/old.txt", date="2025-04-23T18:00:00", publisher="BBC"),
             _cite(2, "w/new.txt", date="2025-04-24", publisher="Kyiv Independent")]
    res = Answer(question="q", text="t [1] [2]", citations=cites, abstained=False, answerer="extractive",
                 conflict=True)
    res.newer_source = newer_source(res)
    assert res.newer_source == "w/new.txt" and res.to_dict()["newer_source"] == "w/new.txt"
    assert newer_sentence(res) == "The newer report is [2] (Kyiv Independent, 2025-04-24)."


def test_newer_source__none_without_conflict_dates_or_with_a_tie() -> None:
    dated = [_cite(1, "w/a.txt", date="2025-04-23"), _cite(2, "w/b.txt", date="2025-04-24")]
    base = {"question": "q", "text": "t", "abstained": False, "answerer": "extractive"}
    assert newer_source(Answer(citations=dated, conflict=False, **base)) is None
    assert newer_source(Answer(citations=[dated[0], _cite(2, "w/b.txt")], conflict=True, **base)) is None
    tie = [_cite(1, "w/a.txt", date="2025-04-24"), _cite(2, "w/b.txt", date="2025-04-24T09:00")]
    assert newer_source(Answer(citations=tie, conflict=True, **base)) is None
