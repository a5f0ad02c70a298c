"""Compare `screening.ecs.EcsStemmer` with PySastrawi's stemmer, word for word: the port must never differ.

The inputs: every word of the bundled word lists (hunspell-id stems, the frequent words, the precomputed stem
table with its stems, the slang lexicon's both sides, the CLICK-ID headlines' tokens), every distinct
whitespace-separated token of the training texts (claims and IndoSum, as written: case, punctuation, digits),
generated words that exercise the rules (root words with random prefixes, infixes, suffixes, particles,
reduplication, hyphens, digits and letters outside ASCII) and random strings. Each input is stemmed as text
(`stem`, which normalises it as Sastrawi does) by both stemmers with the same root words. Prints the count
of inputs and of differences per source, with examples; the exit code is 1 when any differs.

    python scripts/check_stemmer.py                 # everything (several minutes: Sastrawi is the slow one)
    python scripts/check_stemmer.py --generated 20000 --random 20000 --only generated,random
"""

from __future__ import annotations

import argparse
import csv
import itertools
import random
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from Sastrawi.Stemmer.Context.Context import Context  # noqa: E402
from Sastrawi.Stemmer.Stemmer import Stemmer  # noqa: E402

from screening.data import load_training_data  # noqa: E402
from screening.ecs import EcsStemmer  # noqa: E402
from screening.resources import RESOURCE_DIR, load_root_words  # noqa: E402
from screening.stemming import sastrawi_stemmer  # noqa: E402

# Prefixes as written before a root, with the root's first letter they replace (meny- + sapu = menyapu).
PREFIXES: tuple[tuple[str, str], ...] = (
    ("me", ""), ("mem", ""), ("mem", "p"), ("men", ""), ("men", "t"), ("meng", ""), ("meng", "k"),
    ("meny", "s"), ("menge", ""), ("be", ""), ("ber", ""), ("bel", ""), ("te", ""), ("ter", ""), ("pe", ""),
    ("per", ""), ("pem", ""), ("pem", "p"), ("pen", ""), ("pen", "t"), ("peng", ""), ("peng", "k"),
    ("peny", "s"), ("penge", ""), ("pel", ""), ("di", ""), ("ke", ""), ("se", ""), ("ku", ""), ("kau", ""),
    ("memper", ""), ("diper", ""), ("keber", ""), ("seper", ""), ("ter", "r"), ("ber", "r"),
)  # fmt: skip
PRECEDENCE_PREFIXES = ("be", "ber", "me", "mem", "men", "meng", "meny", "di", "pe", "per", "pen", "peng", "te", "ter")
SUFFIXES: tuple[str, ...] = (
    "kan", "an", "i", "is", "isme", "isasi", "lah", "kah", "tah", "pun", "nya", "ku", "mu", "k",
    "-nya", "-ku", "-mu", "-lah", "-kah", "-pun", "--lah", "-", "ikan", "kannya", "annya",
)  # fmt: skip
INFIXES: tuple[str, ...] = ("er", "el", "em", "in")
# Letters Sastrawi's normalisation keeps (the long s and dotless i fold to s and i), drops or splits on.
ODD_LETTERS: tuple[str, ...] = ("ſ", "ı", "İ", "K", "é", "ß", "ñ", "Ａ", "²", "ǅ", "ü", "’", "_", ".", "'")
RANDOM_ALPHABET = "aaaeeeiiioouubcdfgghjkkllmmnnnpprrrsssttwyzqvx-0"
# The beginnings Sastrawi's prefix rules look at, and what may follow them (single letters of each class the
# rules test, the "er" of rules 2-9 and 23-36, the infixes of rules 37-40).
RULE_HEADS: tuple[str, ...] = (
    "ber", "be", "bel", "belajar", "te", "ter", "me", "mem", "memp", "mempe", "men", "meng", "menge", "meny",
    "pe", "per", "pem", "pen", "peng", "penge", "peny", "pel", "pelajar", "di", "ke", "se", "ku", "kau", "",
)  # fmt: skip
RULE_CLASSES: dict[str, tuple[str, ...]] = {
    "V": tuple("aiueo"),
    "C": tuple("bcdfghjklmnpqstvwxyz"),
    "r": ("r",),
    "er": ("er",),
    "other": ("-", "2", "ſ", "el", "em", "in", "ng", "ny"),
}
RULE_PIECES: tuple[str, ...] = (
    "a", "e", "i", "o", "u", "a", "e", "i", "r", "r", "er", "er", "er", "el", "em", "in", "b", "c", "d", "f", "g",
    "h", "j", "k", "l", "m", "n", "p", "q", "s", "t", "v", "w", "x", "y", "z", "ng", "ny", "2", "-", "ſ",
)  # fmt: skip


def bundled_words() -> dict[str, list[str]]:
    """The words of the bundled lists, one source each."""
    sources: dict[str, list[str]] = {}

    def column(name: str, *, sep: str = "\t", columns: tuple[int, ...] = (0,)) -> list[str]:
        words = []
        with open(RESOURCE_DIR / name, encoding="utf-8") as f:
            for line in f:
                if line.startswith("#"):
                    continue
                parts = line.rstrip("\n").split(sep)
                words.extend(parts[i] for i in columns if i < len(parts) and parts[i])
        return words

    sources["words_id_hunspell.txt"] = column("words_id_hunspell.txt")
    sources["words_id_common.tsv"] = column("words_id_common.tsv")
    sources["stems_id.tsv (words and stems)"] = column("stems_id.tsv", columns=(0, 1))
    with open(RESOURCE_DIR / "slang_formal.csv", encoding="utf-8", newline="") as f:
        rows = list(csv.DictReader(f))
    sources["slang_formal.csv (both sides)"] = [r["slang"] for r in rows] + [r["formal"] for r in rows]
    with open(RESOURCE_DIR / "click_id.csv", encoding="utf-8", newline="") as f:
        sources["click_id.csv tokens"] = [t for r in csv.DictReader(f) for t in r["title"].split()]
    sources["Sastrawi root words"] = sorted(load_root_words())
    return sources


def training_tokens(directory: Path = ROOT / "training_data") -> list[str]:
    """Every whitespace-separated token of the training titles and texts, as written."""
    tokens: set[str] = set()
    for row in load_training_data(directory):
        tokens.update(row.title.split())
        tokens.update(row.text.split())
    return sorted(tokens)


def generated_words(roots: Iterable[str], count: int, seed: int = 0) -> list[str]:
    """Root words with random affixes, reduplication, hyphens, digits and letters outside ASCII."""
    rng = random.Random(seed)
    pool = sorted(roots)
    words: list[str] = []

    def affixed(root: str) -> str:
        word = root
        for _ in range(rng.choice((0, 1, 1, 1, 2))):
            if rng.random() < 0.15:
                infix = rng.choice(INFIXES)
                word = word[:1] + infix + word[1:]
            prefix, dropped = rng.choice(PREFIXES)
            word = prefix + (word[1:] if dropped and word.startswith(dropped) else word)
        for _ in range(rng.choice((0, 1, 1, 2, 3))):
            word += rng.choice(SUFFIXES)
        return word

    while len(words) < count:
        root = rng.choice(pool)
        shape = rng.random()
        if shape < 0.4:
            word = affixed(root)
        elif shape < 0.6:  # the shapes that try prefixes first: be-lah, be-an, me-i, di-i, pe-i, ter-i
            prefix = rng.choice(PRECEDENCE_PREFIXES)
            ends = ("lah", "an", "kan", "annya", "i") if prefix.startswith("be") else ("i", "i", "ilah", "an", "kan")
            word = prefix + root + rng.choice(ends)
        elif shape < 0.75:  # reduplication: buku-buku, berbalas-balasan, meniru-nirukan, x-x-nya
            left, right = affixed(root), rng.choice((root, affixed(root), root[1:], affixed(root[1:])))
            word = f"{left}-{right}"
            if rng.random() < 0.3:
                word += rng.choice(("-nya", "-ku", "-lah", "-pun", "-" + affixed(root)))
        elif shape < 0.9:  # noise inside a word
            word = affixed(root)
            at = rng.randrange(len(word) + 1)
            noise = rng.choice(("-", "--", "2", "0", " ", rng.choice(ODD_LETTERS), rng.choice(ODD_LETTERS) * 2))
            word = word[:at] + noise + word[at:]
            if rng.random() < 0.2:
                word = word.upper() if rng.random() < 0.5 else word.capitalize()
        else:  # short words and fragments
            word = rng.choice(("", "-", "ku", "mu", "di", "se", "ke", "ber", "pe", "me")) + root[: rng.randint(0, 3)]
            word += rng.choice(("", "-", "lah", "kan", "i", "-ku", "nya"))
        words.append(word)
    return words


def random_strings(count: int, seed: int = 1) -> list[str]:
    """Random strings, mostly over Indonesian-looking letters, some with letters outside ASCII."""
    rng = random.Random(seed)
    strings = []
    for _ in range(count):
        n = rng.randint(1, 14)
        if rng.random() < 0.9:
            s = "".join(rng.choice(RANDOM_ALPHABET) for _ in range(n))
        else:
            s = "".join(rng.choice(RANDOM_ALPHABET + "".join(ODD_LETTERS)) for _ in range(n))
        if rng.random() < 0.4:
            s = rng.choice(("me", "men", "meng", "meny", "mem", "pe", "per", "peng", "ber", "ter", "di", "ke")) + s
        strings.append(s)
    return strings


def rule_strings(roots: Iterable[str], count: int, seed: int = 2) -> list[str]:
    """Strings made to reach Sastrawi's prefix rules: up to three rule beginnings, then letters of the classes
    the rules test and often a root word (whole, or with its first letter dropped or changed as a prefix
    does), so that the rules' root-word tests meet both outcomes."""
    rng = random.Random(seed)
    pool = sorted(roots)
    strings = []
    for _ in range(count):
        s = "".join(rng.choice(RULE_HEADS) for _ in range(rng.choice((1, 1, 2, 3))))
        s += "".join(rng.choice(RULE_PIECES) for _ in range(rng.randint(0, 5)))
        if rng.random() < 0.6:
            root = rng.choice(pool)
            s += rng.choice((root, root[1:], rng.choice(("k", "ng", "ny", "s", "p", "m", "n", "t", "r")) + root[1:]))
        strings.append(s)
    return strings


def rule_shapes(roots: Iterable[str], *, classes: int = 4, with_roots: bool = True, seed: int = 3) -> list[str]:
    """Every rule beginning followed by every sequence of up to `classes` letter classes the rules test (vowel,
    consonant, r, "er", other), each class drawn at random, bare and (`with_roots`) followed by a root word:
    the exact lengths at which a rule starts or stops applying, which random strings rarely hit."""
    rng = random.Random(seed)
    pool = sorted(roots)
    shapes = []
    for head in RULE_HEADS:
        for k in range(classes + 1):
            for sequence in itertools.product(RULE_CLASSES, repeat=k):
                s = head + "".join(rng.choice(RULE_CLASSES[c]) for c in sequence)
                shapes.append(s)
                if with_roots:
                    root = rng.choice(pool)
                    shapes.append(s + rng.choice((root, root[1:])))
    return shapes


def step_differences(words: Iterable[str], ours: EcsStemmer, sastrawi: Stemmer) -> list[tuple]:
    """(step, word, ours, Sastrawi's) for each word whose prefix removal (as for a long and as for a short word)
    or suffix removal differs: the steps compared alone, before the root-word tests of the whole stemmer
    hide most of their results."""
    diffs = []
    for word in dict.fromkeys(words):
        for step, short in (("prefixes", False), ("prefixes, short word", True), ("suffixes", False)):
            context = Context(word, sastrawi.dictionary, sastrawi.visitor_provider)
            context.process_is_stopped = short
            if step == "suffixes":
                context.remove_suffixes()
                mine = ours.remove_suffixes(word)
            else:
                context.remove_prefixes()
                mine = ours.remove_prefixes(word, short)
            if mine != context.current_word:
                diffs.append((step, word, mine, context.current_word))
    return diffs


def differences(words: Iterable[str], stem: Callable[[str], str], reference: Callable[[str], str]) -> list[tuple]:
    """(word, ours, reference) for each distinct word where the two stems differ."""
    return [(w, ours, ref) for w in dict.fromkeys(words) if (ours := stem(w)) != (ref := reference(w))]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--generated", type=int, default=200_000, help="generated affixed words (default 200,000)")
    parser.add_argument("--random", type=int, default=100_000, help="random strings (default 100,000)")
    parser.add_argument("--rules", type=int, default=100_000, help="random rule strings (default 100,000)")
    parser.add_argument("--only", default="", help="comma-separated: lists, training, generated, random, rules")
    args = parser.parse_args()
    only = set(filter(None, args.only.split(",")))

    roots = load_root_words()
    ours, sastrawi = EcsStemmer(roots), sastrawi_stemmer()
    sources: dict[str, list[str]] = {}
    stepped: set[str] = set()  # sources whose prefix and suffix removal are also compared alone
    if not only or "lists" in only:
        sources.update(bundled_words())
    if not only or "training" in only:
        sources["training_data tokens"] = training_tokens()
    if not only or "generated" in only:
        sources["generated affixed words"] = generated_words(roots, args.generated)
        stepped.add("generated affixed words")
    if not only or "random" in only:
        sources["random strings"] = random_strings(args.random)
    if not only or "rules" in only:
        sources["rule shapes"] = rule_shapes(roots)
        sources["random rule strings"] = rule_strings(roots, args.rules)
        stepped.update(("rule shapes", "random rule strings"))

    total_words = total_diffs = 0
    for name, words in sources.items():
        start = time.process_time()
        diffs = differences(words, ours.stem, sastrawi.stem)
        if name in stepped:
            diffs += step_differences(words, ours, sastrawi)
        distinct = len(dict.fromkeys(words))
        total_words += distinct
        total_diffs += len(diffs)
        steps = " (stems, prefix and suffix removal)" if name in stepped else ""
        print(
            f"{name}: {distinct:,} distinct inputs{steps}, {len(diffs):,} differ ({time.process_time() - start:.1f} s)"
        )
        for diff in diffs[:10]:
            print("    " + ", ".join(map(repr, diff)))
    print(f"total: {total_diffs:,} differences on {total_words:,} inputs")
    return 1 if total_diffs else 0


if __name__ == "__main__":
    sys.exit(main())
