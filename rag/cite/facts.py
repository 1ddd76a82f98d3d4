"""What the support checks read of one text: a spaCy parse (rag.nlp) boiled down once per text to lemmas,
stems, names, numbers with their units, negated and hedged words, who did each verb, and where each name
sits (`Facts`); merged facts of several quotes (`merge_facts`); and whether a claim word is stated
(`word_stated`: same lemma, stem or listed synonym). Does not decide support itself (rag.cite.checks).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from functools import lru_cache

import Stemmer

from rag.cite import lexicon, scales
from rag.nlp import compound_head, parse_many

_ENTITY_LABELS = {"PERSON", "ORG", "GPE", "LOC", "NORP", "FAC", "EVENT", "DATE", "TIME", "WORK_OF_ART", "LAW",
                  "PRODUCT"}
# Entities whose attachment is checked: where, when and to whom a thing happened.
_BOUND_LABELS = {"GPE", "LOC", "FAC", "DATE", "TIME", "PERSON", "ORG"}
ACCORDING = "according to"  # the key of an "according to" source among `Facts.subjects`
# Nouns that only measure a part of what follows "of" ("a proportion of the population").
_PARTITIVES = frozenset({"proportion", "share", "part", "half", "third", "quarter", "fifth", "number", "percent",
                         "all", "each", "none", "any", "one", "some", "both", "rest", "bulk", "majority", "minority"})
_CONTENT_POS = {"NOUN", "PROPN", "VERB", "ADJ", "ADV", "NUM"}
STEM = Stemmer.Stemmer("english")
_NUM = re.compile(r"^\d[\d,.]*$")


@dataclass
class Facts:
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
    # "have" / "be" heading a clause ("Iraq has weapons", "the talks were productive"): not content words, but
    # what the clause asserts (the polarity check compares them).
    light_heads: set[str] = field(default_factory=set)
    hedged: set[str] = field(default_factory=set)  # lemmas of words under a hedge
    hedge_of: dict[str, set[str]] = field(default_factory=dict)  # hedged lemma -> the hedges on it
    hedges: set[str] = field(default_factory=set)
    subjects: dict[str, set[str]] = field(default_factory=dict)  # verb lemma -> subject words (lower)
    # Claim: (verb lemma, entity label, entity text) for each entity a verb governs ("arrested in Cyprus").
    bindings: list[tuple[str, str, str]] = field(default_factory=list)
    # Quote: verb lemma -> the folded text of each clause that verb heads.
    clauses: dict[str, list[str]] = field(default_factory=dict)
    clause_persons: dict[str, list[str]] = field(default_factory=dict)  # clause -> the persons its quote names
    verb_sentences: dict[str, set[str]] = field(default_factory=dict)  # verb lemma -> words of its sentences
    # Claim: entity -> the common nouns it is given as ("Ceja, the taskforce ...", "cryptocurrency figure Vinnik").
    epithets: dict[str, set[str]] = field(default_factory=dict)
    text: str = ""
    per_quote_subjects: list[dict[str, set[str]]] = field(default_factory=list)  # merged: each quote's subjects
    per_quote_anchors: list[dict[str, set[tuple[str, str]]]] = field(default_factory=list)
    per_quote_negated: list[tuple[set[str], set[str]]] = field(default_factory=list)  # merged: (lemmas, negated)
    phrases: list[tuple[str, str]] = field(default_factory=list)  # (person, the name phrase it ends: title + name)
    counted: set[tuple[str, str]] = field(default_factory=set)  # (number, a proper noun in what it counts)
    shares: set[tuple[str, str]] = field(default_factory=set)  # (number, the whole it is a share of)
    inherited: dict[str, set[str]] = field(default_factory=dict)  # verb -> subject it shares with its head
    anchors: dict[str, set[tuple[str, str]]] = field(default_factory=dict)  # name -> (its role, the word over it)
    purposive: set[str] = field(default_factory=set)  # verbs with a purpose clause ("met him to offer ...")
    actors: set[str] = field(default_factory=set)  # entities that act or own ("Moscow dropped", "Kyiv's"), not places
    # Entity -> the lemma of the noun it only narrows down as a compound ("the Kyiv missile strikes": which
    # strikes), never an argument of a verb.
    modifies: dict[str, str] = field(default_factory=dict)
    quants: dict[str, int] = field(default_factory=dict)  # quantifying word -> strength (rag.cite.scales)
    sups: dict[str, bool] = field(default_factory=dict)  # superlative -> bounded by "one of" / "among"
    # Claim: universal word -> lemmas of the nouns it quantifies ("all of Russia's strikes": all -> strike).
    universal_of: dict[str, set[str]] = field(default_factory=dict)
    plurals: set[str] = field(default_factory=set)  # lemmas of nouns said in the plural ("experts say")
    singled: set[str] = field(default_factory=set)  # lemmas of nouns counted as one ("one security expert")


def fold(text: str) -> str:
    """`text` lower-cased, without a leading "the", possessive or punctuation between words."""
    text = text.replace("’", "'").lower().rstrip("'")
    text = re.sub(r"^the\s+", "", text)
    return " ".join(re.findall(r"[\w'.-]+", text)).replace("'s", "")


def _norm_number(text: str) -> str | None:
    low = text.lower().replace(",", "").rstrip(".")
    if _NUM.match(low):
        return low.rstrip("0").rstrip(".") if "." in low else low
    return lexicon.NUMBER_WORDS.get(low)


def _lemma(tok) -> str:
    if tok.lower_ in lexicon.FORM_LEMMAS:
        return lexicon.FORM_LEMMAS[tok.lower_]
    if tok.lower_ in lexicon.CONTRACTIONS and tok.pos_ in ("AUX", "VERB"):
        return lexicon.CONTRACTIONS[tok.lower_]
    low = tok.lemma_.lower()
    return lexicon.LEMMA_FIXES.get(low, low)


def _quantified(tok):
    """The noun a universal word quantifies: its head ("all strikes", "every politician") or the object of its
    "of" ("all of Russia's strikes"); None when it quantifies no noun ("always", "in all")."""
    if tok.dep_ in ("det", "predet", "amod", "nummod") and tok.head.pos_ in ("NOUN", "PROPN"):
        return tok.head
    return next((o for p in tok.children if p.dep_ == "prep" and p.lower_ == "of"
                 for o in p.children if o.dep_ == "pobj" and o.pos_ in ("NOUN", "PROPN")), None)


def _scope_heads(tok) -> list:
    """The words a negation or hedge word `tok` bears on: its head, and for a head that only carries
    a complement ("refused to recognize", "said he would never recognize") that complement too."""
    head = tok.head
    out = [head]
    out.extend(c for c in head.children if c.dep_ in ("xcomp", "ccomp", "acomp", "attr", "dobj") and c.i > tok.i
               and not _own_clause(c))
    return out


def _told_as_fact(tok) -> bool:
    """A clause of time or cause ("planned after rescuers braved heavy seas", "because talks stalled"): it tells
    what happened, whatever the hedge on the clause it hangs from; a condition ("if") or purpose stays hedged."""
    return tok.dep_ == "advcl" and any(c.dep_ == "mark" and c.lower_ in _FACT_MARKS for c in tok.children)


_FACT_MARKS = frozenset({"after", "before", "because", "since", "when", "while", "although", "though", "as"})


def _own_clause(tok) -> bool:
    """An "xcomp" with a subject of its own: an open complement has none, so this is a clause of its own that
    the parse hung there ("expected to contest ...: Senator Bartlett or Brian Greig, installed as leader")."""
    return tok.dep_ == "xcomp" and any(c.dep_ in ("nsubj", "nsubjpass") for c in tok.children)


@lru_cache(maxsize=20_000)
def facts_of(text: str) -> Facts:
    """The facts of `text` (cached: a quote is checked against many claims)."""
    (doc,) = parse_many([text])
    f = Facts(text=text)
    for tok in doc:
        lem = _lemma(tok)
        low = tok.text.lower().replace("’", "'")
        f.lemmas.add(lem)
        f.words.add(low)
        f.stems.add(STEM.stemWord(lem))
        f.stems.add(STEM.stemWord(low))
        num = _norm_number(tok.text) if tok.like_num or tok.pos_ == "NUM" else None
        if num:
            f.numbers.add(num)
            # The number with its unit ("560 million" != "560 billion", "12 years" != "12 months").
            near = [t for t in (tok.nbor(1) if tok.i + 1 < len(doc) else None, tok.head) if t is not None]
            unit = next((_lemma(t) for t in near if _lemma(t) in lexicon.UNITS and t is not tok), "")
            if unit == "per" and tok.i + 2 < len(doc) and doc[tok.i + 2].lower_ == "cent":
                unit = "percent"  # "35 per cent" = "35 percent"
            f.quantities.add((num, unit))
            if not unit and tok.dep_ == "appos" and tok.head.pos_ == "PROPN":
                # "Dmitriev, 49, had visited": news prose's age, as "the 49-year-old Dmitriev" says it.
                f.quantities.add((num, "year"))
                f.lemmas.update(("year", "old"))
            f.counted.update((num, w) for w in _counted_names(tok))
            # "20 per cent of voyeurs", "a third of principal positions": the whole the number is a share of.
            f.shares.update((num, _lemma(o)) for p in tok.head.children if p.dep_ == "prep" and p.lower_ == "of"
                            for o in p.children if o.dep_ == "pobj" and o.pos_ == "NOUN")
        if tok.pos_ == "PROPN" or tok.ent_type_ in ("PERSON", "ORG", "GPE", "NORP"):
            f.name_words.add(low)
            if (noun := _modified_noun(tok)) is not None:  # a name spaCy did not tag ("the Kyiv strikes")
                f.modifies[tok.text] = noun
            if _is_actor(tok):
                f.actors.add(tok.text)
        # "took place", "take part": the noun of a light-verb idiom says nothing the verb's clause does not.
        idiom = lem in ("place", "part") and tok.dep_ == "dobj" and _lemma(tok.head) == "take"
        if tok.pos_ in _CONTENT_POS and not tok.is_stop and lem not in lexicon.LIGHT_WORDS and tok.is_alpha \
                and not idiom:
            f.content.append((lem, tok.pos_, tok.text))
        if low in lexicon.UNIVERSALS and (noun := _quantified(tok)) is not None:
            f.universal_of.setdefault(low, set()).add(_lemma(noun))
        if tok.tag_ in ("NNS", "NNPS"):
            f.plurals.add(lem)
        if tok.pos_ == "NOUN" and any(c.dep_ == "nummod" and c.lower_ in ("one", "1") for c in tok.children):
            f.singled.add(lem)
        if lem in ("have", "be") and tok.dep_ in ("ROOT", "ccomp", "xcomp", "conj", "advcl", "relcl"):
            f.light_heads.add(lem)
        if low in lexicon.NEGATIONS or tok.dep_ == "neg":
            for h in _scope_heads(tok):
                f.negated.add(_lemma(h))
        if low == "yet" and tok.i + 1 < len(doc) and doc[tok.i + 1].lower_ == "to":
            # "has yet to be reached": not reached (so far), as "has not been reached" says.
            for h in _scope_heads(tok):
                f.negated.add(_lemma(h))
        if low in ("close", "near") and tok.pos_ == "ADJ":
            # "are close to signing a plan": the signing has not happened; a hedge on it, as "could sign" is.
            near = [_lemma(c) for p in tok.children if p.dep_ == "prep" and p.lower_ == "to"
                    for c in p.children if c.dep_ == "pcomp" and c.pos_ == "VERB"]
            if near:
                f.hedges.add(low)
                f.hedged.update(near)
                for h in near:
                    f.hedge_of.setdefault(h, set()).add(low)
        if low == "against" and tok.dep_ == "prep":  # "voted against reviewing": the reviewing is refused
            f.negated.update(_lemma(c) for c in tok.children if c.dep_ == "pcomp" and c.pos_ == "VERB")
        if lem in lexicon.NEGATING_VERBS:  # "refused to recognize", "Zelenskyy's refusal to recognize"
            for c in tok.children:
                if c.dep_ in ("xcomp", "ccomp", "acl"):
                    # The complement and its object, as a negation cue's scope has ("refusal to recognize
                    # Russia's control" negates the control as "would never recognize Russia's control" does).
                    f.negated.add(_lemma(c))
                    f.negated.update(_lemma(o) for o in c.children if o.dep_ == "dobj")
        # "see" hedges as "let's see" / "remains to be seen", not when it sees something ("seen by the Guardian").
        seeing = lem == "see" and any(c.dep_ in ("dobj", "agent") for c in tok.children)
        # A hedging noun hedges what it introduces ("plans to cut", "the possibility of talks"); with nothing to
        # introduce it is a thing ("a $40 billion cooperation plan"), and a claim repeating it keeps no hedge.
        # A noun phrase of its own has a determiner or owner: the small model tags some verbs NOUN ("lawsuit allege").
        bare_noun = tok.pos_ == "NOUN" and any(c.dep_ in ("det", "poss") for c in tok.children) \
            and not any(c.dep_ in ("acl", "xcomp", "ccomp", "prep") for c in tok.children)
        if (lem in lexicon.HEDGES or low in lexicon.HEDGES) and not seeing and not bare_noun:
            f.hedges.add(lem)
            # A hedging verb ("tried to free", "planned to cut") hedges itself and its complement, not the verb it
            # hangs from ("braved heavy seas to try to free the whale": the braving happened); a modal or adverb
            # ("could reach", "possibly") hedges its head.
            heads = [tok] if tok.pos_ == "VERB" and tok.dep_ in ("xcomp", "advcl", "conj") else _scope_heads(tok)
            scope = {_lemma(h) for h in heads}
            scope |= {_lemma(c) for c in tok.children if c.dep_ in ("xcomp", "ccomp", "advcl") and not _own_clause(c)
                      and not _told_as_fact(c)}
            f.hedged |= scope
            for h in scope:
                f.hedge_of.setdefault(h, set()).add(lem)
        if lem == "accord" and tok.dep_ == "prep":  # "according to Ukrainian officials": a source, as who said it
            f.subjects.setdefault(ACCORDING, set()).update(
                w.text.lower() for p in tok.children if p.lower_ == "to" for o in p.children if o.dep_ == "pobj"
                for w in (o, *(c for c in o.children if c.dep_ in ("compound", "flat", "appos"))))
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
            actors |= {c.text.lower() for c in tok.children if c.dep_ in ("compound", "flat", "appos")
                       or (c.dep_ == "nmod" and c.pos_ == "PROPN")}  # "the Ansar al-Islam (supporters ...) group"
            if tok.like_num or tok.lower_ in scales.STRENGTH or lem in lexicon.UNITS or lem in _PARTITIVES:
                # "20 per cent of voyeurs have committed", "most of them fled": the voyeurs acted (how many of
                # them is the quantifier check's).
                actors |= {o.text.lower() for p in tok.children if p.dep_ == "prep" and p.lower_ == "of"
                           for o in p.children if o.dep_ == "pobj"}
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
        elif tok.ent_type_ == "NORP" and tok.dep_ == "amod":
            # A nationality is a name too, and its noun is its place: "the Basque parliament" is no "Spanish
            # parliament" of a quote that has "Basque" on "state"; "Norwegian spies" no "Australian spies".
            f.anchors.setdefault(tok.lower_, set()).add(("amod", _lemma(tok.head)))
        if tok.pos_ == "VERB" and any(c.dep_ in ("xcomp", "advcl") and c.tag_ == "VB" for c in tok.children):
            f.purposive.add(_lemma(tok))
    for tok in doc:
        if tok.pos_ == "VERB":
            f.clauses.setdefault(_lemma(tok), []).append(" " + fold(" ".join(t.text for t in _clause(tok))) + " ")
    for sent in doc.sents:  # every word's lemma: the parser tags some verbs AUX or NOUN
        words = {t.lower_ for t in sent}
        for tok in sent:
            f.verb_sentences.setdefault(_lemma(tok), set()).update(words)
    for ent in doc.ents:
        if ent.label_ in _ENTITY_LABELS:
            f.entities.append((ent.label_, ent.text))
            # "Friday morning": the day is bound to what the morning is bound to
            root = compound_head(ent.root) if ent.label_ in ("DATE", "TIME") else ent.root
            verb = _governing_verb(root)
            # Subjects are the role check's; bindings tie places, times and objects to their verb.
            if verb is not None and ent.label_ in _BOUND_LABELS and ent.root.dep_ not in ("nsubj", "nsubjpass"):
                f.bindings.append((_lemma(verb), ent.label_, ent.text))
                f.epithets[ent.text] = {_lemma(t) for c in ent.root.children if c.dep_ in ("appos", "compound")
                                        for t in c.subtree if t.pos_ == "NOUN"}
            if _is_actor(ent.root):
                f.actors.add(ent.text)
            if (noun := _modified_noun(ent.root)) is not None:
                f.modifies[ent.text] = noun
            if ent.label_ == "PERSON":
                f.persons.append(ent.text)
                f.phrases.append((ent.text, doc[min(ent.root.left_edge.i, ent.start): ent.end].text))
    # A clause's persons: when it names one, those it names ("transformed Captain Rinnan into a hero" is not said
    # of the Thorsheim of the sentence before); else, or when it also refers to one by a pronoun ("Trump called
    # him a dictator"), all the quote's (the parse's clause may leave out a subject's modifiers).
    for cls in f.clauses.values():
        for cl in cls:
            named = [p for p in f.persons if _in_clause(p, cl)]
            f.clause_persons[cl] = named if named and not set(cl.split()) & _PERSON_PRONOUNS else f.persons
    f.quants, f.sups = scales.quantities(doc), scales.superlatives(doc)
    return f


_PERSON_PRONOUNS = frozenset({"he", "him", "his", "she", "her", "they", "them", "their"})


def _in_clause(person: str, clause: str) -> bool:
    """Whether a folded clause names `person` (by the last word of the name, the surname)."""
    last = fold(person).split()[-1:]
    return bool(last) and f" {last[0]} " in clause


def _role(tok):
    """(verb, key) when `tok` is who did a verb (key: its lemma; active subject or passive "by" agent) or the
    subject of a passive (key: "<lemma>/pass"), else None. Objects are left out: an object is named in too
    many ways ("investigate Ceja, the taskforce") to compare."""
    if tok.dep_ in ("nsubj", "csubj"):
        if _reduced_passive(tok.head):  # "Greig, installed as leader by the executive": Greig was installed
            return tok.head, _lemma(tok.head) + "/pass"
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


def _reduced_passive(verb) -> bool:
    """A past participle heading a clause without an auxiliary ("Greig, installed as leader by the party's
    executive"): the parser may give it an "nsubj", but that is who underwent it; "has installed" is active."""
    return verb.tag_ == "VBN" and verb.dep_ != "ROOT" and not any(c.dep_ in ("aux", "auxpass") for c in verb.children)


def _modified_noun(root) -> str | None:
    """The lemma of the common noun a name narrows down as a compound ("the Kyiv missile strikes": strike),
    or None. Only compounds: a possessive or an "of" phrase is as often an argument ("Russia's strikes",
    "the release of Petrov"), which the claim must not take from elsewhere in the article."""
    if root.dep_ not in ("compound", "amod", "nmod"):  # the small model tags some such names ADJ ("Kyiv")
        return None
    head = compound_head(root.head)
    return _lemma(head) if head.pos_ == "NOUN" else None


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


def merge_facts(facts: list[Facts]) -> Facts:
    """The facts of several quotes read as one (a merged fact), keeping what must hold inside one quote."""
    if len(facts) == 1:
        return facts[0]
    m = Facts(text=" ".join(f.text for f in facts), per_quote_subjects=[{**f.inherited, **f.subjects} for f in facts],
               per_quote_anchors=[f.anchors for f in facts], per_quote_negated=[(f.lemmas, f.negated) for f in facts])
    for f in facts:
        m.counted |= f.counted
        m.shares |= f.shares
        m.lemmas |= f.lemmas
        m.stems |= f.stems
        m.words |= f.words
        m.content += f.content
        m.entities += f.entities
        m.persons += f.persons
        m.numbers |= f.numbers
        m.quantities |= f.quantities
        m.name_words |= f.name_words
        for verb, words in f.verb_sentences.items():
            m.verb_sentences.setdefault(verb, set()).update(words)
        for word, rank in f.quants.items():
            m.quants[word] = max(m.quants.get(word, 0), rank)
        for word, bounded in f.sups.items():
            m.sups[word] = m.sups.get(word, True) and bounded  # bounded only where no quote states it plainly
        m.negated |= f.negated
        m.hedges |= f.hedges
        for lem, hedges in f.hedge_of.items():
            m.hedge_of.setdefault(lem, set()).update(hedges)
    # "be" / "have" heading a clause: negated only where no quote asserts it ("it's time for them to say yes"
    # and "we're not going to continue" state both; each quote's other words keep their own negations).
    m.negated -= {lem for f in facts for lem in f.light_heads - f.negated}
    # Merged: a word is hedged only where no quote states it plainly ("plans to cut" and "the cuts will
    # take effect": the cut is stated).
    m.hedged = set.union(*(f.hedged for f in facts)) - set.union(*(f.lemmas - f.hedged for f in facts))
    for f in facts:
        for verb, subj in f.subjects.items():
            m.subjects.setdefault(verb, set()).update(subj)
        for verb, clauses in f.clauses.items():  # a binding must hold inside one quote's clause
            m.clauses.setdefault(verb, []).extend(clauses)
        m.clause_persons.update(f.clause_persons)
    return m




def word_stated(lemma: str, text: str, quote: Facts) -> bool:
    """Whether the quote states a claim word: the same lemma, surface form or stem, or a listed synonym."""
    low = text.lower()
    if lemma in quote.lemmas or low in quote.words:
        return True
    if STEM.stemWord(lemma) in quote.stems or STEM.stemWord(low) in quote.stems:
        return True
    return any(s in quote.lemmas for s in lexicon.synonyms(lemma))

