"""What a question asks for, read from its parse: the parts of a compound question, the kind of answer
expected (a person, a place, a date, a duration, a number, an age, a reason), the named things it already
mentions and the words that say what it is about. The offline reader uses this to find the sentence that
answers (not the one that repeats the question) and to abstain. Does not look at any article.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from rag import nlp
from rag.generate.condense import CARRIED
from rag.text import content_terms

_WH = r"(?:what|which|who|whom|whose|where|when|why|how|in which|in what|by when|by how much)"
# ", and how long ..." / "; what did ..." start a second question; "X and Y meet" does not.
_SPLIT = re.compile(rf"(?:,\s*|;\s*|\s+)(?:and|but)\s+(?={_WH}\b)|;\s*(?={_WH}\b)", re.IGNORECASE)

# (how the question asks, kind, spaCy entity labels that answer it). First match wins.
_KINDS: tuple[tuple[re.Pattern[str], str, frozenset[str]], ...] = tuple(
    (re.compile(asks, re.IGNORECASE), kind, frozenset(labels.split()))
    for asks, kind, labels in (
        (r"^\s*how old\b|\b(his|her|their|the) age\b|\bage of\b", "age", "DATE CARDINAL"),
        # "What kind of embargo ...?" asks which embargo: the words that qualify it ("an arms embargo")
        (r"^\s*(in |of |for )?what (kinds?|types?|sorts?) of\b", "sort", ""),
        (r"^\s*(for |in )?how (long|many (hours|days|weeks|months|years|minutes)|much time)\b", "duration",
         "DATE TIME"),
        (r"^\s*how many times\b|\bhow often\b", "times", "CARDINAL ORDINAL"),
        (r"\bwhat time\b(?! (frame|period|span))", "date", "TIME"),  # "What time of day ...?": an hour, not a day
        (r"^\s*(in |by )?how (many|much)\b|\bwhat (number|percentage|percent|amount|share|proportion|rate|"
         r"(casualty |death |economic )?(figures?|toll|count|total|sum|price|cost))\b", "number",
         "CARDINAL QUANTITY MONEY PERCENT"),
        (r"^\s*(by |since |until )?when\b|\bwhat (day|date|year|month|time)\b|\b(in )?which (year|month|day)\b",
         "date", "DATE TIME"),
        (r"\b(in |to |from )?(which|what) (city|country|town|region|state|suburb|nation|province)\b", "city",
         "GPE"),
        (r"^\s*where\b|\b(in |to |from )?(which|what) (place|hotel|building|location|venue|port|airport)\b",
         "place", "GPE LOC FAC"),
        (r"^\s*who(m|se)?\b|\bwhat(?: is| was|[’']s) (the|his|her|their) name\b|"
         r"\b(which|what) (person|official|politician|leader|minister|man|woman|group|"
         r"organi[sz]ation|company|party|team|body|agency|country|nation)\b", "person", "PERSON ORG"),
        (r"^\s*why\b|\bwhat (was|is|were|are) the (reason|cause|motive)\b|\bfor what reason\b", "reason", ""),
    )
)
_AUX = r"did|do|does|was|were|is|are|has|have|had|will|would|can|could|should|might"
# "When Argentina's interim president quit, who did he say would take over?" asks "who": a clause before the comma
# only sets the scene for the question word after it.
# (Not "When was it signed, where ...?": a question of its own.)
_LEADING_CLAUSE = re.compile(
    rf"^\s*(?:when|while|after|before|if|once|since)\b(?!\s+(?:{_AUX})\b)[^?,]*,\s*(?={_WH}\b)", re.IGNORECASE)


def main_question(question: str) -> str:
    """`question` without a scene-setting clause before its question word (see _LEADING_CLAUSE)."""
    return _LEADING_CLAUSE.sub("", question, count=1)


# "What percentage ...?" / "By what percent ...?" is answered by a share printed as one ("25 per cent", "12%"; the
# small model tags the first as money as often as a percent): a count of something else is no share of it.
ASKS_PERCENT = re.compile(r"\bwhat (percentage|percent)\b", re.IGNORECASE)
IS_PERCENT = re.compile(r"%|\bper ?cent(age points?)?\b", re.IGNORECASE)
# Words that mark a cause in news prose, for "why" questions.
REASON_CUES = re.compile(r"\b(because|after|due to|over|amid|following|for|accused|charges?|charged|so that|"
                         r"in order to|to protest|in response|as a result|blamed)\b", re.IGNORECASE)
# Follow-up words that carry no content of their own.
_GENERIC = {"else", "other", "also", "still", "then", "exactly", "ever", "really", "thing", "happen", "do", "be",
            "have", "get", "go", "take", "make", "last"}
SUBJECT_DEPS = {"nsubj", "nsubjpass", "csubj"}  # dependency labels of a subject
# Counted or asked-about words news leaves implicit ("killed 12", "for three hours").
GENERIC_COUNTS = {"people", "person", "time", "year", "month", "week", "day", "hour", "minute", "number", "amount",
                   "name", "money"}
_NAME_LABELS = {"PERSON", "ORG", "GPE", "LOC", "FAC", "NORP", "EVENT", "WORK_OF_ART", "LAW", "PRODUCT"}
_OTHER = re.compile(r"\b(else|other|another|besides|apart from|aside from|except)\b", re.IGNORECASE)
_CHIT_CHAT = re.compile(r"^\s*(thanks?( you)?|thank you( very much)?|ok(ay)?|cool|great|nice|hi|hello|hey|bye|"
                        r"good(bye| morning| night)?|yes|no|sure|wow)\b[\s!.?]*$", re.IGNORECASE)


@dataclass(frozen=True)
class Asked:
    """What one question (or one part of a compound question) asks for."""

    text: str
    kind: str | None  # person, place, date, duration, times, number, age, sort, reason; None when unclear
    labels: frozenset[str]  # entity labels an answer of this kind carries
    names: tuple[str, ...]  # named things the question already mentions ("Steve Witkoff", "Kyiv")
    focus: tuple[str, ...]  # lemmas of the other content words (what it is about: "worth", "kill", "attack")
    is_question: bool  # False for "Thanks!", "ok": nothing to look up
    verbs: tuple[str, ...] = ()  # lemmas of its main verbs ("express" in "What did he express after ...?")
    required: tuple[str, ...] = ()  # lemmas an answer must contain: the attribute or the counted thing asked about
    role: str = ""  # "subject" when the question word is the subject ("Who won?"), "any" when the subject of a
    # passive ("Who was appointed?") or not a pronoun ("Which minister ...?"), else "object" ("Who did he meet?")
    known: tuple[str, ...] = ()  # names from earlier turns: what the question is about, and no answer to "Who else?"
    proper: tuple[str, ...] = ()  # proper nouns, whether or not NER caught them ("Zelenskyy", "Eiffel")
    events: tuple[str, ...] = ()  # lemmas of the main verb and its conjuncts: what it asks happened ("die")
    described: str = ""  # "What is the name of the biowarfare expert?": the lemma the answer is ("expert")
    titles: tuple[str, ...] = ()  # nouns describing a name it gives ("businessman" in "the businessman David Hudak")
    counted: str = ""  # "How many missiles ...?": the noun counted ("missile"); generic counts (people) are not
    head: str = ""  # "What gift ...?", "Which US airport ...?": the noun the answer is, when its kind does not say
    # it (a city is a place entity, a year a date: those are left to the kind); rag/generate/heads.py matches it
    asked_words: tuple[str, ...] = ()  # lemmas of the phrase the question word asks for ("ministerial portfolio"
    # in "What ministerial portfolios do they hold?"): what the answer is an instance of, not what it is about
    asks_other: bool = False  # "Who else ...?", "Which other ...?": the earlier turns' names are not the answer

    @property
    def wording(self) -> str:
        """The question's own words, without the names a follow-up carries after " — "."""
        return self.text.partition(CARRIED)[0]

    @property
    def taken(self) -> tuple[str, ...]:
        """Names no answer may be: the question's own, and the earlier turns' when it asks for someone else (asked
        again, "Who was she exchanged for?" is answered by the name the last answer gave)."""
        return (*self.names, *self.known) if self.asks_other else self.names


def split_compound(question: str) -> list[str]:
    """'Where did they meet, and how long did it last?' -> ['Where did they meet?', 'how long did it last?'].
    A question that is not compound comes back alone."""
    parts = [p.strip(" ,;?") for p in _SPLIT.split(question)]
    parts = [p for p in parts if len(p.split()) >= 2]
    return [p + "?" for p in parts] if len(parts) > 1 else [question]


def name_key(name: str) -> str:
    """A name without a possessive or leading article, lower-cased ("Steve Witkoff's" -> "steve witkoff")."""
    name = re.sub(r"[’']s?$", "", name.strip())
    return re.sub(r"^(the|a|an)\s+", "", name, flags=re.IGNORECASE).lower()


def name_words(name: str) -> list[str]:
    """The significant words of a name, lower-cased: three letters or more, no leading article or possessive."""
    return [w for w in re.findall(r"[\w’'-]+", name_key(name)) if len(w) >= 3]


def name_mentioned(name: str, text: str) -> bool:
    """Does `text` name `name` (any significant word of it: a surname stands for the full name; a people's
    adjective stands for its country)?"""
    low = text.lower()
    words = name_words(name)
    if not words:
        return name_key(name) in low
    if any(w in low or (name[:1].isupper() and any(s in low for s in _demonym_stems(w))) for w in words):
        return True
    return any(acronym in _initialisms(text) for acronym in re.findall(r"\b[A-Z]{3,6}\b", name))


_MINOR = {"of", "for", "the", "and", "on", "in", "de"}


def whole_name_mentioned(name: str, text: str) -> bool:
    """Does `text` name `name` as a whole: every significant word of it (not "the", "and", "for"), or its
    initials ("U.S." / "US" for "United States")? For names of one thing in several words, where one shared
    word names something else ("the Federal Government" for "the Federal Reserve")."""
    low = text.lower()
    if all(re.search(rf"\b{re.escape(w)}\b", low) for w in name_words(name) if w not in _MINOR):
        return True
    initials = "".join(w[0] for w in name.split() if w[:1].isupper())
    dotted = r"\.?".join(initials)
    return len(initials) >= 2 and bool(re.search(rf"\b{dotted}\.?(?!\w)", text))


def _initialisms(text: str) -> set[str]:
    """The initials of each stretch of a run of capitalised words in `text` ("the United Nations World Food
    Program" -> "WFP", "UNWFP", ...): news spells a body out once and uses its acronym after, or the reverse."""
    out = set()
    for run in re.findall(r"[A-Z][\w’'-]*(?:\s+(?:(?:of|for|the|and|on|in|de)\s+)*[A-Z][\w’'-]*)+", text):
        initials = "".join(w[0] for w in run.split() if w.lower() not in _MINOR)
        out.update(initials[i:j] for i in range(len(initials)) for j in range(i + 3, len(initials) + 1))
    return out


def _demonym_stems(word: str) -> list[str]:
    """The country stems a people's adjective may stand for ("nigerian" -> "nigeria", "israeli" -> "israel",
    "canadian" -> "canada", "japanese" -> "japan"); stems under five letters are dropped ("putin" is no
    demonym of "puti")."""
    stems = [word[:-1] if word.endswith(("n", "i")) else "", word[:-3] if word.endswith("ese") else "",
             word[:-3] + "a" if word.endswith("ian") else ""]
    return [s for s in stems if len(s) >= 5]


def _counted(doc) -> str:  # doc: a spaCy Doc
    """The noun "how many" counts ("How many missiles ...?" -> "missile"), unless news leaves it implicit."""
    return next((t.lemma_.lower() for t in doc if t.pos_ in ("NOUN", "PROPN")
                 and any(c.lower_ == "many" and c.dep_ == "amod" for c in t.children)
                 and t.lemma_.lower() not in GENERIC_COUNTS), "")


def _asked_phrase(doc) -> list:  # doc: a spaCy Doc; returns spaCy Tokens
    """The noun phrase the question word asks for, past its modifiers ("Which parts" in "Which parts of his body
    was he hit in?", "What ministerial portfolios"): its noun and the words before it; empty when there is none
    ("What is the population ...?"). The small model parses "Which parts ... was" with "Which" as the attribute,
    so the phrase is read from the word order: the question word, then adjectives, numbers and nouns."""
    wh = next((t for t in doc[:3] if t.tag_ in {"WDT", "WP"}), None)
    if wh is None:
        return []
    phrase = []
    for t in doc[wh.i + 1:]:
        if t.pos_ not in {"ADJ", "NUM", "NOUN", "PROPN"}:
            break
        phrase.append(t)
    nouns = [t for t in phrase if t.pos_ == "NOUN"]
    return phrase[:phrase.index(nouns[-1]) + 1] if nouns else []


def _required(doc) -> tuple[str, ...]:  # doc: a spaCy Doc
    """What must be mentioned for a sentence to answer: the attribute of "What is the population of X?" /
    "X's net worth", the counted thing of "How many children ...?" (not generic counts such as people). Not the
    noun the question word asks for: "Which parts of his body ...?" is answered by "the stomach", which is no part
    by name."""
    out = []
    asked = {t.i for t in _asked_phrase(doc)}
    for t in doc:
        if t.pos_ == "PRON" or t.i in asked:
            continue  # "What was it about Arafat that ...?": a pronoun is no attribute a sentence could print
        if t.dep_ in SUBJECT_DEPS and t.head.lemma_ == "be" and any(c.tag_ in {"WP", "WDT"} and c.dep_ == "attr"
                                                               for c in t.head.children):
            out.append(t.lemma_.lower())  # What is the value / the weather / his net worth ...
        elif any(c.lower_ in {"many", "much"} and c.dep_ == "amod" for c in t.children):
            out.append(t.lemma_.lower())  # how many children / drones / times
    out = [w for w in out if w not in GENERIC_COUNTS]
    return tuple(out)


def read_question(question: str, whole: str | None = None) -> Asked:
    """Parse `question` into what it asks for; `whole` is the compound question it is part of, whose names
    count as mentioned ("How much did Karelina donate, and where was she exchanged?")."""
    full = question  # dense and lexical similarity read the carried names too
    question, _, carried = question.partition(CARRIED)  # names a follow-up carries from earlier turns
    doc = nlp.parse(question)
    kind, labels = _kind_asked(main_question(question), (None, frozenset()))
    head = next((t.head for t in doc[:3] if t.tag_ == "WDT" and t.dep_ == "det"), None)
    named = _name_of(doc) if kind == "person" else None
    if named is not None:
        # "What is the name of the hotel / town ...?" asks what "which hotel / town" asks; of a person or a noun
        # the kinds do not list, a name (a person or an organisation)
        kind, labels = _kind_asked(f"which {named.text}", (kind, labels))
    if kind is None and head is not None:
        # "Which Canadian city ...?", "Which US official ...?" ask what "which city" / "which official" ask: the
        # parse finds the noun the question word determines past its modifiers
        kind, labels = _kind_asked(f"which {head.text}", (None, frozenset()))
    names = tuple(dict.fromkeys(
        e.text for e in doc.ents if e.label_ in _NAME_LABELS and e.text.lower() not in {"who", "what"}
    ))
    if whole and whole != question:
        names = tuple(dict.fromkeys([*names, *read_question(whole).names]))
    name_tokens = {t.i for e in doc.ents if e.label_ in _NAME_LABELS for t in e}
    focus = tuple(dict.fromkeys(
        t.lemma_.lower() for t in doc
        if t.i not in name_tokens and t.pos_ in {"NOUN", "VERB", "ADJ", "PROPN", "NUM"} and not t.is_stop
        and t.tag_ not in {"WP", "WRB", "WDT", "MD"} and t.lemma_.lower() not in _GENERIC
        and content_terms(t.text)
    ))
    is_question = not _CHIT_CHAT.match(question) and bool(names or focus or kind)
    verbs = tuple(t.lemma_.lower() for t in doc if t.pos_ == "VERB" and t.lemma_.lower() in focus)
    # The question word opens the question ("In which city", "By how much"); a later "who" is a relative pronoun.
    # Only a pronoun can be the subject itself: "which X" / "what X" leave the role to X, which the small
    # model often misparses ("What share ... do Russian forces control?": "share" as subject).
    wh = next((t for t in doc[:3] if t.tag_ in {"WP", "WP$", "WDT", "WRB"}), None)
    pronoun = wh is not None and wh.tag_ in {"WP", "WP$"}
    role = "subject" if pronoun and wh.dep_ in SUBJECT_DEPS and not _object_misread(doc, wh) else "object"
    if role == "subject" and wh.dep_ == "nsubjpass":
        role = "any"  # "Who was made leader?" is answered in either voice: "X was made leader", "appointed X"
    elif not pronoun:
        # "Which minister said ...?" is answered by the one who said it, a subject; "Which country might China send
        # it to?" by an object. The parse of "which X" cannot tell which (see above), so either role answers.
        role = "any"
    if (kind == "person" and wh is not None and wh.dep_ == "attr" and wh.head.lemma_ == "be"
            and not any(t.pos_ == "VERB" for t in doc)
            and any(c.dep_ in SUBJECT_DEPS and c.ent_type_ == "PERSON" for c in wh.head.children)):
        kind, labels = None, frozenset()  # "Who is Kirill Dmitriev?" asks what he is, not for another person
    known = tuple(n for n in carried.split(", ") if n)
    proper = tuple(dict.fromkeys(t.text for t in doc if t.pos_ == "PROPN" and len(t.text) > 2))
    # Verbs of the main clause with a subject of their own: "the crates holding the warheads found on ..."
    # describes, it does not ask; and a misparsed "olive" (ROOT, no subject, in "could olive oil prices rise")
    # is no event, while "rise" (prices rise) is.
    events = tuple(dict.fromkeys(
        t.lemma_.lower() for t in doc if t.pos_ == "VERB" and t.lemma_.lower() in verbs
        and t.dep_ in {"ROOT", "conj", "ccomp"} and any(c.dep_ in SUBJECT_DEPS for c in t.children)))
    # "the American businessman David Hudak", "Foreign Minister Lavrov": a noun the name stands beside (in
    # apposition, or as its compound) says who it is, not what the question is about ("the U.S. attempt at a
    # ceasefire" is about the attempt: no name stands beside it)
    def is_name(t) -> bool:  # t: a spaCy Token
        return t.i in name_tokens or t.pos_ == "PROPN"

    titles = tuple(dict.fromkeys(
        t.lemma_.lower() for t in doc if t.pos_ == "NOUN"
        and (any(c.dep_ == "appos" and is_name(c) for c in t.children) or (t.dep_ == "compound" and is_name(t.head)))))
    described = _described(doc) or _role_asked(doc, kind, wh)
    return Asked(full, kind, labels, names, focus, is_question, verbs, _required(doc), role, known, proper, events,
                 described, titles, _counted(doc), _head(doc, kind),
                 tuple(dict.fromkeys(t.lemma_.lower() for t in _asked_phrase(doc))), bool(_OTHER.search(question)))


# "Which city / year / official / company ...?": the kind of answer (a place, a date, a person entity) says what the
# noun asks; and "What name / kind ...?" describe the answer by another noun (`_described`).
_SAID_BY_KIND = {"place", "location", "area", "spot", "site"}


def _head(doc, kind: str | None) -> str:  # doc: a spaCy Doc
    """The noun a "What X / Which X" question asks for, unless the kind of answer already says what it is."""
    # the small model tags "What" in "What gift" as a pronoun (WP) as often as a determiner (WDT)
    head = next((t.head for t in doc[:3] if t.tag_ in ("WDT", "WP") and t.dep_ == "det"), None)
    if head is None or head.pos_ != "NOUN":
        return ""
    lemma = head.lemma_.lower()
    if lemma in _DESCRIBING or lemma in GENERIC_COUNTS or lemma in _SAID_BY_KIND:
        return ""
    said = next((k for asks, k, _ in _KINDS if asks.search(f"which {head.text}") or asks.search(f"what {head.text}")),
                None)
    # A place that is a kind of building ("Which hotel / airport ...?") is not said by a place entity alone.
    return lemma if said in (None, "place") else ""


def _kind_asked(wording: str, default: tuple[str | None, frozenset[str]]) -> tuple[str | None, frozenset[str]]:
    """(kind, entity labels) of the first of _KINDS `wording` matches; `default` when none does."""
    return next(((k, lab) for asks, k, lab in _KINDS if asks.search(wording)), default)


def _name_of(doc):  # doc: a spaCy Doc; returns a Token or None
    """The noun in "What is the name of the X ...?", if the question asks that."""
    return next((c for t in doc[:6] if t.lower_ == "name" for p in t.children if p.dep_ == "prep" and p.lower_ == "of"
                 for c in p.children if c.dep_ == "pobj" and c.pos_ == "NOUN"), None)


def _object_misread(doc, wh) -> bool:  # doc: a spaCy Doc; wh: the question word's Token
    """Whether a question word parsed as the subject is the object of a preposition left at the end ("Who was
    Karelina exchanged for?": the small model reads "Who" as a second subject), or its clause has a subject of
    its own besides it."""
    stranded = any(t.dep_ == "prep" and not any(c.dep_ in ("pobj", "pcomp") for c in t.children) for t in doc)
    other = any(c.dep_ in SUBJECT_DEPS and c.i != wh.i for c in wh.head.children)
    return stranded or other


def _role_asked(doc, kind: str | None, wh) -> str:  # doc: a spaCy Doc; wh: the question word's Token or None
    """For "Who is the principal of X?": the role the answer must be named in ("principal"): another person the
    sentence names is not X's principal."""
    if kind != "person" or wh is None or wh.dep_ != "attr" or wh.head.lemma_ != "be":
        return ""
    subject = next((c for c in wh.head.children if c.dep_ in SUBJECT_DEPS), None)
    return subject.lemma_.lower() if subject is not None and subject.pos_ == "NOUN" else ""


_DESCRIBING = {"name", "kind", "type", "sort"}


def _described(doc) -> str:  # doc: a spaCy Doc
    """The noun a "What is the name of ...?" or "What kind of ...?" question describes its answer by ("the Inuit
    hunter" -> "hunter", "what kind of embargo" -> "embargo")."""
    for t in doc:
        if t.lemma_.lower() in _DESCRIBING and t.i < 5:
            for prep in t.children:
                if prep.dep_ == "prep" and prep.lower_ == "of":
                    return next((c.lemma_.lower() for c in prep.children if c.dep_ == "pobj"), "")
    return ""
