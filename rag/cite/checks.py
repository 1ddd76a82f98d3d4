"""Meaning-level support checks: does a quote (or two merged quotes) state what a claim says?

Each check reads the facts (rag.cite.facts: spaCy parses, rag.nlp) of the claim and the quote(s) and
lives in its own module (entities, roles, numbers, polarity, modality, quantifiers, additions):

- entities: every named entity of the claim (person, organisation, place, date, ...) is in the quotes;
  a person may be named by surname where the quotes give the full name, or the reverse; a capital may act
  for its country; a name may be what the quote calls "he" / "the party" when the passage names it just
  before the quote (rag.cite.coref);
- role: when the quote has the claim's main verb, its subject is the claim's subject;
- numbers: every number of the claim, with its unit and time words ("years", "next week", "Friday"), is
  in the quotes;
- polarity: a verb the claim keeps positive is not negated in the quote (and the reverse), the claim's word
  standing for the quote word it rewords (rag.cite.counterparts); no word of the claim is an antonym
  (`lexicon.ANTONYMS`, WordNet's: rag.cite.thesaurus) of a quote word that the claim does not also use;
- modality: a hedge in the quote ("could", "may", "expected", "if", "depends", ...) on a verb the claim
  uses or rewords is kept in the claim;
- quantifiers: "all / every / always / none" in the claim must be in the quote, a quantifier ("most", "the
  majority of", "many") needs one at least as strong in the quote (rag.cite.scales), and "one of the most" /
  "among the most" must not become "the most";
- additions: every content word of the claim is in the quotes as the same lemma, the same stem, a listed
  synonym (`lexicon.SYNONYMS`) or a WordNet synonym or hypernym; with an embedder, the unstated nouns,
  adjectives and adverbs of a single-quote claim may pass by the fitted model (rag.cite.additions).

Does not judge truth, read whole articles, resolve pronouns beyond the passage's last name, or call any
model; what it cannot see (a swapped object with the same words, sarcasm, a claim assembled from unrelated
clauses of one quote) is left to the optional LLM entailment pass (rag.cite.entail).
"""

from __future__ import annotations

from dataclasses import dataclass

from rag.cite.additions import check_additions
from rag.cite.coref import resolved_names
from rag.cite.entities import check_entities, established_names
from rag.cite.facts import facts_of, merge_facts
from rag.cite.modality import check_modality
from rag.cite.numbers import check_numbers
from rag.cite.polarity import check_polarity
from rag.cite.quantifiers import check_quantifiers
from rag.cite.roles import check_roles
from rag.models import Embed

CHECKS = ("entities", "role", "numbers", "polarity", "modality", "quantifiers", "additions")


@dataclass(frozen=True)
class SupportCheck:
    """The verdict of the rule checks: `ok`, the checks that ran, and the first failure (check, detail)."""

    ok: bool
    checked: tuple[str, ...] = CHECKS
    failure: tuple[str, str] | None = None
    merged: bool = False  # the claim needed more than one quote


def check_support(claim: str, quotes: list[str], embed: Embed | None = None, context: str = "") -> SupportCheck:
    """Whether `quotes` (one, or several that together back the claim) state `claim`; see module docstring.

    With `embed`, ordinary claim words missing from the quotes may still count as a paraphrase when the
    fitted model says so (rag.cite.additions; never names, numbers, units or time words, which must be
    stated; "paraphrase-model" is then among the checks). `context`, the text of the cited
    passage(s), lets a name the passage establishes for a quoted one count (rag.cite.aliases)."""
    c = facts_of(claim)
    q = merge_facts([facts_of(t) for t in quotes])
    merged = len(quotes) > 1
    established = established_names(c, q, context)
    failure = (check_entities(c, q, context, established)
               or check_roles(c, q, resolved_names(c, q, context)) or check_numbers(c, q)
               or check_polarity(c, q) or check_modality(c, q) or check_quantifiers(c, q))
    learned = False
    if failure is None:
        failure, learned = check_additions(c, q, quotes, context, established, embed)
    if failure is not None:
        # The checks that ran: those up to the failed one, in CHECKS order.
        return SupportCheck(False, CHECKS[: CHECKS.index(failure[0]) + 1], failure, merged)
    return SupportCheck(True, (*CHECKS, "paraphrase-model") if learned else CHECKS, None, merged)
