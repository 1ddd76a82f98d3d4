"""A partial citation (its quote states only part of the sentence) is marked differently in the answer and
in the sources panel, so it never reads as full support."""

from __future__ import annotations

from rag.models import Answer, Citation
from rag.ui.render import answer_html
from rag.ui.sources import turn_sources


def _answer() -> Answer:
    quote_a, quote_b = "Witkoff met Putin.", "The talks lasted four hours."
    cites = [Citation(1, "a.txt", "A", quote_a, 0, len(quote_a)),
             Citation(2, "b.txt", "B", quote_b, 0, len(quote_b), support="partial", checks=("entities",))]
    return Answer(question="q", text="Witkoff met Putin [1]. They talked for four hours [2].", citations=cites,
                  abstained=False, answerer="llm:m")


def test_answer_html__marks_only_the_partial_citation() -> None:
    html = answer_html(_answer(), 0)
    assert html.count("nr-partial") == 1
    assert "class='nr-cite nr-partial'" in html and ">2½</a>" in html and ">1</a>" in html
    assert "partial: the quote states part of the sentence" in html


def test_turn_sources__marks_the_partial_quote_and_number() -> None:
    html = turn_sources(_answer(), 0)
    assert "nr-num nr-partial" in html and "mark class='nr-c-0-2 nr-partial'" in html
    assert "mark class='nr-c-0-1'" in html
