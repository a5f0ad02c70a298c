"""The one entry point that screens a submission and builds a `ScreenResult`.

    screener = Screener.from_registry(ModelRegistry(Path("models")))
    result = screener.screen(text="...", title="...")

Each submission is analysed once into a `Doc` (with the model's own rule set), scored by the compiled model,
moved to the deployment's base rate and decided by the `DecisionPolicy`, then explained: rule findings, the
terms that moved the model, the closest known hoaxes and the quality score, all read from the same `Doc`.

A `Screener` is immutable: one verified model, its rule engine and known-hoax index, one policy. The service
swaps whole Screeners to change models, so a request never sees a half-switched state.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from screening.data import text_sha256
from screening.doc import Analyser, Doc
from screening.errors import InvalidInputError
from screening.known_hoaxes import KnownHoaxIndex
from screening.policy import DecisionPolicy
from screening.quality import assess_quality
from screening.result import ScreenResult, SimilarHoax, Thresholds
from screening.scorer import CompiledModel, Scores
from screening.submission import Submission

if TYPE_CHECKING:
    from screening.registry import ModelRegistry, TrainedModel


# Objects the cyclic garbage collector lets accumulate before it looks at the youngest ones (Python's default: 700)
YOUNG_GC_THRESHOLD = 10_000  # the service: each young collection stays short (a request waits for it)
BATCH_YOUNG_GC_THRESHOLD = 50_000  # batch workers, where only throughput counts: fewer, longer collections


def settle_heap(young_threshold: int = YOUNG_GC_THRESHOLD) -> None:
    """Ready a process that screens for long (the service, a batch worker) once its Screener is loaded and warmed up.

    What is alive now, a loaded model above all (about 100,000 objects), is left out of the cyclic garbage
    collector's passes: every screening allocates enough to start a collection, and each full pass over the model's
    objects held the interpreter for about 0.2 s (about 8 % of a screening's time on average). Forked workers also
    keep sharing the model's memory pages, which a pass would write to. No collection first (it would hold the
    interpreter as long): a replaced Screener holds no reference cycle and is freed by its reference count.

    The youngest objects are collected less often: a screened chunk keeps its documents' tokens alive until its
    results are built, and at the default threshold the collector walked them again and again (about 5 % of the
    time of a post in batch at the default threshold; 2-3 % at 10,000, under 1 % at 50,000, where each collection
    takes about 10 ms, too long a pause for a request but not for a batch). Garbage in cycles, rare here, waits a
    little longer.
    """
    gc.freeze()
    young, middle, oldest = gc.get_threshold()
    gc.set_threshold(max(young_threshold, young), middle, oldest)


SCREEN_CHUNK = 256  # submissions analysed, then scored and searched together (bounded: a chunk's Docs are held)


@dataclass(frozen=True)
class Screener:
    """Screens submissions with one loaded model version under one decision policy."""

    model: CompiledModel
    model_version: str
    known_hoaxes: KnownHoaxIndex | None = None
    policy: DecisionPolicy = field(default_factory=DecisionPolicy)
    analyser: Analyser = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "analyser", Analyser(self.model.rules))

    @property
    def ruleset_version(self) -> str:
        return self.model.ruleset_version

    @property
    def default_thresholds(self) -> Thresholds:
        return self.policy.thresholds

    @classmethod
    def from_trained(cls, trained: TrainedModel, *, policy: DecisionPolicy | None = None) -> Screener:
        return cls(
            model=trained.model,
            model_version=trained.version,
            known_hoaxes=trained.known_hoaxes,
            policy=policy if policy is not None else DecisionPolicy(),
        )

    @classmethod
    def from_registry(
        cls, registry: ModelRegistry, version: str | None = None, *, policy: DecisionPolicy | None = None
    ) -> Screener:
        """The registry's active version (or `version`) under `policy` (default: the deployment defaults)."""
        return cls.from_trained(registry.load(version), policy=policy)

    def warm_up(self) -> Screener:
        """Load what the first screening would otherwise load (word lists, region names, rule automata, caches)."""
        self.screen(
            title="Kabar Desa Sukamaju", text="Warga Desa Sukamaju, Kecamatan Cibeber, bergotong royong, ujarnya."
        )
        return self

    def screen(
        self, *, text: str, title: str = "", thresholds: Thresholds | None = None, author: str = ""
    ) -> ScreenResult:
        """Screen one submission; `thresholds` may only tighten the deployment's. `author`, when the submitting
        tool knows it, counts as the byline. A submission that cannot be screened raises `InvalidInputError`."""
        outcome = self.screen_many([Submission(text=text, title=title, author=author)], thresholds=thresholds)[0]
        if isinstance(outcome, InvalidInputError):
            raise outcome
        return outcome

    def screen_many(
        self,
        submissions: Sequence[Submission],
        *,
        thresholds: Thresholds | None = None,
        explain: bool = True,
        suggest_spelling: bool = True,
    ) -> list[ScreenResult | InvalidInputError]:
        """One outcome per submission, in order: its result, or the `InvalidInputError` that says why that
        submission alone cannot be screened. `explain=False` leaves `terms` empty (bulk screening saves the cost).
        `suggest_spelling=False` leaves the quality findings of unknown words without their likely intended words,
        the costly part of the spelling check, for a caller that shows no findings (batch output); no score
        depends on them."""
        limits = self.policy.thresholds.tightened(thresholds)
        outcomes: list[ScreenResult | InvalidInputError] = []
        for start in range(0, len(submissions), SCREEN_CHUNK):
            chunk = submissions[start : start + SCREEN_CHUNK]
            outcomes += self._screen_chunk(chunk, limits, explain, suggest_spelling)
        return outcomes

    def _screen_chunk(
        self, submissions: Sequence[Submission], limits: Thresholds, explain: bool, suggest_spelling: bool
    ) -> list[ScreenResult | InvalidInputError]:
        """Analyse each submission, then score, search the known hoaxes for and explain the chunk at once."""
        outcomes: list[ScreenResult | InvalidInputError | None] = [None] * len(submissions)
        docs: list[Doc] = []
        screened: list[int] = []
        for i, submission in enumerate(submissions):
            try:
                checked = submission.checked()
            except InvalidInputError as exc:
                outcomes[i] = exc
                continue
            docs.append(self.analyser.analyse(checked))
            screened.append(i)
        scores = self.model.score(docs)
        if self.known_hoaxes is not None:
            similar = self.known_hoaxes.search_many([doc.body for doc in docs], k=3)
        else:
            similar = [[] for _ in docs]
        for i, doc, doc_scores, doc_similar in zip(screened, docs, scores, similar, strict=True):
            outcomes[i] = self._result(doc, doc_scores, doc_similar, limits, explain, suggest_spelling)
        return [outcome for outcome in outcomes if outcome is not None]

    def analyse(self, submission: Submission) -> Doc:
        """The analysed document of a submission, as screening sees it."""
        return self.analyser.analyse(submission.checked())

    def _result(
        self,
        doc: Doc,
        scores: Scores,
        similar: list[SimilarHoax],
        limits: Thresholds,
        explain: bool,
        suggest_spelling: bool,
    ) -> ScreenResult:
        genre = doc.genre
        trained_rate = self.model.base_rate_for(genre)
        # rounded as reported, and decided on what is reported: a risk shown as 0.85 is at a 0.85 threshold
        hoax_risk = round(
            self.policy.deployment_risk(scores.trained_hoax_risk, genre=genre, trained_rate=trained_rate), 4
        )
        classifier_risk = round(
            self.policy.deployment_risk(scores.trained_classifier_risk, genre=genre, trained_rate=trained_rate), 4
        )
        decision, notices = self.policy.decide(hoax_risk, thresholds=limits, similar=similar, language=doc.language)
        submission = doc.submission
        quality = assess_quality(doc, stemmer=self.analyser.stemmer, suggest_spelling=suggest_spelling)
        return ScreenResult(
            screening_id=uuid.uuid4().hex,
            text_sha256=text_sha256(submission.text),
            hoax_risk=hoax_risk,
            classifier_risk=classifier_risk,
            decision=decision,
            thresholds=limits,
            genre=genre,
            base_rate=round(self.policy.base_rate(genre, trained_rate), 4),
            language=doc.language.code,
            notices=notices,
            quality=quality,
            rules=doc.rules,
            terms=tuple(self.model.explain(doc, scores)) if explain else (),
            similar_hoaxes=tuple(similar),
            model_version=self.model_version,
            ruleset_version=self.ruleset_version,
        )
