"""One analysed document per submission: every component reads it, none recomputes it.

    analyser = Analyser(RuleEngine.from_file())  # or default_analyser(): the bundled rule set, cached
    doc = analyser.analyse(Submission(text="...", title="..."))
    doc.genre, doc.body.tokens, doc.rules, doc.places, doc.style, doc.language

A `Doc` holds the submission's title and body normalised once (tokens with their spans in the original), the
body's stems, the rule matches of body and title (title spans have ``field == "title"``), the regions it names,
its style measures, its language and ONE genre, which the classifier and the quality score both use. The
feature streams the classifier reads (`word_stream`, `char_stream`, `stance_stream`) are derived here too, so
training and serving see exactly the same input.

Feature streams mask what would teach the classifier the wrong lesson: region names (a town in the training
claims is no evidence about a new text from that town) and the text of risk rules' findings (the rule carries
that cue with its declared direction; as words, "sebarkan" in the clarifications that quote chain messages
would teach the opposite).
"""

from __future__ import annotations

import math
from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import compress, count, filterfalse
from operator import itemgetter
from typing import Literal

from screening.language import LanguageGuess, detect_language
from screening.places import Place, find_places
from screening.resources import load_function_words
from screening.result import RuleMatch, Span
from screening.rules import RuleEngine
from screening.stemming import BoundedStemmer
from screening.submission import Submission
from screening.text import EMOJI_TOKEN, URL_TOKEN, NormalisedText, normalise, word_count

Genre = Literal["post", "article"]
GENRES: tuple[Genre, ...] = ("post", "article")
ARTICLE_MIN_WORDS = 100  # below this a text is screened as a short post, at or above as an article

STYLE_FEATURES: tuple[str, ...] = (
    "style:capitals_share",
    "style:exclamations_per_word",
    "style:questions_per_word",
    "style:log_words",
    "style:quotes_per_word",
    "style:links_per_word",
    "style:emoji_per_word",
    "style:starts_with_quote",
)
_QUOTES = frozenset('"“”«»')
_STYLE_TOKENS = ("!", "?", URL_TOKEN, EMOJI_TOKEN)  # the tokens the style measures count
# Rule categories whose findings are not words with a meaning of their own (shouting is capitals and "!").
_UNMASKED_CATEGORIES = frozenset({"shouting", "emotive"})
# Rule categories whose one-word cues mean the same wherever they occur (see `_cue_stems`).
_CUE_CATEGORIES = frozenset({"spread", "unverified_source", "scam", "impersonation", "health_claim"})
# Words of official region names that are not names ("Kota Bandung", "Kepulauan Riau").
_REGION_WORDS = frozenset({"kota", "kabupaten", "kab", "administrasi", "provinsi", "kepulauan", "daerah", "khusus"})
_TOKEN_START, _TOKEN_END = itemgetter(1), itemgetter(2)  # a token's original offsets


def genre_for(n_words: int) -> Genre:
    return "article" if n_words >= ARTICLE_MIN_WORDS else "post"


@dataclass(frozen=True, slots=True)
class Doc:
    """A submission analysed once."""

    submission: Submission
    body: NormalisedText
    title: NormalisedText
    n_words: int  # words as written in the body (`screening.text.word_count`)
    genre: Genre
    stems: tuple[str, ...]  # one per body token
    body_rules: tuple[RuleMatch, ...]
    title_rules: tuple[RuleMatch, ...]  # spans index the title (field "title")
    places: tuple[Place, ...]
    style: tuple[float, ...]  # aligned with STYLE_FEATURES
    language: LanguageGuess
    word_stream: str  # stems, masked: what the word n-grams read
    stance_stream: str  # function and stance words, everything else "*" or "#": framing, not topic

    @property
    def text(self) -> str:
        return self.body.original

    @property
    def char_stream(self) -> str:
        """The normalised body: what the character n-grams read."""
        return self.body.text

    @property
    def rules(self) -> tuple[RuleMatch, ...]:
        """Rule findings of body and title."""
        return self.body_rules + self.title_rules


def style_measures(body: NormalisedText, words: Sequence[str] | None = None) -> tuple[float, ...]:
    """Style of the body, aligned with STYLE_FEATURES; `words` are `body.words()` if the caller has them."""
    sample = body.original[:20_000]
    if words is None:
        words = body.words()
    n_words = max(len(words), 1)
    upper, cased = body.letter_cases
    # most texts have none of the tokens counted, nor quotes beyond ASCII: a scan of the text, in C, tells
    quotes = sample.count('"') if sample.isascii() else sum(sample.count(q) for q in _QUOTES)
    exclamations, questions, links, emoji = (words.count(t) if t in body.text else 0 for t in _STYLE_TOKENS)
    return (
        upper / cased if cased else 0.0,
        exclamations / n_words,
        questions / n_words,
        math.log1p(len(words)),
        quotes / n_words,
        links / n_words,
        emoji / n_words,
        1.0 if sample.lstrip()[:1] in _QUOTES else 0.0,
    )


def stance_word(token: str, function_words: frozenset[str]) -> str:
    """A token as the stance stream shows it: function and stance words, punctuation and placeholders stay;
    numbers become "#", every other word "*"."""
    if token in function_words or not token.isalnum() or token.endswith("token"):
        return token
    return "#" if token.isdigit() else "*"


class Analyser:
    """Analyses submissions with one rule set and one stemmer (those of the model that will score them)."""

    def __init__(self, rules: RuleEngine, *, stemmer: BoundedStemmer | None = None) -> None:
        self.rules = rules
        self.stemmer = stemmer if stemmer is not None else BoundedStemmer()
        self._function_words = load_function_words()
        self.cue_stems = _cue_stems(rules, self.stemmer, self._function_words)
        self._stance_words: dict[str, str] = {}  # token -> its stance-stream form (bounded: see `_stance_stream`)

    def analyse(self, submission: Submission) -> Doc:
        """The analysed document of a submission (checked by the caller: see `Submission.checked`)."""
        body = normalise(submission.text)
        title = normalise(submission.title)
        n_words = word_count(body)
        words = body.words()
        stems = tuple(self.stemmer.stem_tokens(words))
        body_rules = tuple(self.rules.match(body))
        title_rules = tuple(_on_title(m) for m in self.rules.match(title)) if submission.title.strip() else ()
        places = tuple(find_places(submission.text))
        kept = _kept_tokens(body, words, body_rules, places)
        return Doc(
            submission=submission,
            body=body,
            title=title,
            n_words=n_words,
            genre=genre_for(n_words),
            stems=stems,
            body_rules=body_rules,
            title_rules=title_rules,
            places=places,
            style=style_measures(body, words),
            language=detect_language(f"{submission.title}\n{submission.text}" if submission.title else submission.text),
            word_stream=" ".join(filterfalse(self.cue_stems.__contains__, compress(stems, kept))),
            stance_stream=self._stance_stream(words, kept),
        )

    def _stance_stream(self, words: list[str], kept: list[bool]) -> str:
        known = self._stance_words
        try:
            shown = list(map(known.__getitem__, words))  # the usual case: every word seen before, one pass in C
        except KeyError:
            if len(known) > 200_000:  # social-media vocabulary has no end: start again rather than grow
                known.clear()
            for word in set(filterfalse(known.__contains__, words)):
                known[word] = stance_word(word, self._function_words)
            shown = list(map(known.__getitem__, words))
        return " ".join(compress(shown, kept))

    def analyse_text(self, text: str, title: str = "") -> Doc:
        return self.analyse(Submission(text=text, title=title))


@lru_cache(maxsize=1)
def default_analyser() -> Analyser:
    """An analyser with the bundled rule set, for using a component on its own (a notebook, a benchmark, a
    test); screening analyses with its model's own rule set (`Screener.analyser`)."""
    return Analyser(RuleEngine.from_file())


def _cue_stems(rules: RuleEngine, stemmer: BoundedStemmer, function_words: frozenset[str]) -> frozenset[str]:
    """Stems of the one-word cues of the rules that mark hoaxes by their wording (calls to spread, hearsay,
    scams, impersonation, miracle cures). The word stream leaves them to their rules wherever they occur: as
    words, "sebar" in the clarifications that quote chain messages would be learnt as a sign of a genuine text."""
    stems = set()
    for rule in rules.rules:
        if rule.weight > 0 and rule.category in _CUE_CATEGORIES:
            for phrase in rule.phrases:
                if " " not in phrase and phrase.isalpha():
                    stem = stemmer.stem(phrase)
                    if stem not in function_words:
                        stems.add(stem)
    return frozenset(stems)


def _kept_tokens(
    body: NormalisedText, words: list[str], rules: tuple[RuleMatch, ...], places: tuple[Place, ...]
) -> list[bool]:
    """Per body token, False when it lies inside a risk rule's finding or names a region the text names anywhere
    (once a text says "Desa Sukamaju", a later "KIM Sukamaju" names the same place)."""
    kept = [True] * len(words)
    names = {word for p in places for word in p.name.lower().split() if word not in _REGION_WORDS}
    if names:
        for i in compress(count(), map(names.__contains__, words)):
            kept[i] = False
    spans = [(p.span.start, p.span.end) for p in places]
    spans += [
        (s.start, s.end) for m in rules if m.weight > 0 and m.category not in _UNMASKED_CATEGORIES for s in m.spans
    ]
    if spans:
        # token starts and ends both only grow, so the tokens inside a span are one run of indices (bisected on
        # the tokens themselves: a key reads only the few tokens probed)
        tokens = body.tokens
        for start, end in spans:
            first, stop = bisect_left(tokens, start, key=_TOKEN_START), bisect_right(tokens, end, key=_TOKEN_END)
            if first < stop:
                kept[first:stop] = [False] * (stop - first)
    return kept


def _on_title(match: RuleMatch) -> RuleMatch:
    return RuleMatch(
        match.rule_id,
        match.category,
        match.weight,
        match.message,
        tuple(Span(s.start, s.end, s.text, "title") for s in match.spans),
    )


STREAMS = ("word", "char", "stance")  # the feature streams of a Doc, in the order the classifier reads them


def stream_of(doc: Doc, stream: str) -> str:
    if stream == "word":
        return doc.word_stream
    if stream == "char":
        return doc.char_stream
    return doc.stance_stream
