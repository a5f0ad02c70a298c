"""How far to trust the model: scoring a labelled file, and grouped cross-validation per genre.

The cross-validation trains, in every fold, the full model and a plain TF-IDF + logistic regression baseline (no
normalisation, no stemming, no rules) on the same rows, so the comparison is measured in one run. Folds are
grouped by near-duplicate clusters and by site, so a paraphrase, a syndicated copy, an article and its summary,
and every article of one news outlet stay on one side of a split (ordinary news is held out by outlet).

Two kinds of figure, reported side by side:
- **the model** on the hoax-watch data alone (the claims: hoaxes and the genuine texts about them): ROC-AUC,
  macro-F1 at the model's threshold, Brier, ECE. Ordinary news is left out of these on purpose: telling a hoax
  from mainstream news is easy and would flatter the figures;
- **the decisions a deployment gets** at a `DecisionPolicy` (the defaults unless given): the share of hoaxes
  flagged (review or reject), of genuine claims flagged and of ordinary news flagged, per genre, and how the
  hoaxes and ordinary news flagged trade off as the review threshold moves.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import StratifiedGroupKFold, StratifiedKFold, cross_val_predict
from sklearn.pipeline import Pipeline, make_pipeline

from screening.batch.reader import detect_format, peek_head, read_chunks
from screening.batch.records import BatchUsageError, Fields
from screening.data import LabelledText, near_duplicate_groups
from screening.doc import GENRES, Analyser, Doc
from screening.errors import InvalidInputError, TrainingDataError
from screening.labels import parse_label
from screening.language import LanguageGuess
from screening.metrics import (
    best_macro_f1_threshold,
    classification_metrics,
    ece_bootstrap,
    ece_if_calibrated,
    expected_calibration_error,
    reliability_curve,
)
from screening.policy import DecisionPolicy
from screening.rules import RuleEngine
from screening.scorer import CompiledModel, compile_model
from screening.training.train import analyse_rows, fit_model

FLAG_THRESHOLDS = tuple(round(t, 2) for t in np.arange(0.2, 0.81, 0.05))  # review thresholds of the trade-off


def _decisions(policy: DecisionPolicy, model: CompiledModel, docs: Sequence[Doc], trained: np.ndarray) -> list[str]:
    """The decision a deployment under `policy` gives each document (risk only; known hoaxes are not searched)."""
    out: list[str] = []
    for doc, risk in zip(docs, trained, strict=True):
        deployed = policy.deployment_risk(float(risk), genre=doc.genre, trained_rate=model.base_rate_for(doc.genre))
        decision, _ = policy.decide(round(deployed, 4), thresholds=policy.thresholds, language=doc.language)
        out.append(decision)
    return out


def evaluate_docs(
    model: CompiledModel,
    rows: Sequence[LabelledText],
    docs: Sequence[Doc],
    *,
    threshold: float | None = None,
    policy: DecisionPolicy | None = None,
) -> dict[str, Any]:
    """Metrics of `model` on labelled documents at its per-genre threshold (or `threshold`), overall and per
    genre, and the decisions a deployment under `policy` (default: the deployment defaults) would give."""
    scores = model.score(docs)
    y = np.asarray([int(r.is_hoax) for r in rows])
    p = np.asarray([s.trained_hoax_risk for s in scores])
    genres = np.asarray([d.genre for d in docs])
    cut = np.asarray([threshold if threshold is not None else model.threshold_for(g) for g in genres])
    # the per-row threshold becomes a shift of the risk, so one confusion matrix covers both genres
    shifted = np.clip(p - cut + 0.5, 0.0, 1.0)
    report = classification_metrics(y, p, threshold=0.5)
    hard = classification_metrics(y, shifted, threshold=0.5)
    for key in ("accuracy", "macro_f1", "confusion_matrix"):
        report[key] = hard[key]
    report["threshold"] = threshold if threshold is not None else "per genre (model)"
    report["by_genre"] = {
        g: classification_metrics(y[genres == g], p[genres == g], threshold=float(cut[genres == g][0]))
        for g in GENRES
        if (genres == g).any()
    }
    decisions = np.asarray(_decisions(policy or DecisionPolicy(), model, docs, p))
    report["decisions"] = decision_shares(y, decisions, genres)
    return report


def decision_shares(y: np.ndarray, decisions: np.ndarray, genres: np.ndarray) -> dict[str, dict[str, Any]]:
    """Per genre and label: how many texts, and the share sent to review or reject."""
    out: dict[str, dict[str, Any]] = {}
    for genre in GENRES:
        for label, name in ((1, "hoax"), (0, "valid")):
            mask = (genres == genre) & (y == label)
            if mask.any():
                flagged = float(np.isin(decisions[mask], ("review", "reject")).mean())
                out.setdefault(genre, {})[name] = {"n": int(mask.sum()), "flagged": round(flagged, 4)}
    return out


def evaluate_file(
    model: CompiledModel,
    path: Path,
    *,
    threshold: float | None = None,
    policy: DecisionPolicy | None = None,
    text_field: str = "text",
    label_field: str = "label",
    input_format: str | None = None,
    on_bad_row: Callable[[int, str], None] | None = None,
) -> dict[str, Any]:
    """`evaluate_docs` on a labelled CSV/JSONL file; bad rows go to `on_bad_row` and are skipped."""
    skipped = 0

    def count(line: int, reason: str) -> None:
        nonlocal skipped
        skipped += 1
        if on_bad_row is not None:
            on_bad_row(line, reason)

    rows = read_labelled_file(
        path, text_field=text_field, label_field=label_field, input_format=input_format, on_bad_row=count
    )
    docs = analyse_rows(rows, Analyser(model.rules))
    report = evaluate_docs(model, rows, docs, threshold=threshold, policy=policy)
    report["skipped"] = skipped
    return report


def read_labelled_file(
    path: Path,
    *,
    text_field: str = "text",
    label_field: str = "label",
    input_format: str | None = None,
    on_bad_row: Callable[[int, str], None] | None = None,
) -> list[LabelledText]:
    """The labelled rows of a file people wrote, read as `saring screen` reads its input (`screening.batch`).

    A row that cannot be used (not UTF-8, not JSON, no text, a text longer than the API accepts, a label that
    is not hoax/hoaks/1 or valid/0) goes to `on_bad_row(line, reason)` and is skipped; a text or label field
    the file lacks raises `BatchUsageError` naming the fields it has, and a file without one usable row
    `TrainingDataError`.
    """
    path = Path(path)
    if not path.is_file():
        raise BatchUsageError(f"{path}: berkas tidak ditemukan")
    fields = Fields(text=text_field, keep=(label_field,))
    rows: list[LabelledText] = []
    with open(path, "rb") as stream:
        fmt = detect_format(path, input_format, head=peek_head(stream))
        for chunk in read_chunks(stream, fmt, fields, chunk_size=256):
            problems = [(e.line, e.reason) for e in chunk.errors]
            for row in chunk.rows:
                try:
                    label = parse_label(row.kept[0])
                except InvalidInputError:
                    problems.append((row.line, _label_problem(label_field, row.kept[0])))
                    continue
                rows.append(LabelledText(text=row.text.strip(), label=label, title=row.title.strip(), source=path.name))
            if on_bad_row is not None:
                for line, reason in sorted(problems):
                    on_bad_row(line, reason)
    if not rows:
        raise TrainingDataError(f"{path}: tidak ada baris berlabel yang dapat dipakai")
    return rows


def _label_problem(label_field: str, raw: object) -> str:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return f"{label_field!r} kosong"
    return f"label {raw!r} tidak dikenal: hoaks/hoax/1 atau valid/0"


# -- cross-validation -----------------------------------------------------------------------------------------
def plain_baseline() -> Pipeline:
    """The reference: TF-IDF on raw text and a logistic regression, nothing Indonesian-specific."""
    return make_pipeline(TfidfVectorizer(), LogisticRegression(max_iter=2000))


def _baseline_scores(train_texts: list[str], y_train: np.ndarray, test_texts: list[str]) -> tuple[np.ndarray, float]:
    inner = StratifiedKFold(n_splits=3, shuffle=True, random_state=0)
    inner_p = cross_val_predict(plain_baseline(), train_texts, y_train, cv=inner, method="predict_proba")[:, 1]
    threshold = best_macro_f1_threshold(y_train, inner_p)
    p = plain_baseline().fit(train_texts, y_train).predict_proba(test_texts)[:, 1]
    return p, threshold


SYSTEMS = {
    "baseline": "plain TF-IDF + LogisticRegression on the claims (raw text, no stemming, no ordinary news)",
    "text_classifier": "normalised text: stemmed word, character and topic-masked stance n-grams (classifier_risk)",
    "full": "text classifier + style and rule features, discounted by the ordinary-news gate (hoax_risk)",
}


@dataclass
class CrossValidationReport:
    """Out-of-fold predictions of every system for every row, and what they mean for decisions."""

    folds: int
    genres: np.ndarray
    sources: np.ndarray
    is_news: np.ndarray
    y: np.ndarray
    base_rates: dict[str, float]  # share of hoaxes among each genre's claims (the training prior)
    languages: list[LanguageGuess]  # a text not in Indonesian goes at least to review, whatever its risk
    risks: dict[str, np.ndarray] = field(default_factory=dict)
    thresholds: dict[str, np.ndarray] = field(default_factory=dict)
    gate: np.ndarray | None = None  # the ordinary-news gate of the full system, out-of-fold
    claims_risk: np.ndarray | None = None  # the full system before the gate
    seconds: float = 0.0

    def metrics(self) -> dict[str, dict[str, dict[str, Any]]]:
        """system -> slice ("post", "article", "source:<file>") -> metrics, on the claims only."""
        claims = ~self.is_news
        slices: dict[str, np.ndarray] = {g: claims & (self.genres == g) for g in GENRES}
        for source in sorted(set(self.sources[claims].tolist())):
            slices[f"source:{source}"] = claims & (self.sources == source)
        out: dict[str, dict[str, dict[str, Any]]] = {}
        for system, p in self.risks.items():
            out[system] = {}
            for name, mask in slices.items():
                if mask.sum() == 0 or len(set(self.y[mask].tolist())) < 2:
                    continue
                shifted = np.clip(p[mask] - self.thresholds[system][mask] + 0.5, 0.0, 1.0)
                m = classification_metrics(self.y[mask], p[mask], threshold=0.5)
                hard = classification_metrics(self.y[mask], shifted, threshold=0.5)
                m.update({k: hard[k] for k in ("accuracy", "macro_f1", "confusion_matrix")})
                m["threshold"] = "chosen on training folds"
                out[system][name] = m
        return out

    def ece_noise(self, system: str = "full") -> dict[str, dict[str, Any]]:
        """Per genre, on the claims: the measured ECE of `system`, its bootstrap 95 % interval, and the ECE a
        perfectly calibrated model would show at the same risks (its noise floor at this sample size)."""
        out: dict[str, dict[str, Any]] = {}
        for genre in GENRES:
            mask = ~self.is_news & (self.genres == genre)
            if not mask.any():
                continue
            y, p = self.y[mask], self.risks[system][mask]
            floor, boot = ece_if_calibrated(p), ece_bootstrap(y, p)
            out[genre] = {
                "n": int(mask.sum()),
                "ece": round(expected_calibration_error(y, p), 4),
                "bootstrap_95": [round(float(q), 4) for q in np.quantile(boot, [0.025, 0.975])],
                "if_calibrated_median": round(float(np.median(floor)), 4),
                "if_calibrated_95th": round(float(np.quantile(floor, 0.95)), 4),
            }
        return out

    def decisions_at(self, policy: DecisionPolicy) -> np.ndarray:
        """The decision a deployment under `policy` gives each row (known-hoax matches are not searched)."""
        out = np.empty(len(self.y), dtype=object)
        for i, (risk, genre) in enumerate(zip(self.risks["full"], self.genres, strict=True)):
            deployed = policy.deployment_risk(float(risk), genre=genre, trained_rate=self.base_rates[genre])
            out[i], _ = policy.decide(round(deployed, 4), thresholds=policy.thresholds, language=self.languages[i])
        return out

    def decision_table(self, policy: DecisionPolicy) -> dict[str, dict[str, Any]]:
        """Per genre at `policy`: share of hoaxes, genuine claims and ordinary news flagged (review or reject)."""
        flagged = np.isin(self.decisions_at(policy), ("review", "reject"))
        table: dict[str, dict[str, Any]] = {}
        for genre in GENRES:
            g = self.genres == genre
            parts = {
                "hoax": g & ~self.is_news & (self.y == 1),
                "genuine_claims": g & ~self.is_news & (self.y == 0),
                "ordinary_news": g & self.is_news,
            }
            table[genre] = {
                name: {"n": int(m.sum()), "flagged": round(float(flagged[m].mean()), 4) if m.any() else None}
                for name, m in parts.items()
            }
        return table

    def trade_off(self, policy: DecisionPolicy) -> dict[str, list[dict[str, float]]]:
        """Per genre, for review thresholds from 0.2 to 0.8 (the policy's base rates): hoaxes and news flagged."""
        p = self.risks["full"]
        out: dict[str, list[dict[str, float]]] = {}
        for genre in GENRES:
            g = self.genres == genre
            deployed = np.asarray(
                [policy.deployment_risk(float(r), genre=genre, trained_rate=self.base_rates[genre]) for r in p[g]]
            )
            hoax, news = (~self.is_news[g]) & (self.y[g] == 1), self.is_news[g]
            out[genre] = [
                {
                    "review_threshold": t,
                    "hoax_flagged": round(float((deployed[hoax] >= t).mean()), 4) if hoax.any() else float("nan"),
                    "news_flagged": round(float((deployed[news] >= t).mean()), 4) if news.any() else float("nan"),
                }
                for t in FLAG_THRESHOLDS
            ]
        return out


def cross_validate(
    rows: list[LabelledText],
    *,
    folds: int = 5,
    seed: int = 0,
    params: dict[str, Any] | None = None,
    progress: Callable[[str], None] | None = None,
) -> CrossValidationReport:
    """Grouped cross-validation of the full model and the baseline on the same folds (decisions: `decisions_at`)."""
    start = time.perf_counter()
    rules = RuleEngine.from_file()
    docs = analyse_rows(rows, Analyser(rules))
    texts = [r.text for r in rows]
    y = np.asarray([int(r.is_hoax) for r in rows])
    is_news = np.asarray([r.corpus == "news" for r in rows])
    groups = near_duplicate_groups(texts, source_urls=[r.source_url for r in rows])
    genres = np.asarray([d.genre for d in docs])
    claims = ~is_news
    base_rates: dict[str, float] = {
        g: float(y[claims & (genres == g)].mean()) if (claims & (genres == g)).any() else 0.5 for g in GENRES
    }
    report = CrossValidationReport(
        folds=folds,
        genres=genres,
        sources=np.asarray([r.source for r in rows]),
        is_news=is_news,
        y=y,
        base_rates=base_rates,
        languages=[d.language for d in docs],
    )
    for system in SYSTEMS:
        report.risks[system] = np.zeros(len(rows))
        report.thresholds[system] = np.zeros(len(rows))
    report.gate, report.claims_risk = np.ones(len(rows)), np.zeros(len(rows))
    # stratify on label x genre x corpus so every fold holds articles of both labels and some ordinary news
    strata = y + 2 * (genres == "article") + 4 * is_news
    splitter = StratifiedGroupKFold(n_splits=folds, shuffle=True, random_state=seed)
    for k, (train, test) in enumerate(splitter.split(texts, strata, groups)):
        if progress is not None:
            progress(f"fold {k + 1}/{folds}: training on {len(train)} rows")
        model, _ = fit_model([rows[i] for i in train], params=params, rules=rules, groups=groups[train])
        compiled = compile_model(model)
        test_docs = [docs[i] for i in test]
        scores = compiled.score(test_docs)
        report.risks["full"][test] = [s.trained_hoax_risk for s in scores]
        report.risks["text_classifier"][test] = [s.trained_classifier_risk for s in scores]
        report.gate[test] = [s.gate for s in scores]
        report.claims_risk[test] = [s.claims_risk for s in scores]
        report.thresholds["full"][test] = [compiled.threshold_for(d.genre) for d in test_docs]
        report.thresholds["text_classifier"][test] = [compiled.genres[d.genre].text_threshold for d in test_docs]
        for genre in GENRES:
            tr = [i for i in train if genres[i] == genre and not is_news[i]]
            te = [i for i in test if genres[i] == genre]
            if not te or len(set(y[tr].tolist())) < 2:
                continue
            p, threshold = _baseline_scores([texts[i] for i in tr], y[tr], [texts[i] for i in te])
            report.risks["baseline"][te] = p
            report.thresholds["baseline"][te] = threshold
    report.seconds = time.perf_counter() - start
    return report


@dataclass
class TopicHoldoutReport:
    """Claims articles scored by models that never saw their topic (topics: k-means clusters of the articles)."""

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
    rows: list[LabelledText], *, n_topics: int = 12, seed: int = 0, params: dict[str, Any] | None = None
) -> TopicHoldoutReport:
    """Leave-topic-out evaluation of the claims articles: how the scores carry over to unseen topics."""
    from sklearn.cluster import KMeans
    from sklearn.model_selection import GroupKFold

    rules = RuleEngine.from_file()
    docs = analyse_rows(rows, Analyser(rules))
    texts = [r.text for r in rows]
    y = np.asarray([int(r.is_hoax) for r in rows])
    articles = np.flatnonzero([d.genre == "article" and r.corpus == "claims" for d, r in zip(docs, rows, strict=True)])
    vectors = TfidfVectorizer(min_df=2, max_df=0.5, sublinear_tf=True).fit_transform([texts[i] for i in articles])
    topics = KMeans(n_clusters=n_topics, random_state=seed, n_init=10).fit_predict(vectors)
    risks = {system: np.zeros(len(articles)) for system in SYSTEMS}
    others = np.setdiff1d(np.arange(len(rows)), articles)
    for train_a, test_a in GroupKFold(n_splits=min(6, n_topics)).split(articles, groups=topics):
        train = np.concatenate([others, articles[train_a]])
        model, _ = fit_model([rows[i] for i in train], params=params, rules=rules)
        compiled = compile_model(model)
        scores = compiled.score([docs[i] for i in articles[test_a]])
        risks["full"][test_a] = [s.trained_hoax_risk for s in scores]
        risks["text_classifier"][test_a] = [s.trained_classifier_risk for s in scores]
        base = plain_baseline().fit([texts[i] for i in articles[train_a]], y[articles[train_a]])
        risks["baseline"][test_a] = base.predict_proba([texts[i] for i in articles[test_a]])[:, 1]
    return TopicHoldoutReport(n_topics=n_topics, y=y[articles], risks=risks)


def _fmt(value: Any) -> str:
    return "n/a" if value is None or (isinstance(value, float) and np.isnan(value)) else f"{value:.3f}"


def _pct(value: Any) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def write_report(
    report: CrossValidationReport,
    out_dir: Path,
    *,
    policy: DecisionPolicy | None = None,
    topics: TopicHoldoutReport | None = None,
) -> dict[str, Any]:
    """Write `cv_report.md` and `reliability.png` into `out_dir`; return the figures."""
    policy = policy or DecisionPolicy()
    out_dir.mkdir(parents=True, exist_ok=True)
    metrics: dict[str, Any] = report.metrics()
    decisions = report.decision_table(policy)
    trade_off = report.trade_off(policy)
    lines = [
        f"# Grouped {report.folds}-fold cross-validation of the training data",
        "",
        "Folds grouped by near-duplicate clusters (word-3-gram Jaccard >= 0.3) and by site, so ordinary news is held",
        "out by outlet; stratified on label, genre and corpus. Decision thresholds of the model are chosen on the",
        f"training folds only. Genre: `post` < 100 words <= `article`. Run time: {report.seconds:.0f} s.",
        "",
        "## The model, on the hoax-watch data alone",
        "",
        "Claims only (hoaxes and the genuine texts about them); ordinary news is left out of these figures.",
        "",
        "| slice | system | n | hoax | macro-F1 | ROC-AUC | accuracy | Brier | ECE |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    slices = list(metrics["full"].keys())
    for name in slices:
        for system in SYSTEMS:
            m = metrics[system].get(name)
            if m is None:
                continue
            lines.append(
                f"| {name} | {system} | {m['n']} | {m['n_hoax']} | {_fmt(m['macro_f1'])} | {_fmt(m['roc_auc'])} | "
                f"{_fmt(m['accuracy'])} | {_fmt(m['brier'])} | {_fmt(m['ece'])} |"
            )
    noise = report.ece_noise()
    lines += [
        "",
        "### How much of the ECE is noise",
        "",
        "ECE over ten equal-width risk bins, of the full model. A perfectly calibrated model would not score 0: with",
        "labels drawn as y ~ Bernoulli(risk) at the same risks, its ECE is that of the last two columns (2,000",
        "draws). A measured ECE within that range is no evidence of miscalibration. The interval is the 2.5-97.5",
        "percentiles of the ECE of texts resampled with replacement: resampling adds binning noise of its own, so it",
        "lies above the measured ECE and says how far the figure moves with the sample, not where the truth is.",
        "",
        "| genre | n | ECE | bootstrap 95 % interval | perfectly calibrated: median | perfectly calibrated: 95th pct |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for genre, e in noise.items():
        low, high = e["bootstrap_95"]
        lines.append(
            f"| {genre} | {e['n']} | {_fmt(e['ece'])} | {_fmt(low)} - {_fmt(high)} | "
            f"{_fmt(e['if_calibrated_median'])} | {_fmt(e['if_calibrated_95th'])} |"
        )
    metrics["ece_noise"] = noise
    thresholds = policy.thresholds
    rates = ", ".join(
        f"{g} {policy.base_rates.get(g) if policy.base_rates.get(g) is not None else 'as trained'}" for g in GENRES
    )
    lines += [
        "",
        "## Decisions at the deployment defaults",
        "",
        f"Review at {thresholds.review}, reject at {thresholds.reject}; base rates {rates}. Out-of-fold; known-hoax",
        "matches are not counted here (near-duplicates never cross folds). Flagged = sent to review or reject.",
        "",
        "| genre | hoaxes flagged | genuine claims flagged | ordinary news flagged (held-out outlets) |",
        "| --- | ---: | ---: | ---: |",
    ]
    for genre, parts in decisions.items():
        cells = [
            f"{_pct(parts[k]['flagged'])} of {parts[k]['n']:,}" for k in ("hoax", "genuine_claims", "ordinary_news")
        ]
        lines.append(f"| {genre} | " + " | ".join(cells) + " |")
    lines += ["", "### Trade-off as the review threshold moves", ""]
    lines += ["Risk alone (a text not in Indonesian, reviewed whatever its risk, is not counted here).", ""]
    lines += ["| review threshold | " + " | ".join(f"{g}: hoaxes / news flagged" for g in GENRES) + " |"]
    lines += ["| ---: | " + " | ".join("---:" for _ in GENRES) + " |"]
    for i, t in enumerate(FLAG_THRESHOLDS):
        cells = [f"{_pct(trade_off[g][i]['hoax_flagged'])} / {_pct(trade_off[g][i]['news_flagged'])}" for g in GENRES]
        lines.append(f"| {t:.2f} | " + " | ".join(cells) + " |")
    metrics["decisions"] = decisions
    metrics["trade_off"] = trade_off
    if topics is not None:
        topic_metrics = topics.metrics()
        metrics["topic_holdout"] = topic_metrics
        lines += [
            "",
            f"## Claims articles on unseen topics ({topics.n_topics} k-means topic clusters, whole topics held out)",
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
        mask = (report.genres == genre) & ~report.is_news
        ax.plot([0, 1], [0, 1], color="grey", linestyle=":", label="perfectly calibrated")
        for system, style in (("full", "o-"), ("text_classifier", "s--"), ("baseline", "^-.")):
            curve = reliability_curve(report.y[mask], report.risks[system][mask])
            ax.plot([c["predicted"] for c in curve], [c["observed"] for c in curve], style, label=system)
        ax.set_title(f"{genre}, claims (n={int(mask.sum())})")
        ax.set_xlabel("predicted hoax risk")
        ax.set_ylabel("observed share of hoaxes")
        ax.set_xlim(0, 1)
        ax.set_ylim(0, 1)
        ax.legend(loc="upper left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
