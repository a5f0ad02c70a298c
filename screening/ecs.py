"""Sastrawi's Indonesian stemmer (Enhanced Confix Stripping) written as straight code.

PySastrawi runs every rule through a visitor object, builds a `Removal` object for every affix it strips and
matches each rule with `re.match(pattern_string, ...)` through the regular-expression cache, which makes a
word it has not seen cost about half a millisecond. `EcsStemmer` is the same algorithm with string tests in
place of the regular expressions and with the stemming context kept in local variables: it returns exactly
Sastrawi's stem for every input, given the same root words (`scripts/check_stemmer.py` compares the two on
every bundled word list, the training texts and generated affix combinations).

The steps, as in Sastrawi's `Stemmer` and `Context` (Nazief & Adriani; Asian 2007 "CS"; Arifin et al.
"ECS"): a root word is returned as it is; otherwise the suffixes are removed (particle -lah/-kah/-tah/-pun,
possessive -ku/-mu/-nya, derivational -i/-kan/-an/-is/-isme/-isasi), then up to three prefixes, each by the
first of the disambiguation rules that applies; words of the shapes be-lah, be-an, me-i, di-i, pe-i and
ter-i try prefixes before suffixes first; when nothing reaches a root word the removed suffixes are put back
one at a time ("loop pengembalian akhiran", -kan also as -k) and the prefixes are tried again. Reduplicated
words ("buku-buku", "berbalas-balasan", "meniru-nirukan") are stemmed half by half. Sastrawi's quirks are
kept on purpose, because the stems must not change: a word of three letters or fewer only loses a particle
and plain prefixes (its "don't stem short words" step stops the visitor loops after their first visitor
rather than the whole process); a rule group whose last rule does not apply removes nothing even when an
earlier rule of the group did (pengV: peng-V and peng-kV count only when they reach a root word).

Ported from PySastrawi 1.2.1 (https://github.com/har07/PySastrawi), a Python port of Andy Librian's Sastrawi;
used under the MIT licence, Copyright (c) 2016 Hanif Amal Robbani (the licence text ships with the PySastrawi
package, a dependency of Saring, and is quoted in `resources/SOURCES.md`).
"""

from __future__ import annotations

import re
from collections.abc import Iterable

_VOWELS = frozenset("aiueo")
_CONSONANTS = frozenset("bcdfghjklmnpqrstvwxyz")
_CONSONANTS_NOT_R = frozenset("bcdfghjklmnpqstvwxyz")  # rules 5 and 9
_CONSONANTS_35 = frozenset("bcdfghjkpqstvxz")  # rules 35 and 36: not r, w, y, l, m, n
_LETTERS = frozenset("abcdefghijklmnopqrstuvwxyz")
_LETTERS_19 = frozenset("abcdfghijklmopqrstuvwxyz")  # rule 19: neither e nor n, as Sastrawi writes it
_LRWY = frozenset("lrwy")
_BFV = frozenset("bfv")
_CDJSTZ = frozenset("cdjstz")
_GHQK = frozenset("ghqk")
_WY = frozenset("wy")

_PARTICLES = frozenset(("lah", "kah", "tah", "pun"))
_PLURAL_SUFFIXES = frozenset(("ku", "mu", "nya", "lah", "kah", "tah", "pun"))
_PLAIN_PREFIXES = frozenset(("di", "ke", "se"))

# Sastrawi's TextNormalizer: the same expressions with the same flags, so that letters outside ASCII that
# fold to a-z under IGNORECASE (the long s, the dotless i) are kept exactly as it keeps them.
_NOT_KEPT = re.compile(r"[^a-z0-9 -]", re.IGNORECASE | re.MULTILINE)
_SPACES = re.compile(r"( +)", re.IGNORECASE | re.MULTILINE)
_ALREADY_NORMAL = re.compile(r"[a-z0-9-]+")


def normalize_text(text: str) -> str:
    """Sastrawi's text normalisation: lower case, anything but a-z, digits, space and hyphen to a space."""
    if _ALREADY_NORMAL.fullmatch(text):
        return text
    return _SPACES.sub(" ", _NOT_KEPT.sub(" ", text.lower())).strip()


def _precedence_adjustment(word: str) -> bool:
    """Sastrawi's PrecedenceAdjustmentSpecification: ^be.*lah$, ^be.*an$, ^me.*i$, ^di.*i$, ^pe.*i$, ^ter.*i$."""
    n = len(word)
    head = word[:2]
    if head == "be":
        return (n >= 5 and word.endswith("lah")) or (n >= 4 and word.endswith("an"))
    if head in ("me", "di", "pe"):
        return n >= 3 and word[-1] == "i"
    return n >= 4 and word[-1] == "i" and word.startswith("ter")


def _remove_particle(word: str) -> str | None:
    """-*(lah|kah|tah|pun)$ (hyphens before the particle go with it)."""
    if word[-3:] in _PARTICLES:
        return word[:-3].rstrip("-")
    return None


def _remove_possessive(word: str) -> str | None:
    """-*(ku|mu|nya)$."""
    if word.endswith("nya"):
        return word[:-3].rstrip("-")
    tail = word[-2:]
    if tail == "ku" or tail == "mu":
        return word[:-2].rstrip("-")
    return None


def _derivational_suffix_length(word: str) -> int:
    """Length of the suffix (is|isme|isasi|i|kan|an)$ removes: the leftmost match, so the longest that fits."""
    if word.endswith("isasi"):
        return 5
    if word.endswith("isme"):
        return 4
    if word.endswith("kan"):
        return 3
    if word.endswith("is") or word.endswith("an"):
        return 2
    if word.endswith("i"):
        return 1
    return 0


class EcsStemmer:
    """Sastrawi's `Stemmer` over a fixed set of root words, without its per-step objects.

    `stem` takes any text, as `Sastrawi.Stemmer.Stemmer.stem` does; `stem_word` one normalised word."""

    def __init__(self, root_words: Iterable[str]) -> None:
        # ArrayDictionary ignores empty and blank words.
        self.roots = frozenset(w for w in root_words if w and w.strip())

    def stem(self, text: str) -> str:
        """The stems of the words of `text`, joined by single spaces (Sastrawi's `Stemmer.stem`)."""
        normal = normalize_text(text)
        if " " not in normal:
            return self.stem_word(normal)
        return " ".join([self.stem_word(w) for w in normal.split(" ")])

    def stem_word(self, word: str) -> str:
        """The stem of one normalised word, reduplicated or not (Sastrawi's `Stemmer.stem_word`)."""
        if "-" in word and self._is_plural(word):
            return self._stem_plural(word)
        return self._stem_singular(word)

    @staticmethod
    def _is_plural(word: str) -> bool:
        # ^(.*)-(ku|mu|nya|lah|kah|tah|pun)$: a clitic after the last hyphen does not make a word plural.
        head, _, tail = word.rpartition("-")
        if tail in _PLURAL_SUFFIXES:
            return "-" in head
        return True

    def _stem_plural(self, plural: str) -> str:
        first, _, second = plural.rpartition("-")
        if second in _PLURAL_SUFFIXES and "-" in first:  # malaikat-malaikat-nya -> malaikat, malaikat-nya
            first, _, middle = first.rpartition("-")
            second = middle + "-" + second
        root1 = self._stem_singular(first)
        root2 = self._stem_singular(second)
        if root2 == second and second not in self.roots:  # meniru-nirukan -> tiru
            root2 = self._stem_singular("me" + second)
        return root1 if root1 == root2 else plural

    def _stem_singular(self, word: str) -> str:
        """Sastrawi's `Context.execute` for one word."""
        roots = self.roots
        if word in roots:
            return word
        short = len(word) <= 3  # DontStemShortWord: only the first visitor of each loop runs

        if _precedence_adjustment(word):
            current = self.remove_prefixes(word, short)
            if current in roots:
                return current
            current = self.remove_suffixes(current, short)
            if current in roots:
                return current

        removals: list[tuple[str, str, bool]] = []  # (word before, word after, the suffix was -kan)
        current = self.remove_suffixes(word, short, removals)
        if current in roots:
            return current
        current = self.remove_prefixes(current, short)
        if current in roots:
            return current

        # Loop pengembalian akhiran: put the suffixes back, last removed first, and try the prefixes again.
        for before, after, was_kan in reversed(removals):
            if was_kan:
                current = self.remove_prefixes(after + "k", short)
                if current in roots:
                    return current
            current = self.remove_prefixes(before, short)
            if current in roots:
                return current
        return word

    def remove_suffixes(
        self, word: str, short: bool = False, removals: list[tuple[str, str, bool]] | None = None
    ) -> str:
        """The particle, then the possessive, then the derivational suffix, stopping at a root word (Sastrawi's
        `Context.remove_suffixes`); each removal is added to `removals` as (before, after, it was -kan)."""
        roots = self.roots
        stripped = _remove_particle(word)
        if stripped is not None:
            if removals is not None:
                removals.append((word, stripped, False))
            word = stripped
        if short or word in roots:
            return word
        stripped = _remove_possessive(word)
        if stripped is not None:
            if removals is not None:
                removals.append((word, stripped, False))
            word = stripped
            if word in roots:
                return word
        length = _derivational_suffix_length(word)
        if length:
            stripped = word[:-length]
            if removals is not None:
                removals.append((word, stripped, length == 3))  # only -kan is 3 letters long
            word = stripped
        return word

    def remove_prefixes(self, word: str, short: bool = False) -> str:
        """Up to three prefixes, each by the first rule that removes one (Sastrawi's `Context.remove_prefixes`;
        `short`: the word being stemmed has three letters or fewer, so only di-, ke- and se- go)."""
        roots = self.roots
        for _ in range(3):
            if word[:2] in _PLAIN_PREFIXES:
                word = word[2:]
            elif short or word in roots:
                return word
            else:
                stripped = self._disambiguate(word)
                if stripped is None:
                    return word
                word = stripped
            if word in roots:
                return word
        return word

    def _disambiguate(self, w: str) -> str | None:
        """The first of Sastrawi's prefix rules 1-42 that removes a prefix from `w` (not a root word).

        A rule group with alternatives keeps the first result that is a root word, else its last rule's."""
        roots = self.roots
        n = len(w)
        c0 = w[:1]
        if c0 == "b":
            if w.startswith("ber") and n > 3:
                c3 = w[3]
                if c3 in _VOWELS:  # rule 1: ber-V | be-rV
                    rest = w[3:]
                    return rest if rest in roots else "r" + rest
                if n > 4 and c3 in _CONSONANTS and w[4] in _LETTERS:
                    if not w.startswith("er", 5):  # rule 2: ber-CAP, P not er
                        return w[3:]
                    # rule 3: ber-CAerV, C not r
                    if n > 7 and w[7] in _VOWELS and c3 != "r":
                        return w[3:]
            elif w == "belajar":  # rule 4
                return "ajar"
            # rule 5: be-C1erC2, C1 not r
            if n > 5 and w[1] == "e" and w[2] in _CONSONANTS_NOT_R and w.startswith("er", 3) and w[5] in _CONSONANTS:
                return w[2:]
        elif c0 == "t":
            if w.startswith("ter") and n > 3:
                c3 = w[3]
                if c3 in _VOWELS:  # rule 6: ter-V | te-rV
                    rest = w[3:]
                    return rest if rest in roots else "r" + rest
                if c3 in _CONSONANTS and c3 != "r":
                    if not w.startswith("er", 4):  # rule 8: ter-CP, C not r, P not er
                        return w[3:]
                    if n > 6 and w[6] in _VOWELS:  # rule 7: ter-CerV, C not r
                        return w[3:]
            # rule 9: te-C1erC2, C1 not r
            if n > 5 and w[1] == "e" and w[2] in _CONSONANTS_NOT_R and w.startswith("er", 3) and w[5] in _CONSONANTS:
                return w[2:]
            # rule 35: ter-C1erC2, C1 not r, w, y, l, m, n
            if (
                n > 6
                and w.startswith("ter")
                and w[3] in _CONSONANTS_35
                and w.startswith("er", 4)
                and w[6] in _CONSONANTS
            ):
                return w[3:]
        elif c0 == "m" and n > 2 and w[1] == "e":
            stripped = self._disambiguate_me(w, n)
            if stripped is not None:
                return stripped
        elif c0 == "p" and n > 2 and w[1] == "e":
            stripped = self._disambiguate_pe(w, n)
            if stripped is not None:
                return stripped
        # rules 37-40: C-er-V, C-el-V, C-em-V, C-in-V (infixes); the "a" rule of each keeps the word itself,
        # which is never a root word here, so the "b" rule's result stands.
        if n > 3 and c0 in _CONSONANTS and w[3] in _VOWELS and w[1:3] in ("er", "el", "em", "in"):
            return c0 + w[3:]
        if c0 == "k":
            if w.startswith("ku"):  # rule 41
                return w[2:]
            if w.startswith("kau"):  # rule 42
                return w[3:]
        return None

    def _disambiguate_me(self, w: str, n: int) -> str | None:
        """Rules 10-19 (me-), in Sastrawi's order."""
        roots = self.roots
        c2 = w[2]
        c3 = w[3] if n > 3 else ""
        if c3 and c2 in _LRWY and c3 in _VOWELS:  # rule 10: me-{l,r,w,y}V
            return w[2:]
        if c2 == "m" and c3:
            if c3 in _BFV:  # rule 11: mem-{b,f,v}
                return w[3:]
            if c3 == "p" and w.startswith("e", 4):  # rule 12: mem-pe
                return w[3:]
            if c3 in _VOWELS:  # rule 13: me-mV | me-pV
                rest = w[3:]
                return "m" + rest if "m" + rest in roots else "p" + rest
        if c2 == "n" and c3:
            if c3 in _CDJSTZ:  # rule 14: men-{c,d,j,s,t,z}
                return w[3:]
            if c3 in _VOWELS:  # rule 15: me-nV | me-tV
                rest = w[3:]
                return "n" + rest if "n" + rest in roots else "t" + rest
            if c3 == "g" and n > 4:
                c4 = w[4]
                if c4 in _GHQK:  # rule 16: meng-{g,h,q,k}
                    return w[4:]
                if c4 in _VOWELS:  # rule 17: meng-V | meng-kV | menge- | me-ngV
                    rest = w[4:]
                    if rest in roots:
                        return rest
                    if "k" + rest in roots:
                        return "k" + rest
                    if c4 == "e" and w[5:] in roots:
                        return w[5:]
                    return "ng" + rest
            if c3 == "y" and n > 4 and w[4] in _VOWELS:  # rule 18: me-nyV | meny-sV
                rest = w[4:]
                return "ny" + rest if "ny" + rest in roots else "s" + rest
        if c2 == "m" and c3 == "p" and n > 4 and w[4] in _LETTERS_19:  # rule 19: mem-pA, A not e
            return w[3:]
        return None

    def _disambiguate_pe(self, w: str, n: int) -> str | None:
        """Rules 20-36 (pe-), in Sastrawi's order."""
        roots = self.roots
        c2 = w[2]
        c3 = w[3] if n > 3 else ""
        if c3 and c2 in _WY and c3 in _VOWELS:  # rule 20: pe-{w,y}V
            return w[2:]
        if c2 == "r" and c3:
            if c3 in _VOWELS:  # rule 21: per-V | pe-rV
                rest = w[3:]
                return rest if rest in roots else w[2:]
            if n > 4 and c3 in _CONSONANTS and w[4] in _LETTERS:
                if not w.startswith("er", 5):  # rule 23: per-CAP, P not er
                    return w[3:]
                if n > 7 and w[7] in _VOWELS and c3 != "r":  # rule 24: per-CAerV, C not r
                    return w[3:]
        if c2 == "m" and c3:
            if c3 in _BFV:  # rule 25: pem-{b,f,v}
                return w[3:]
            if c3 in _VOWELS:  # rule 26: pe-mV | pe-pV
                rest = w[3:]
                return "m" + rest if "m" + rest in roots else "p" + rest
        if c2 == "n" and c3:
            if c3 in _CDJSTZ:  # rule 27: pen-{c,d,j,s,t,z}
                return w[3:]
            if c3 in _VOWELS:  # rule 28: pe-nV | pe-tV
                rest = w[3:]
                return "n" + rest if "n" + rest in roots else "t" + rest
            if c3 == "g" and n > 4:
                c4 = w[4]
                if c4 in _CONSONANTS:  # rule 29: peng-C
                    return w[4:]
                if c4 in _VOWELS:  # rule 30: peng-V | peng-kV | penge-; only penge- stands when neither is a root
                    rest = w[4:]
                    if rest in roots:
                        return rest
                    if "k" + rest in roots:
                        return "k" + rest
                    if c4 == "e":
                        return w[5:]
            if c3 == "y" and n > 4 and w[4] in _VOWELS:  # rule 31: pe-nyV | peny-sV
                rest = w[4:]
                return "ny" + rest if "ny" + rest in roots else "s" + rest
        if w == "pelajar":  # rule 32: pe-lV, pelajar -> ajar
            return "ajar"
        if c3 and c2 == "l" and c3 in _VOWELS:
            return w[2:]
        if c2 in _CONSONANTS and not w.startswith("er", 3):  # rule 34: pe-CP, P not er
            return w[2:]
        # rule 36: pe-C1erC2, C1 not r, w, y, l, m, n
        if n > 5 and c2 in _CONSONANTS_35 and w.startswith("er", 3) and w[5] in _CONSONANTS:
            return w[2:]
        return None
