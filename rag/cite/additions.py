"""The "no additions" check: every content word of the claim is in the quotes as the same lemma, stem or a
listed synonym (`lexicon.SYNONYMS`); a name spaCy did not tag is checked as a name. With an embedder, a few
missing words may still count as a paraphrase when their embedding is close to a quote word's
(fitted.WORD_SIMILARITY, at most fitted.MAX_SIMILAR_WORDS); never a name, number, unit or time word."""

from __future__ import annotations

from rag.cite import fitted, lexicon
from rag.cite.entities import entity_stated
from rag.cite.facts import Facts, word_stated
from rag.models import Embed


def unstated_words(c: Facts, q: Facts, context: str, established: str) -> list[tuple[str, str, str]]:
    """The claim's content words (lemma, pos, text) the quotes do not state, in claim order."""
    out = []
    for lem, pos, text in c.content:
        if (pos == "PROPN" and any(text in e for _, e in c.entities)) or f" {text.lower()} " in established:
            continue  # checked as an entity, or a title the passage gives a quoted person
        if pos == "PROPN" and entity_stated("", text, q, context, established, text in c.actors):
            continue  # a name spaCy did not tag, stated or an alias the passage establishes
        if not word_stated(lem, text, q):
            out.append((lem, pos, text))
    return out


def check_additions(c: Facts, q: Facts, context: str, established: str,
                    embed: Embed | None) -> tuple[tuple[str, str] | None, bool]:
    """(failure or None, whether word similarity was needed) for the claim's words the quotes lack."""
    missing = []
    for lem, pos, text in unstated_words(c, q, context, established):
        if embed is None or pos in ("PROPN", "NUM") or lem in lexicon.UNITS:
            return ("additions", f"'{text}' is not in the quote"), False
        missing.append(lem)
    if not missing:
        return None, False
    similar = similar_words(missing, sorted({lem for lem, _, _ in q.content}), embed)
    unmatched = [w for w in missing if w not in similar]
    if unmatched or len(similar) > fitted.MAX_SIMILAR_WORDS:
        word = unmatched[0] if unmatched else missing[0]
        return ("additions", f"'{word}' is not in the quote"), False
    return None, True


def similar_words(words: list[str], quote_words: list[str], embed: Embed) -> set[str]:
    """The claim words whose embedding is within fitted.WORD_SIMILARITY of some quote word's."""
    if not quote_words:
        return set()
    vecs = embed(words + quote_words)
    sims = vecs[: len(words)] @ vecs[len(words):].T
    return {w for w, row in zip(words, sims, strict=True) if float(row.max()) >= fitted.WORD_SIMILARITY}
