"""A claim's name for what its quote only calls "he", "the party" or "we": the quote's pronoun or definite
description is read as the name the passage last gave before the quote, as a reader resolves it ("... the
Democrats. ... installed as interim leader by the party's executive" -> "leader of the Democrats").

Accepted only when all hold, so that a swapped name never passes as a resolved one:
- the quote has a word that can refer to a thing of the name's kind (a person: "he", "his", "she", "her";
  an organisation or group: "it", "they", "their", "we", "our", or "the" + a noun such as "party", "group",
  "government"; a place: "it", "we", "our", "the country", ...);
- the quote names no other thing of that kind that the claim leaves out (nothing was replaced);
- in the cited passage, the last name of that kind before the quote is the claim's name (the antecedent).
"The two countries" / "both sides" may stand for either of the last two names of that kind. A name whose last word
is the quote's definite noun ("Dongting Lake" for "the lake") is stated when the passage gives it before the quote
(`head_noun_stated`). Does not resolve cataphora, plural groups of persons, or anything a passage names only after
the quote.
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


def _forms(nouns: set[str]) -> set[str]:
    """The nouns, singular and plural ("the two countries", "both parties")."""
    return {f for n in nouns for f in (n, f"{n}s", f"{n[:-1]}ies" if n.endswith("y") else n)}


# Every word a quote may refer by: the pronouns and the description nouns, singular and plural.
REFERRING = frozenset({w for ws in _PRONOUNS.values() for w in ws} | _forms({n for ns in _NOUNS.values() for n in ns}))
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
    # "The two countries" refers to the last two places named, "the two sides" to two groups: either may be named.
    count = 2 if re.search(r"\b(?:the two|both)\s+(?:\w+\s+)?\w+s\b", quote.text.lower()) else 1
    return any(_same_name(a, text) for a in _last_names(context[max(0, at - _WINDOW):at], kind)[-count:])


def resolved_names(claim: Facts, quote: Facts, context: str) -> frozenset[str]:
    """The words of the claim's names that the quote refers to by a pronoun or description (`coref_stated`)."""
    return frozenset(w for label, text in claim.entities if coref_stated(label, text, claim, quote, context)
                     for w in fold(text).split())


def head_noun_stated(text: str, quote: Facts, context: str) -> bool:
    """Whether the claim's name ends in a common noun the quote uses as a definite description ("Dongting Lake" for
    the quote's "the lake", "the Commonwealth Bank" for "the bank") and the cited passage gives that name before
    the quote. The name is the description's own, so it replaces nothing the quote says."""
    words = fold(text).split()
    if len(words) < 2 or not context or not re.search(rf"\bthe\s+{re.escape(words[-1])}\b", quote.text.lower()):
        return False
    at = context.find(quote.text[:60])
    return at > 0 and f" {' '.join(words)} " in haystack(context[max(0, at - _WINDOW):at])


def _described(text: str, nouns: set[str]) -> bool:
    """A definite description ("the party's executive", "the country") with one of `nouns` as its head."""
    return any(re.search(rf"\bthe\s+(?:\w+\s+)?{f}\b", text.lower()) for f in _forms(nouns))


@lru_cache(maxsize=1_024)
def _last_names(prefix: str, kind: str) -> list[str]:
    """The distinct names of `kind` in `prefix` (spaCy's NER), in the order of their last mention."""
    (doc,) = parse_many([prefix])
    names = [fold(e.text) for e in doc.ents if _KIND.get(e.label_) == kind]
    return sorted(set(names), key=lambda n: max(i for i, m in enumerate(names) if m == n))


def _same_name(antecedent: str, text: str) -> bool:
    """The same name, or a person's surname of it ("Greig" / "Brian Greig")."""
    a, b = fold(antecedent).split(), fold(text).split()
    return bool(a and b) and (a == b or a[-1:] == b[-1:])
