"""Features of a candidate answer sentence for one question: how similar it is, whether it holds an answer
of the asked kind that the question lacks, what it adds, where it sits. The reader combines them with
fitted weights (rag/generate/reader_weights.json, fitted by eval/fit_reader.py); nothing here is weighted.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np

from rag import nlp
from rag.cite.compose import Evidence
from rag.generate.asking import (
    ASKS_PERCENT,
    IS_PERCENT,
    REASON_CUES,
    SUBJECT_DEPS,
    Asked,
    name_mentioned,
    name_words,
    whole_name_mentioned,
)
from rag.generate.predicates import named_in, place_or_day_of_other, predicate_match, said_of_other, told_apart
from rag.generate.ranker import MAX_PAIRS, Ranker, pair_text
from rag.models import Embed, Passage
from rag.text import content_terms, coverage, sentence_key

FEATURES = ("dense", "lexical", "type_match", "span_near", "role_match", "untyped", "novelty", "names", "focus",
            "verbs", "after_match", "rank", "mentions_required", "predicate", "told_of_other", "ranker")
MIN_WORDS = 5
# A duration is a quantity of time units ("four and a half hours", "12 years"), not "last week".
_DURATION = re.compile(r"\b(\d[\d.,]*|a|an|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|twenty|"
                       r"thirty|several|few|many|half|dozens?|hundreds?)\b[\w\s-]*?\b(seconds?|minutes?|hours?|days?|"
                       r"weeks?|months?|years?|decades?)\b", re.IGNORECASE)
# Prepositions of position: their object is a place even when the small model's NER misses it ("at the
# presidential library", "along the Miller estuary", "off the Gold Coast").
_AT = {"at", "inside", "outside", "near", "along", "across", "off", "beside"}
# Entity kinds a place is never read from ("in February 2022" is a pobj of "in" and a proper noun, not a place).
# Not people: places bear their names ("along the Miller estuary", "at Kennedy Airport").
_NOT_PLACES = {"DATE", "TIME", "CARDINAL", "ORDINAL", "MONEY", "PERCENT", "QUANTITY"}
# A place after these names a party, not where something happened ("an exchange between Washington and Moscow").
_PARTY_PREPS = {"between", "with", "against"}
_AGE = re.compile(r"\b\d{1,3}-year-old\b|,\s\d{1,3},|\baged?\s\d{1,3}\b", re.IGNORECASE)


@dataclass
class Candidate:
    """A sentence that may be quoted as an answer, with every source that prints it."""

    text: str
    evidence: list[Evidence] = field(default_factory=list)
    previous: str = ""  # the sentence before it in its passage ("" for a passage's first sentence)
    rank: int = 0  # rank of the best passage it appears in
    title: str = ""  # title of the first article it appears in: part of what the sentence is about
    antecedent: str = ""  # for a run of sentences opening with a pronoun, the sentence before the run: whom they
    # are about ("The Blackshirts are ..." / "They dress in black ..." / "Their logo is ...")

    @property
    def context(self) -> str:
        """What the sentence is read with to decide what it is about: its article's title, the sentence
        before it (and, when both open with a pronoun, the one that names whom they mean), and itself."""
        return f"{self.title}\n{self.antecedent}\n{self.previous}\n{self.text}"


# A sentence opening with a personal pronoun is about whom an earlier sentence names (a closed class of words, not a
# tuned list; the parse is not read here, as every candidate is built before any is parsed).
_OPENS_WITH_PRONOUN = re.compile(r"^\W*(he|she|it|they|his|her|its|their|him|them)\b", re.IGNORECASE)


def candidates(passages: list[Passage]) -> list[Candidate]:
    """Sentences of the passages (and their collapsed copies), one per distinct text; headlines excluded."""
    by_key: dict[str, Candidate] = {}
    for rank, passage in enumerate(passages):
        for p in [passage, *passage.copies]:
            # lead: the last sentence that opened with no pronoun; a passage cut inside a run of pronouns ("They
            # dress in black ... Their logo is ... The Blackshirts are ...") names them in its first such sentence
            lead = next((s.text for s in p.sentences if not _OPENS_WITH_PRONOUN.match(s.text)), "")
            previous = ""
            for sent in p.sentences:
                text = sent.text
                pronoun = bool(_OPENS_WITH_PRONOUN.match(text))
                if len(text.split()) >= MIN_WORDS and text.strip(" .") != p.title.strip(" ."):
                    antecedent = lead if pronoun and (not previous or _OPENS_WITH_PRONOUN.match(previous)) else ""
                    cand = by_key.setdefault(sentence_key(text), Candidate(text, previous=previous, rank=rank,
                                                                           title=p.title, antecedent=antecedent))
                    if all(e.source != p.source for e in cand.evidence):
                        cand.evidence.append(Evidence(p.source, p.title, sent))
                previous = text
                lead = lead if pronoun else text
    return list(by_key.values())


def answer_spans(asked: Asked, sentence: str) -> list[str]:
    """Spans of `sentence` that answer `asked`'s kind and that the question does not already name, nearest
    first (see `located_spans`)."""
    return [text for text, _, _ in located_spans(asked, sentence)]


def located_spans(asked: Asked, sentence: str) -> list[tuple[str, int, bool]]:
    """(span, distance in the parse to the words the question shares with the sentence, whether it plays the
    role the question word plays: subject or object), nearest first:
    "met ... in St. Petersburg" answers "Where did they meet?", not the first place the sentence names."""
    if asked.kind == "age":
        return [(re.sub(r"\D", "", m), 0, True) for m in _AGE.findall(sentence)]
    if asked.kind == "sort":
        return [(text, 0, True) for text in _sorts(asked, nlp.parse(sentence))]
    if asked.kind == "reason":
        m = REASON_CUES.search(sentence)
        return [(sentence[m.start():].rstrip(" ."), 0, True)] if m else []
    if not asked.labels:
        return []
    doc = nlp.parse(sentence)
    spans = [e for e in doc.ents if e.label_ in asked.labels]
    # "at the presidential library", "in the Oval Office": small-model NER rarely tags such places as places
    if asked.kind == "place":
        taken = [*spans, *(e for e in doc.ents if e.label_ in _NOT_PLACES)]
        spans += [c for c in doc.noun_chunks if c.root.dep_ == "pobj"
                  and (c.root.head.lower_ in _AT or (c.root.head.lower_ == "in" and c.root.pos_ == "PROPN"))
                  and not any(c.start <= e.start < c.end for e in taken)]
    spans = [e for e in spans if not any(name_mentioned(n, e.text) or name_mentioned(e.text, n) for n in asked.taken)
             and (asked.kind != "duration" or (_DURATION.search(e.text) and not _AGE.search(e.text)) or _since(e))
             and (asked.kind not in ("place", "city") or not (_party(e) or _actor(e))) and not restates(asked, e.text)
             and (not ASKS_PERCENT.search(asked.text) or IS_PERCENT.search(e.text))]
    described = [t for t in doc if asked.described and t.lemma_.lower() == asked.described]
    if described:  # "The biowarfare expert ... lashed out against John Ashcroft": Ashcroft is not the expert
        spans = [e for e in spans if min(_tree_distance(e.root, t) for t in described) <= 2]
    anchors = ([t for t in doc if t.lemma_.lower() in asked.focus]
               or [t for t in doc if any(name_mentioned(n, t.text) for n in (*asked.names, *asked.known))])
    located = [(_span_text(_with_town(e) if asked.kind == "place" else e),
                min((_tree_distance(e.root, a) for a in anchors), default=4),
                asked.role == "any" or _is_subject(e.root) == (asked.role == "subject"))
               for e in spans]
    return sorted(located, key=lambda x: x[1])


def _is_subject(token) -> bool:  # token: a spaCy Token
    """Whether the name is who did something: the subject of its clause, or the one a "for"-gerund without a
    subject of its own is told of ("lashed out against John Ashcroft for calling him a person of interest":
    Ashcroft did the calling, for "Who called / labelled him a person of interest?"; whether calling is the asked
    event is the event check's business)."""
    head = nlp.compound_head(token)
    if head.dep_ in SUBJECT_DEPS:
        return True
    verb = head.head.head if head.dep_ == "pobj" else head.head if head.dep_ == "dobj" else None
    return verb is not None and any(
        prep.lower_ == "for" and g.dep_ == "pcomp" and g.pos_ == "VERB"
        and not any(c.dep_ in SUBJECT_DEPS for c in g.children)
        for prep in verb.children if prep.dep_ == "prep" for g in prep.children)


def restates(asked: Asked, span: str) -> bool:
    """Whether every content word of `span` is one the question already says, up to its ending ("Sri Lanka's" in
    "Which Sri Lankan minister ...?"): a span that repeats the question is no answer to it."""
    words = content_terms(span)
    asked_words = content_terms(asked.wording)
    return bool(words) and all(any(w == a or (min(len(w), len(a)) >= 4 and (w.startswith(a) or a.startswith(w)))
                                   for a in asked_words) for w in words)


def _sorts(asked: Asked, doc) -> list[str]:  # doc: a spaCy Doc
    """For "What kind of X ...?": each mention of X with the words that qualify it and that the question lacks
    ("an arms embargo" -> "arms embargo", "a conference on stainless steel" -> "conference on stainless steel");
    a bare X ("the warplanes bombed") says no kind."""
    out = []
    for t in doc:
        if t.lemma_.lower() != asked.described or t.pos_ not in ("NOUN", "PROPN"):
            continue
        left = [c for c in t.children if c.dep_ in _QUALIFIERS and c.i < t.i]
        right = [c for c in t.children if c.dep_ == "prep" and c.lower_ in _KIND_PREPS and c.i > t.i]
        new = [w for c in left + right for w in c.subtree if w.is_alpha and not w.is_stop
               and w.lemma_.lower() not in asked.focus and not any(name_mentioned(n, w.text) for n in asked.names)]
        if new:
            start = min([t.i, *(w.i for c in left for w in c.subtree)])
            end = max([t.i, *(w.i for c in right for w in c.subtree)]) + 1
            out.append(doc[start:end].text.strip(' "“”'))
    return out


_QUALIFIERS = {"amod", "compound", "nmod"}  # "arms embargo", "a new 'progressive centre' party"
_KIND_PREPS = {"on", "about", "for", "against"}  # "a conference on stainless steel"


def _party(span) -> bool:  # span: a spaCy Span
    """Whether a place is one side of something ("an exchange between Washington and Moscow", "talks with
    Moscow"), which says who took part, not where it happened."""
    root = span.root
    while root.dep_ == "conj" and root.head is not root:  # "between Washington and Moscow": Moscow too
        root = root.head
    return root.dep_ == "pobj" and root.head.lower_ in _PARTY_PREPS


def _since(span) -> bool:  # span: a spaCy Span
    """Whether the span is the point a duration runs from ("not held talks since the early days of the war in
    February 2022" answers "How long has it been since ...?")."""
    return any(t.lower_ == "since" and t.dep_ == "prep" for t in span.root.ancestors)


def _actor(span) -> bool:  # span: a spaCy Span
    """Whether a place name stands for its government or people: "Russia released Karelina", "Russia's invasion"
    tell who acted, not where."""
    return nlp.compound_head(span.root).dep_ in ("nsubj", "poss")


def _with_town(span):  # span: a spaCy Span
    """The place with the town or country the sentence gives it ("the presidential library in St. Petersburg"):
    a building alone answers "Where?" only for a reader who already knows the city."""
    doc = span.doc
    if span.end + 1 < len(doc) and doc[span.end].lower_ in ("in", "of") and span.label_ not in ("GPE", "LOC"):
        town = next((e for e in doc.ents if e.start == span.end + 1 and e.label_ in ("GPE", "LOC")), None)
        if town is not None:
            return doc[span.start:town.end]
    return span


def _span_text(span) -> str:  # span: a spaCy Span
    """The span's text, with the currency symbol the small model leaves outside a MONEY entity ("$51")."""
    text = span.doc.text
    if span.label_ == "MONEY" and span.start_char > 0 and text[span.start_char - 1] in "$€£¥":
        return text[span.start_char - 1:span.end_char]
    return span.text


def _tree_distance(a, b) -> int:
    """Edges between two tokens in the dependency tree."""
    up_a = [a, *a.ancestors]
    up_b = [b, *b.ancestors]
    common = next((i for i, t in enumerate(up_a) if t in up_b), len(up_a))
    return common + (up_b.index(up_a[common]) if common < len(up_a) else len(up_b))


def feature_matrix(asked: Asked, cands: list[Candidate], passages: list[Passage], embed: Embed,
                   context: str | None = None, ranker: Ranker | None = None) -> np.ndarray:
    """One row of FEATURES per candidate. `context` (the standalone form of a follow-up) counts as asked too; the
    "ranker" column is filled only when a `ranker` is given (RAG_RANKER, `Pipeline.ranker`)."""
    queries = [asked.text] + ([context] if context and context != asked.text else [])
    svecs = embed([c.text for c in cands])
    dense = (svecs @ embed(queries).T).max(axis=1)
    q_terms = set(content_terms(" ".join(queries)))
    docs = nlp.parse_many([c.text for c in cands])
    predicate = predicate_match(asked, [c.text for c in cands], embed)
    about_whom = asked.names or asked.known  # a follow-up ("How long did it last?") is about the earlier names
    named = named_in(asked)
    rows = []
    for cand, cos, doc, pred in zip(cands, dense, docs, predicate, strict=True):
        terms = set(content_terms(cand.text))
        # "She was exchanged for ...": a sentence opening with a pronoun is about whom the one before names.
        about = f"{cand.previous} {cand.text}" if doc[0].tag_ == "PRP" else cand.text
        spans = located_spans(asked, cand.text) if asked.kind else []
        lemmas = {t.lemma_.lower() for t in doc}
        rows.append([
            float(cos),
            max(coverage(q, about) for q in queries),
            float(bool(spans)) if asked.kind else 0.0,
            1.0 / (1 + spans[0][1]) if spans else 0.0,
            float(any(role_ok for _, _, role_ok in spans)),  # some answer plays the question word's role
            0.0 if asked.kind else 1.0,
            len(terms - q_terms) / max(len(terms), 1),
            sum(name_mentioned(n, about) for n in about_whom) / len(about_whom) if about_whom else 0.0,
            # Shares of the question's words the sentence has; a question without such words misses none.
            sum(f in lemmas for f in asked.focus) / len(asked.focus) if asked.focus else 1.0,
            sum(v in lemmas for v in asked.verbs) / len(asked.verbs) if asked.verbs else 1.0,
            max(coverage(q, cand.previous) for q in queries) if cand.previous else 0.0,
            1.0 / (1 + cand.rank),
            float(holds_required(asked, cand.text)),
            float(pred),
            # a mask (`eligible`): the event told of others, or a day or place the sentence gives of something else
            float((asked.kind == "person" and said_of_other(asked, doc, named, nouns_only=True))
                  or place_or_day_of_other(asked, doc)
                  or told_apart(asked, doc, [text for text, _, _ in spans])),
            0.0,  # ranker: below, for the candidates that may answer
        ])
    x = np.array(rows, dtype=float).reshape(len(cands), len(FEATURES))
    # Only with RAG_RANKER on (opt-in: ~250 ms a question on two cores). The cross-encoder costs ~40 ms of CPU a
    # sentence, so it reads only sentences that may answer at all, and of those the MAX_PAIRS closest to the
    # question by the embedder; its logit enters as a probability, on the features' scale.
    if ranker is not None:
        keep = np.flatnonzero(eligible(asked, x))
        keep = keep[np.argsort(-dense[keep], kind="stable")[:MAX_PAIRS]]
        logits = ranker.scores(asked.text, [pair_text(cands[i].previous, cands[i].text) for i in keep])
        x[keep, FEATURES.index("ranker")] = 1.0 / (1.0 + np.exp(-logits))
    return x


def about_named(asked: Asked, cand: Candidate) -> bool:
    """Whether the candidate, with the sentence before it and its passage's title, is about what the question
    names: "How many died in Dresden?" is not answered by deaths elsewhere, even in a passage that mentions
    Dresden further on. A question naming nothing must share half of its content words instead ("In which
    city did the massage parlour shooting take place?" is not answered by a sentence about another story)."""
    context = cand.context
    named = {*asked.names, *asked.proper}
    if not named:
        focus = {t for f in asked.focus for t in content_terms(f)}
        return not focus or 2 * len(focus & set(content_terms(context))) >= len(focus)
    return any(name_mentioned(n, context) for n in named)


def holds_required(asked: Asked, sentence: str, parse: bool = True) -> bool:
    """Whether `sentence` mentions the attribute or counted thing the question asks about (by stem, else by
    lemma). With parse=False: whether it may, before the parse that settles it."""
    if not asked.required:
        return True
    terms = set(content_terms(sentence))
    missing = [r for r in asked.required if not set(content_terms(r)) & terms]
    if not missing:  # the stems settle it without a parse (spaCy is the slow part of an answer)
        return True
    # Only an irregular form sharing the word's start can still match by lemma ("child" -> "children").
    words = re.findall(r"[a-z]+", sentence.lower())
    if not all(any(w.startswith(r[:3]) for w in words) for r in missing):
        return False
    if not parse:
        return True
    lemmas = {t.lemma_.lower() for t in nlp.parse(sentence)}  # "children" -> "child": stems miss irregulars
    return all(r in lemmas for r in missing)


def eligible(asked: Asked, x: np.ndarray) -> np.ndarray:
    """Which candidates may answer at all: for a question asking for a kind of answer (a person, a date...),
    only sentences holding one the question lacks; a sentence that restates the question is no answer."""
    ok = x[:, FEATURES.index("mentions_required")] > 0  # "How many children": a count of children
    if not asked.labels and asked.kind not in ("age", "sort"):  # why: a cue word is a feature, not a filter
        return ok
    ok &= x[:, FEATURES.index("type_match")] > 0
    # "Who else did Witkoff meet?" is not answered by "a possible meeting between Putin and Trump": the gate asks
    # the same of the sentence where the answer would be (rag.generate.reader.event_sentences)
    ok &= x[:, FEATURES.index("told_of_other")] == 0
    if asked.kind == "person":
        # "Who wrote the book?" asks for the writer: a person the sentence names as the subject of something,
        # not one it only mentions ("... transformed Captain Arne Rinnan into a hero"); "Who else did he meet?"
        # asks for one met, not for the subject of another verb ("... as Trump urged Moscow"). The rules reader
        # asks the same of its person answers.
        ok &= x[:, FEATURES.index("role_match")] > 0
    return ok


def question_names(asked: Asked) -> set[str]:
    """What the question names: its entities and its other proper nouns, less the words of a whole name
    ("Federal" and "Reserve" of "the Federal Reserve" are that one name, not two)."""
    return _names_and_wholes(asked)[0]


def names_missing(asked: Asked, passages: list[Passage]) -> list[str]:
    """Names the question mentions (`question_names`) that no passage mentions: then the articles cannot answer
    it. A person is mentioned by any part of the name (a surname stands for the full name), but an organisation's
    name of several words only as a whole, or by its initials: "the Federal Government" is no mention of "the
    Federal Reserve", nor "the Commonwealth Bank" of "the Reserve Bank"."""
    text = " ".join(q.text for p in passages for q in (p, *p.copies))
    names, whole = _names_and_wholes(asked)
    return [n for n in names if not (whole_name_mentioned(n, text) if n in whole else name_mentioned(n, text))]


def subject_missing(asked: Asked, missing: list[str]) -> bool:
    """Whether a name the passages lack is who the question says acted ("What did the European Commission say
    ...?"): then nothing they say answers it. A missing name elsewhere ("... meet in Moscow?") may be a false
    premise the answer corrects."""
    subjects = [t for t in nlp.parse(asked.text) if t.dep_ in SUBJECT_DEPS and t.pos_ == "PROPN"]
    return any(t.text in name.split() for name in missing for t in subjects)


# Entity kinds whose multi-word names are one unit: an organisation ("the Federal Reserve" is not "the Federal
# Government"). Not places: a place one word off ("the Sunshine Coast" for the article's "Gold Coast") is mostly a
# false premise the answer should correct, not a question about something else.
_UNIT_LABELS = {"ORG"}


def _names_and_wholes(asked: Asked) -> tuple[set[str], set[str]]:
    """(`question_names`, those of them that are multi-word names of `_UNIT_LABELS` kinds)."""
    kinds = {e.text: e.label_ for e in nlp.parse(asked.text).ents}
    whole = {n for n in asked.names if kinds.get(n) in _UNIT_LABELS and len(name_words(n)) > 1}
    inside = {w for n in whole for w in n.split()}
    return {n for n in {*asked.names, *asked.proper} if n in whole or n not in inside}, whole
