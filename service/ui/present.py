"""How a screening is shown to editors: highlighted rule spans, Indonesian wording, small number formats.

Pure functions of a `ScreenResult` and model metadata; the templates only loop over what these return.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

from screening.registry import VersionInfo
from screening.result import Decision, RuleMatch, ScreenResult, Span, Thresholds
from screening.scorer import GATE_TERM

DECISIONS: dict[str, tuple[str, str]] = {
    "publish": (
        "Layak terbit",
        "Tidak ada tanda kuat hoaks. Naskah boleh diterbitkan setelah pemeriksaan redaksi yang biasa.",
    ),
    "review": (
        "Perlu ditinjau",
        "Ada tanda-tanda hoaks. Redaktur perlu memeriksa fakta dan sumbernya sebelum naskah diterbitkan.",
    ),
    "reject": (
        "Disarankan ditolak",
        "Sangat mungkin hoaks. Jangan diterbitkan kecuali redaktur sudah memastikan kebenarannya.",
    ),
}
KINDS = {"article": "Artikel berita", "post": "Unggahan media sosial"}
SUBSCORES = {
    "completeness": "Kelengkapan unsur berita (5W+1H)",
    "attribution": "Atribusi sumber",
    "byline": "Nama penulis",
    "headline": "Judul",
    "language": "Bahasa",
    "structure": "Struktur",
}
GENRES = {"post": "Unggahan/klaim pendek", "article": "Artikel"}
METRICS = {
    "roc_auc": "ROC-AUC",
    "macro_f1": "Macro-F1",
    "accuracy": "Akurasi",
    "brier": "Brier",
    "ece": "ECE",
}
JOB_STATUS = {"queued": "Menunggu", "running": "Sedang berjalan", "succeeded": "Selesai", "failed": "Gagal"}
RETRAIN_OUTCOMES = {
    "promoted": "Model baru lebih baik atau setara, disimpan dan langsung dipakai.",
    "kept": "Model lama dipertahankan: model calon tidak cukup baik pada data uji.",
    "unchanged": "Tidak ada yang dilatih: belum ada label atau data baru sejak model sekarang.",
    "dry_run": "Uji coba saja: tidak ada model yang disimpan.",
    "held_for_review": "Model calon ditahan: banyak label baru bertentangan tajam dengan model sekarang; periksa dulu.",
}
VERDICTS = {"hoax": "Hoaks", "valid": "Valid", "unsure": "Ragu-ragu"}


# Rule categories as editors read them (the API keeps the English ids).
CATEGORIES = {
    "spread": "ajakan menyebarkan",
    "urgency": "desakan dan rasa takut",
    "unverified_source": "sumber tidak jelas",
    "clickbait": "umpan klik",
    "shouting": "nada berteriak",
    "emotive": "bahasa emosional",
    "health_claim": "klaim kesehatan",
    "impersonation": "mengatasnamakan lembaga",
    "scam": "penipuan",
    "suspicious_link": "tautan mencurigakan",
    "debunk": "bantahan atau klarifikasi",
    "attribution": "narasumber disebut",
}
GATE_LABEL = "mirip berita biasa"


def category_label(category: str) -> str:
    return CATEGORIES.get(category, category.replace("_", " "))


@dataclass(frozen=True, slots=True)
class Finding:
    """One rule match as listed beside the text; `number` ties it to its highlighted spans."""

    number: int
    rule_id: str
    category: str
    message: str
    raises_risk: bool
    quotes: tuple[tuple[str, str], ...]  # (where: "judul"/"teks", quoted text)

    @property
    def category_label(self) -> str:
        return category_label(self.category)


@dataclass(frozen=True, slots=True)
class Segment:
    """A run of the original text; highlighted when `findings` is not empty."""

    text: str
    findings: tuple[Finding, ...] = ()

    @property
    def tooltip(self) -> str:
        return " | ".join(f"[{f.number}] {f.message}" for f in self.findings)

    @property
    def raises_risk(self) -> bool:
        return any(f.raises_risk for f in self.findings)


def findings_of(rules: Sequence[RuleMatch]) -> list[Finding]:
    return [
        Finding(
            number=i,
            rule_id=m.rule_id,
            category=m.category,
            message=m.message,
            raises_risk=m.weight > 0,
            quotes=tuple(("judul" if s.field == "title" else "teks", s.text) for s in m.spans),
        )
        for i, m in enumerate(rules, start=1)
    ]


def highlight(
    text: str, rules: Sequence[RuleMatch], findings: Sequence[Finding], field: Literal["text", "title"]
) -> list[Segment]:
    """Split `text` into runs; each run carries every finding whose span (on `field`) covers it.

    Spans of different rules may overlap: the text is cut at every span boundary, so an overlapped run lists both.
    """
    covering: list[tuple[int, int, Finding]] = []
    for match, finding in zip(rules, findings, strict=True):
        for span in match.spans:
            start, end = max(0, span.start), min(len(text), span.end)
            if span.field == field and start < end:
                covering.append((start, end, finding))
    cuts = sorted({0, len(text), *(s for s, _, _ in covering), *(e for _, e, _ in covering)})
    segments: list[Segment] = []
    for start, end in zip(cuts, cuts[1:], strict=False):
        here = tuple(sorted({f for s, e, f in covering if s <= start and end <= e}, key=lambda f: f.number))
        if segments and segments[-1].findings == here:
            segments[-1] = Segment(segments[-1].text + text[start:end], here)
        else:
            segments.append(Segment(text[start:end], here))
    return segments


@dataclass(frozen=True, slots=True)
class Term:
    term: str
    contribution: float
    width: int  # 0-100, relative to the largest contribution shown
    label: str  # what an editor reads: the word itself, or what a rule or the gate stands for
    is_word: bool


def terms_view(result: ScreenResult) -> tuple[list[Term], list[Term]]:
    """(towards hoax, away from hoax), each strongest first, with bar widths."""
    largest = max((abs(t.contribution) for t in result.terms), default=0.0) or 1.0
    categories = {m.rule_id: m.category for m in result.rules}

    def label(term: str) -> tuple[str, bool]:
        if term == GATE_TERM:
            return GATE_LABEL, False
        if term.startswith("rule:"):
            rule_id = term.removeprefix("rule:")
            return f"aturan: {category_label(categories.get(rule_id, rule_id))}", False
        return term, True

    def view(items: Iterable[Any]) -> list[Term]:
        return [
            Term(t.term, t.contribution, max(4, round(100 * abs(t.contribution) / largest)), *label(t.term))
            for t in sorted(items, key=lambda t: abs(t.contribution), reverse=True)
        ]

    return (
        view(t for t in result.terms if t.contribution > 0),
        view(t for t in result.terms if t.contribution < 0),
    )


def safe_link(url: str | None) -> str | None:
    """Only http(s) links are rendered as links (a `javascript:` URL in the data must never become clickable)."""
    if not url:
        return None
    parts = urlsplit(url.strip())
    return url.strip() if parts.scheme in ("http", "https") and parts.netloc else None


def percent(value: float | None, digits: int = 0) -> str:
    if value is None:
        return "–"
    return f"{100 * value:.{digits}f}".replace(".", ",") + " %"


def risk_percent(risk: float, thresholds: Thresholds) -> str:
    """The risk as a percentage with the fewest decimals that keep it on its side of every threshold.

    0.8486 beside a reject threshold of 0.85 reads "84,9 %", not "85 %" (which looks like a reject while the
    decision is review); 0.62 reads "62 %". Risks are rounded to four decimals, so two always suffice.
    """
    limits = (thresholds.review, thresholds.reject)
    for digits in (0, 1, 2):
        shown = round(100 * risk, digits)
        if all((shown >= round(100 * t, digits)) == (risk >= t) for t in limits):
            return percent(risk, digits)
    return percent(risk, 2)


def decimal(value: Any, digits: int = 3) -> str:
    if not isinstance(value, int | float):
        return "–"
    return f"{value:.{digits}f}".replace(".", ",")


def thousands(value: Any) -> str:
    if not isinstance(value, int):
        return "–"
    return f"{value:,}".replace(",", ".")


def decision_words(decision: Decision | str) -> tuple[str, str]:
    return DECISIONS.get(decision, (decision, ""))


def quote_of(span: Span | None) -> str | None:
    return span.text if span is not None and span.text.strip() else None


def model_rows(versions: Sequence[VersionInfo]) -> list[dict[str, Any]]:
    """What the models page shows per version, from registry metadata (missing fields shown as '–')."""
    rows = []
    for info in versions:
        meta = info.metadata
        data = meta.get("training_data") or {}
        retrain = meta.get("retrain") or {}
        metrics = meta.get("metrics") or {}
        rows.append(
            {
                "version": info.version,
                "active": info.active,
                "loadable": info.loadable,
                "problem": info.problem,
                "created_at": str(meta.get("created_at", "–")),
                "n_rows": data.get("n_rows"),
                "label_counts": data.get("label_counts") or {},
                "n_editor_labels": retrain.get("n_labels"),
                "previous_version": retrain.get("previous_version"),
                "ruleset_version": meta.get("ruleset_version", "–"),
                "known_hoaxes": meta.get("known_hoaxes_count"),
                "metrics": {g: metrics[g] for g in GENRES if isinstance(metrics.get(g), Mapping)},
            }
        )
    return rows
