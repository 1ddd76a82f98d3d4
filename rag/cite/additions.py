"""The "no additions" check: every content word of the claim is in the quotes as the same lemma, stem, a
listed synonym (`lexicon.SYNONYMS`) or a WordNet synonym in a common sense (rag.cite.thesaurus); a name spaCy
did not tag is checked as a name.

Without an embedder any other word fails. With one, a claim whose only unstated words are ordinary words
(never a name, number, unit or time word: those must be stated) is judged by a small logistic model fitted
on the tuning part of the adversarial set (bench/fit_verifier.py, weights in fitted.json) over how much is
missing and how close it is in meaning: the unstated words' count and share, their MiniLM similarity to
the closest quote word, as bare words and in context (rag.cite.wordsim), and how many unstated words only
attribute ("admitted" for "conceded").
It runs only after the hard checks (entities, role, numbers, polarity, modality, quantifiers) passed,
so it can lift a reworded sentence but never excuse a negation, a swap or a changed number.
"""

from __future__ import annotations

import re

import numpy as np

from rag.cite import fitted, lexicon, thesaurus, wordsim
from rag.cite.entities import entity_stated, narrowing_stated
from rag.cite.facts import Facts, word_stated
from rag.models import Embed

HARD_POS = ("PROPN", "NUM", "VERB")
FEATURES = ("missing", "missing_share", "worst_word_similarity", "worst_context_similarity",
            "mean_context_similarity", "missing_reporting")
# The direction a feature may push the probability (0: either; the fit drops a feature that goes against
# its sign): a closer word never hurts, and another missing word never helps. Without the first, about 130
# labelled rows taught the model that a missing word far from every quote word ("on treason charges") is a
# good sign; without the second, that a claim missing more words is likelier a paraphrase (weight +0.8), so
# that stating one more word (a WordNet synonym) could turn an accepted paraphrase into a rejected one.
SIGNS = (-1, -1, 1, 1, 1, 0)
# Verbs that only attribute ("admitted", "announced"): a claim choosing another one than its quote changes
# little. A feature, not a pass: the model weighs it.
# Words that say no more than a negation of what follows ("refusal to recognize" = "would never recognize").
_REFUSING = frozenset({"refuse", "refusal", "decline"})
_ATTRIBUTING = lexicon.REPORTING | {"admit", "concede", "acknowledge", "reply", "respond", "write", "post"}
# Nouns that only name what someone said; stated by a quote that reports speech (a reporting verb or quotation
# marks), as the attributing verbs are.
_SPEECH = frozenset({"word", "remark", "comment", "statement", "message"})
# Verbs that only report speech, adding nothing to it: any of them rewords another.
_SAYING = frozenset({"say", "tell", "state", "speak", "describe", "add", "note", "remark", "comment", "reply",
                     "respond", "answer"})
_AUXILIARIES = {"have": ("has", "had"), "be": ("is", "are", "was", "were", "been"), "do": ("does", "did"),
                "get": ("got",)}
_QUOTED = re.compile(r"[“\"].{2,}?[”\"]")


def unstated_words(c: Facts, q: Facts, context: str, established: str) -> list[tuple[str, str, str]]:
    """The claim's content words (lemma, pos, text) the quotes do not state, in claim order."""
    out = []
    # Synonyms of the quote's own words, not of its auxiliaries: "received" is a synonym of "have" ("had
    # delivered the message to him"), which says nothing of who got what. A "have" / "be" heading a clause says
    # something ("Iraq has weapons": "possesses").
    auxiliaries = {form for lem, forms in _AUXILIARIES.items() if lem not in q.light_heads for form in (lem, *forms)}
    meaningful = (q.lemmas | q.words) - auxiliaries
    for lem, pos, text in c.content:
        if (pos == "PROPN" and any(text in e for _, e in c.entities)) or f" {text.lower()} " in established \
                or any(text == e for _, e in c.entities) \
                or any(text in e.split() for label, e in c.entities if label == "NORP"):
            # a whole name the parser tags ADJ ("the Kyiv strikes"), a word of a nationality ("North Korean")
            continue  # checked as an entity, or a title the passage gives a quoted person
        if pos == "PROPN" and (entity_stated("", text, q, context, established, text in c.actors)
                               or narrowing_stated("", text, c, q, context)):
            continue  # a name spaCy did not tag, stated or an alias the passage establishes
        if lem in _REFUSING and c.negated & q.negated:
            continue  # "her refusal to recognize X" for "would never recognize X": the polarity check compared them
        if lem in _SPEECH and pos == "NOUN" and (q.lemmas & _ATTRIBUTING or _QUOTED.search(q.text)):
            continue  # "with the words 'Vladimir, STOP!'" for "telling him, “Vladimir, STOP!”": what was said
        if pos == "VERB" and lem in _SAYING and q.lemmas & _SAYING:
            continue  # "speaking to the BBC, described X as ..." for "told the BBC that X was ...": who said what
            # is the role check's; only verbs that add nothing to the saying (never "deny", "warn", "announce")
        if lem == "decade" and ("10", "year") in q.quantities:
            continue  # "the past decade" = "the past 10 years" (the numbers check lets it through too)
        if not word_stated(lem, text, q) and not spelling_variant(text.lower(), q.words) \
                and not thesaurus.stated_by_synonym(lem, pos, meaningful):
            out.append((lem, pos, text))
    return out


def check_additions(c: Facts, q: Facts, quotes: list[str], context: str, established: str,
                    embed: Embed | None) -> tuple[tuple[str, str] | None, bool]:
    """(failure or None, whether the learned model had to accept unstated words) for the claim's words."""
    missing = unstated_words(c, q, context, established)
    if not missing:
        return None, False
    first = ("additions", f"'{missing[0][2]}' is not in the quote")
    hard = next((m for m in missing if m[1] in HARD_POS or m[0] in lexicon.UNITS), None)
    if hard is not None:
        return ("additions", f"'{hard[2]}' is not in the quote"), False
    if embed is None or fitted.ADDITIONS["threshold"] > 1:  # no embedder, or the model switched off
        return first, False
    if len(quotes) > 1:
        # A merged fact is already a looser reading (its parts come from different sentences); a reworded word
        # on top of it lets one quote's person slip into the other's event ("Dmitriev also taking part in the
        # talks" from his own meeting): every word of a merged fact must be stated.
        return first, False
    x = features(c, q, quotes, missing, embed)
    if paraphrase_probability(x) >= fitted.ADDITIONS["threshold"]:
        return None, True
    return first, False


def features(c: Facts, q: Facts, quotes: list[str], missing: list[tuple[str, str, str]], embed: Embed) -> np.ndarray:
    """The model's inputs (FEATURES order) for a claim whose ordinary words `missing` the quotes lack.

    Only about the missing words: how many, and how close the closest quote word is to each (as bare words
    and in context). The claim's similarity to its quotes as a whole is left out on purpose: fitted with it
    (tuning FR 0.280 instead of 0.333), the model passed a claim that repeats its quote and adds "on
    treason charges", which is very similar to the quote, and that is the addition."""
    words = [lem for lem, _, _ in missing]
    quote_words = sorted({lem for lem, _, _ in q.content})
    vecs = embed(words + quote_words)
    n = len(words)
    word_sims = (vecs[:n] @ vecs[n:].T).max(axis=1) if quote_words else np.zeros(n)
    in_context = wordsim.word_similarities(c.text, [text for _, _, text in missing], quotes)
    return np.array([n, n / max(len(c.content), 1), float(word_sims.min()), float(in_context.min()),
                     float(in_context.mean()), sum(lem in _ATTRIBUTING for lem, _, _ in missing)])


def paraphrase_probability(x: np.ndarray) -> float:
    """The fitted logistic model's probability that the quotes state the claim despite the unstated words."""
    m = fitted.ADDITIONS
    if m["features"] != list(FEATURES):
        raise ValueError("rag/cite/fitted.json was fitted on other features: run bench/fit_verifier.py")
    z = (x - np.array(m["mean"])) / np.array(m["scale"])
    return float(1.0 / (1.0 + np.exp(-(z @ np.array(m["weights"]) + m["bias"]))))


def spelling_variant(word: str, quote_words: set[str]) -> bool:
    """A long word one edit (insert, delete, replace) from a quote word: a spelling variant or typo
    ("satelite", "organisation"); short words are left out, where one letter changes the word."""
    if len(word) < 6:
        return False
    return any(abs(len(w) - len(word)) <= 1 and len(w) >= 6 and _one_edit(word, w) for w in quote_words)


def _one_edit(a: str, b: str) -> bool:
    if a == b:
        return True
    if len(a) > len(b):
        a, b = b, a
    i = next((k for k, (x, y) in enumerate(zip(a, b, strict=False)) if x != y), len(a))
    return a[i + (len(a) == len(b)):] == b[i + 1:]
