"""Does a sentence say what the question asks *happened*? The question's main verbs ("died", "wrote",
"granted", "paid") must be matched in the sentence by the same lemma or by a word close in meaning
("killed", "death" for "died"), read from the offline embedder's vectors of the single words.

A sentence that names the question's people and place but says they were evacuated, not that they died,
does not answer "How many people died?": this is what lets the readers abstain on such questions.
Both readers use it through `rag.generate.reader.can_answer`; the learned reader also scores with it.
"""

from __future__ import annotations

import numpy as np

from rag import nlp
from rag.generate.asking import SUBJECT_DEPS, Asked, name_mentioned
from rag.models import Embed

# Verbs that carry no event of their own: "What did X say / do / have?" asks about the content, not the act.
LIGHT_VERBS = frozenset({"say", "tell", "do", "have", "be", "get", "make", "take", "go", "happen", "become", "come",
                         "give", "put", "keep", "let", "use", "turn", "want", "know", "think", "expect", "call",
                         "describe", "mean", "stand", "include", "involve", "cause", "lead", "result"})
_WORD_POS = {"VERB", "NOUN", "ADJ", "ADV", "PROPN"}


def predicates(asked: Asked) -> tuple[str, ...]:
    """The lemmas of the question's main event verbs: what a sentence must say happened."""
    return tuple(v for v in asked.events if v not in LIGHT_VERBS and len(v) > 2)


# Endings that make a noun of a verb: news tells an event as a noun as often as a verb ("an agreement his
# forces would not attack", "his arrest", "the killing of", "the announcement").
_NOMINAL = ("ment", "ing", "ion", "al")


def event_lemmas(doc) -> set[str]:  # doc: a spaCy Doc
    """The sentence's lemmas, with the verbs its nouns are made of ("agreement" -> "agree", "election" ->
    "elect", "arrival" -> "arrive"): what tells an event for the gate. (Not for ranking sentences: "before his
    meeting with Putin" mentions a meeting, it does not tell where it was.)"""
    lemmas = {t.lemma_.lower() for t in doc}
    for t in doc:
        lemmas |= event_lemmas_of(t)
    return lemmas


def event_lemmas_of(token) -> set[str]:  # token: a spaCy Token
    """The verbs a noun may be made of ("meeting" -> "meet", "meete"); empty for other words."""
    lemma = token.lemma_.lower()
    suffix = next((x for x in _NOMINAL if lemma.endswith(x)), "") if token.pos_ == "NOUN" else ""
    if suffix and len(lemma) - len(suffix) >= 3:
        return {lemma[: -len(suffix)], lemma[: -len(suffix)] + "e"}
    return set()


def says_event(asked: Asked, sentences: list[str], embed: Embed, cos: float, batch: int = 8) -> bool:
    """Whether any of `sentences` (best first) says the question's events: by lemma, parsing a few sentences
    at a time and stopping at the first that does (parsing and embedding every candidate's words took
    ~0.2 s of a first answer), else by word vectors at `cos` or above."""
    verbs = set(predicates(asked))
    if not verbs or not sentences:
        return bool(sentences)
    for start in range(0, len(sentences), batch):
        if any(verbs <= event_lemmas(doc) for doc in nlp.parse_many(sentences[start:start + batch])):
            return True
    return bool((predicate_match(asked, sentences, embed) >= cos).any())


def said_alike(asked: Asked, sentences: list[str], embed: Embed) -> float:
    """How close the closest of `sentences` is to the whole question, by the embedder's sentence vectors: a
    sentence that tells the asked event in other words ("changes announced today" for "Which minister unveiled the
    changes?", "went before a throng of reporters" for "speak to reporters") reads close to the question as a
    whole, where the single words are far apart ("unveil" / "announce" 0.19). The gate takes the event as told
    at the fitted `event_cos` (reader_weights.json), calibrated like its other cuts (eval/fit_reader.py)."""
    if not sentences:
        return 0.0
    return float((embed(sentences) @ embed([asked.text])[0]).max())


def count_match(asked: Asked, sentences: list[str], embed: Embed) -> float:
    """For "how many / how much" questions with an event or a counted noun ("How many people died?", "How many
    missiles ...?"): how well some number of the asked kind in `sentences` counts what is asked. Per number, the
    lesser of (a) how it is governed in the parse by the event: 1.0 by lemma, else the best cosine of the event
    verb with the words on the number's way up to the second verb above it ("killed at least 12", "12 people
    died", "injuring more than 80"); and (b) how close the noun it counts is to the counted noun: 1.0 when it
    counts the same noun or none ("killed 12"), else their cosine ("at least one of the strikes" is no count of
    missiles). 0.0 when no sentence has such a number. A number the sentence gives of something else
    ("evacuated tens of thousands of residents" in a story that also says people died, "50 nations pledged" for
    "How many attended?") answers another question. 1.0 for other questions: a place or a person hangs off any
    verb of its sentence, a count hangs off what it counts."""
    verbs = predicates(asked)
    if asked.kind != "number" or not (verbs or asked.counted) or not sentences:
        return 1.0
    ents = [ent for doc in nlp.parse_many(sentences) for ent in doc.ents if ent.label_ in asked.labels]
    if not ents:
        return 0.0
    chains = [_governing(ent.root) for ent in ents]
    nouns = [_counted_noun(ent) for ent in ents]
    words = {w for chain in chains for w in chain} | {n for n in [*nouns, asked.counted] if n}
    sims, index = _verb_sims((*verbs, *([asked.counted] if asked.counted else [])), words, embed)
    best = 0.0
    for chain, noun in zip(chains, nouns, strict=True):
        event = 1.0 if not verbs or set(verbs) & set(chain) else max(
            (float(sims[k, index[w]]) for k in range(len(verbs)) for w in chain), default=0.0)
        counts = (1.0 if not asked.counted or not noun or noun == asked.counted
                  else float(sims[len(verbs), index[noun]]))
        best = max(best, min(event, counts))
    return best


def _counted_noun(ent) -> str:  # ent: a spaCy Span
    """The noun a number counts: its head ("100 drones"), or what it is one of ("one of the strikes"); "" when it
    counts nothing the sentence names ("killed 12")."""
    root = ent.root
    while root.dep_ == "quantmod" and root.head is not root:  # "up to" in "up to 150 members" (NER splits them)
        root = root.head
    if root.dep_ == "nummod" and root.head.pos_ in ("NOUN", "PROPN"):
        return root.head.lemma_.lower()
    of = next((c for c in root.children if c.dep_ == "prep" and c.lower_ == "of"), None)
    pobj = next((c for c in of.children if c.dep_ == "pobj"), None) if of is not None else None
    return pobj.lemma_.lower() if pobj is not None and pobj.pos_ in ("NOUN", "PROPN") else ""


def _governing(token) -> list[str]:  # token: a spaCy Token
    """Lemmas of the content words above `token` in the parse, up to and including the second verb."""
    out, verbs = [], 0
    while token.head.i != token.i and verbs < 2:
        token = token.head
        if token.pos_ in _WORD_POS:
            out.append(token.lemma_.lower())
            verbs += token.pos_ == "VERB"
    return out


def _verb_sims(verbs: tuple[str, ...], words: set[str], embed: Embed) -> tuple[np.ndarray, dict[str, int]]:
    """Cosines of the event verbs' vectors with those of `words` (verbs x vocabulary) and the vocabulary index."""
    vocab = sorted(words | set(verbs))
    index = {w: i for i, w in enumerate(vocab)}
    vecs = embed(vocab)
    return vecs[[index[v] for v in verbs]] @ vecs.T, index


def predicate_match(asked: Asked, sentences: list[str], embed: Embed) -> np.ndarray:
    """Per sentence, how well its words match the question's least-matched event verb: 1.0 for the same
    lemma (or a question without event verbs), else the best cosine between the verb's vector and those of
    the sentence's content words."""
    verbs = predicates(asked)
    out = np.ones(len(sentences))
    if not verbs or not sentences:
        return out
    docs = nlp.parse_many(sentences)
    words_per = [sorted({t.lemma_.lower() for t in doc if t.pos_ in _WORD_POS and t.is_alpha and len(t) > 2}
                        | _verb_phrases(doc)) for doc in docs]
    vague = [row for row, doc in enumerate(docs) if not set(verbs) <= event_lemmas(doc)]
    sims, index = _verb_sims(verbs, {w for row in vague for w in words_per[row]}, embed)
    for row in vague:
        words = words_per[row]
        if not words:
            out[row] = 0.0
            continue
        cols = [index[w] for w in words]
        told = event_lemmas(docs[row])
        out[row] = float(np.min([1.0 if v in told else float(sims[k, cols].max()) for k, v in enumerate(verbs)]))
    return out


def _verb_phrases(doc) -> set[str]:  # doc: a spaCy Doc
    """Each verb with its object, as lemmas ("take legal action", "launch an appeal"): news tells an event as a
    light verb and a noun as often as in one verb ("sue"), and no single word of it is as close."""
    out = set()
    for t in doc:
        if t.pos_ == "VERB":
            obj = next((c for c in t.children if c.dep_ == "dobj"), None)
            if obj is not None:
                words = [w.lemma_.lower() for w in obj.subtree if w.is_alpha and not w.is_stop]
                if words:
                    out.add(" ".join([t.lemma_.lower(), *words]))
    return out


def said_of_other(asked: Asked, doc, named: list[str], nouns_only: bool = False) -> bool:  # doc: a spaCy Doc
    """Whether the sentence tells the asked event only of someone the question does not name: "When was
    Karelina arrested?" is not answered by "Karelina was swapped for Petrov, a national arrested in Cyprus in
    2023", nor "Who else did Witkoff meet?" by "a possible meeting between Putin and Trump". True when every use
    of the event (a verb, or a noun made of it) has its own subject or describes a noun ("a national arrested
    ..."), or, for a noun, names its own parties, and none of its participants (its subtree, and that noun; for a
    noun, the subject of the verb it is the object of: "Witkoff held a meeting") is one of `named` or a pronoun
    (which may be one). `nouns_only`: read the event's nouns alone."""
    verbs = set(predicates(asked))
    uses = [t for t in doc if (t.pos_ == "VERB" and t.lemma_.lower() in verbs and not nouns_only)
            or (t.pos_ == "NOUN" and event_lemmas_of(t) & verbs)]
    if not verbs or not named or not uses:
        return False
    for use in uses:
        people = [*use.subtree]
        if use.pos_ == "NOUN":
            if use.dep_ in ("dobj", "attr") and use.head.pos_ in ("VERB", "AUX"):
                people += [t for c in use.head.children if c.dep_ in SUBJECT_DEPS for t in c.subtree]
            if not any(t.pos_ == "PROPN" for t in people):
                return False  # "the meeting lasted four hours": whose meeting lies outside its own words
        elif use.dep_ in {"acl", "relcl"}:
            head = use.head  # "Abu Nidal's body, which lay ...": the body's owner is its participant too
            people += [head, *(head.head for _ in [0] if head.dep_ == "appos"),
                       *(t for c in head.children if c.dep_ in ("poss", "compound") for t in c.subtree)]
        elif not any(c.dep_ in SUBJECT_DEPS for c in use.children):
            return False  # "sentenced for donating $51": whose act it is lies outside the verb's own words
        if any(t.tag_ in ("PRP", "PRP$") for t in people):  # "his meeting with Putin" may be the named one's
            return False
        text = " ".join(t.text for t in people)
        if any(name_mentioned(n, text) for n in named):
            return False
    return True


# Kinds of answer that belong to one event: a day or a place is that of something (a number has `count_match`).
OWN_EVENT_KINDS = {"date", "place", "city"}


def named_in(asked: Asked) -> list[str]:
    """The names the question itself says (not those its compound's other part brought in)."""
    return [n for n in {*asked.names, *asked.proper} if n in asked.text]


def place_or_day_of_other(asked: Asked, doc) -> bool:  # doc: a spaCy Doc
    """For "Where / When did X ...?": whether the sentence tells the asked event only of someone else, so its
    place or day is theirs ("Karelina was swapped for Petrov, a national arrested in Cyprus" gives no place for
    "Where was Karelina arrested?"). Every reader and the short answer ask this of a sentence."""
    return asked.kind in OWN_EVENT_KINDS and said_of_other(asked, doc, named_in(asked))


def told_apart(asked: Asked, doc, spans: list[str]) -> bool:  # doc: a spaCy Doc
    """Whether the sentence tells the asked event by its lemma but none of its answer `spans` belongs to it: "Iraq
    and Russia are close to signing a $40 billion plan, Iraq's ambassador said Saturday" gives the day of the
    saying, not of the signing, for "When will Iraq and Russia sign the deal?". A span belongs to a use of the
    event (a verb, or a noun made of it) that is above it in the parse ("met with Putin ... in St. Petersburg on
    Friday") or shares its clause ("the meeting took place in Geneva"). A sentence that does not tell the event
    by its lemma is left to the other checks: news tells it in the sentence before as often as in this one."""
    verbs = set(predicates(asked))
    if asked.kind not in OWN_EVENT_KINDS or not verbs or not spans:
        return False
    # a noun of the event in a preposition's phrase is a backdrop, not the event told ("Before his meeting with
    # Putin, Witkoff first sat down with Dmitriev at the Grand Hotel Europe" tells the other meeting's place)
    uses = [t for t in doc if (t.pos_ in ("VERB", "AUX") and t.lemma_.lower() in verbs)
            or (t.pos_ == "NOUN" and t.dep_ != "pobj" and event_lemmas_of(t) & verbs)]
    if not uses:
        return False
    for text in spans:
        start = doc.text.find(text)
        span = doc.char_span(start, start + len(text), alignment_mode="expand") if start >= 0 else None
        if span is None:
            return False  # a span the parse cannot place: not for this check to refuse
        root = span.root
        if any(use in root.ancestors or _clause(use) is _clause(root) for use in uses):
            return False
    return True


def _clause(token):  # token: a spaCy Token; returns one
    """The verb heading the clause of `token` (itself for a verb; the root when there is none)."""
    while token.pos_ not in ("VERB", "AUX") and token.head is not token:
        token = token.head
    return token
