"""Write small text PDFs with pypdf alone (no extra test dependency): one Helvetica text block per page."""

from __future__ import annotations

import io

from pypdf import PdfWriter
from pypdf.generic import DecodedStreamObject, DictionaryObject, NameObject


def _escape(line: str) -> str:
    return line.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")


def make_pdf(pages: list[list[str]], title: str | None = None, author: str | None = None) -> bytes:
    """A PDF whose page i shows `pages[i]`, one string per line (WinAnsi text, so cp1252 characters)."""
    writer = PdfWriter()
    font = DictionaryObject({
        NameObject("/Type"): NameObject("/Font"), NameObject("/Subtype"): NameObject("/Type1"),
        NameObject("/BaseFont"): NameObject("/Helvetica"), NameObject("/Encoding"): NameObject("/WinAnsiEncoding"),
    })
    for lines in pages:
        page = writer.add_blank_page(612, 792)
        ops = ["BT", "/F1 11 Tf", "14 TL", "72 720 Td", *(f"({_escape(line)}) Tj T*" for line in lines), "ET"]
        stream = DecodedStreamObject()
        stream.set_data("\n".join(ops).encode("cp1252"))
        page[NameObject("/Resources")] = DictionaryObject(
            {NameObject("/Font"): DictionaryObject({NameObject("/F1"): font})})
        page.replace_contents(stream)
    if title or author:
        writer.add_metadata({"/Title": title or "", "/Author": author or "", "/CreationDate": "D:20250305093000Z"})
    buf = io.BytesIO()
    writer.write(buf)
    return buf.getvalue()


# A two-page council report as a newspaper would post it: headline, hard-wrapped paragraphs.
BUDGET_REPORT = [
    [
        "Valmont council passes 2025 budget",
        "",
        "Valmont's council approved a 212 million euro budget for 2025 on Tuesday",
        "evening, after a four-hour debate in which opposition members called",
        "for deeper cuts to the events programme.",
        "Spending on schools rises by 6 per cent, and the city will hire 35 more",
        "teachers from September, the finance councillor, Lea Martin, said.",
    ],
    [
        "The largest single item is the renovation of the Sarrat bridge, which will",
        "cost 18 million euros and close the bridge to cars for eight months.",
        "Property tax stays at last year's rate.",
    ],
]
