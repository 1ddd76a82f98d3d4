"""The entity check: every named entity of the claim (person, organisation, place, date, ...) is in the
quotes, by its name, a person's surname or full name, a listed nationality/country pair, or an alias the
cited passage itself establishes (rag.cite.aliases), or a name that only narrows down a noun the quote has
and that the passage names with it, or the name the passage last gave before the quote to what the quote
calls "he", "the party" or "we" (rag.cite.coref)."""

from __future__ import annotations

import re

from rag.cite import aliases, lexicon
from rag.cite.coref import coref_stated, head_noun_stated
from rag.cite.facts import STEM, Facts, fold, word_stated


def entity_stated(label: str, text: str, quote: Facts, context: str = "", names: str = "",
                  actor: bool = False) -> bool:
    """Whether the quote states the claim's entity (`label`, `text`); with the cited passage as `context`,
    also through an alias that passage establishes (rag.cite.aliases; `names`: the claim's name phrases
    it establishes; a metonym only for an `actor`: "Moscow said", never "flew from Washington")."""
    folded = fold(text)
    if not folded:
        return True
    # Whole words only: "CIA" must not be found inside "special"; "Russia, on", "German-Russian".
    haystack = aliases.haystack(quote.text)
    folded = aliases.unpunctuated(folded)
    if f" {folded} " in haystack or (label == "DATE" and f" {folded.replace('decade', '10 years')} " in haystack):
        return True  # "the past decade" = "the past 10 years"
    if f" {folded} " in names or (actor and context and aliases.metonym_stated(folded, haystack, context)):
        return True
    if acronym_stated(text.strip(), quote.text):
        return True
    words = [w for w in folded.split() if w not in lexicon.TITLES]
    if label == "NORP" and any(s in quote.lemmas or s in quote.words for w in words for s in lexicon.synonyms(w)):
        return True  # "Ukrainian" <-> "Ukraine": the listed nationality/country pairs
    if label == "NORP" and all(f" {w} " in haystack or demonym_stated(w, quote.words) for w in folded.split()):
        return True  # "North Korean" for "North Korea", "Russian control" for "Russia's control"
    if label == "DATE" and (age := _AGE.fullmatch(folded)) and (age[1], "") in quote.quantities:
        return True  # "the 49-year-old Dmitriev" for "Dmitriev, 49"
    if label == "DATE" and (rate := _RATE.fullmatch(folded)) \
            and any(f" {w} {rate[1]} " in haystack for w in lexicon.RATE_WORDS):
        return True  # "every week" for "thousands a week": a rate, however it is said
    if (label == "PERSON" or len(words) == 1) and words:  # spaCy's small model mislabels some names
        # "Witkoff" <-> "Steve Witkoff": the surname is the name a news text repeats.
        return f" {words[-1]} " in haystack or any(fold(p).split()[-1:] == words[-1:] for p in quote.persons)
    # A multi-word name stated by its distinctive words ("the U.S. State Department" -> "State Department").
    distinctive = [w for w in words if w not in lexicon.LIGHT_WORDS]
    return bool(distinctive) and all(f" {w} " in haystack for w in distinctive)


_AGE = re.compile(r"(\d+)[- ]years?[- ]old")
_RATE = re.compile(rf"(?:{'|'.join(lexicon.RATE_WORDS)}) ({lexicon.RATE_UNITS})")
# How a nationality is formed from its country's name ("korea" -> "korean", "ukrain(e)" -> "ukrainian").
_DEMONYM_ENDINGS = ("n", "an", "ian", "ese", "i", "ish")


def demonym_stated(word: str, quote_words: set[str]) -> bool:
    """Whether `word` is a nationality formed from a country name among `quote_words` ("korean" from "korea",
    "ukrainian" from "ukraine", "chinese" from "china"). Formed by rule, so irregular ones ("norwegian" for
    "norway") are not found: those fail, which errs towards rejecting."""
    for w in quote_words:
        w = w.removesuffix("'s").removesuffix("’s")
        if len(w) < 4 or not word.startswith(w[:-1]):
            continue
        if any(word in (w + e, w[:-1] + e) for e in _DEMONYM_ENDINGS):
            return True
    return False


def acronym_stated(text: str, quote: str) -> bool:
    """Whether `text` is an acronym ("WFP") of a name the quote spells out ("World Food Program"): the
    initials of consecutive capitalised words, small linking words ("of", "for") skipped."""
    if not re.fullmatch(r"[A-Z]{2,6}", text):
        return False
    names = re.findall(r"[A-Z][\w'-]*(?:\s+(?:(?:of|for|and|the)\s+)?[A-Z][\w'-]*)+", quote)
    for name in names:
        initials = "".join(w[0] for w in name.split() if w[0].isupper())
        if text in initials:
            return True
    return False


def established_names(claim: Facts, quote: Facts, context: str) -> str:
    """The claim's name phrases (title + name) that the cited passage establishes for a quoted person."""
    if not context:
        return ""
    return aliases.established_names(claim.phrases, lambda p: entity_stated("PERSON", p, quote), context)


def check_entities(claim: Facts, quote: Facts, context: str, established: str) -> tuple[str, str] | None:
    """The first claim entity the quote does not state, as a failure (dates and times fail as "numbers")."""
    for label, text in claim.entities:
        if not entity_stated(label, text, quote, context, established, text in claim.actors) \
                and not narrowing_stated(label, text, claim, quote, context) \
                and not coref_stated(label, text, claim, quote, context) \
                and not (label not in ("DATE", "TIME") and head_noun_stated(text, quote, context)):
            return ("numbers" if label in ("DATE", "TIME") else "entities"), f"{label} '{text}' is not in the quote"
    return None


def narrowing_stated(label: str, text: str, claim: Facts, quote: Facts, context: str) -> bool:
    """A name that only narrows down a noun of the claim the quote also has ("the Kyiv missile strikes" for
    the quote's "the missile strikes"), named with that noun in a sentence of the passage (rag.cite.aliases).
    Never a date, time or nationality, and never a name the claim makes an argument ("arrested in Abu Dhabi")."""
    noun = claim.modifies.get(text)
    # Nationalities are left out: "the Ukrainian strikes" for "the Russian strikes" is the swap itself.
    if not context or noun is None or label in ("DATE", "TIME", "NORP") or not word_stated(noun, noun, quote):
        return False
    stems = {STEM.stemWord(noun)}
    return aliases.narrowing_stated(aliases.haystack(text).strip(), stems, STEM.stemWord, context)
