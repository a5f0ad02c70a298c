# ruff: noqa: E501  (the benchmark article keeps its paragraphs on one line)
"""Time rule matching and the quality score on a ~300-word village news article, against `normalise()` alone.

Everything runs in one process on the same article; one-off loading (rules file, wilayah list, stemmer) happens
before timing. "warm" reuses the stemmer cache across runs (a long-running service); "cold stems" clears the
spelling cache before every run (every word of the article is new to the process). "analysis" is the whole
analysed document (`screening.doc`: normalised title and body, stems, rules, places, language), as screening
computes it once per submission.

    python bench/bench_rules.py [--repeat 300]
"""

from __future__ import annotations

import argparse
import sys
import time
from collections.abc import Callable
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from screening.doc import default_analyser  # noqa: E402
from screening.quality import assess_quality  # noqa: E402
from screening.text import canonical_word, normalise  # noqa: E402

TITLE = "Warga Desa Sukamaju Gotong Royong Bersihkan Saluran Irigasi Jelang Musim Tanam"
ARTICLE = """Desa Sukamaju, Kecamatan Cibeber, Kabupaten Cianjur — Kelompok Informasi Masyarakat (KIM) Sukamaju melaporkan ratusan warga bergotong royong membersihkan saluran irigasi sepanjang dua kilometer pada Senin (12/8/2024) pagi.

Kegiatan yang dimulai pukul 07.00 WIB itu diikuti pengurus BPD, anggota PKK, Karang Taruna, serta Babinsa Koramil Cibeber. Warga membawa cangkul, sabit, dan karung untuk mengangkat lumpur serta sampah plastik yang menyumbat aliran air. Sebagian ibu-ibu menyiapkan makanan di balai desa.

"Saluran ini mengairi sekitar 120 hektare sawah. Kalau tersumbat, petani tidak bisa mulai tanam tepat waktu," kata Kepala Desa Sukamaju, Ahmad Suryana, di sela kegiatan.

Menurut Ahmad, gotong royong dilakukan menjelang musim tanam agar air dari bendungan dapat mengalir merata ke seluruh petak sawah. Pemerintah desa juga menyediakan makanan dan minuman bagi warga yang ikut bekerja. Ia berharap kebiasaan baik ini terus dijaga oleh generasi muda desa.

Ketua Kelompok Tani Sri Rejeki, Dedi Kurniawan, mengatakan kegiatan serupa akan digelar setiap tiga bulan. "Kami berterima kasih kepada warga yang sudah meluangkan waktu. Hasilnya langsung terasa, air sudah mengalir lancar," ujarnya. Dedi menambahkan, kelompok tani juga akan menanam pohon di sepanjang tanggul untuk mencegah longsor pada musim hujan.

Camat Cibeber, Hendra Gunawan, yang hadir meninjau lokasi mengapresiasi semangat warga. Menurut dia, kegiatan gotong royong seperti ini membantu pemerintah kecamatan menjaga ketahanan pangan. Ia meminta setiap desa di wilayahnya mendata saluran yang rusak agar dapat diusulkan dalam musyawarah perencanaan pembangunan tahun depan.

Pemerintah Desa Sukamaju berencana mengusulkan perbaikan dinding saluran yang retak melalui dana desa tahun 2025. Warga juga diminta melaporkan kerusakan saluran kepada perangkat desa atau melalui KIM Sukamaju.

Sementara itu, petugas penyuluh pertanian lapangan dari Dinas Pertanian Kabupaten Cianjur memberikan pendampingan kepada petani tentang jadwal tanam serentak dan penggunaan pupuk berimbang. Penyuluhan digelar di balai desa setelah kegiatan gotong royong selesai dan diikuti sekitar 60 petani dari empat dusun.

Penulis: Rina Marlina (KIM Sukamaju)
Editor: Yusuf Hidayat"""


def per_run_ms(fn: Callable[[], object], repeat: int, before: Callable[[], None] | None = None) -> float:
    total = 0.0
    for _ in range(repeat):
        if before is not None:
            before()
        start = time.perf_counter()
        fn()
        total += time.perf_counter() - start
    return total / repeat * 1000


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=300)
    args = parser.parse_args()
    analyser = default_analyser()
    engine, stemmer = analyser.rules, analyser.stemmer
    assess_quality(analyser.analyse_text(ARTICLE, TITLE), stemmer=stemmer)  # loads wilayah, stems, clickbait model
    words = len(ARTICLE.split())

    def clear_word_caches() -> None:
        stemmer.clear_cache()
        canonical_word.cache_clear()

    base = per_run_ms(lambda: normalise(ARTICLE), args.repeat)
    base_cold = per_run_ms(lambda: normalise(ARTICLE), args.repeat, clear_word_caches)

    def rules_only() -> None:
        engine.match(normalise(ARTICLE))

    def analysis_and_quality() -> None:
        assess_quality(analyser.analyse_text(ARTICLE, TITLE), stemmer=stemmer)

    rules = per_run_ms(rules_only, args.repeat)
    both = per_run_ms(analysis_and_quality, args.repeat)
    both_cold = per_run_ms(analysis_and_quality, max(args.repeat // 10, 5), clear_word_caches)
    print(f"article: {words} words, {len(ARTICLE)} characters; {len(engine.rules)} rules (version {engine.version})")
    print(f"{'step':<42} {'ms/article':>10} {'x normalise':>12}")
    print(f"{'normalise() alone (warm caches)':<42} {base:>10.3f} {1.0:>12.1f}")
    print(f"{'normalise + rules':<42} {rules:>10.3f} {rules / base:>12.1f}")
    print(f"{'analysis + quality (warm)':<42} {both:>10.3f} {both / base:>12.1f}")
    print(f"{'normalise() alone (cold word caches)':<42} {base_cold:>10.3f} {1.0:>12.1f}")
    print(f"{'analysis + quality (cold stems)':<42} {both_cold:>10.3f} {both_cold / base_cold:>12.1f}")


if __name__ == "__main__":
    main()
