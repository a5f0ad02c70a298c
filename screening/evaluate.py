"""How far to trust the model: scoring a labelled file, and grouped cross-validation per genre.

The cross-validation report trains, in every fold, the full model and a plain TF-IDF + logistic
regression baseline (no normalisation, no stemming, no rules) on the same rows, so the comparison is
measured in one run. Folds are grouped by near-duplicate clusters and by site, so a paraphrase or a
syndicated copy never sits on both sides of a split.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline

from screening.data import LabelledText, genre_of, near_duplicate_groups, read_labelled
from screening.metrics import best_macro_f1_threshold, classification_metrics, reliability_curve
from screening.model import GENRES, HoaxModel


def evaluate_rows(model: HoaxModel, rows: list[LabelledText], *, threshold: float | None = None) -> dict[str, Any]:
    """Metrics of `model` on labelled rows, overall and per genre, at the model's per-genre threshold."""
    prepared = [model.prepare(r.text) for r in rows]
    scores = model.score_prepared(prepared)
    y = np.asarray([int(r.is_hoax) for r in rows])
    p = np.asarray([s.hoax_risk for s in scores])
    cut = np.asarray([threshold if threshold is not None else model.threshold_for(s.genre) for s in scores])
    # the per-row threshold becomes a shift of the risk, so one confusion matrix covers both genres
    shifted = np.clip(p - cut + 0.5, 0.0, 1.0)
    report = classification_metrics(y, p, threshold=0.5)
    hard = classification_metrics(y, shifted, threshold=0.5)
    for key in ("accuracy", "macro_f1", "confusion_matrix"):
        report[key] = hard[key]
    report["threshold"] = threshold if threshold is not None else "per genre (model)"
    genres = np.asarray([s.genre for s in scores])
    report["by_genre"] = {
        g: classification_metrics(y[genres == g], p[genres == g], threshold=float(cut[genres == g][0]))
        for g in GENRES
        if (genres == g).any()
    }
    return report


def evaluate_file(
    model: HoaxModel,
    path: Path,
    *,
    threshold: float | None = None,
    text_field: str = "text",
    label_field: str = "label",
    on_bad_row: Callable[[int, str], None] | None = None,
) -> dict[str, Any]:
    """Metrics on a labelled file; with `on_bad_row`, bad rows are reported there and skipped (counted in `skipped`)."""
    skipped: list[int] = []

    def bad_row(line: int, reason: str) -> None:
        skipped.append(line)
        if on_bad_row is not None:
            on_bad_row(line, reason)

    rows = read_labelled(
        path, text_field=text_field, label_field=label_field, on_bad_row=bad_row if on_bad_row is not None else None
    )
    return {**evaluate_rows(model, rows, threshold=threshold), "skipped": len(skipped)}


# -- cross-validation report --------------------------------------------------------------------------
def plain_baseline() -> Pipeline:
    """The reference: TF-IDF on raw text and a logistic regression, nothing Indonesian-specific."""
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000))


def _baseline_scores(train_texts: list[str], y_train: np.ndarray, test_texts: list[str]) -> tuple[np.ndarray, float]:
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    inner_p = cross_val_predict(plain_baseline(), train_texts, y_train, cv=inner, method="predict_proba")[:, 1]
    threshold = best_macro_f1_threshold(y_train, inner_p)
    p = plain_baseline().fit(train_texts, y_train).predict_proba(test_texts)[:, 1]
    return p, threshold


@dataclass
class CrossValidationReport:
    """Out-of-fold predictions of every system for every row, and the metrics derived from them."""

    folds: int
    genres: np.ndarray
    sources: np.ndarray
    y: np.ndarray
    risks: dict[str, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)
    seconds: float = 0.0

    def metrics(self) -> dict[str, dict[str, dict[str, Any]]]:
        """system -> slice ("post", "article", "source:<file>") -> metrics."""
        slices: dict[str, np.ndarray] = {g: self.genres == g for g in GENRES}
        for source in sorted(set(self.sources.tolist())):
            slices[f"source:{source}"] = self.sources == source
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for system, p in self.risks.items():
            out[system] = {}
            for name, mask in slices.items():
                if mask.sum() == 0:
                    continue
                shifted = np.clip(p[mask] - self.thresholds[system][mask] + 0.5, 0.0, 1.0)
                m = classification_metrics(self.y[mask], p[mask], threshold=0.5)
                hard = classification_metrics(self.y[mask], shifted, threshold=0.5)
                m.update({k: hard[k] for k in ("accuracy", "macro_f1", "confusion_matrix")})
                m["threshold"] = "chosen on training folds"
                out[system][name] = m
        return out


SYSTEMS = {
    "baseline": "plain TF-IDF + LogisticRegression (raw text, no stemming)",
    "text_classifier": "normalised text: stemmed word, character and topic-masked stance n-grams (classifier_risk)",
    "full": "text classifier + style and rule features in the calibrated combiner (hoax_risk)",
}


def cross_validate(
    rows: list[LabelledText], *, folds: int = 5, seed: int = 0, model_params: dict[str, Any] | None = None
) -> CrossValidationReport:
    start = time.perf_counter()
    texts = [r.text for r in rows]
    y = np.asarray([int(r.is_hoax) for r in rows])
    groups = near_duplicate_groups(texts, source_urls=[r.source_url for r in rows])
    genres = np.asarray([genre_of(t) for t in texts])
    report = CrossValidationReport(folds=folds, genres=genres, sources=np.asarray([r.source for r in rows]), y=y)
    for system in SYSTEMS:
        report.risks[system] = np.zeros(len(rows))
        report.thresholds[system] = np.zeros(len(rows))
    # stratify on label x genre so every fold holds articles of both labels
    strata = y + 2 * (genres == "article")
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for train, test in splitter.split(texts, strata, groups):
        model = HoaxModel(**(model_params or {})).fit([texts[i] for i in train], y[train], groups=groups[train])
        scores = model.score_prepared([model.prepare(texts[i]) for i in test])
        report.risks["full"][test] = [s.hoax_risk for s in scores]
        report.risks["text_classifier"][test] = [s.classifier_risk for s in scores]
        report.thresholds["full"][test] = [model.threshold_for(s.genre) for s in scores]
        # the text classifier's own macro-F1 threshold, chosen on its out-of-fold training scores
        report.thresholds["text_classifier"][test] = [model.genre_models_[s.genre].text_threshold for s in scores]
        for genre in GENRES:
            tr = [i for i in train if genres[i] == genre]
            te = [i for i in test if genres[i] == genre]
            if not te:
                continue
            p, threshold = _baseline_scores([texts[i] for i in tr], y[tr], [texts[i] for i in te])
            report.risks["baseline"][te] = p
            report.thresholds["baseline"][te] = threshold
    report.seconds = time.perf_counter() - start
    return report


@dataclass
class TopicHoldoutReport:
    """Articles scored by models that never saw their topic (topics: k-means clusters of the articles)."""

    n_topics: int
    y: np.ndarray
    risks: dict[str, np.ndarray]

    def metrics(self) -> dict[str, dict[str, Any]]:
        out = {}
        for system, p in self.risks.items():
            m = classification_metrics(self.y, p, threshold=0.5)
            out[system] = {k: m[k] for k in ("n", "n_hoax", "roc_auc", "brier", "ece")}
        return out


def topic_holdout(
    rows: list[LabelledText], *, n_topics: int = 12, seed: int = 0, model_params: dict[str, Any] | None = None
) -> TopicHoldoutReport:
    """Leave-topic-out evaluation of the article genre: how the scores carry over to unseen topics."""
    from sklearn.cluster import KMeans
    from sklearn.model_selection import GroupKFold

    texts = [r.text for r in rows]
    y = np.asarray([int(r.is_hoax) for r in rows])
    articles = np.flatnonzero([genre_of(t) == "article" for t in texts])
    vectors = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True).fit_transform([texts[i] for i in articles])
    topics = KMeans(n_clusters=n_topics, random_state=seed, n_init=10).fit_predict(vectors)
    risks = {system: np.zeros(len(articles)) for system in SYSTEMS}
    others = np.setdiff1d(np.arange(len(rows)), articles)
    for train_a, test_a in GroupKFold(n_splits=min(6, n_topics)).split(articles, groups=topics):
        train = np.concatenate([others, articles[train_a]])
        model = HoaxModel(**(model_params or {})).fit([texts[i] for i in train], y[train])
        scores = model.score_prepared([model.prepare(texts[i]) for i in articles[test_a]])
        risks["full"][test_a] = [s.hoax_risk for s in scores]
        risks["text_classifier"][test_a] = [s.classifier_risk for s in scores]
        base = plain_baseline().fit([texts[i] for i in articles[train_a]], y[articles[train_a]])
        risks["baseline"][test_a] = base.predict_proba([texts[i] for i in articles[test_a]])[:, 1]
    return TopicHoldoutReport(n_topics=n_topics, y=y[articles], risks=risks)


def _fmt(value: Any) -> str:
    return "n/a" if value is None else f"{value:.3f}"


def write_report(
    report: CrossValidationReport, out_dir: Path, *, topics: TopicHoldoutReport | None = None
) -> dict[str, Any]:
    """Write `cv_report.md` and `reliability.png` into `out_dir`; return the metrics."""
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics: dict[str, Any] = report.metrics()
    lines = [
        f"# Grouped {report.folds}-fold cross-validation of the training data",
        "",
        "Folds grouped by near-duplicate clusters (word-3-gram Jaccard >= 0.3) and by site; stratified on label and",
        "genre. Decision thresholds are chosen on the training folds only. Genre: `post` < 100 words <= `article`.",
        f"Run time: {report.seconds:.0f} s.",
        "",
        "| slice | system | n | hoax | macro-F1 | ROC-AUC | accuracy | Brier | ECE |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    slices = list(next(iter(metrics.values())).keys())
    for name in slices:
        for system in SYSTEMS:
            m = metrics[system][name]
            lines.append(
                f"| {name} | {system} | {m['n']} | {m['n_hoax']} | {_fmt(m['macro_f1'])} | {_fmt(m['roc_auc'])} | "
                f"{_fmt(m['accuracy'])} | {_fmt(m['brier'])} | {_fmt(m['ece'])} |"
            )
    if topics is not None:
        topic_metrics = topics.metrics()
        metrics["topic_holdout"] = topic_metrics
        lines += [
            "",
            f"## Articles on unseen topics ({topics.n_topics} k-means topic clusters, whole topics held out)",
            "",
            "| system | n | hoax | ROC-AUC | Brier | ECE |",
            "| --- | ---: | ---: | ---: | ---: | ---: |",
        ]
        for system, m in topic_metrics.items():
            scores = " | ".join(_fmt(m[k]) for k in ("roc_auc", "brier", "ece"))
            lines.append(f"| {system} | {m['n']} | {m['n_hoax']} | {scores} |")
    lines += ["", "Systems:"] + [f"- `{k}`: {v}" for k, v in SYSTEMS.items()]
    lines += ["", "![reliability](reliability.png)", ""]
    (out_dir / "cv_report.md").write_text("\n".join(lines), "utf-8")
    _reliability_plot(report, out_dir / "reliability.png")
    return metrics


def _reliability_plot(report: CrossValidationReport, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(1, len(GENRES), figsize=(10, 4.5))
    for ax, genre in zip(axes, GENRES, strict=True):
        mask = report.genres == genre
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
        for system, style in (("full", "o-"), ("text_classifier", "s--"), ("baseline", "^-.")):
            curve = reliability_curve(report.y[mask], report.risks[system][mask])
            ax.plot([c["predicted"] for c in curve], [c["observed"] for c in curve], style, label=system)
        ax.set_title(f"{genre} (n={int(mask.sum())})")
        ax.set_xlabel("predicted hoax risk")
        ax.set_ylabel("observed share of hoaxes")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
