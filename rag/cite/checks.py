"""Meaning-level support checks: does a quote (or two merged quotes) state what a claim says?

Each check reads spaCy parses (rag.nlp) of the claim and the quote(s):

- entities: every named entity of the claim (person, organisation, place, date, ...) is in the quotes;
  a person may be named by surname where the quotes give the full name, or the reverse;
- role: when the quote has the claim's main verb, its subject is the claim's subject;
- numbers: every number of the claim, with its unit and time words ("years", "next week", "Friday"), is
  in the quotes;
- polarity: a verb the claim keeps positive is not negated in the quote (and the reverse); no word of the
  claim is the antonym (`lexicon.ANTONYMS`) of a quote word that the claim does not also use;
- modality: a hedge in the quote ("could", "may", "expected", "if", "depends", ...) on a verb the claim
  uses is kept in the claim;
- quantifiers: "all / every / always / none" in the claim must be in the quote, and "one of the most"
  must not become "the most";
- additions: every content word of the claim is in the quotes as the same lemma, the same stem, or a
  listed synonym (`lexicon.SYNONYMS`). Nothing else counts as a paraphrase.

Does not judge truth, read whole articles, resolve pronouns or call any model; what it cannot see (a
swapped object with the same words, sarcasm, a claim assembled from unrelated clauses of one quote) is
left to the optional LLM entailment pass (rag.cite.entail).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from rag.cite import aliases, fitted, lexicon
from rag.models import Embed
from rag.nlp import parse_many

CHECKS = ("entities", "role", "numbers", "polarity", "modality", "quantifiers", "additions")
_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "DATE", "TIME", "WORK_OF_ART", "LAW",
                  "PRODUCT"}
# Entities whose attachment is checked: where, when and to whom a thing happened.
_BOUND_LABELS = {"GPE", "LOC", "FAC", "DATE", "TIME", "PERSON", "ORG"}
_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"}
_STEM = Stemmer.Stemmer("english")
_NUM = re.compile(r"^\d[\d,.]*$")


@dataclass(frozen=True)
class SupportCheck:
    """The verdict of the rule checks: `ok`, the checks that ran, and the first failure (check, detail)."""

    ok: bool
    checked: tuple[str, ...] = CHECKS
    failure: tuple[str, str] | None = None
    merged: bool = False  # the claim needed more than one quote


@dataclass
class _Facts:
    """What the checks need of one text, computed once per parse."""

    lemmas: set[str] = field(default_factory=set)
    stems: set[str] = field(default_factory=set)
    words: set[str] = field(default_factory=set)  # lower-cased surface forms
    content: list[tuple[str, str, str]] = field(default_factory=list)  # (lemma, pos, text) of content words
    entities: list[tuple[str, str]] = field(default_factory=list)  # (label, text)
    persons: list[str] = field(default_factory=list)
    name_words: set[str] = field(default_factory=set)  # lower-cased words of proper names and entities
    numbers: set[str] = field(default_factory=set)
    quantities: set[tuple[str, str]] = field(default_factory=set)  # (number, unit lemma or "")
    negated: set[str] = field(default_factory=set)  # lemmas of words under a negation
    hedged: set[str] = field(default_factory=set)  # lemmas of words under a hedge
    hedge_of: dict[str, set[str]] = field(default_factory=dict)  # hedged lemma -> the hedges on it
    hedges: set[str] = field(default_factory=set)
    subjects: dict[str, set[str]] = field(default_factory=dict)  # verb lemma -> subject words (lower)
    # Claim: (verb lemma, entity label, entity text) for each entity a verb governs ("arrested in Cyprus").
    bindings: list[tuple[str, str, str]] = field(default_factory=list)
    # Quote: verb lemma -> the folded text of each clause that verb heads.
    clauses: dict[str, list[str]] = field(default_factory=dict)
    text: str = ""
    per_quote_subjects: list[dict[str, set[str]]] = field(default_factory=list)  # merged: each quote's subjects
    per_quote_anchors: list[dict[str, set[tuple[str, str]]]] = field(default_factory=list)
    phrases: list[tuple[str, str]] = field(default_factory=list)  # (person, the name phrase it ends: title + name)
    counted: set[tuple[str, str]] = field(default_factory=set)  # (number, a proper noun in what it counts)
    inherited: dict[str, set[str]] = field(default_factory=dict)  # verb -> subject it shares with its head
    anchors: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # name -> (its role, the word over it)
    purposive: set[str] = field(default_factory=set)  # verbs with a purpose clause ("met him to offer ...")
    actors: set[str] = field(default_factory=set)  # entities that act or own ("Moscow dropped", "Kyiv's"), not places


def _norm_number(text: str) -> str | None:
    low = text.lower().replace(",", "").rstrip(".")
    if _NUM.match(low):
        return low.rstrip("0").rstrip(".") if "." in low else low
    return lexicon.NUMBER_WORDS.get(low)


def _lemma(tok) -> str:
    if tok.lower_ in lexicon.FORM_LEMMAS:
        return lexicon.FORM_LEMMAS[tok.lower_]
    low = tok.lemma_.lower()
    return lexicon.LEMMA_FIXES.get(low, low)


def _scope_heads(tok) -> list:
    """The words a negation or hedge word `tok` bears on: its head, and for a head that only carries
    a complement ("refused to recognize", "said he would never recognize") that complement too."""
    head = tok.head
    out = [head]
    out.extend(c for c in head.children if c.dep_ in ("xcomp", "ccomp", "acomp", "attr", "dobj") and c.i > tok.i)
    return out


@lru_cache(maxsize=20_000)
def _facts_of(text: str) -> _Facts:
    (doc,) = parse_many([text])
    f = _Facts(text=text)
    for tok in doc:
        lem = _lemma(tok)
        low = tok.text.lower().replace("’", "'")
        f.lemmas.add(lem)
        f.words.add(low)
        f.stems.add(_STEM.stemWord(lem))
        f.stems.add(_STEM.stemWord(low))
        num = _norm_number(tok.text) if tok.like_num or tok.pos_ == "NUM" else None
        if num:
            f.numbers.add(num)
            # The number with its unit ("560 million" != "560 billion", "12 years" != "12 months").
            near = [t for t in (tok.nbor(1) if tok.i + 1 < len(doc) else None, tok.head) if t is not None]
            unit = next((_lemma(t) for t in near if _lemma(t) in lexicon.UNITS and t is not tok), "")
            if unit == "per" and tok.i + 2 < len(doc) and doc[tok.i + 2].lower_ == "cent":
                unit = "percent"  # "35 per cent" = "35 percent"
            f.quantities.add((num, unit))
            f.counted.update((num, w) for w in _counted_names(tok))
        if tok.pos_ == "PROPN" or tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            f.name_words.add(low)
            if _is_actor(tok):
                f.actors.add(tok.text)
        if tok.pos_ in _CONTENT_POS and not tok.is_stop and lem not in lexicon.LIGHT_WORDS and tok.is_alpha:
            f.content.append((lem, tok.pos_, tok.text))
        if low in lexicon.NEGATIONS or tok.dep_ == "neg":
            for h in _scope_heads(tok):
                f.negated.add(_lemma(h))
        if lem in lexicon.NEGATING_VERBS:  # "refused to recognize", "Zelenskyy's refusal to recognize"
            f.negated.update(_lemma(c) for c in tok.children if c.dep_ in ("xcomp", "ccomp", "acl"))
        if lem in lexicon.HEDGES or low in lexicon.HEDGES:
            f.hedges.add(lem)
            scope = {_lemma(h) for h in _scope_heads(tok)}
            scope |= {_lemma(c) for c in tok.children if c.dep_ in ("xcomp", "ccomp", "advcl")}
            f.hedged |= scope
            for h in scope:
                f.hedge_of.setdefault(h, set()).add(lem)
        role = _role(tok)
        if role is not None and tok.pos_ != "PRON":
            # Who acted, as the quote puts it (any word: the small model tags some names VERB or NOUN), the
            # passive's agent too ("tapped by the Directorate"); a passive subject is kept apart, under
            # "<verb>/pass", so that "Karelina was released" never reads as Karelina releasing. The subject,
            # its conjuncts ("Putin and Witkoff met") and, for verbs done together ("met with Putin"), the
            # partner: all of them acted.
            verb, key = role
            actors = {low} | {c.text.lower() for c in tok.conjuncts}
            # The rest of the actor's name ("the Ansar al-Islam group", "Senator Greig"), not its modifiers'
            # objects ("Ushakov, an aide to Putin" keeps "aide", never "Putin").
            actors |= {c.text.lower() for c in tok.children if c.dep_ in ("compound", "flat", "appos")}
            if key == _lemma(verb) and key in lexicon.SYMMETRIC:
                actors |= {g.text.lower() for p in verb.children if p.dep_ == "prep" and p.lower_ == "with"
                           for g in p.children if g.dep_ == "pobj"}
                actors |= {c.text.lower() for c in verb.children if c.dep_ == "dobj" and c.pos_ == "PROPN"}
            f.subjects.setdefault(key, set()).update(actors)
    for tok in doc:  # "detectives countered, complaining that ...": the detectives complained
        if tok.pos_ == "VERB" and tok.dep_ in ("advcl", "xcomp", "conj") and _lemma(tok) not in f.subjects \
                and not any(c.dep_ in ("nsubj", "nsubjpass", "csubj") for c in tok.children):
            f.inherited.setdefault(_lemma(tok), set()).update(f.subjects.get(_lemma(tok.head), ()))
    for tok in doc:
        if tok.pos_ == "PROPN" and tok.dep_ not in ("compound", "flat"):
            f.anchors.setdefault(tok.lower_, set()).add(_anchor(tok))
        if tok.pos_ == "VERB" and any(c.dep_ in ("xcomp", "advcl") and c.tag_ == "VB" for c in tok.children):
            f.purposive.add(_lemma(tok))
    for tok in doc:
        if tok.pos_ == "VERB":
            f.clauses.setdefault(_lemma(tok), []).append(" " + _fold(" ".join(t.text for t in _clause(tok))) + " ")
    for ent in doc.ents:
        if ent.label_ in _ENTITY_LABELS:
            f.entities.append((ent.label_, ent.text))
            root = ent.root  # "Friday morning": the day is bound to what the morning is bound to
            while ent.label_ in ("DATE", "TIME") and root.dep_ == "compound" and root.head is not root:
                root = root.head
            verb = _governing_verb(root)
            # Subjects are the role check's; bindings tie places, times and objects to their verb.
            if verb is not None and ent.label_ in _BOUND_LABELS and ent.root.dep_ not in ("nsubj", "nsubjpass"):
                f.bindings.append((_lemma(verb), ent.label_, ent.text))
            if _is_actor(ent.root):
                f.actors.add(ent.text)
            if ent.label_ == "PERSON":
                f.persons.append(ent.text)
                f.phrases.append((ent.text, doc[min(ent.root.left_edge.i, ent.start): ent.end].text))
    return f


def _role(tok):
    """(verb, key) when `tok` is who did a verb (key: its lemma; active subject or passive "by" agent) or the
    subject of a passive (key: "<lemma>/pass"), else None. Objects are left out: an object is named in too
    many ways ("investigate Ceja, the taskforce") to compare."""
    if tok.dep_ in ("nsubj", "csubj"):
        return tok.head, _lemma(tok.head)
    if tok.dep_ == "pobj" and tok.head.dep_ == "agent":
        return tok.head.head, _lemma(tok.head.head)
    if tok.dep_ == "nsubjpass":
        return tok.head, _lemma(tok.head) + "/pass"
    return None


def _anchor(tok) -> tuple[str, str]:
    """A name's place in its sentence: its relation and the word it hangs on ("rejected Greig's bid" ->
    (poss, bid); "in favour of Ridgeway" -> (of, favour); "Bartlett met" -> (nsubj, meet)); a conjunct or
    apposition takes its head's."""
    while tok.dep_ in ("conj", "appos") and tok.head is not tok:
        tok = tok.head
    role = _role(tok)
    if role is not None:  # active and passive alike: "tapped by the Directorate" = "the Directorate tapped"
        return ("obj" if role[1].endswith("/pass") else "subj"), _lemma(role[0])
    if tok.dep_ == "pobj" and tok.head.head is not tok.head:
        return tok.head.lower_, _lemma(tok.head.head)
    return tok.dep_, _lemma(tok.head)


def _is_actor(tok) -> bool:
    """Whether a name acts or owns ("Moscow dropped", "Kyiv and Moscow accused", "Kyiv's"), not a place."""
    root = tok.head if tok.dep_ == "conj" else tok
    return root.dep_ in ("nsubj", "nsubjpass", "poss") or (root.dep_ == "pobj" and root.head.dep_ == "agent")


def _counted_names(num) -> set[str]:
    """The proper nouns inside the phrase a number counts ("three people in the Kherson region" -> kherson),
    not those of a conjoined phrase ("... and two more in Dnipropetrovsk")."""
    phrase = num.head if num.dep_ in ("nummod", "quantmod") else num
    out, stack = set(), [phrase]
    while stack:
        tok = stack.pop()
        if tok.pos_ == "PROPN":
            out.add(tok.text.lower())
        stack.extend(c for c in tok.children if c.dep_ not in ("conj", "cc", "appos", "relcl") and
                     not (c.like_num and c is not num and c.dep_ != "compound"))
    return out


def _governing_verb(root):
    """The verb an entity is an argument of ("arrested [in] Cyprus", "Karelina was released", "sat down
    [at] the hotel [in] Moscow"), following prepositional chains only; None when it merely modifies a noun
    ("Witkoff's meeting", "a four-year ban"): only arguments are bound."""
    tok = root
    for _ in range(4):
        head = tok.head
        if tok.dep_ in ("nsubj", "nsubjpass", "dobj", "npadvmod", "dative", "attr", "oprd") and head.pos_ == "VERB":
            return head
        if tok.dep_ != "pobj" or head.dep_ not in ("prep", "agent"):
            return None
        if head.head.pos_ == "VERB":
            return head.head
        tok = head.head  # "the hotel in Moscow": continue from the noun the preposition hangs on
    return None


def _clause(verb) -> list:
    """The words a verb's clause is about: its subtree, plus the subject it shares with what it hangs from
    (a relative clause's noun, "Karelina, a Russian-American who was sentenced"; a conjoined or complement
    verb's subject, "Witkoff arrived and met Putin", "agreed to meet")."""
    words = list(verb.subtree)
    head = verb
    while head.dep_ in ("conj", "xcomp", "relcl", "acl", "advcl") and head.head is not head:
        if head.dep_ in ("relcl", "acl"):
            noun = head.head
            words.extend(noun.doc[noun.left_edge.i: noun.i + 1])
            while noun.dep_ == "appos":
                noun = noun.head
                words.extend(noun.doc[noun.left_edge.i: noun.i + 1])
            break
        head = head.head
        words.extend(t for c in head.children if c.dep_ in ("nsubj", "nsubjpass") for t in c.subtree)
    return words


def _merge(facts: list[_Facts]) -> _Facts:
    if len(facts) == 1:
        return facts[0]
    m = _Facts(text=" ".join(f.text for f in facts), per_quote_subjects=[{**f.inherited, **f.subjects} for f in facts],
               per_quote_anchors=[f.anchors for f in facts])
    for f in facts:
        m.counted |= f.counted
        m.lemmas |= f.lemmas
        m.stems |= f.stems
        m.words |= f.words
        m.content += f.content
        m.entities += f.entities
        m.persons += f.persons
        m.numbers |= f.numbers
        m.quantities |= f.quantities
        m.negated |= f.negated
        m.hedges |= f.hedges
        for lem, hedges in f.hedge_of.items():
            m.hedge_of.setdefault(lem, set()).update(hedges)
    # Merged: a word is hedged only where no quote states it plainly ("plans to cut" and "the cuts will
    # take effect": the cut is stated).
    m.hedged = set.union(*(f.hedged for f in facts)) - set.union(*(f.lemmas - f.hedged for f in facts))
    for f in facts:
        for verb, subj in f.subjects.items():
            m.subjects.setdefault(verb, set()).update(subj)
        for verb, clauses in f.clauses.items():  # a binding must hold inside one quote's clause
            m.clauses.setdefault(verb, []).extend(clauses)
    return m


def _fold(text: str) -> str:
    text = text.replace("’", "'").lower().rstrip("'")
    text = re.sub(r"^the\s+", "", text)
    return " ".join(re.findall(r"[\w'.-]+", text)).replace("'s", "")


def _entity_stated(label: str, text: str, quote: _Facts, context: str = "", names: str = "",
                   actor: bool = False) -> bool:
    """Whether the quote states the claim's entity (`label`, `text`); with the cited passage as `context`,
    also through an alias that passage establishes (rag.cite.aliases; `names`: the claim's name phrases
    it establishes; a metonym only for an `actor`: "Moscow said", never "flew from Washington")."""
    folded = _fold(text)
    if not folded:
        return True
    # Whole words only: "CIA" must not be found inside "special"; "Russia, on", "German-Russian".
    haystack = aliases.haystack(quote.text)
    folded = re.sub(r"[.,;:](?=\s|$)", "", folded).replace("-", " ")
    if f" {folded} " in haystack:
        return True
    if f" {folded} " in names or (actor and context and aliases.metonym_stated(folded, haystack, context)):
        return True
    words = [w for w in folded.split() if w not in lexicon.TITLES]
    if label == "NORP" and any(s in quote.lemmas or s in quote.words for w in words for s in lexicon.synonyms(w)):
        return True  # "Ukrainian" <-> "Ukraine": the listed nationality/country pairs
    if (label == "PERSON" or len(words) == 1) and words:  # spaCy's small model mislabels some names
        # "Witkoff" <-> "Steve Witkoff": the surname is the name a news text repeats.
        return f" {words[-1]} " in haystack or any(_fold(p).split()[-1:] == words[-1:] for p in quote.persons)
    # A multi-word name stated by its distinctive words ("the U.S. State Department" -> "State Department").
    distinctive = [w for w in words if w not in lexicon.LIGHT_WORDS]
    return bool(distinctive) and all(f" {w} " in haystack for w in distinctive)


def _word_stated(lemma: str, text: str, quote: _Facts) -> bool:
    low = text.lower()
    if lemma in quote.lemmas or low in quote.words:
        return True
    if _STEM.stemWord(lemma) in quote.stems or _STEM.stemWord(low) in quote.stems:
        return True
    return any(s in quote.lemmas for s in lexicon.synonyms(lemma))


def check_support(claim: str, quotes: list[str], embed: Embed | None = None, context: str = "") -> SupportCheck:
    """Whether `quotes` (one, or several that together back the claim) state `claim`; see module docstring.

    With `embed`, a claim word missing from the quotes may still count as a paraphrase when its embedding
    is close enough to a quote word's (fitted.WORD_SIMILARITY, at most fitted.MAX_SIMILAR_WORDS per claim;
    never for names, numbers, units or time words, which must be stated). `context`, the text of the cited
    passage(s), lets a name the passage establishes for a quoted one count (rag.cite.aliases)."""
    c = _facts_of(claim)
    q = _merge([_facts_of(t) for t in quotes])
    merged = len(quotes) > 1

    def fail(check: str, detail: str) -> SupportCheck:
        return SupportCheck(False, CHECKS[: CHECKS.index(check) + 1], (check, detail), merged)

    established = aliases.established_names(c.phrases, lambda p: _entity_stated("PERSON", p, q), context) \
        if context else ""
    for label, text in c.entities:
        if not _entity_stated(label, text, q, context, established, text in c.actors):
            return fail("numbers" if label in ("DATE", "TIME") else "entities", f"{label} '{text}' is not in the quote")
    for verb, subjects in c.subjects.items():
        names = {w for w in subjects if w in c.name_words}
        # A metonym the claim uses for an actor is that actor ("Kyiv and Moscow accused" = Ukraine and Russia).
        subjects = subjects | {m for w in subjects for m in lexicon.METONYMS.get(w, ())}
        # Each quote on its own: two merged quotes must not lend one verb two different actors; but when the
        # claim's verb is only matched to the quotes' reporting verbs, one quote naming its speaker suffices.
        conflict, agreed = None, False
        for quote_subjects in q.per_quote_subjects or [{**q.inherited, **q.subjects}]:
            pooled = verb not in quote_subjects
            quoted = quote_subjects.get(verb) or (
                {s for v, ss in quote_subjects.items() if v in lexicon.REPORTING for s in ss}
                if verb in lexicon.REPORTING else set())
            agreed |= pooled and bool(subjects & quoted)
            # A swap only when the quote names the claim's actor in another role; an unnamed actor in the
            # quote ("the envoy") is left to the entity check.
            # Without a name, the claim's subject noun must be in the quote in another role ("the corruption
            # taskforce complained" where the quote's taskforce is complained about).
            named = names or {w for w in subjects if w in c.lemmas and w not in lexicon.LIGHT_WORDS | lexicon.UNITS}
            if named and quoted and not subjects & quoted and named & q.words:
                conflict = conflict or (pooled, quoted)
        if conflict and not (conflict[0] and agreed):
            return fail("role", f"'{verb}' has subject {sorted(subjects)} in the claim, "
                                f"{sorted(conflict[1])} in the quote")
    for name, anchors in c.anchors.items():
        # Two names of the claim trading places ("rejected Greig's bid in favour of Ridgeway" when it was
        # Ridgeway's bid): the quote gives this name another place, and the claim's place to another name
        # of the claim that the claim puts elsewhere. Symmetric verbs ("A met B" = "B met A") are exempt
        # unless a purpose clause says who acted ("met him to offer him a place").
        for quote_anchors in q.per_quote_anchors or [q.anchors]:
            if not quote_anchors.get(name) or anchors & quote_anchors[name]:
                continue
            for anchor in anchors:
                if anchor[1] in lexicon.SYMMETRIC and anchor[1] not in c.purposive:
                    continue
                holders = sorted(n for n, a in quote_anchors.items()
                                 if anchor in a and n != name and anchor not in c.anchors.get(n, {anchor}))
                if holders:
                    return fail("role", f"the quote gives '{anchor[0]} {anchor[1]}' to {holders[0]}, not {name}")
    for verb, label, text in c.bindings:
        clauses = q.clauses.get(verb, [])
        if clauses and not any(_entity_stated(label, text, _Facts(text=cl, persons=q.persons)) for cl in clauses):
            return fail("role", f"the quote does not say '{verb}' of {label} '{text}'")
    missing = c.numbers - q.numbers
    if missing:
        return fail("numbers", f"number {sorted(missing)[0]} is not in the quote")
    for num, unit in c.quantities:
        if unit and (num, unit) not in q.quantities:
            return fail("numbers", f"'{num} {unit}' is not in the quote")
    for num, name in c.counted - q.counted:  # "three in Kherson, two in Dnipropetrovsk" swapped
        if any(n == num and w != name and w in c.words for n, w in q.counted):
            return fail("numbers", f"the quote does not count {num} of '{name}'")
    for lem, _pos, text in c.content:
        if lem in lexicon.UNITS and not _word_stated(lem, text, q):
            return fail("numbers", f"unit or time word '{text}' is not in the quote")
    for lem, _pos, text in c.content:
        if lem in q.negated and lem not in c.negated and lem in c.lemmas:
            return fail("polarity", f"the quote negates '{text}'")
        # The claim negating a word the quote asserts counts only when the quote negates nothing: negation
        # moves between words in paraphrase ("if no ceasefire is reached" = "if it does not agree to one").
        if lem in c.negated and lem not in q.negated and lem in q.lemmas and not q.negated:
            return fail("polarity", f"the claim negates '{text}', the quote does not")
    if c.negated - q.negated and any(w in c.words for w in lexicon.NEGATIONS) \
            and not any(w in q.words for w in lexicon.NEGATIONS | lexicon.NEGATIVE_WORDS):
        return fail("polarity", "the claim is negative, the quote is not")
    for lem in c.lemmas:
        for opposite in lexicon.ANTONYMS.get(lem, ()):
            if opposite in q.lemmas and not _word_stated(lem, lem, q):
                return fail("polarity", f"the claim says '{lem}', the quote '{opposite}'")
    # Per word: a hedge elsewhere in the claim ("would start") does not excuse "could reach" -> "reached".
    # The claim keeping the quote's own hedge word ("plans to cut", "is poised to") keeps the hedge, whatever
    # word the parser hangs it on.
    # Names are not hedged ("could put Moscow at odds"): predicates are.
    names = {lem for lem, pos, _ in c.content if pos == "PROPN"}
    hedged = {lem for lem in q.hedged - names if lem in c.lemmas and not q.hedge_of.get(lem, set()) & c.hedges}
    hedged -= c.hedged
    if hedged:
        return fail("modality", f"the quote hedges '{sorted(hedged)[0]}', the claim states it as certain")
    for word in lexicon.UNIVERSALS:
        if word in c.words and word not in q.words:
            return fail("quantifiers", f"'{word}' is not in the quote")
    if _one_of_the(q.text) and not _one_of_the(claim) and re.search(r"\b(most|best|largest|biggest|\w+est)\b",
                                                                     claim.lower()):
        return fail("quantifiers", "'one of the ...' became a superlative")
    missing = []
    for lem, pos, text in c.content:
        if (pos == "PROPN" and any(text in e for _, e in c.entities)) or f" {text.lower()} " in established:
            continue  # checked as an entity, or a title the passage gives a quoted person
        if pos == "PROPN" and _entity_stated("", text, q, context, established, text in c.actors):
            continue  # a name spaCy did not tag, stated or an alias the passage establishes
        if not _word_stated(lem, text, q):
            if embed is None or pos in ("PROPN", "NUM") or lem in lexicon.UNITS:
                return fail("additions", f"'{text}' is not in the quote")
            missing.append(lem)
    if missing:
        similar = _similar_words(missing, sorted({lem for lem, _, _ in q.content}), embed)
        unmatched = [w for w in missing if w not in similar]
        if unmatched or len(similar) > fitted.MAX_SIMILAR_WORDS:
            word = unmatched[0] if unmatched else missing[0]
            return fail("additions", f"'{word}' is not in the quote")
        return SupportCheck(True, (*CHECKS, "similar-words"), None, merged)
    return SupportCheck(True, CHECKS, None, merged)


def _similar_words(words: list[str], quote_words: list[str], embed: Embed) -> set[str]:
    """The claim words whose embedding is within fitted.WORD_SIMILARITY of some quote word's."""
    if not quote_words:
        return set()
    vecs = embed(words + quote_words)
    sims = vecs[: len(words)] @ vecs[len(words):].T
    return {w for w, row in zip(words, sims, strict=True) if float(row.max()) >= fitted.WORD_SIMILARITY}


def _one_of_the(text: str) -> bool:
    return bool(re.search(r"\b(one|some|among) of the\b|\ba number of\b", text.lower()))
