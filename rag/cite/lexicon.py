"""The small, documented word lists the support checks (rag.cite.checks) rely on.

Every list is closed and short on purpose: a paraphrase counts only through a synonym listed here (or the
same lemma or stem), so what the verifier accepts can be read in one screen. Words are spaCy lemmas,
lower case. Does not contain any scoring logic.
"""

from __future__ import annotations

# Negation cues; their syntactic head (and its complement) is negated.
NEGATIONS = frozenset({"not", "n't", "never", "no", "nor", "neither", "without", "nobody", "nothing", "none",
                       "cannot"})
# Verbs whose complement is negated: "refused to recognize" = did not recognize.
NEGATING_VERBS = frozenset({"refuse", "refusal", "deny", "denial", "reject", "rejection", "decline", "fail", "rule"})
# Words that make a quote negative without a negation cue (so a negative claim may rest on them).
NEGATIVE_WORDS = frozenset({"refuse", "refused", "denied", "rejected", "declined", "failed", "ruled", "unable",
                            "lack", "lacked", "absent", "unless"})
# Hedges: a quote that hedges a verb the claim uses must keep some hedge in the claim.
HEDGES = frozenset({"could", "may", "might", "would", "should", "if", "possibly", "possible", "likely",
                    "unlikely", "expect", "expected", "seem", "appear", "reportedly", "allegedly", "depend",
                    "perhaps", "maybe", "hope", "plan", "poise", "propose", "suggest", "consider", "potential",
                    "potentially", "see", "want", "intend", "aim", "seek", "try", "probably", "believe", "whether",
                    "claim", "allege"})
# Universal quantifiers a claim may not add.
UNIVERSALS = frozenset({"all", "every", "everyone", "everybody", "everything", "always", "each", "entire",
                        "whole", "only", "none", "nobody", "nothing", "never", "any"})
# Unit and time words: they must be stated exactly (no stem or synonym latitude beyond the lemma).
UNITS = frozenset({
    "second", "minute", "hour", "day", "week", "month", "year", "decade", "century", "morning", "afternoon",
    "evening", "night", "tonight", "today", "yesterday", "tomorrow", "monday", "tuesday", "wednesday",
    "thursday", "friday", "saturday", "sunday", "weekend", "january", "february", "march", "april", "june",
    "july", "august", "september", "october", "november", "december", "percent", "per", "cent", "dollar",
    "euro", "pound", "ruble", "rouble", "kilometre", "kilometer", "km", "mile", "metre", "meter", "ton",
    "tonne", "kilogram", "billion", "million", "thousand", "hundred", "trillion", "next", "last", "previous",
    "early", "late", "recent", "recently", "ago", "earlier", "later",
})
# Pairs a claim may not swap (both directions are added below).
_ANTONYM_PAIRS = (
    ("increase", "decrease"), ("rise", "fall"), ("raise", "lower"), ("win", "lose"), ("accept", "reject"),
    ("approve", "reject"), ("allow", "ban"), ("allow", "forbid"), ("guilty", "innocent"), ("open", "close"),
    ("start", "end"), ("begin", "end"), ("agree", "disagree"), ("confirm", "deny"), ("support", "oppose"),
    ("before", "after"), ("more", "less"), ("more", "fewer"), ("high", "low"), ("higher", "lower"),
    ("up", "down"), ("arrest", "release"), ("release", "detain"), ("free", "imprison"), ("succeed", "fail"),
    ("success", "failure"), ("include", "exclude"), ("increase", "cut"), ("gain", "loss"), ("strong", "weak"),
    ("positive", "negative"), ("legal", "illegal"), ("import", "export"), ("buy", "sell"), ("enter", "leave"),
    ("north", "south"), ("east", "west"), ("first", "last"), ("large", "small"), ("major", "minor"),
    ("ally", "enemy"), ("victory", "defeat"), ("attack", "defend"), ("future", "past"), ("new", "old"),
    ("early", "late"), ("public", "private"), ("domestic", "foreign"), ("majority", "minority"),
    ("resign", "appoint"), ("hire", "fire"), ("lift", "impose"), ("productive", "unproductive"),
    ("recognize", "reject"), ("welcome", "condemn"), ("praise", "criticize"), ("praise", "criticise"),
)
ANTONYMS: dict[str, set[str]] = {}
for _a, _b in _ANTONYM_PAIRS:
    ANTONYMS.setdefault(_a, set()).add(_b)
    ANTONYMS.setdefault(_b, set()).add(_a)

# Synonym groups: a claim word counts as stated when the quote has a word of the same group. Kept to
# near-exact equivalents in news prose; a group never joins words that differ in polarity, modality or
# role (so "say" and "announce" stay apart: announcing is a stronger claim than saying).
_SYNONYM_GROUPS = (
    {"say", "state", "tell"},
    {"talk", "negotiation", "negotiate"},
    {"meet", "meeting", "sit"},
    {"die", "dead", "death", "kill"},
    {"exchange", "swap", "trade"},
    {"free", "release"},
    {"jail", "prison", "imprison"},
    {"sentence", "jail"},
    {"invasion", "invade"},
    {"war", "conflict"},
    {"president", "leader"},
    {"russian", "russia"},
    {"ukrainian", "ukraine"},
    {"american", "u.s.", "us", "united", "america"},
    {"british", "uk", "britain"},
    {"australian", "australia"},
    {"chinese", "china"},
    {"american", "u.s"},
    {"envoy", "representative"},
    {"official", "officer"},
    {"help", "assist", "assistance", "aid"},
    {"accept", "agree"},
    {"pledge", "promise", "commit"},
    {"urge", "call", "press"},
    {"criticize", "criticise", "condemn"},
    {"plane", "aircraft", "jet"},
    {"arrest", "detain", "detention"},
    {"ceasefire", "truce"},
    {"fund", "money", "funding"},
    {"child", "kid"},
    {"big", "large"},
    {"rise", "increase", "grow"},
    {"fall", "drop", "decline"},
    {"begin", "start", "launch"},
    {"end", "finish", "conclude"},
    {"show", "reveal", "indicate"},
    {"announce", "declare"},
    {"visit", "travel", "trip", "go", "fly"},
    {"travel", "trip", "journey"},
    {"donate", "donation", "give"},
    {"accuse", "charge", "accusation"},
    {"annex", "annexation", "seize"},
    {"agreement", "deal", "accord"},
    {"government", "administration"},
    {"country", "nation", "state"},
    {"people", "person"},
    {"police", "officer"},
    {"fire", "blaze", "bushfire"},
    {"firefighter", "firefighters"},
    {"previous", "last"},
)
SYNONYMS: dict[str, set[str]] = {}
for _group in _SYNONYM_GROUPS:
    for _w in _group:
        SYNONYMS.setdefault(_w, set()).update(_group - {_w})


def synonyms(lemma: str) -> set[str]:
    """The listed synonyms of `lemma` (empty when it has none)."""
    return SYNONYMS.get(lemma, set())


# Metonyms of news prose: a capital or seat of government for its country. A capital and its country stand for
# each other as the one acting ("Washington would not continue" for "the U.S."); a seat of government (SEATS)
# names one body of the state, so it counts for a quote's other member only when the cited passage uses the
# claim's form too (rag.cite.aliases).
_METONYM_GROUPS = (
    {"russia", "moscow", "kremlin"},
    {"ukraine", "kyiv", "kiev"},
    {"united states", "u.s.", "us", "washington", "white house", "america"},
    {"iraq", "baghdad"},
    {"china", "beijing"},
    {"australia", "canberra"},
    {"britain", "uk", "london", "downing street"},
    {"iran", "tehran"},
    {"israel", "jerusalem"},
    {"france", "paris", "elysee"},
    {"germany", "berlin"},
    {"japan", "tokyo"},
    {"india", "new delhi"},
    {"pakistan", "islamabad"},
    {"afghanistan", "kabul"},
    {"north korea", "pyongyang"},
    {"south korea", "seoul"},
    {"saudi arabia", "riyadh"},
)
SEATS = frozenset({"kremlin", "white house", "downing street", "elysee"})
METONYMS: dict[str, set[str]] = {}
for _group in _METONYM_GROUPS:
    for _w in _group:
        METONYMS.setdefault(_w, set()).update(_group - {_w})

# Reporting verbs: for the role check, "X said" in a claim must match the quote's speaker.
REPORTING = frozenset({"say", "tell", "state", "announce", "claim", "add", "note", "call", "describe", "warn",
                       "insist", "argue", "report", "confirm", "deny"})
# Verbs done together: "A met with B" means B met too.
SYMMETRIC = frozenset({"meet", "talk", "negotiate", "agree", "speak", "sit", "exchange", "clash", "fight"})
# Words that carry no checkable content (they appear around facts without stating them).
LIGHT_WORDS = frozenset({"say", "tell", "state", "report", "according", "accord", "also", "article", "news", "recently",
                         "currently", "reportedly", "specifically", "additionally", "however", "meanwhile",
                         "thing", "way", "time", "include", "mention", "note", "make", "take", "get", "go",
                         "do", "have", "be", "become", "well", "just", "even", "still", "there", "here",
                         "then", "so", "very", "really", "actually", "already", "this", "that", "other",
                         "such", "what", "which", "who", "whom", "how", "when", "where", "why", "both",
                         "the", "of", "and", "add", "explain", "describe"})
# Honorifics ignored when matching person names.
TITLES = frozenset({"mr", "mrs", "ms", "dr", "president", "prime", "minister", "secretary", "general", "sir",
                    "envoy", "spokesperson", "spokesman", "spokeswoman", "senator", "governor", "mr.", "mrs.",
                    "ms.", "dr.", "former", "u.s.", "special", "russian", "ukrainian", "foreign"})
# Titles and ranks two different actors may share: no agreement on who acted ("Prince William told" is not
# "Prince Harry told"; "US President Bush" is not "South African President Mbeki"). Used by the role check.
RANKS = TITLES | frozenset({"prince", "princess", "king", "queen", "mayor", "chief", "deputy", "leader", "captain",
                            "ambassador", "lord", "lady", "judge", "pope"})
# A rate, however it is said ("thousands a week" = "every week" = "per week"): the words before its unit, and the
# units (the entity check reads a claim's "every week", the quantifier check a claim's "every" that only says one).
RATE_WORDS = ("a", "an", "every", "each", "per")
RATE_UNITS = "day|week|month|year|hour"
NUMBER_WORDS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5", "six": "6", "seven": "7",
                "eight": "8", "nine": "9", "ten": "10", "eleven": "11", "twelve": "12", "twenty": "20",
                "thirty": "30", "forty": "40", "fifty": "50", "hundred": "100", "dozen": "12", "once": "1",
                "twice": "2", "third": "3", "fourth": "4", "fifth": "5"}
# spaCy's small model lemmatises a few news words oddly; map them to the lemma a reader means.
# ... and a few inflected forms its lemmatiser gets wrong ("hoped" -> "hop").
FORM_LEMMAS = {"hoped": "hope", "hoping": "hope"}
# Contracted verbs the small model lemmatizes as the apostrophe when it is typographic ("it’s" -> "’"); the
# straight forms it reads right. Only as verbs: "’s" is also the possessive. ("’d" is "had" or "would".)
CONTRACTIONS = {"’s": "be", "’re": "be", "’m": "be", "’ve": "have", "’ll": "will"}
LEMMA_FIXES = {"talks": "talk", "forces": "force", "u.s.": "u.s.", "data": "data", "n't": "not", "ca": "can"}
