"""Other names a claim may use for an entity its quote names, accepted (a capital for its country aside) only
when the cited passage itself uses that name (rag.cite.entities asks here after a plain match failed):

- a metonym of the listed kind (`lexicon.METONYMS`: a capital or seat of government for its country,
  "Moscow" / "the Kremlin" for "Russia"), when the quote names another member of the group, and for a
  seat of government ("the Kremlin") only when the passage uses the claim's form;
- a title or fuller name around a person the quote names ("Secretary of State Marco Rubio" where the quote
  says "Rubio"), when the passage has the claim's whole name phrase;
- a name that only narrows down a noun the quote has ("the Kyiv missile strikes" where the quote says "the
  missile strikes"), when a sentence of the passage names it with that noun ("strikes on Kyiv").

Does not resolve pronouns or descriptions ("the two countries", "the envoy") and does not accept a name
the passage uses for anything else: the claim's name must stand, in the passage, for the same thing.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.cite import lexicon


def haystack(text: str) -> str:
    """`text` lower-cased as space-separated words, possessives and trailing punctuation dropped, hyphens
    as spaces, padded with spaces so that `f" {words} " in haystack(...)` matches whole words only."""
    return unpunctuated(" " + " ".join(re.findall(r"[\w'.-]+", text.replace("’", "'").lower())).replace("'s", "") + " ")


def unpunctuated(text: str) -> str:
    """`text` with hyphens as spaces and a word's trailing full stop, comma, colon or semicolon dropped, as
    `haystack` reads a quote (hyphens first: "U.S.-Russian" holds "u.s" as "U.S." does)."""
    return re.sub(r"[.,;:](?=\s|$)", "", text.replace("-", " "))


@lru_cache(maxsize=4_096)
def _context_haystack(context: str) -> str:
    return haystack(context)


def metonym_stated(folded: str, quote: str, context: str) -> bool:
    """Whether the claim's place name `folded` (see facts.fold) names what the quote names by another
    member of its `lexicon.METONYMS` group: a capital and its country always, a seat of government
    ("the Kremlin") only where the passage (`context`) uses the claim's form too."""
    group = lexicon.METONYMS.get(folded)
    if not group:
        return False
    # Compared as haystacks ("the U.S. to" reads " u.s to "); "us" is left out here, where it would be the
    # pronoun as often as the country.
    if folded not in lexicon.SEATS and any(f" {haystack(o).strip()} " in quote for o in group - lexicon.SEATS - {"us"}):
        return True
    if f" {folded} " not in _context_haystack(context):
        return False
    return any(f" {other} " in quote for other in group)


def established_names(phrases: list[tuple[str, str]], person_stated, context: str) -> str:
    """The claim's name phrases (title + name, `phrases`: (person, phrase) pairs) whose person the quote
    states (`person_stated(person)`) and which the passage (`context`) contains word for word, as one
    haystack: their words count as stated ("Secretary of State Marco Rubio" where the quote says "Rubio")."""
    hay = _context_haystack(context)
    return "".join(h for person, phrase in phrases
                   if (h := haystack(phrase)) in hay and person_stated(person))


@lru_cache(maxsize=4_096)
def _context_sentences(context: str) -> tuple[str, ...]:
    """The passage's sentences as haystacks; a short abbreviation ("St.", "Mr.", "U.S.") ends none."""
    out: list[str] = []
    for line in context.splitlines():
        for piece in re.split(r"(?<=[.!?”\"])\s+", line):
            if out and out[-1] and re.search(r"(?:^|\s)(?:[A-Z][a-z]{0,2}|(?:[A-Z]\.)+[A-Z])\.$", out[-1]):
                out[-1] = f"{out[-1]} {piece}"
            elif piece.strip():
                out.append(piece)
        out.append("")  # a line break always ends a sentence
    return tuple(haystack(t) for t in out if t.strip())


def narrowing_stated(folded: str, noun_stems: set[str], stem, context: str) -> bool:
    """Whether a sentence of the passage (`context`) names `folded` together with the noun it narrows down
    in the claim (one of `noun_stems`, compared by `stem`): the quote's "the missile strikes" are then the
    "strikes on Kyiv" the passage tells of, and the claim's "the Kyiv missile strikes" says no more."""
    return any(f" {folded} " in sentence and any(stem(w) in noun_stems for w in sentence.split())
               for sentence in _context_sentences(context))
