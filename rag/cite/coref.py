"""A claim's name for what its quote only calls "he", "the party" or "we": the quote's pronoun or definite
description is read as the name the passage last gave before the quote, as a reader resolves it ("... the
Democrats. ... installed as interim leader by the party's executive" -> "leader of the Democrats").

Accepted only when all hold, so that a swapped name never passes as a resolved one:
- the quote has a word that can refer to a thing of the name's kind (a person: "he", "his", "she", "her";
  an organisation or group: "it", "they", "their", "we", "our", or "the" + a noun such as "party", "group",
  "government"; a place: "it", "we", "our", "the country", ...);
- the quote names no other thing of that kind that the claim leaves out (nothing was replaced);
- in the cited passage, the last name of that kind before the quote is the claim's name (the antecedent).
Does not resolve cataphora, plural groups of persons, or anything a passage names only after the quote.
"""

from __future__ import annotations

import re
from functools import lru_cache

from rag.cite.aliases import haystack
from rag.cite.facts import Facts, fold
from rag.nlp import parse_many

# The kinds whose names a reference may stand for, and NER labels counted as the same kind.
_KIND = {"PERSON": "person", "ORG": "group", "NORP": "group", "GPE": "place"}
_PRONOUNS = {
    "person": {"he", "him", "his", "she", "her"},
    "group": {"it", "its", "they", "their", "them", "we", "our", "us"},
    "place": {"it", "its", "we", "our", "us"},
}
_NOUNS = {
    "person": set(),  # "the minister", "the envoy": too often another person of the passage
    "group": {"party", "group", "government", "company", "organisation", "organization", "movement", "union",
              "council", "administration", "agency", "coalition", "alliance", "militia", "club", "team", "firm"},
    "place": {"country", "nation", "state", "city", "capital", "government", "administration"},
}
_WINDOW = 800  # characters of the passage before the quote searched for the antecedent (about 3 sentences)


def coref_stated(label: str, text: str, claim: Facts, quote: Facts, context: str) -> bool:
    """Whether the claim's name (`label`, `text`) is what the quote refers to by a pronoun or description
    (see the module docstring); `context` is the cited passage's text, containing the quote."""
    kind = _KIND.get(label)
    if kind is None or not context:
        return False
    if not (quote.words & _PRONOUNS[kind] or _described(quote.text, _NOUNS[kind])):
        return False
    claim_hay = haystack(claim.text)
    # The quote names another one, which the claim replaced ("Party sources": a description the small model
    # tags as a name is none).
    if any(_KIND.get(lab) == kind and f" {fold(t)} " not in claim_hay and fold(t) not in _NOUNS[kind]
           for lab, t in quote.entities):
        return False
    at = context.find(quote.text[:60])
    if at < 0:
        return False
    antecedent = _last_name(context[max(0, at - _WINDOW):at], kind)
    return antecedent is not None and _same_name(antecedent, text)


def _described(text: str, nouns: set[str]) -> bool:
    """A definite description ("the party's executive", "the country") with one of `nouns` as its head."""
    return any(re.search(rf"\bthe\s+(?:\w+\s+)?{n}\b", text.lower()) for n in nouns)


@lru_cache(maxsize=1_024)
def _last_name(prefix: str, kind: str) -> str | None:
    """The last name of `kind` in `prefix` (spaCy's NER), or None."""
    (doc,) = parse_many([prefix])
    names = [e.text for e in doc.ents if _KIND.get(e.label_) == kind]
    return names[-1] if names else None


def _same_name(antecedent: str, text: str) -> bool:
    """The same name, or a person's surname of it ("Greig" / "Brian Greig")."""
    a, b = fold(antecedent).split(), fold(text).split()
    return bool(a and b) and (a == b or a[-1:] == b[-1:])
