"""Indonesian word lists for the spelling check: what is a word, which list knows it, and what was meant.

The lists (compiled by ``scripts/build_lexicon.py``, origin and licences in ``resources/SOURCES.md``):

- ``common``: frequent written words, most frequent first (wordfreq's Indonesian list and the training
  outlets of IndoSum), each marked standard or only common (loanwords, acronyms used as words);
- ``roots``: Sastrawi's root words and the stems of hunspell-id, reached from a derived form by stripping
  Indonesian affixes (``menyelesaikannya`` -> ``selesai``);
- ``foreign``: frequent English words, for loanwords and quotations ("smartphone", "mainstream");
- ``extra``: words of community news the frequency lists miss ("posyandu", "stunting", "bumdes");
- ``corrections``: common non-standard forms and their KBBI form (``kerjasama`` -> ``kerja sama``);
- ``di_phrases``: how often professional news writes "di W" apart and "diW" together, which tells the
  preposition from the passive prefix.

Suggestions are the known words one edit away (a letter missing, extra, wrong, or two letters swapped),
ranked by frequency and by how likely that kind of slip is, plus a split into two known words.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass
from functools import cached_property, lru_cache

from screening.resources import RESOURCE_DIR, load_root_words

ALPHABET = "abcdefghijklmnopqrstuvwxyz"
_PARTICLES = ("lah", "kah", "tah", "pun")
_POSSESSIVES = ("nya", "ku", "mu")
_SUFFIXES = ("kan", "an", "i")
_ENDINGS = _PARTICLES + _POSSESSIVES + _SUFFIXES
_MIN_ROOT = 3
# a root reached by stripping affixes is at least this long: short roots ("tah", "mas") would make far too many
# misspellings look like derived words ("penah", "masi")
_MIN_DERIVED_ROOT = 4
# three-letter roots that do form derived words ("berada", "mengajukan", "diisi", "perairan"); one-syllable
# roots after menge-/penge- ("pengecatan") and a listed word with only -nya/-ku/-mu ("busnya") pass as well
_SHORT_ROOTS = frozenset({"ada", "aju", "isi", "air", "api", "bom", "cat", "tik", "las", "pel", "sah", "ban", "bor"})
# neighbouring keys on a QWERTY keyboard: a substitution between them is a likely slip
_ROWS = ("qwertyuiop", "asdfghjkl", "zxcvbnm")
_KEY_POS = {c: (r, i) for r, row in enumerate(_ROWS) for i, c in enumerate(row)}


def _adjacent(a: str, b: str) -> bool:
    pa, pb = _KEY_POS.get(a), _KEY_POS.get(b)
    return pa is not None and pb is not None and abs(pa[0] - pb[0]) <= 1 and abs(pa[1] - pb[1]) <= 1


# letter -> the other letters next to it on the keyboard: the substitutions `edit_kind` calls "near"
_NEAR_KEYS = {a: "".join(b for b in ALPHABET if b != a and _adjacent(a, b)) for a in ALPHABET}


def edits1(word: str) -> list[str]:
    """Every string one deletion, transposition (of two different letters), substitution or insertion of a
    letter away from `word` (some more than once)."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    deletes = [a + b[1:] for a, b in splits if b]
    transposes = [a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]]
    replaces = [a + c + b[1:] for a, b in splits if b for c in ALPHABET if c != b[0]]
    inserts = [a + c + b for a, b in splits for c in ALPHABET]
    return deletes + transposes + replaces + inserts


def edit_kind(word: str, candidate: str) -> str:
    """What the writer of `word` got wrong if they meant `candidate` (one edit away); weighs the ranking."""
    if len(candidate) < len(word):
        return "extra"  # the writer typed a letter too many
    if len(candidate) > len(word):
        return "missing"
    i = next(k for k, (a, b) in enumerate(zip(word, candidate, strict=True)) if a != b)
    swapped = candidate[i : i + 2] == word[i + 1 : i + 2] + word[i : i + 1]
    if swapped and candidate[i + 2 :] == word[i + 2 :]:
        return "swap"
    return "near" if _adjacent(candidate[i], word[i]) else "wrong"


# log-odds of each kind of slip (deletions and swaps are what hurried typing produces most)
_KIND_PRIOR = {"missing": 0.0, "swap": 0.0, "extra": -0.3, "near": -0.5, "wrong": -1.5}


@lru_cache(maxsize=1)
def load_corrections() -> dict[str, str]:
    """Non-standard form -> KBBI form (``kbbi_corrections.csv``)."""
    with open(RESOURCE_DIR / "kbbi_corrections.csv", encoding="utf-8", newline="") as f:
        return {row["wrong"].strip(): row["right"].strip() for row in csv.DictReader(f)}


@dataclass(frozen=True)
class Lexicon:
    """The word lists, loaded once (`load_lexicon`)."""

    rank: dict[str, int]  # common words -> frequency rank (0 = most frequent)
    standard: frozenset[str]  # words a dictionary accepts (common words marked S, roots, stems)
    roots: frozenset[str]  # Sastrawi roots and hunspell-id stems
    extra: frozenset[str]  # community-news words (words_id_extra.txt)
    foreign: frozenset[str]  # English words (loanwords, quotations); accepted, never suggested
    di_roots: frozenset[str]  # stems hunspell-id allows with the passive prefix di-
    corrections: dict[str, str]
    di_apart: dict[str, int]  # W -> times professional news writes "di W"
    di_joined: dict[str, int]  # W -> times it writes "diW"
    # listed words that need no further look when written in lower case: the spelling check's fast path
    plain: frozenset[str] = frozenset()
    # what a word may reduce to, roots and common words in one set: most forms tried are neither, and a miss in one
    # set costs half of a miss in two
    reducible_to: frozenset[str] = frozenset()

    def root_of(self, word: str) -> str | None:
        """A root `word` reduces to by stripping affixes, or None. "di"/"ke" + a bare noun is no word."""
        return self._roots(word)

    @cached_property
    def _roots(self) -> Callable[[str], str | None]:
        # the unlisted words of one text recur in the next (derived forms the lists lack, names written in lower
        # case): their affix analysis is remembered. Suggestions ask `_root_of` itself about their many candidates.
        return lru_cache(maxsize=20_000)(self._root_of)

    def _root_of(self, word: str) -> str | None:
        reducible_to = self.reducible_to
        for stem, suffix in _without_suffixes(word):
            for root, prefixes in _without_prefixes(stem):
                if root not in reducible_to:
                    continue
                if len(root) < _MIN_DERIVED_ROOT and root != word and not self._short_root_ok(root, prefixes, suffix):
                    continue
                if prefixes and not _allowed(prefixes, suffix=suffix, di_verb=root in self.di_roots):
                    continue
                if not prefixes and suffix and suffix not in _SUFFIX_WITH[""]:
                    continue
                return root
        return None

    def _short_root_ok(self, root: str, prefixes: tuple[str, ...], suffix: str) -> bool:
        if len(root) < _MIN_ROOT:
            return False
        if root in _SHORT_ROOTS or (prefixes and prefixes[-1].endswith("nge")):
            return True
        return not prefixes and not suffix and self.rank.get(root, 10**9) < 10_000

    def known(self, word: str) -> bool:
        """True when any list knows `word` (directly or as a derived form of a root)."""
        if word in self.rank or word in self.standard or word in self.extra or word in self.foreign:
            return True
        return self.root_of(word) is not None

    def is_standard(self, word: str) -> bool:
        """True when a dictionary (not only frequency) vouches for `word`."""
        return word in self.standard or self.root_of(word) is not None

    def frequency_score(self, word: str) -> float:
        rank = self.rank.get(word)
        if rank is not None:
            return -math.log(rank + 50.0)
        return -math.log(len(self.rank) + 50.0) - 1.0  # known only through its root: rarer than any listed word

    @cached_property
    def di_joinable(self) -> frozenset[str]:
        """Words W that "di W" should be written "diW": a standard word, written together far more often."""
        return frozenset(
            w[2:]
            for w in self.standard
            if w.startswith("di")
            and w[2:] not in self.corrections
            and 3 * self.di_apart.get(w[2:], 0) <= self.di_joined.get(w[2:], 0)
        )

    @cached_property
    def suggestible(self) -> frozenset[str]:
        """Words a suggestion may offer: common, standard and community-news words (not foreign ones)."""
        return frozenset(self.rank) | self.standard | self.extra

    def suggest(self, word: str, *, limit: int = 3) -> list[str]:
        """Likely intended words for the unknown `word`, best first (may be empty)."""
        return list(self._suggestions(word, limit))

    @cached_property
    def _suggestions(self) -> Callable[[str, int], tuple[str, ...]]:
        # names and habitual misspellings recur from one submission to the next: a third of unknown words need
        # the affix analysis of every likely slip (about 2 ms a word)
        return lru_cache(maxsize=20_000)(self._suggest)

    def _suggest(self, word: str, limit: int) -> tuple[str, ...]:
        candidates = [c for c in edits1(word) if len(c) >= 2]
        known = self.suggestible.intersection(candidates)
        scored = {c: self.frequency_score(c) + _KIND_PRIOR[edit_kind(word, c)] for c in known}
        if not scored:
            # derived forms missing from the lists ("menyelesaikn"): ask the affix analysis, on the likelier slips.
            # None of them is listed, so they score alike but for the kind of slip: asked best first (the order of
            # the ranking below), the first `limit` derived forms are the ones that can be suggested. One without
            # a prefix or a suffix would have to be listed itself to have a root.
            for candidate in _likely_edits(word):
                affixed = candidate[:2] in _PREFIX_STARTS or candidate.endswith(_ENDINGS)
                if affixed and self._root_of(candidate) is not None:
                    scored[candidate] = self.frequency_score(candidate) + _KIND_PRIOR[edit_kind(word, candidate)]
                    if len(scored) == limit:
                        break
        for i in range(_MIN_ROOT, len(word) - 1):
            left, right = word[:i], word[i:]
            if left in self.rank and right in self.rank and len(right) >= 2:
                score = self.frequency_score(left) + self.frequency_score(right) + 4.0
                scored[f"{left} {right}"] = max(score, scored.get(f"{left} {right}", -math.inf))
        return tuple(w for w, _ in sorted(scored.items(), key=lambda kv: (-kv[1], kv[0]))[:limit])


def _likely_edits(word: str) -> list[str]:
    """The strings one likely slip away from `word` (not a far substitution: `edit_kind` "wrong"), of at least two
    letters, in the order a suggestion ranks unlisted words: by `_KIND_PRIOR`, then alphabetically."""
    splits = [(word[:i], word[i:]) for i in range(len(word) + 1)]
    missing = {a + c + b for a, b in splits for c in ALPHABET}
    swapped = {a + b[1] + b[0] + b[2:] for a, b in splits if len(b) > 1 and b[0] != b[1]}
    extra = {a + b[1:] for a, b in splits if b}
    near = {a + c + b[1:] for a, b in splits if b for c in _NEAR_KEYS.get(b[0], "")}
    groups = (missing | swapped, extra, near)  # priors 0.0, -0.3, -0.5
    return [c for group in groups for c in sorted(group) if len(c) >= 2]


_VOWELS = frozenset("aeiou")
# how every prefix `_one_prefix` strips begins: a word that begins otherwise has no prefix
_PREFIX_STARTS = frozenset({"di", "ke", "se", "te", "be", "pe", "me"})
# which prefix may follow which ("memper-", "diper-", "berke-", "keber-", "terse-"); anything else is no word
_NEXT_PREFIX = {
    "me": ("per", "pe"),
    "di": ("per", "pe"),
    "ber": ("ke", "pe", "per", "se"),
    "ter": ("per", "pe", "se"),
    "ke": ("ber", "ter", "pe", "per", "se"),
    "se": ("pe", "per", "ke"),
    "pe": ("per",),
    "per": ("ke",),
}
# which derivational suffix a first prefix takes: "berdatangan", "pembangunan", "kesehatan", but no "me-an",
# "di-an" or "pe-kan"
_SUFFIX_WITH = {
    "": ("kan", "an", "i"),
    "me": ("kan", "i"),
    "di": ("kan", "i"),
    "ter": ("kan", "i"),
    "ber": ("kan", "an"),
    "per": ("kan", "an", "i"),
    "pe": ("an",),
    "ke": ("an",),
    "se": ("an", "nya"),
}


def _allowed(prefixes: tuple[str, ...], *, suffix: str, di_verb: bool) -> bool:
    """Whether affixes can stand together on a root: "dirumah" is "di rumah", "diberbagai" is "di berbagai"."""
    prefixes = tuple(p.removesuffix("nge") for p in prefixes)
    first = prefixes[0] if prefixes else ""
    for a, b in zip(prefixes, prefixes[1:], strict=False):
        if b not in _NEXT_PREFIX.get(a, ()):
            return False
    if suffix and suffix not in _SUFFIX_WITH.get(first, ()):
        return False
    if first == "di" and len(prefixes) == 1 and not suffix:
        return di_verb  # only a verb root takes di- bare ("dibawa")
    if first == "ke" and len(prefixes) == 1:
        return suffix == "an"  # the ke-an confix ("kesehatan"); "kerumah" is "ke rumah"
    return True


def _without_suffixes(word: str) -> list[tuple[str, str]]:
    """`word` and the forms left by removing particle, possessive and derivational suffixes (with the latter)."""
    forms = [(word, "")]
    if not word.endswith(_ENDINGS):
        return forms
    for group, derivational in ((_PARTICLES, False), (_POSSESSIVES, False), (_SUFFIXES, True)):
        more: list[tuple[str, str]] = []
        for form, suffix in forms:
            if not form.endswith(group):  # one call in C for the usual form, which ends in none of them
                continue
            for s in group:
                if form.endswith(s) and len(form) - len(s) >= _MIN_ROOT:
                    more.append((form[: -len(s)], s if derivational else suffix))
        forms.extend(more)
    return forms


def _nasal(prefix: str, word: str) -> list[tuple[str, str]]:
    """me-/pe- with their nasal forms (mem-, men-, meng-, meny-, menge-), restoring the root's first sound."""
    rest = word[2:]
    out: list[tuple[str, str]] = []
    head = rest[:1]
    if rest.startswith("nge") and len(rest) > 4:
        out.append((prefix + "nge", rest[3:]))  # mengebom, pengecatan: a one-syllable root
    if rest.startswith("ng"):
        after = rest[2:]
        if after[:1] in _VOWELS or after[:1] in ("g", "h", "k"):
            out.append((prefix, after))  # menggali, menghitung, mengambil
        if after[:1] in _VOWELS:
            out.append((prefix, "k" + after))  # mengirim (kirim)
    elif rest.startswith("ny"):
        if rest[2:3] in _VOWELS:
            out.append((prefix, "s" + rest[2:]))  # menyapu (sapu)
        out.append((prefix, rest))  # menyanyi (nyanyi)
    elif head == "m":
        after = rest[1:]
        if after[:1] in ("b", "f", "v") or (after[:1] == "p" and after[1:2] in ("r", "l")):
            out.append((prefix, after))  # membeli, memfitnah, memproduksi
        if after[:1] in _VOWELS:
            out += [(prefix, "p" + after), (prefix, rest)]  # memukul (pukul), memakan (makan)
    elif head == "n":
        after = rest[1:]
        if after[:1] in ("c", "d", "j", "z") or after[:2] in ("sy", "tr"):
            out.append((prefix, after))  # mencari, mendengar, menjual, mensyukuri, mentransfer
        if after[:1] in _VOWELS:
            out += [(prefix, "t" + after), (prefix, rest)]  # menulis (tulis), menanti (nanti)
    elif head in ("l", "r", "w", "y"):
        out.append((prefix, rest))  # melihat, merasa, mewarnai, meyakini
    return out


# `_one_prefix` reads no further than this into a word, and its length only as "longer than 6"
_PREFIX_HEAD = 7


def _one_prefix(word: str) -> Sequence[tuple[str, str]]:
    """(prefix, rest) for every way one Indonesian prefix can come off `word`."""
    if len(word) <= _PREFIX_HEAD:
        return _head_prefixes(word)
    # what comes off depends on the first letters alone: a rest is the head's rest and the word after the head
    tail = word[_PREFIX_HEAD:]
    return [(prefix, rest + tail) for prefix, rest in _head_prefixes(word[:_PREFIX_HEAD])]


@lru_cache(maxsize=20_000)
def _head_prefixes(word: str) -> tuple[tuple[str, str], ...]:
    out: list[tuple[str, str]] = []
    for prefix in ("di", "ke", "se"):
        if word.startswith(prefix):
            out.append((prefix, word[2:]))
    for prefix in ("ter", "ber", "per"):
        if word.startswith(prefix):
            out.append((prefix, word[3:]))
            if word[3:4] != "r":
                out.append((prefix, "r" + word[3:]))  # te-/be-/pe- before r: "terasa" (rasa), "berenang"
    if word.startswith(("bel", "pel")) and word[3:].startswith("ajar"):
        out.append(("ber" if word[0] == "b" else "per", word[3:]))
    if word.startswith(("beker", "beter")):
        out.append(("ber", word[2:]))  # bekerja, beternak
    if word.startswith("me"):
        out += _nasal("me", word)
    elif word.startswith("pe"):
        out += _nasal("pe", word)
    return tuple(out)


def _without_prefixes(word: str, depth: int = 3) -> Iterator[tuple[str, tuple[str, ...]]]:
    """`word` and what is left after up to `depth` prefixes, with the prefixes."""
    yield word, ()
    if depth == 0 or word[:2] not in _PREFIX_STARTS:
        return
    for prefix, rest in _one_prefix(word):
        if len(rest) >= _MIN_ROOT:
            for root, prefixes in _without_prefixes(rest, depth - 1):
                yield root, (prefix, *prefixes)


@lru_cache(maxsize=1)
def load_lexicon() -> Lexicon:
    """Read the compiled word lists once (about 0.1 s; the service does it while warming up)."""
    rank: dict[str, int] = {}
    standard: set[str] = set()
    with open(RESOURCE_DIR / "words_id_common.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            word, _, mark = line.rstrip("\n").partition("\t")
            rank[word] = len(rank)
            if mark == "S":
                standard.add(word)
    stems: set[str] = set()
    di_roots: set[str] = set()
    with open(RESOURCE_DIR / "words_id_hunspell.txt", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            stem, _, marks = line.rstrip("\n").partition("\t")
            stems.add(stem)
            if "d" in marks:
                di_roots.add(stem)
    di_apart: dict[str, int] = {}
    di_joined: dict[str, int] = {}
    with open(RESOURCE_DIR / "di_phrases_id.tsv", encoding="utf-8") as f:
        for line in f:
            if line.startswith("#"):
                continue
            word, apart, joined = line.rstrip("\n").split("\t")
            di_apart[word], di_joined[word] = int(apart), int(joined)
    extra = {w.strip() for w in (RESOURCE_DIR / "words_id_extra.txt").read_text("utf-8").splitlines() if w.strip()}
    foreign = [w for w in (RESOURCE_DIR / "words_en.txt").read_text("utf-8").splitlines() if not w.startswith("#")]
    roots = load_root_words() | stems
    corrections = load_corrections()
    listed = set(rank) | standard | roots | extra | set(foreign)
    apart_written = {
        "di" + w for w, n in di_apart.items() if n >= 5 and di_joined.get(w, 0) * 5 < n
    }  # listed, but the news writes them apart ("dilantai")
    return Lexicon(
        rank=rank,
        standard=frozenset(standard | roots),
        roots=frozenset(roots),
        extra=frozenset(w for w in extra if not w.startswith("#")),
        foreign=frozenset(foreign),
        di_roots=frozenset(di_roots),
        corrections=corrections,
        di_apart=di_apart,
        di_joined=di_joined,
        plain=frozenset(listed - set(corrections) - apart_written),
        reducible_to=frozenset(roots.union(rank)),
    )
