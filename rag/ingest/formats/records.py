"""Article exports (.jsonl, .json, .csv): one article per record, with configurable field names.

Field names come from settings (`record_*_fields`): for each of text, title, date, url, publisher,
author and id the first non-empty field wins (case-insensitive; `source.name` reads a nested field, as
in NewsAPI exports). A `.json` file may be a list of records, one record, or an object holding the list
(`{"articles": [...]}`). Text fields that hold HTML are flattened to paragraphs. Each record gets a key,
its id field or its 1-based record number, and a fingerprint of its content, so editing one record of
an export re-indexes only that record. A bad record is reported and the others are still read.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

from rag.errors import ExtractionError
from rag.ingest.formats import Article, BadRecord, clean_meta, compose, with_fingerprint
from rag.ingest.formats.html import fragment_to_text, looks_like_html
from rag.ingest.formats.text import decode_text

_KEY_UNSAFE = re.compile(r"[^\w.:@~-]+")
_MAX_KEY = 80
_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(frozen=True)
class FieldNames:
    """Which record fields hold what, each a list of candidates tried in order."""

    text: Sequence[str]
    title: Sequence[str]
    date: Sequence[str]
    url: Sequence[str]
    publisher: Sequence[str]
    author: Sequence[str]
    id: Sequence[str]


def _lookup(record: Mapping[str, object], name: str) -> object:
    value: object = record
    for part in name.split("."):
        if not isinstance(value, Mapping):
            return None
        lowered = {str(k).lower(): v for k, v in value.items()}
        value = lowered.get(part.lower())
    return value


def _first(record: Mapping[str, object], names: Sequence[str]) -> object:
    for name in names:
        value = _lookup(record, name)
        if isinstance(value, Mapping):  # e.g. "source": {"id": ..., "name": "Reuters"}
            value = value.get("name") or value.get("title")
        if value not in (None, "", [], {}):
            return value
    return None


def normalise_date(value: object) -> str | None:
    """An ISO 8601 date for common export formats (ISO, RFC 822, Unix seconds); the raw text otherwise."""
    if value is None or value == "":
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        try:
            return datetime.fromtimestamp(value, tz=UTC).isoformat()
        except (OverflowError, OSError, ValueError):
            return str(value)
    text = clean_meta(value) or ""
    if _DATE_ONLY.match(text):  # a bare date stays a date: no invented midnight
        return text
    try:
        return datetime.fromisoformat(text.replace("Z", "+00:00")).isoformat()
    except ValueError:
        pass
    try:
        return parsedate_to_datetime(text).isoformat()
    except (TypeError, ValueError, IndexError):
        return text or None


def safe_key(value: object) -> str:
    """A record id usable in a source key: no spaces or slashes, bounded length."""
    key = _KEY_UNSAFE.sub("-", str(value).strip()).strip("-")
    if len(key) > _MAX_KEY:  # long ids (URL-like guids): keep a readable head and a hash of the whole
        key = key[: _MAX_KEY - 13] + "-" + hashlib.sha256(str(value).encode()).hexdigest()[:12]
    return key


def record_article(record: Mapping[str, object], number: int, fields: FieldNames) -> Article | BadRecord:
    """One export record as an article, or why it is not one."""
    raw_text = _first(record, fields.text)
    if not isinstance(raw_text, str) or not raw_text.strip():
        return BadRecord(number, f"record {number}: no text (looked for fields {', '.join(fields.text)})")
    title = clean_meta(_first(record, fields.title))
    paragraphs = fragment_to_text(raw_text) if looks_like_html(raw_text) else raw_text.splitlines()
    text = compose(title, paragraphs)
    record_id = _first(record, fields.id)
    key = safe_key(record_id) if record_id not in (None, "") else ""
    return with_fingerprint(Article(
        text=text, title=title, date=normalise_date(_first(record, fields.date)),
        url=clean_meta(_first(record, fields.url)), publisher=clean_meta(_first(record, fields.publisher)),
        author=clean_meta(_first(record, fields.author)), key=key or str(number),
    ))


def _json_records(raw: bytes, jsonl: bool) -> Iterator[tuple[int, object]]:
    text = decode_text(raw)
    if jsonl:
        for number, line in enumerate(text.splitlines(), start=1):
            if not line.strip():
                continue
            try:
                yield number, json.loads(line)
            except json.JSONDecodeError as exc:
                yield number, BadRecord(number, f"line {number}: invalid JSON ({exc.msg})")
        return
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ExtractionError(f"invalid JSON ({exc.msg} at line {exc.lineno})") from exc
    if isinstance(data, Mapping):
        lists = [v for v in data.values() if isinstance(v, list) and v and all(isinstance(r, Mapping) for r in v)]
        data = lists[0] if lists else [data]
    if not isinstance(data, list):
        raise ExtractionError("JSON holds no records (expected a list of objects)")
    yield from enumerate(data, start=1)


def _csv_records(raw: bytes, max_field: int) -> Iterator[tuple[int, object]]:
    text = decode_text(raw)
    # Article bodies exceed csv's default 128 KB field limit; the file itself is already size-checked.
    csv.field_size_limit(max(csv.field_size_limit(), max_field))
    try:
        dialect = csv.Sniffer().sniff(text[:4096], delimiters=",;\t|")
    except csv.Error:
        dialect = csv.excel
    reader = csv.DictReader(io.StringIO(text, newline=""), dialect=dialect)
    try:
        yield from enumerate(reader, start=1)
    except csv.Error as exc:
        raise ExtractionError(f"malformed CSV (line {reader.line_num}: {exc})") from exc


def read_records(raw: bytes, fmt: str, fields: FieldNames, max_field: int = 20_000_000) -> list[Article | BadRecord]:
    """Every record of an export: articles, and bad records with reasons. `fmt` is jsonl, json or csv."""
    items = _csv_records(raw, max_field) if fmt == "csv" else _json_records(raw, jsonl=fmt == "jsonl")
    out: list[Article | BadRecord] = []
    seen: set[str] = set()
    for number, record in items:
        if isinstance(record, BadRecord):
            out.append(record)
            continue
        if not isinstance(record, Mapping):
            out.append(BadRecord(number, f"record {number}: not an object"))
            continue
        result = record_article(record, number, fields)
        if isinstance(result, Article):
            if result.key in seen:
                result = BadRecord(number, f"record {number}: duplicate id '{result.key}'")
            else:
                seen.add(result.key or "")
        out.append(result)
    if not out:
        raise ExtractionError("no records in the file")
    return out
