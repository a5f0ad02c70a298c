"""Declarative screening rules: load a versioned YAML rule set, match it against a normalised text.

Each rule has one matcher:

- ``phrases``: plain Indonesian phrases, normalised at load time with the same `normalise()` as the text
  (so slang variants match for free) and found with one Aho-Corasick automaton at token boundaries;
- ``regex``: a regular expression (RE2 syntax, matched in linear time, so no text can stall the engine)
  on the normalised text (token boundaries enforced), or with ``on: original`` on the text as written
  (capitals, shortened links, "!!!");
- ``measure``: a measured feature of the original text (share of capital letters, number of "!",
  number of emoji runs) compared with ``threshold``.

A rule may also carry ``unless`` (a phrases or regex matcher): the rule does not fire when that matcher
finds anything, e.g. an authority named in a message that also links to an official ``.go.id`` page. A phrases
or normalised-text regex rule may list ``not_after`` / ``not_before`` phrases: a hit right after (before) one of
them is not a finding (``"...," katanya`` is a quote's attribution, not hearsay).

One finding per span: a span that an earlier rule of the file already reported (any overlap within a
category, the very same span across categories) is not reported again.

``weight`` is the rule's prior effect on the risk in log-odds for one finding; the fitted combiner reads
`RuleEngine.features` (one per rule) and is pulled toward these weights, so data moves a rule only as far as it
has evidence. Every span of a `RuleMatch` indexes the original text.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ahocorasick
import re2
import yaml

from screening.errors import RulesError
from screening.native import native_calls
from screening.result import RuleMatch, Span
from screening.text import EMOJI_TOKEN, NormalisedText, normalise

DEFAULT_RULES_PATH = Path(__file__).resolve().parent / "rules.yaml"

# A rule reports at most this many spans: enough for an editor, bounded on pathological input.
MAX_SPANS_PER_RULE = 20
# Counts above this add no information to the combiner features.
FEATURE_COUNT_CAP = 10
_FEATURE_VALUES = [math.log2(1 + n) for n in range(FEATURE_COUNT_CAP + 1)]  # a rule's feature by its findings

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")
_RE2_OPTIONS = re2.Options()
_RE2_OPTIONS.log_errors = False  # a malformed pattern is reported as a RulesError, not on stderr
_RULE_KEYS = frozenset(
    {
        "id",
        "category",
        "weight",
        "message",
        "phrases",
        "regex",
        "on",
        "measure",
        "threshold",
        "min_letters",
        "ignore_case",
        "unless",
        "not_after",
        "not_before",
        "description",
    }
)
_MATCHER_KEYS = ("phrases", "regex", "measure")
_WORD_RE = re.compile(r"[^\W\d_]{3,}")
_EXCLAMATION_MARKS = ("!", "\uff01", "\u2757", "\u2755")
_EXCLAMATION_RE = re.compile(f"[{''.join(_EXCLAMATION_MARKS)}]+")


@dataclass(frozen=True, slots=True)
class _Regex:
    """An RE2 pattern; on the normalised text it is wrapped so that it starts and ends at token boundaries."""

    pattern: Any  # re2 compiled pattern
    on_original: bool


@dataclass(frozen=True, slots=True)
class _Measure:
    name: str
    threshold: float
    min_letters: int


@dataclass(frozen=True, slots=True)
class Rule:
    """One loaded rule. ``phrases`` holds the normalised phrases; exactly one matcher is set."""

    id: str
    category: str
    weight: float
    message: str
    phrases: tuple[str, ...] = ()
    regex: _Regex | None = None
    measure: _Measure | None = None
    unless_phrases: tuple[str, ...] = ()
    unless_regex: _Regex | None = None
    not_after: tuple[str, ...] = ()
    not_before: tuple[str, ...] = ()


# -- measures ---------------------------------------------------------------------------------------------


def _caps_share(doc: NormalisedText, min_letters: int, threshold: float) -> tuple[float, list[tuple[int, int]]]:
    upper, cased = doc.letter_cases
    if cased < max(min_letters, 1):
        return 0.0, []
    share = upper / cased
    if share < threshold:
        return share, []  # the rule does not fire: skip finding the spans
    return share, [m.span() for m in _WORD_RE.finditer(doc.original) if m.group().isupper()]


def _exclamation_count(doc: NormalisedText, min_letters: int, threshold: float) -> tuple[float, list[tuple[int, int]]]:
    count = sum(map(doc.original.count, _EXCLAMATION_MARKS))  # in C: the runs' lengths add up to this
    if count < threshold:
        return float(count), []  # the rule does not fire: skip finding the spans
    return float(count), [m.span() for m in _EXCLAMATION_RE.finditer(doc.original)]


def _emoji_count(doc: NormalisedText, min_letters: int, threshold: float) -> tuple[float, list[tuple[int, int]]]:
    """Number of emoji symbols (a run of three counts three); spans are the emoji runs."""
    if EMOJI_TOKEN not in doc.text:  # in C: most texts have no emoji token
        return 0.0, []
    spans = [(t.start, t.end) for t in doc.tokens if t.text == EMOJI_TOKEN]
    count = sum(1 for s, e in spans for c in doc.original[s:e] if unicodedata.category(c) == "So" or ord(c) >= 0x1F000)
    return float(count), spans


_MEASURES: dict[str, Callable[[NormalisedText, int, float], tuple[float, list[tuple[int, int]]]]] = {
    "caps_share": _caps_share,
    "exclamation_count": _exclamation_count,
    "emoji_count": _emoji_count,
}


# -- loading ----------------------------------------------------------------------------------------------


class _Loader(yaml.SafeLoader):
    """YAML 1.2-style booleans: only true/false, so the rule key ``on:`` stays the string "on"."""


_Loader.yaml_implicit_resolvers = {
    first: [(tag, rx) for tag, rx in resolvers if tag != "tag:yaml.org,2002:bool"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}
_Loader.add_implicit_resolver(
    "tag:yaml.org,2002:bool", re.compile(r"^(?:true|True|TRUE|false|False|FALSE)$"), list("tTfF")
)


def _fail(rule_id: str, field: str, problem: str) -> RulesError:
    return RulesError(f"rule {rule_id!r}, field {field!r}: {problem}")


def _compile_regex(rule_id: str, field: str, raw: Any, on: Any, ignore_case: Any) -> _Regex:
    if not isinstance(raw, str) or not raw:
        raise _fail(rule_id, field, "must be a non-empty string")
    if on not in ("normalised", "original"):
        raise _fail(rule_id, "on", f"must be 'normalised' or 'original', got {on!r}")
    if not isinstance(ignore_case, bool):
        raise _fail(rule_id, "ignore_case", "must be true or false")
    on_original = on == "original"
    try:
        re2.compile(raw, _RE2_OPTIONS)
    except re2.error as exc:
        problem = exc.args[0].decode() if exc.args and isinstance(exc.args[0], bytes) else str(exc)
        hint = "; RE2 has no lookaround or backreferences: use not_after/not_before" if "(?" in raw else ""
        raise _fail(rule_id, field, f"invalid regular expression ({problem}){hint}") from None
    if on_original:
        pattern = re2.compile(f"(?i:{raw})" if ignore_case else raw, _RE2_OPTIONS)
    else:
        # searched in the UTF-8 bytes of the normalised text; the match is group 1, and `_regex_hits` gives
        # the consumed boundary spaces back so that adjacent matches can share one
        pattern = re2.compile(f"(?:^| )({raw})(?: |$)".encode(), _RE2_OPTIONS)
    if on_original and pattern.search("") is not None:
        raise _fail(rule_id, field, "matches the empty string")
    return _Regex(pattern, on_original)


def _normalise_phrases(rule_id: str, field: str, raw: Any) -> tuple[str, ...]:
    if not isinstance(raw, list) or not raw:
        raise _fail(rule_id, field, "must be a non-empty list of strings")
    phrases: list[str] = []
    for item in raw:
        if not isinstance(item, str | int | float) or isinstance(item, bool):
            raise _fail(rule_id, field, f"entry {item!r} is not a string")
        norm = normalise(str(item)).text
        if not norm:
            raise _fail(rule_id, field, f"entry {item!r} is empty after normalisation")
        if norm not in phrases:
            phrases.append(norm)
    return tuple(phrases)


def _parse_rule(raw: Any, index: int) -> Rule:
    if not isinstance(raw, Mapping):
        raise _fail(f"#{index}", "rule", "each rule must be a mapping")
    rule_id, category, weight, message = _parse_head(raw, index)
    kind, phrases, regex, measure = _parse_matcher(rule_id, raw)
    unless_phrases, unless_regex = _parse_unless(rule_id, raw["unless"]) if "unless" in raw else ((), None)
    not_after = _context_phrases(rule_id, "not_after", raw, kind, regex)
    not_before = _context_phrases(rule_id, "not_before", raw, kind, regex)
    return Rule(
        rule_id,
        category,
        weight,
        message,
        phrases,
        regex,
        measure,
        unless_phrases,
        unless_regex,
        not_after,
        not_before,
    )


def _parse_head(raw: Mapping[str, Any], index: int) -> tuple[str, str, float, str]:
    """The rule's id, category, weight and message, checked; no field outside `_RULE_KEYS`."""
    rule_id = raw.get("id")
    if not isinstance(rule_id, str) or not _ID_RE.match(rule_id):
        raise _fail(
            f"#{index}" if not isinstance(rule_id, str) else rule_id,
            "id",
            "must be a lower-case identifier (letters, digits, underscore)",
        )
    unknown = sorted(str(k) for k in set(raw) - _RULE_KEYS)
    if unknown:
        raise _fail(rule_id, unknown[0], "unknown field")
    category = raw.get("category")
    if not isinstance(category, str) or not _ID_RE.match(category):
        raise _fail(rule_id, "category", "must be a lower-case identifier")
    weight = raw.get("weight")
    if isinstance(weight, bool) or not isinstance(weight, int | float) or not math.isfinite(weight):
        raise _fail(rule_id, "weight", "must be a finite number")
    message = raw.get("message")
    if not isinstance(message, str) or not message.strip():
        raise _fail(rule_id, "message", "must be a non-empty string")
    return rule_id, category, float(weight), message.strip()


def _parse_matcher(rule_id: str, raw: Mapping[str, Any]) -> tuple[str, tuple[str, ...], _Regex | None, _Measure | None]:
    """The rule's one matcher: its kind and the phrases, regex or measure (the other two empty)."""
    present = [k for k in _MATCHER_KEYS if k in raw]
    if len(present) != 1:
        raise _fail(rule_id, "phrases/regex/measure", f"exactly one matcher is required, found {present or 'none'}")
    kind = present[0]
    if kind != "regex" and "on" in raw:
        raise _fail(rule_id, "on", "only applies to a regex rule")
    if kind != "measure" and ("threshold" in raw or "min_letters" in raw):
        raise _fail(rule_id, "threshold", "only applies to a measure rule")
    if kind == "phrases":
        return kind, _normalise_phrases(rule_id, "phrases", raw["phrases"]), None, None
    if kind == "regex":
        regex = _compile_regex(
            rule_id, "regex", raw["regex"], raw.get("on", "normalised"), raw.get("ignore_case", True)
        )
        return kind, (), regex, None
    return kind, (), None, _parse_measure(rule_id, raw)


def _parse_measure(rule_id: str, raw: Mapping[str, Any]) -> _Measure:
    name = raw["measure"]
    if name not in _MEASURES:
        raise _fail(rule_id, "measure", f"unknown measure {name!r}; known: {sorted(_MEASURES)}")
    threshold = raw.get("threshold")
    if isinstance(threshold, bool) or not isinstance(threshold, int | float) or not math.isfinite(threshold):
        raise _fail(rule_id, "threshold", "a measure rule needs a finite numeric threshold")
    min_letters = raw.get("min_letters", 0)
    if isinstance(min_letters, bool) or not isinstance(min_letters, int) or min_letters < 0:
        raise _fail(rule_id, "min_letters", "must be a non-negative integer")
    return _Measure(name, float(threshold), min_letters)


def _parse_unless(rule_id: str, unless: Any) -> tuple[tuple[str, ...], _Regex | None]:
    """The rule's exception: phrases or a regex that, found in the text, keep the rule from firing."""
    if not isinstance(unless, Mapping) or len([k for k in ("phrases", "regex") if k in unless]) != 1:
        raise _fail(rule_id, "unless", "must be a mapping with exactly one of 'phrases' or 'regex'")
    extra = set(unless) - {"phrases", "regex", "on", "ignore_case"}
    if extra:
        raise _fail(rule_id, "unless", f"unknown keys {sorted(extra)}")
    if "phrases" in unless:
        return _normalise_phrases(rule_id, "unless.phrases", unless["phrases"]), None
    regex = _compile_regex(
        rule_id, "unless.regex", unless["regex"], unless.get("on", "normalised"), unless.get("ignore_case", True)
    )
    return (), regex


def _context_phrases(
    rule_id: str, field: str, raw: Mapping[str, Any], kind: str, regex: _Regex | None
) -> tuple[str, ...]:
    if field not in raw:
        return ()
    if kind == "measure" or (regex is not None and regex.on_original):
        raise _fail(rule_id, field, "only applies to phrases or to a regex on the normalised text")
    return _normalise_phrases(rule_id, field, raw[field])


def _build_automaton(rules: Iterable[Rule], *, unless: bool) -> ahocorasick.Automaton | None:
    """One automaton over ``" phrase "`` keys, so every hit sits on token boundaries of ``" " + text + " "``."""
    automaton = ahocorasick.Automaton()
    table: dict[str, list[tuple[int, int]]] = {}
    for index, rule in enumerate(rules):
        for phrase in rule.unless_phrases if unless else rule.phrases:
            table.setdefault(f" {phrase} ", []).append((index, len(phrase)))
    if not table:
        return None
    for key, hits in table.items():
        automaton.add_word(key, tuple(hits))
    automaton.make_automaton()
    return automaton


class _RegexPrefilter:
    """Which rules' regexes match a text at all, from one RE2 pass over it (a set of all of them): most rules do
    not fire on most texts, and only those that match are then searched one by one for their spans."""

    def __init__(self, regexes: list[tuple[int, _Regex]]) -> None:
        # (searches the original?, rule index per set entry, the set); None: RE2 refused a set, try every rule
        self._sets: list[tuple[bool, list[int], Any]] | None = []
        for on_original in (False, True):
            chosen = [(i, r) for i, r in regexes if r.on_original == on_original]
            if not chosen:
                continue
            compiled = re2.Set.SearchSet(_RE2_OPTIONS)
            try:
                for _, regex in chosen:
                    compiled.Add(regex.pattern.pattern)
                compiled.Compile()
            except re2.error:  # pragma: no cover - e.g. past RE2's memory budget
                self._sets = None
                return
            self._sets.append((on_original, [i for i, _ in chosen], compiled))

    def matching(self, target: _Searchable) -> set[int] | None:
        """Rule indices whose regex matches somewhere in `target` (None: every regex rule may)."""
        if self._sets is None:
            return None
        found: set[int] = set()
        for on_original, rule_indices, compiled in self._sets:
            # UTF-8 bytes, as the set would encode a str itself; most texts match no regex of a set
            matches = compiled.Match(target.original_bytes if on_original else target.encoded)
            if matches:
                found.update(map(rule_indices.__getitem__, matches))
        return found


class _Searchable:
    """The texts a document is searched in, prepared once per document: its original (lone surrogates replaced,
    which UTF-8 cannot encode) also as UTF-8 bytes, and the UTF-8 bytes of its normalised text with a map back to
    characters."""

    def __init__(self, doc: NormalisedText) -> None:
        self.doc = doc
        self.original, self.original_bytes = _encodable(doc.original)
        self.encoded = doc.text.encode("utf-8")
        self._ascii = len(self.encoded) == len(doc.text)

    def char_at(self, byte: int) -> int:
        """The character offset of a byte offset of `encoded` at a character boundary (a match's start or end):
        decoding the bytes before it, in C, costs less than a map of every character for the few findings."""
        return byte if self._ascii else len(self.encoded[:byte].decode("utf-8"))


def _regex_hits(regex: _Regex, target: _Searchable) -> list[tuple[int, int]]:
    """Spans of a regex's matches in the text it runs on (the original, or the normalised text)."""
    hits: list[tuple[int, int]] = []
    if regex.on_original:
        for m in regex.pattern.finditer(target.original):
            if m.end() > m.start():
                hits.append((m.start(), m.end()))
            if len(hits) >= MAX_SPANS_PER_RULE:
                break
        return hits
    pos = 0
    while len(hits) < MAX_SPANS_PER_RULE:
        m = regex.pattern.search(target.encoded, pos)
        if m is None:
            break
        start, end = m.span(1)
        if end > start:
            hits.append((target.char_at(start), target.char_at(end)))
        pos = max(end, m.start() + 1)  # resume at the trailing boundary space: it may open the next match
    return hits


def _encodable(text: str) -> tuple[str, bytes]:
    """`text` with lone surrogates (which UTF-8 cannot encode) replaced one for one, so offsets stay; and its UTF-8
    bytes."""
    try:
        return text, text.encode("utf-8")
    except UnicodeEncodeError:
        text = re.sub("[\ud800-\udfff]", "\ufffd", text)
        return text, text.encode("utf-8")


def _outside_context(text: str, start: int, end: int, rule: Rule) -> bool:
    """False when a normalised-text hit [start, end) directly follows a `not_after` or precedes a `not_before`."""
    before = f" {text[:start]}"
    after = f"{text[end:]} "
    return not any(before.endswith(f" {p} ") for p in rule.not_after) and not any(
        after.startswith(f" {p} ") for p in rule.not_before
    )


def _outermost(spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """Sorted spans with nested and overlapping ones merged ("grup sebelah" inside "info dari grup sebelah")."""
    kept: list[tuple[int, int]] = []
    for start, end in sorted(set(spans)):
        if kept and start < kept[-1][1]:
            kept[-1] = (kept[-1][0], max(end, kept[-1][1]))
            continue
        kept.append((start, end))
    return kept


class RuleEngine:
    """A loaded, versioned rule set; `match` finds the rules that fire on one normalised text."""

    def __init__(self, rules: Iterable[Rule], version: str, *, source: Mapping[str, Any] | None = None) -> None:
        self.rules: tuple[Rule, ...] = tuple(rules)
        self.version = version
        # the parsed rules file this engine was built from: what a model version stores, and how it is copied
        self.source: Mapping[str, Any] | None = source
        self._automaton = _build_automaton(self.rules, unless=False)
        self._unless_automaton = _build_automaton(self.rules, unless=True)
        self._prefilter = _RegexPrefilter([(i, r.regex) for i, r in enumerate(self.rules) if r.regex is not None])
        self._measure_rules = frozenset(i for i, r in enumerate(self.rules) if r.measure is not None)
        self._regex_rules = frozenset(i for i, r in enumerate(self.rules) if r.regex is not None)
        self._feature_of = {rule.id: i for i, rule in enumerate(self.rules)}

    def __reduce__(self) -> tuple[Any, tuple[Any, ...]]:
        # compiled RE2 patterns and automata are rebuilt from the rules data, never copied
        if self.source is None:
            raise TypeError("a RuleEngine built without its rules data cannot be copied")
        return (RuleEngine.from_dict, (self.source,))

    @classmethod
    def from_file(cls, path: Path | None = None) -> RuleEngine:
        """Load a rules YAML file (default: the bundled ``rules.yaml``); malformed files raise `RulesError`."""
        path = DEFAULT_RULES_PATH if path is None else Path(path)
        try:
            data = yaml.load(path.read_text(encoding="utf-8"), Loader=_Loader)  # noqa: S506 - safe loader subclass
        except OSError as exc:
            raise RulesError(f"cannot read rules file {path}: {exc}") from exc
        except yaml.YAMLError as exc:
            raise RulesError(f"rules file {path} is not valid YAML: {exc}") from exc
        return cls.from_dict(data)

    @classmethod
    def from_dict(cls, data: Any) -> RuleEngine:
        """Build from already-parsed YAML data (a mapping with ``version`` and ``rules``)."""
        if not isinstance(data, Mapping):
            raise RulesError("rules file must be a mapping with 'version' and 'rules'")
        version = data.get("version")
        if not isinstance(version, str) or not version.strip():
            raise RulesError("rules file field 'version' must be a non-empty string")
        raw_rules = data.get("rules")
        if not isinstance(raw_rules, list) or not raw_rules:
            raise RulesError("rules file field 'rules' must be a non-empty list")
        rules: list[Rule] = []
        seen: set[str] = set()
        for index, raw in enumerate(raw_rules):
            rule = _parse_rule(raw, index)
            if rule.id in seen:
                raise _fail(rule.id, "id", "duplicate rule id")
            seen.add(rule.id)
            rules.append(rule)
        return cls(rules, version.strip(), source=data)

    def _phrase_hits(self, automaton: ahocorasick.Automaton | None, text: str) -> dict[int, list[tuple[int, int]]]:
        """Per rule index, the normalised-text spans of its phrases (at token boundaries)."""
        hits: dict[int, list[tuple[int, int]]] = {}
        if automaton is None or not text:
            return hits
        for end, entries in automaton.iter(f" {text} "):
            # `end` is the index of the trailing space in the padded text, i.e. the phrase ends at `end - 1`.
            for rule_index, length in entries:
                hits.setdefault(rule_index, []).append((end - 1 - length, end - 1))
        return hits

    def _spans(
        self, index: int, rule: Rule, target: _Searchable, phrase_hits: dict[int, list[tuple[int, int]]]
    ) -> list[tuple[int, int]]:
        """Original-text spans where `rule` fires (before one-finding-per-span), at most MAX_SPANS_PER_RULE."""
        doc = target.doc
        if rule.measure is not None:
            value, spans = _MEASURES[rule.measure.name](doc, rule.measure.min_letters, rule.measure.threshold)
            return spans[:MAX_SPANS_PER_RULE] if value >= rule.measure.threshold else []
        if rule.regex is not None and rule.regex.on_original:
            return _regex_hits(rule.regex, target)
        hits = phrase_hits.get(index, []) if rule.phrases else _regex_hits(rule.regex, target)  # type: ignore[arg-type]
        if rule.not_after or rule.not_before:
            hits = [(s, e) for s, e in hits if _outside_context(doc.text, s, e, rule)]
        return doc.original_spans(hits[:MAX_SPANS_PER_RULE])

    def match(self, doc: NormalisedText) -> list[RuleMatch]:
        """All rules that fire on `doc`, in rule-file order, one finding per span; spans index ``doc.original``.

        Where findings conflict (overlapping spans of one category, or the same span in two categories), the
        longer span wins, then the rule that comes first in the file.
        """
        with native_calls:  # RE2 throughout (see screening.native)
            return self._match(doc)

    def _match(self, doc: NormalisedText) -> list[RuleMatch]:
        phrase_hits = self._phrase_hits(self._automaton, doc.text)
        unless_hits = self._phrase_hits(self._unless_automaton, doc.text)
        target = _Searchable(doc)
        regex_matches = self._prefilter.matching(target)
        # the rules that can fire: measures always, phrase rules with a phrase found, regex rules whose regex matches
        possible = self._measure_rules | phrase_hits.keys()
        possible |= self._regex_rules if regex_matches is None else regex_matches
        candidates: list[tuple[int, int, int]] = []  # (rule index, start, end)
        for index in sorted(possible):
            rule = self.rules[index]
            spans = self._spans(index, rule, target, phrase_hits)
            if not spans:
                continue
            if index in unless_hits or (rule.unless_regex is not None and _regex_hits(rule.unless_regex, target)):
                continue
            candidates.extend((index, s, e) for s, e in _outermost(spans))
        candidates.sort(key=lambda c: (c[1] - c[2], c[0], c[1]))
        kept: dict[int, list[tuple[int, int]]] = {}
        claimed: list[tuple[int, int, str]] = []
        for index, start, end in candidates:
            category = self.rules[index].category
            if any(
                (start < ce and cs < end) if cat == category else (start, end) == (cs, ce) for cs, ce, cat in claimed
            ):
                continue
            claimed.append((start, end, category))
            kept.setdefault(index, []).append((start, end))
        matches: list[RuleMatch] = []
        for index in sorted(kept):
            rule = self.rules[index]
            matches.append(
                RuleMatch(
                    rule_id=rule.id,
                    category=rule.category,
                    weight=rule.weight,
                    message=rule.message,
                    spans=tuple(Span(s, e, doc.original[s:e]) for s, e in sorted(kept[index])),
                )
            )
        return matches

    def feature_names(self) -> list[str]:
        """One feature per rule, in rules-file order: ``rule:<id>``."""
        return [f"rule:{rule.id}" for rule in self.rules]

    def feature_directions(self) -> list[int]:
        """Per feature: +1 if the rule raises the risk, -1 if it lowers it (its declared weight's sign)."""
        return [(rule.weight > 0) - (rule.weight < 0) for rule in self.rules]

    def feature_priors(self) -> list[float]:
        """Per feature: the declared weight, the log-odds one finding is expected to add before any data."""
        return [rule.weight for rule in self.rules]

    def features(self, matches: Sequence[RuleMatch]) -> list[float]:
        """Per rule: ``log2(1 + min(findings, 10))`` (one finding counts 1), aligned with `feature_names`."""
        features = [0.0] * len(self.rules)
        if not matches:
            return features
        counts = [0] * len(self.rules)
        for m in matches:
            i = self._feature_of.get(m.rule_id)
            if i is not None:
                counts[i] += len(m.spans)
        for i, n in enumerate(counts):
            if n:
                features[i] = _FEATURE_VALUES[min(n, FEATURE_COUNT_CAP)]
        return features
