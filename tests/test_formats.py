"""Each article format, read from a real-looking file: extracted text, metadata, source keys, skips."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from rag.ingest.formats.pdf import page_of
from rag.ingest.loader import load_documents, read_file
from rag.models import SourceDocument
from rag.settings import RagSettings
from tests.pdfgen import BUDGET_REPORT, make_pdf

DATA = Path(__file__).parent / "data" / "formats"


def _settings(**overrides) -> RagSettings:
    return RagSettings(_env_file=None, **overrides)


def _read(name: str, **overrides) -> tuple[list[SourceDocument], list]:
    return read_file(DATA / name, 10**6, _settings(**overrides))


def test_html__main_text_and_metadata_without_page_chrome() -> None:
    (doc,), skipped = _read("ferry_strike.html")
    assert skipped == []
    assert (doc.source, doc.format, doc.original_path) == ("ferry_strike.html", "html", DATA / "ferry_strike.html")
    assert (doc.title, doc.publisher, doc.date, doc.author) == (
        "Harbour ferry strike ends after 11 days", "Coastline Courier", "2025-03-14", "Maria Okafor")
    assert doc.url == "https://www.coastlinecourier.example/news/2025/03/14/harbour-ferry-strike-ends"
    assert doc.text.startswith("Harbour ferry strike ends after 11 days\n\nFerry crews in Port Allard voted")
    for chrome in ("Home", "Sport", "newsletter", "pwned", "fetch("):
        assert chrome not in doc.text


def test_html__script_never_runs_and_escaped_markup_stays_literal_text() -> None:
    (doc,), _ = _read("ferry_strike.html")
    assert "document.title" not in doc.text  # the page's <script> is dropped, not executed or kept
    quote = "A spokesperson wrote that the <script> tag in the timetable page was a mistake."
    start = doc.text.index(quote)
    assert doc.text[start:start + len(quote)] == quote  # &lt;script&gt; is text in the stored article


def test_pdf__text_per_page_with_page_starts_and_metadata(tmp_path: Path) -> None:
    path = tmp_path / "valmont_budget.pdf"
    path.write_bytes(make_pdf(BUDGET_REPORT, title="Valmont council passes 2025 budget", author="Lea Okafor"))
    (doc,), skipped = read_file(path, 10**6, _settings())
    assert skipped == [] and doc.format == "pdf"
    assert (doc.title, doc.author, doc.date) == (
        "Valmont council passes 2025 budget", "Lea Okafor", "2025-03-05T09:30:00+00:00")
    # Hard-wrapped lines are joined back into sentences, so a quote spans a line break of the page.
    quote = "Valmont's council approved a 212 million euro budget for 2025 on Tuesday evening,"
    assert quote in doc.text
    assert len(doc.pages) == 2 and doc.pages[0] == 0
    assert doc.text[doc.pages[1]:].startswith("The largest single item is the renovation of the Sarrat bridge")
    assert page_of(doc.pages, doc.text.index(quote)) == 1
    assert page_of(doc.pages, doc.text.index("Property tax stays")) == 2
    assert page_of(doc.pages, doc.pages[1] - 1) == 1 and page_of(doc.pages, doc.pages[1]) == 2


@pytest.mark.parametrize(
    ("offset", "page"), [(-1, None), (0, 1), (99, 1), (100, 2), (249, 2), (250, 3), (10**9, 3)])
def test_page_of__maps_offsets_to_one_based_pages(offset: int, page: int | None) -> None:
    assert page_of((0, 100, 250), offset) == page


def test_page_of__without_pages_is_none() -> None:
    assert page_of((), 5) is None


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        (b"%PDF-1.7\nthis is not really a PDF", "not a readable PDF"),
        (make_pdf([[]]), "no extractable text in the PDF (scanned pages need OCR, which is not supported)"),
    ],
)
def test_pdf__unreadable_or_textless_pdf_is_skipped_with_reason(tmp_path: Path, content: bytes, reason: str) -> None:
    path = tmp_path / "scan.pdf"
    path.write_bytes(content)
    docs, skipped = read_file(path, 10**6, _settings())
    assert docs == [] and skipped[0].reason.startswith(reason)


def test_jsonl__one_article_per_record_keyed_by_id_or_number_with_bad_lines_reported() -> None:
    docs, skipped = _read("council_export.jsonl")
    assert [d.source for d in docs] == [
        "council_export.jsonl#cc-2025-0311", "council_export.jsonl#cc-2025-0312", "council_export.jsonl#5"]
    first, school, festival = docs
    assert first.text == (
        "Port Allard council approves new flood barrier\n\n"
        "Port Allard's council voted 7-2 on Tuesday to build a 1.4-kilometre flood barrier along the Miller "
        "estuary.\n\nThe barrier will cost 38 million euros and is due to be finished in 2028, the mayor, Ines "
        "Duarte, said.")
    assert (first.title, first.date, first.publisher, first.author, first.format) == (
        "Port Allard council approves new flood barrier", "2025-03-11T18:05:00+00:00", "Coastline Courier",
        "Tom Reyes", "jsonl")
    assert first.url == "https://www.coastlinecourier.example/news/2025/03/11/flood-barrier"
    # An HTML body is flattened to paragraphs; a bare date stays a date; a nested source.name is the publisher.
    assert "Kestrel Island Primary reopened on Wednesday after four weeks" in school.text and "<b>" not in school.text
    assert school.date == "2025-03-12"
    assert festival.publisher == "Coastline Courier" and festival.date == "2025-03-13T08:00:00+00:00"
    assert festival.url == "https://www.coastlinecourier.example/news/2025/03/13/lights-festival"
    assert [s.reason for s in skipped] == [
        "record 3: no text (looked for fields text, body, content, article, full_text, description)",
        "line 4: invalid JSON (Unterminated string starting at)",
    ]
    assert len({d.sha256 for d in docs}) == 3  # each record is versioned on its own


def test_json__newsapi_style_export_uses_nested_source_and_falls_back_to_description() -> None:
    docs, skipped = _read("newsapi_export.json")
    assert skipped == []
    assert [d.source for d in docs] == ["newsapi_export.json#1", "newsapi_export.json#2"]
    assert [d.publisher for d in docs] == ["Northern Ledger", "Northern Ledger"]
    assert docs[0].author == "Priya Nair" and docs[0].date == "2025-02-27T07:45:00+00:00"
    assert docs[1].text == ("Ferry fares frozen for a second year\n\n"
                            "Regional ferry fares will not rise in 2025, the transport authority said.")


def test_csv__multiline_bodies_and_excel_bom() -> None:
    docs, skipped = _read("wire_export.csv")
    assert skipped == [] and [d.source for d in docs] == ["wire_export.csv#1", "wire_export.csv#2"]
    olive = docs[0]
    assert olive.title == "Drought cuts olive harvest by a third" and olive.date == "2025-01-20"
    assert olive.publisher == "Meridian Wire" and olive.url == "https://wire.example/a/olive-harvest"
    assert olive.text.endswith("The regional growers' association said prices for extra virgin oil could rise "
                               "by up to 15 per cent.")


def test_records__field_names_come_from_settings(tmp_path: Path) -> None:
    path = tmp_path / "desk.jsonl"
    path.write_text('{"slug": "tram-01", "hed": "Tram line opens", "story": "The new tram line opened on Sunday.",'
                    ' "pubdate": "2025-04-06", "outlet": "Valmont Post", "body": "ignored"}\n', encoding="utf-8")
    (doc,), _ = read_file(path, 10**6, _settings(
        record_text_fields=["story"], record_title_fields=["hed"], record_date_fields=["pubdate"],
        record_id_fields=["slug"], record_publisher_fields=["outlet"]))
    assert (doc.source, doc.title, doc.date, doc.publisher) == (
        "desk.jsonl#tram-01", "Tram line opens", "2025-04-06", "Valmont Post")
    assert doc.text == "Tram line opens\n\nThe new tram line opened on Sunday."


def test_records__field_names_from_env_accept_comma_lists(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("RAG_RECORD_TEXT_FIELDS", "story, copy")
    monkeypatch.setenv("RAG_RECORD_TITLE_FIELDS", '["hed"]')
    settings = RagSettings(_env_file=None)
    assert settings.record_text_fields == ["story", "copy"] and settings.record_title_fields == ["hed"]


def test_rss__one_article_per_entry_with_html_stripped_and_scripts_dropped() -> None:
    docs, skipped = _read("harbour_news.rss")
    assert skipped == []
    assert [d.source for d in docs] == ["harbour_news.rss#cc-harbour-8841", "harbour_news.rss#cc-harbour-8830"]
    terminal, boat = docs
    assert terminal.text == (
        "Container terminal hires 90 workers for night shift\n\n"
        "The Port Allard container terminal will hire 90 workers for a new night shift and run around the clock "
        "from 1 April, its operator said on Monday.\n\nThe move follows a 12 per cent rise in container traffic "
        "last year.")
    assert (terminal.publisher, terminal.date, terminal.author, terminal.format) == (
        "Coastline Courier – Harbour", "2025-03-10T07:15:00+00:00", "Maria Okafor", "feed")
    assert terminal.url == "https://www.coastlinecourier.example/news/2025/03/10/terminal-night-shift"
    assert "alert" not in terminal.text
    assert "named Agnes Hale after the port's first female harbour master" in boat.text  # summary only, unescaped


def test_atom__entry_content_title_link_and_published_date() -> None:
    (doc,), _ = _read("science_desk.atom")
    assert doc.title == "Glacier in the Varn range lost 40 metres in one summer"
    assert doc.url == "https://wire.example/science/glacier-varn" and doc.author == "Jonas Berg"
    assert doc.date == "2025-02-03T09:00:00+00:00" and doc.publisher == "Meridian Wire: Science"
    assert doc.source.startswith("science_desk.atom#tag:wire.example")


def test_xml_that_is_not_a_feed_is_skipped(tmp_path: Path) -> None:
    path = tmp_path / "sitemap.xml"
    path.write_text('<?xml version="1.0"?><urlset><url><loc>https://a.example/</loc></url></urlset>')
    assert read_file(path, 10**6, _settings())[1][0].reason == "XML file that is not an RSS or Atom feed"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("zurich_latin1.txt", "Zürich: Stadtrat billigt Budget\n\nDer Stadtrat von Zürich hat am Dienstag das "
                              "Budget für 2025 gebilligt."),
        ("valmont_cp1252.txt", "Café owners welcome “terrace season” rules\n\nCafé owners in Valmont welcomed "
                               "the council’s new “terrace season” rules on Friday — tables may stay out until "
                               "11 p.m. and the fee falls to €40 a month."),
    ],
)
def test_text__legacy_encodings_are_detected_not_rejected(name: str, expected: str) -> None:
    (doc,), skipped = _read(name)
    assert skipped == [] and doc.text.startswith(expected) and doc.format == "text"


def test_text__utf16_with_bom_is_read(tmp_path: Path) -> None:
    path = tmp_path / "note.txt"
    path.write_bytes("Ferry timetable changes on Monday.".encode("utf-16"))
    assert read_file(path, 10**6, _settings())[0][0].text == "Ferry timetable changes on Monday."


def test_load_documents__reads_a_folder_of_mixed_formats(tmp_path: Path) -> None:
    folder = tmp_path / "mixed"
    shutil.copytree(DATA, folder)
    (folder / "valmont_budget.pdf").write_bytes(make_pdf(BUDGET_REPORT))
    docs, skipped = load_documents([folder], 10**6, _settings())
    assert {d.format for d in docs} == {"html", "pdf", "jsonl", "json", "csv", "feed", "text"}
    assert len(docs) == 14 and len(skipped) == 2  # the two bad records of council_export.jsonl
    assert len({d.source for d in docs}) == len(docs)
