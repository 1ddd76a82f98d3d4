"""Does a sentence hold the thing a "What X ...?" / "Which X ...?" question asks for? "What gift did Putin send?"
is not answered by a sentence about the talks that mentions no gift, and "Which US airport did she fly into?" not
by the city of the exchange. But the noun need not be printed: "Which police officer ...?" is answered by a
person the sentence names, "What present" by "a gift". So a sentence matches the asked noun (`head_match`) by

- the noun's lemma in the sentence;
- for a noun naming a person's role (officer, diplomat, adviser: `noun_sort`), a person the sentence names that
  the question does not; for a kind of place (capital, village), a place it names;
- else the closest noun of the sentence, by the offline embedder's vectors of the single words ("present" for
  "gift", "College" for "school"). Names of places, people and dates do not count: "Abu Dhabi" is close to
  "airport" as a word, yet is no airport.

An abstract noun ("What nickname / word / cause ...?") asks nothing of the sentence: its answer (a quoted word, a
reason) seldom stands beside it.

The gate (rag.generate.reader.answerable) asks some sentence where the answer would be to match at least the
fitted `head_cos`; the learned reader also scores with the match.
"""

from __future__ import annotations

import re
from dataclasses import replace
from functools import lru_cache

import numpy as np

from rag import nlp
from rag.generate.asking import SUBJECT_DEPS, Asked, name_mentioned
from rag.models import Embed
from rag.text import content_terms

# What a noun is, read from the embedder by prototypes, not listed noun by noun: a role ("the adviser") is nearer
# "the person" / "the man" than "the thing" / "the place"; a concrete thing ("the gift", "the airport") nearer "the
# object" / "the building" than "the idea" / "the word". The margins are means of cosines, one set minus the other.
_PERSON = ("the person", "the man", "the woman", "the people", "the someone")
_NOT_PERSON = ("the thing", "the object", "the place", "the idea", "the organization")
_CONCRETE = ("the object", "the building", "the vehicle", "the item", "the institution")
_ABSTRACT = ("the idea", "the word", "the concept", "the reason", "the statement")
# A place by its kind ("the capital", "the village") is nearer "the city" / "the country" than "the building" /
# "the institution"; a building is not ("the airport", "the embassy": Abu Dhabi is no airport).
_PLACE = ("the city", "the country", "the town", "the region", "the province")
_NOT_PLACE = ("the building", "the object", "the vehicle", "the institution", "the company")
PERSON_MARGIN = 0.05
PLACE_MARGIN = 0.15
# An abstract noun ("What nickname / word / line of business / cause ...?") is seldom printed beside its answer (a
# quoted word, "real estate"): only a concrete one is asked of the sentence.
CONCRETE_MARGIN = 0.03


def noun_sort(noun: str, embed: Embed) -> str:
    """"person" for a noun naming a person by role ("officer", "diplomat", "principal"), "place" for a kind of
    place a place name answers ("capital", "village"), "thing" for another concrete thing ("gift", "airport",
    "missile"), "" for an abstract noun ("nickname", "word", "cause")."""
    if _margin(noun, _PERSON, _NOT_PERSON, embed) >= PERSON_MARGIN:
        return "person"
    if _margin(noun, _PLACE, _NOT_PLACE, embed) >= PLACE_MARGIN:
        return "place"
    return "thing" if _margin(noun, _CONCRETE, _ABSTRACT, embed) >= CONCRETE_MARGIN else ""


def _margin(noun: str, near: tuple[str, ...], far: tuple[str, ...], embed: Embed) -> float:
    return _cached_margin(noun, near, far, id(embed), embed)


@lru_cache(maxsize=4096)
def _cached_margin(noun: str, near: tuple[str, ...], far: tuple[str, ...], _embed_id: int, embed: Embed) -> float:
    vecs = embed([f"the {noun}", *near, *far])
    sims = vecs[1:] @ vecs[0]
    return float(sims[:len(near)].mean() - sims[len(near):].mean())


def head_match(asked: Asked, sentences: list[str], embed: Embed) -> np.ndarray:
    """Per sentence, how well it holds the noun the question asks for: 1.0 for the noun itself (or, for a
    person's role, a person the question does not name; and for questions with no such noun or an abstract
    one), else the best cosine of the noun with the sentence's nouns (`_may_be_it`)."""
    out = np.ones(len(sentences))
    noun = asked.head
    sort = noun_sort(noun, embed) if noun and sentences else ""
    if not sort:
        return out
    docs = nlp.parse_many(sentences)
    nouns_per = [sorted({t.lemma_.lower() for t in doc if _may_be_it(t) and t.is_alpha and len(t) > 2})
                 for doc in docs]
    vocab = sorted({w for ws in nouns_per for w in ws} | {noun})
    index = {w: i for i, w in enumerate(vocab)}
    vecs = embed(vocab)
    sims = vecs @ vecs[index[noun]]
    asked_terms = set(content_terms(asked.wording))
    for row, (doc, words) in enumerate(zip(docs, nouns_per, strict=True)):
        if _says_which(doc, noun, asked_terms) or (sort in _NAMED_BY and _names_other(asked, doc, _NAMED_BY[sort])):
            continue
        # X as the question says it ("bombings of Georgian villages" for "Which Georgian villages ...?") does not
        # say which X: only the sentence's other nouns may
        out[row] = float(max((sims[index[w]] for w in words if w != noun), default=0.0))
    return out


def _says_which(doc, noun: str, asked_terms: set[str]) -> bool:  # doc: a spaCy Doc
    """Whether the sentence says which `noun` it means: a use of it with a word the question lacks in its phrase
    ("the village of Pankisi", "IslamOnline.net website", "villages including ..."), or one it tells what is ("The
    website was IslamOnline.net": the subject of "be"). A use with only the question's words ("some weapons of
    mass destruction" for "Which weapons of mass destruction ...?") names no instance."""
    for t in doc:
        if t.lemma_.lower() != noun:
            continue
        if t.dep_ in SUBJECT_DEPS and t.head.lemma_ == "be":
            return True
        words = [w for w in t.subtree if w.i != t.i and w.is_alpha and not w.is_stop]
        if any(not set(content_terms(w.text)) <= asked_terms for w in words):
            return True
    return False


# A name is the thing's own ("Hillcrest Christian College" for "Which school ...?") unless it names a place, a
# person, a people or a date: "Abu Dhabi" is close to "airport" as a word, yet is no airport.
_NOT_A_THING = {"GPE", "PERSON", "NORP", "DATE", "TIME"}


def _may_be_it(token) -> bool:  # token: a spaCy Token
    """Whether the word may name the thing asked for: a common noun, or a proper noun of no place, person,
    people or date."""
    return token.pos_ == "NOUN" or (token.pos_ == "PROPN" and token.ent_type_ not in _NOT_A_THING)


# A role is answered by a person's name ("Which police officer ...?"), a kind of place by a place's ("Which two
# capitals ...?" -> Tehran, Baghdad).
_NAMED_BY = {"person": {"PERSON"}, "place": {"GPE", "LOC"}}


def _names_other(asked: Asked, doc, labels: set[str]) -> bool:  # doc: a spaCy Doc
    """Whether the text names something of `labels` the question does not."""
    return any(e.label_ in labels and not any(name_mentioned(n, e.text) for n in asked.taken)
               for e in doc.ents)


# "What is the name of X" ("Who is the principal of X?" describes its answer by a role instead: any person's name).
_ASKS_NAME = re.compile(r"\bname of\b", re.IGNORECASE)
# The entity labels of the name of a thing: a body, a building, a work, a vessel (a place is asked as a place).
_THING_NAMES = frozenset({"ORG", "FAC", "PRODUCT", "WORK_OF_ART", "EVENT", "LAW"})


def name_labels(asked: Asked, embed: Embed) -> Asked:
    """`asked` with the entity labels a name of its X carries, for "What is the name of the X?": a person's name
    for a role (`noun_sort`: "the biowarfare expert"), another kind of name for a thing ("the Ukrainian charity",
    "the presidential library"): a person the sentence names is no charity's name. Other questions, and an X
    whose sort the embedder leaves open ("hunter"), come back as they are."""
    if asked.kind != "person" or not asked.described or not _ASKS_NAME.search(asked.text):
        return asked
    sort = noun_sort(asked.described, embed)
    if sort == "person":
        return replace(asked, labels=frozenset({"PERSON"}))
    return replace(asked, labels=_THING_NAMES) if sort == "thing" else asked
