"""Plain-text articles (.txt, .md): decode bytes, detecting the encoding with charset-normalizer.

UTF-8 (with or without BOM) is taken as is; UTF-16/32 are read when a BOM says so; anything else goes
to charset-normalizer, so Latin-1 and Windows-1252 files are read rather than rejected. Binary data
(NUL bytes without a UTF-16/32 BOM, or bytes no text encoding explains) raises `ExtractionError`.
Does not interpret Markdown: the file's text is the article.
"""

from __future__ import annotations

import codecs

from charset_normalizer import from_bytes

from rag.errors import ExtractionError

_TOLERANCE = 0.1  # chaos/coherence margin within which Windows-1252 is preferred (see decode_text)
_BOMS = (  # longest first: the UTF-32 LE BOM starts with the UTF-16 LE one
    (codecs.BOM_UTF32_LE, "utf-32"), (codecs.BOM_UTF32_BE, "utf-32"),
    (codecs.BOM_UTF16_LE, "utf-16"), (codecs.BOM_UTF16_BE, "utf-16"),
)


def decode_text(raw: bytes) -> str:
    """The text of `raw` with its encoding detected, BOM removed; `ExtractionError` for binary data."""
    try:
        return raw.decode("utf-8").removeprefix("\ufeff")
    except UnicodeDecodeError:
        pass
    for bom, codec in _BOMS:
        if raw.startswith(bom):
            try:
                return raw.decode(codec).removeprefix("\ufeff")
            except UnicodeDecodeError as exc:
                raise ExtractionError(f"not valid {codec.upper()} (byte {exc.start})") from exc
    if b"\x00" in raw:
        raise ExtractionError("binary file (contains NUL bytes)")
    best = from_bytes(raw).best()
    if best is None:
        raise ExtractionError("binary or undecodable file (no text encoding fits its bytes)")
    # On short Western texts many single-byte code pages fit equally well and charset-normalizer may pick
    # an exotic one ("Café" as cp1006). Windows-1252 (a superset of Latin-1's printable range) is by far
    # the likeliest legacy encoding of an English or Western European article, so it wins whenever it is
    # about as plausible as the best guess; it is rejected outright for text it would turn into noise.
    western = from_bytes(raw, cp_isolation=["cp1252"]).best()
    if (western is not None and western.chaos <= best.chaos + _TOLERANCE
            and western.coherence >= best.coherence - _TOLERANCE):
        best = western
    return str(best).removeprefix("\ufeff")
