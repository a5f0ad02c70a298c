"""Retraining with editors' labels: build a candidate, compare it fairly, promote it only if it is not worse.

Why not simply compare the new model with the served one? The served model was trained on all base data, so
scoring it on base rows flatters it (it has seen them), and the candidate cannot be tested on rows it trained
on either. The comparison is therefore between two models trained the same way on the same training part:

  1. rows = base training data + the editors' labels, one row per text: labels of one text that agree are
     folded into one; a text whose labels disagree is a conflict and left out until an editor settles it; a
     label overrides a base row with the same text;
  2. a deterministic hold-out: StratifiedGroupKFold on (label, genre, from-editors) over near-duplicate groups,
     seed `seed`, one fold of about `holdout_fraction`; a paraphrase never sits on both sides;
  3. reference = the current recipe (the current model's parameters and the data it was trained on: the base
     rows plus the labels up to the current model's `labels_through_id`) fitted on the training part only;
     candidate = the same parameters fitted on the training part of base + all labels;
  4. both are scored on the same hold-out, per genre; the candidate is promoted only if, for every genre and
     metric (macro-F1, ROC-AUC), candidate >= reference - margin;
  5. the new labels are compared with what the current model says of their texts: when many of them contradict
     it flatly (a "valid" on a text it scores >= 0.9, a "hoax" on one it scores <= 0.1), the candidate is held
     for review instead of promoted, with those labels listed (a mistaken bulk import, or a prank);
  6. on promotion, the final model is fitted on all rows, stored with `activate=False` (the registry writes a
     temporary directory, fsyncs, renames and verifies it), and only then activated through `activate`.

Crash safety: nothing is activated before the stored version verifies, so a killed retrain leaves the current
model active and either no new version or a complete one. One retrain runs at a time per registry (the registry's
advisory file lock), and the registry's temporaries left by killed runs are removed on the next retrain.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal, Protocol

import numpy as np
from sklearn.model_selection import StratifiedGroupKFold

from screening.data import LabelledText, data_hash, load_training_data, near_duplicate_groups, text_sha256
from screening.doc import GENRES, Analyser, Doc
from screening.errors import ModelArtifactError, RetrainInProgressError, TrainingDataError
from screening.labels import LABELS, Label
from screening.registry import ModelRegistry
from screening.rules import RuleEngine
from screening.scorer import CompiledModel, compile_model
from screening.training.evaluate import evaluate_docs
from screening.training.train import (
    analyse_rows,
    build_known_hoax_index,
    fit_model,
    read_known_hoax_entries,
    source_hashes,
    train_and_register,
    with_overrides,
)

LABELS_SOURCE = "editor-labels"
Comparison = dict[str, dict[str, dict[str, float | None]]]  # genre -> metric -> reference, candidate, delta
COMPARED_METRICS = ("macro_f1", "roc_auc")
# A new label "contradicts the current model flatly" when its text scores at least this far from the label.
FLAT_CONTRADICTION = 0.9
HOLD_MIN_CONTRADICTIONS = 5  # ... and the candidate is held when at least this many new labels do
HOLD_MIN_SHARE = 0.5  # ... and they are at least this share of the new labels

Outcome = Literal["promoted", "kept", "held_for_review", "unchanged", "dry_run"]

__all__ = [
    "EditorLabel",
    "LabelRows",
    "RetrainInProgressError",
    "RetrainOptions",
    "RetrainReport",
    "labels_to_rows",
    "retrain",
    "train_with_labels",
]


class EditorLabel(Protocol):
    """What retraining needs of a stored label (`screening.store.LabelRecord` fits)."""

    @property
    def id(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def title(self) -> str: ...
    @property
    def label(self) -> Label: ...
    @property
    def editor_id(self) -> str: ...


@dataclass(frozen=True)
class RetrainOptions:
    margin: float = 0.01  # largest allowed drop of each compared metric in each genre
    holdout_fraction: float = 0.2
    seed: int = 0
    force: bool = False  # retrain even when neither base data nor labels changed since the current model
    dry_run: bool = False  # compare, register nothing
    model_params: dict[str, Any] | None = None  # None: the current model's parameters

    def __post_init__(self) -> None:
        if not 0.0 <= self.margin <= 1.0:
            raise ValueError("margin must be within [0, 1]")
        if not 0.05 <= self.holdout_fraction <= 0.5:
            raise ValueError("holdout_fraction must be within [0.05, 0.5]")


@dataclass
class RetrainReport:
    outcome: Outcome
    reasons: list[str]
    previous_version: str | None
    new_version: str | None = None
    comparison: Comparison = field(default_factory=dict)
    holdout: dict[str, Any] = field(default_factory=dict)
    data: dict[str, Any] = field(default_factory=dict)
    contradicting_labels: list[dict[str, Any]] = field(default_factory=list)
    seconds: float = 0.0

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


@dataclass(frozen=True)
class LabelRows:
    """The editors' labels as training rows, and what happened to the others."""

    rows: list[LabelledText]
    n_stored: int  # label records read
    n_folded: int  # records that repeated the verdict of another record on the same text
    conflicts: list[str]  # text hashes whose labels disagree: left out until an editor settles them

    def counts(self) -> dict[str, int]:
        return {
            "stored": self.n_stored,
            "used": len(self.rows),
            "folded": self.n_folded,
            "left_out_conflicts": len(self.conflicts),
        }


def labels_to_rows(labels: Sequence[EditorLabel]) -> LabelRows:
    """One training row per labelled text: agreeing labels folded into one, texts whose editors disagree left out."""
    by_text: dict[str, list[EditorLabel]] = {}
    for record in labels:
        if record.label not in LABELS:
            raise TrainingDataError(f"label {record.id}: {record.label!r} is neither 'hoax' nor 'valid'")
        if record.text.strip():
            by_text.setdefault(text_sha256(record.text), []).append(record)
    rows: list[tuple[int, LabelledText]] = []
    conflicts: list[str] = []
    folded = 0
    for digest, records in by_text.items():
        # as the store defines a conflict: the editors' latest verdicts differ (an editor's newer label corrects
        # their own older one)
        latest: dict[str, EditorLabel] = {}
        for record in sorted(records, key=lambda r: r.id):
            latest[record.editor_id] = record
        if len({r.label for r in latest.values()}) > 1:
            conflicts.append(digest)
            continue
        folded += len(records) - 1
        last = max(latest.values(), key=lambda r: r.id)
        rows.append(
            (
                last.id,
                LabelledText(
                    text=last.text,
                    label=last.label,
                    title=last.title or "",
                    source=f"{LABELS_SOURCE}#{last.id}",
                    verdict_source="label editor",
                ),
            )
        )
    rows.sort(key=lambda pair: pair[0])
    return LabelRows([row for _, row in rows], len(labels), folded, conflicts)


def _label_id(row: LabelledText) -> int:
    return int(row.source.split("#", 1)[1]) if row.source.startswith(LABELS_SOURCE + "#") else -1


def holdout_split(
    rows: Sequence[LabelledText], docs: Sequence[Doc], *, fraction: float, seed: int, groups: np.ndarray
) -> tuple[np.ndarray, np.ndarray]:
    """(train, hold-out) indices: one grouped fold, stratified on label, genre, corpus and editor-label origin."""
    y = np.asarray([int(r.is_hoax) for r in rows])
    strata = (
        y
        + 2 * np.asarray([d.genre == "article" for d in docs], dtype=int)
        + 4 * np.asarray([r.source.startswith(LABELS_SOURCE) for r in rows], dtype=int)
        + 8 * np.asarray([r.corpus == "news" for r in rows], dtype=int)
    )
    n_splits = max(2, round(1 / fraction))
    splitter = StratifiedGroupKFold(n_splits=n_splits, shuffle=True, random_state=seed)
    train, test = next(splitter.split(np.zeros(len(rows)), strata, groups))
    return np.sort(train), np.sort(test)


def compare_holdout_metrics(
    reference: dict[str, Any], candidate: dict[str, Any], margin: float
) -> tuple[Comparison, list[str]]:
    """Per genre and metric: reference, candidate and delta; plus a reason for every drop larger than `margin`."""
    comparison: Comparison = {}
    failures: list[str] = []
    for genre in GENRES:
        ref, cand = reference["by_genre"].get(genre), candidate["by_genre"].get(genre)
        if ref is None or cand is None:
            continue
        comparison[genre] = {}
        for metric in COMPARED_METRICS:
            r, c = ref.get(metric), cand.get(metric)
            delta = None if r is None or c is None else round(float(c) - float(r), 4)
            comparison[genre][metric] = {"reference": r, "candidate": c, "delta": delta}
            if delta is not None and delta < -margin:
                failures.append(f"{genre} {metric} drops by {-delta:.3f} (> margin {margin:.3f}): {r:.3f} -> {c:.3f}")
    return comparison, failures


def contradicting_labels(
    model: CompiledModel, rows: Sequence[LabelledText], docs: Sequence[Doc]
) -> list[dict[str, Any]]:
    """New labels whose text the current model scores flatly the other way (|label - risk| >= 0.9)."""
    out = []
    for row, scores in zip(rows, model.score(docs), strict=True):
        risk = scores.trained_hoax_risk
        if abs(int(row.is_hoax) - risk) >= FLAT_CONTRADICTION:
            out.append({"label_id": _label_id(row), "label": row.label, "current_risk": round(risk, 4)})
    return out


def retrain(
    registry: ModelRegistry,
    training_data_dir: Path,
    *,
    labels: Sequence[EditorLabel],
    options: RetrainOptions = RetrainOptions(),
    activate: Callable[[str], object] | None = None,
    progress: Callable[[str], None] | None = None,
) -> RetrainReport:
    """Retrain with `labels` and promote the result only if it is not worse; see the module docstring.

    `activate(version)` switches to a promoted version (default: `registry.activate`); it runs only after the
    new version is stored and verified.
    """
    started = time.perf_counter()

    def say(message: str) -> None:
        if progress is not None:
            progress(message)

    with registry.retrain_lock():
        removed = registry.remove_stale_temp()
        if removed:
            say(f"removed {len(removed)} stale temporary directories")
        report = _Retrain(registry, Path(training_data_dir), labels, options, say).run(activate)
    report.seconds = round(time.perf_counter() - started, 1)
    return report


@dataclass(frozen=True)
class _Analysed:
    """The rows of one retrain analysed once, their near-duplicate groups and the hold-out split."""

    engine: RuleEngine
    docs: list[Doc]
    groups: np.ndarray
    train: np.ndarray
    hold: np.ndarray
    is_label: np.ndarray  # per row: it comes from the editors' labels
    through_id: int  # the last label the current recipe was trained with (-1: none)


class _Retrain:
    """One retrain run, step by step (see the module docstring)."""

    def __init__(
        self,
        registry: ModelRegistry,
        training_data_dir: Path,
        labels: Sequence[EditorLabel],
        options: RetrainOptions,
        say: Callable[[str], None],
    ) -> None:
        self.registry, self.training_data_dir, self.options, self.say = registry, training_data_dir, options, say
        base = load_training_data(training_data_dir)
        self.label_rows = labels_to_rows(labels)
        self.rows = with_overrides(base, self.label_rows.rows)
        self.data_info = _data_info(base, self.label_rows, self.rows, training_data_dir)
        self.previous = registry.active_version()
        self.current: CompiledModel | None = None
        self.recorded: dict[str, Any] = {}
        self.params: dict[str, Any] = dict(options.model_params or {})
        if self.previous is not None:
            try:
                current = registry.load(self.previous)
                self.current = current.model
                self.recorded = current.metadata.get("retrain", {}) or {}
                if options.model_params is None:
                    self.params = dict(current.model.params)
            except ModelArtifactError as exc:
                say(f"current model {self.previous} cannot be loaded ({exc}); comparing against the default recipe")

    def _report(self, outcome: Outcome, reasons: list[str], **kwargs: Any) -> RetrainReport:
        return RetrainReport(outcome, reasons, self.previous, data=self.data_info, **kwargs)

    def run(self, activate: Callable[[str], object] | None) -> RetrainReport:
        conflicts = self.label_rows.conflicts
        notes = (
            [f"{len(conflicts)} labelled texts left out: their editors disagree (settle them in the queue)"]
            if conflicts
            else []
        )
        unchanged = self._nothing_to_train_with()
        if unchanged is not None:
            return self._report("unchanged", [unchanged, *notes])
        analysed = self._analyse()
        comparison, failures, holdout_info = self._compare(analysed)
        if failures:
            return self._report("kept", failures + notes, comparison=comparison, holdout=holdout_info)
        new, contradicting = self._contradicting_new_labels(analysed)
        if len(contradicting) >= HOLD_MIN_CONTRADICTIONS and len(contradicting) >= HOLD_MIN_SHARE * max(len(new), 1):
            reason = (
                f"{len(contradicting)} of {len(new)} new labels contradict the current model flatly "
                f"(risk at least {FLAT_CONTRADICTION} away from the label): review them before retraining"
            )
            return self._report(
                "held_for_review",
                [reason, *notes],
                comparison=comparison,
                holdout=holdout_info,
                contradicting_labels=contradicting,
            )
        reasons = [f"every genre within margin {self.options.margin:.3f} of the current recipe on the hold-out", *notes]
        if self.options.dry_run:
            return self._report("dry_run", reasons, comparison=comparison, holdout=holdout_info)
        version = self._store_final(analysed, comparison, holdout_info)
        self.say(f"stored and verified {version}; activating")
        (activate or self.registry.activate)(version)
        return RetrainReport(
            "promoted", reasons, self.previous, version, comparison, holdout_info, self.data_info, contradicting
        )

    def _nothing_to_train_with(self) -> str | None:
        """Why there is nothing to retrain with (data and labels as the current model had them, or no labels)."""
        if (
            not self.options.force
            and self.previous is not None
            and self.recorded.get("base_sha256") == self.data_info["base_sha256"]
            and self.recorded.get("labels_sha256") == self.data_info["labels_sha256"]
        ):
            return "no base data or label changed since the current model"
        if not self.label_rows.rows and not self.options.force:
            return "no editor labels to train with"
        return None

    def _analyse(self) -> _Analysed:
        """Analyse every row with the current rule set, group near-duplicates and split off the hold-out (step 2)."""
        rows = self.rows
        self.say(f"{len(rows) - len(self.label_rows.rows)} base rows + {len(self.label_rows.rows)} editor labels")
        engine = self.current.rules if self.current is not None else RuleEngine.from_file()
        docs = analyse_rows(rows, Analyser(engine))
        groups = near_duplicate_groups([r.text for r in rows], source_urls=[r.source_url for r in rows])
        train, hold = holdout_split(
            rows, docs, fraction=self.options.holdout_fraction, seed=self.options.seed, groups=groups
        )
        through = self.recorded.get("labels_through_id")
        return _Analysed(
            engine,
            docs,
            groups,
            train,
            hold,
            is_label=np.asarray([r.source.startswith(LABELS_SOURCE) for r in rows]),
            through_id=int(through) if through is not None else -1,
        )

    def _fit(self, a: _Analysed, indices: Sequence[int] | np.ndarray) -> CompiledModel:
        idx = np.asarray(indices, dtype=int)
        model, _ = fit_model([self.rows[i] for i in idx], params=self.params, rules=a.engine, groups=a.groups[idx])
        return compile_model(model)

    def _compare(self, a: _Analysed) -> tuple[Comparison, list[str], dict[str, Any]]:
        """Reference and candidate fitted on the training part and scored on the hold-out (steps 3 and 4):
        (comparison, reasons the candidate is worse, what the hold-out was)."""
        rows, train, hold = self.rows, a.train, a.hold
        ref_train = [i for i in train if not a.is_label[i] or _label_id(rows[i]) <= a.through_id]
        self.say(f"training the reference (current recipe) on {len(ref_train)} rows")
        reference = self._fit(a, ref_train)
        self.say(f"training the candidate on {len(train)} rows")
        candidate = self._fit(a, train)
        hold_rows, hold_docs = [rows[i] for i in hold], [a.docs[i] for i in hold]
        self.say(f"comparing on {len(hold_rows)} held-out rows")
        ref_metrics = evaluate_docs(reference, hold_rows, hold_docs)
        cand_metrics = evaluate_docs(candidate, hold_rows, hold_docs)
        comparison, failures = compare_holdout_metrics(ref_metrics, cand_metrics, self.options.margin)
        holdout_info: dict[str, Any] = {
            "n": len(hold_rows),
            "n_labels": int(a.is_label[hold].sum()),
            "seed": self.options.seed,
            "fraction": self.options.holdout_fraction,
            "reference": _brief(ref_metrics),
            "candidate": _brief(cand_metrics),
        }
        return comparison, failures, holdout_info

    def _contradicting_new_labels(self, a: _Analysed) -> tuple[list[int], list[dict[str, Any]]]:
        """The labels the current model has not seen, and those of them it contradicts flatly (step 5)."""
        rows = self.rows
        new = [i for i in range(len(rows)) if a.is_label[i] and _label_id(rows[i]) > a.through_id]
        if self.current is None:
            return new, []
        return new, contradicting_labels(self.current, [rows[i] for i in new], [a.docs[i] for i in new])

    def _store_final(self, a: _Analysed, comparison: Comparison, holdout_info: dict[str, Any]) -> str:
        """Fit the final model on all rows and store it, not yet active (step 6); its version."""
        rows = self.rows
        self.say(f"training the final model on all {len(rows)} rows")
        final = self._fit(a, range(len(rows)))
        index = build_known_hoax_index(rows, read_known_hoax_entries(self.training_data_dir))
        extra = {
            "retrain": {
                **self.data_info,
                "previous_version": self.previous,
                "margin": self.options.margin,
                "comparison": comparison,
                "holdout": holdout_info,
                "at": datetime.now(UTC).isoformat(),
            }
        }
        return self.registry.save(
            final,
            training_rows=rows,
            data_sources=self.data_info["sources"],
            known_hoaxes=index,
            extra=extra,
            activate=False,
        )


def _data_info(
    base: Sequence[LabelledText], label_rows: LabelRows, rows: Sequence[LabelledText], training_data_dir: Path
) -> dict[str, Any]:
    """What a version trained on `rows` (base data with the editors' labels) records of its data, and what the
    next retrain compares with to tell whether anything changed."""
    return {
        "base_sha256": data_hash(base),
        "labels_sha256": data_hash(label_rows.rows),
        "n_base_rows": len(base),
        "n_labels": len(label_rows.rows),
        "labels": label_rows.counts(),
        "n_labels_overriding_base": len(base) + len(label_rows.rows) - len(rows),
        "label_counts": {lab: sum(r.label == lab for r in label_rows.rows) for lab in LABELS},
        "labels_through_id": max((_label_id(r) for r in label_rows.rows), default=None),
        "sources": source_hashes(training_data_dir),
    }


def train_with_labels(
    registry: ModelRegistry, training_data_dir: Path, *, labels: Sequence[EditorLabel], activate: bool = True
) -> tuple[str, LabelRows]:
    """Train a new version from scratch on the base data with the editors' labels, read as retraining reads them
    (folded, texts in conflict left out, a label replacing the base row of its text); no comparison, no hold-out.

    The version records its labels as a retrain does, so the next retrain compares against them (and finds nothing
    to do when neither base data nor labels changed).
    """
    base = load_training_data(training_data_dir)
    label_rows = labels_to_rows(labels)
    info = _data_info(base, label_rows, with_overrides(base, label_rows.rows), training_data_dir)
    previous = registry.active_version()
    version = train_and_register(
        registry,
        training_data_dir,
        extra_rows=label_rows.rows,
        activate=activate,
        extra_metadata={
            "retrain": {**info, "previous_version": previous, "at": datetime.now(UTC).isoformat(), "by": "train"}
        },
    )
    return version, label_rows


def _brief(metrics: dict[str, Any]) -> dict[str, Any]:
    keys = ("n", "n_hoax", "macro_f1", "roc_auc", "brier", "ece")
    return {
        "all": {k: metrics.get(k) for k in keys},
        **{g: {k: m.get(k) for k in keys} for g, m in metrics["by_genre"].items()},
    }
