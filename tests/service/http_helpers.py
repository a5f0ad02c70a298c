"""Constants shared by the HTTP tests (imported as a top-level module: pytest puts this directory on sys.path)."""

from __future__ import annotations

from pathlib import Path

ADMIN_KEY = "adm-" + "7f3c9a1e5b2d4c6f8a0b1c2d3e4f5a6b"
SUBMITTER_KEY = "sub-" + "0a9b8c7d6e5f4a3b2c1d0e9f8a7b6c5d"
API_KEYS = f"admin:{ADMIN_KEY},submitter:{SUBMITTER_KEY}"
ADMIN = {"Authorization": f"Bearer {ADMIN_KEY}"}
SUBMITTER = {"Authorization": f"Bearer {SUBMITTER_KEY}"}

REPO = Path(__file__).resolve().parents[2]

HOAX_POST = {
    "title": "VIRAL!!! Vaksin mengandung chip pelacak",
    "text": "SEBARKAN!!! Vaksin yang dibagikan di puskesmas mengandung chip pelacak dari luar negeri. "
    "Jangan mau divaksin, kirim ke semua grup WA sebelum dihapus!!!",
    "channel": "whatsapp",
}
ARTICLE = {
    "title": "Warga Desa Sukamaju Gotong Royong Bersihkan Saluran Irigasi",
    "text": "Sukamaju, 3 November 2024 - Puluhan warga Desa Sukamaju, Kecamatan Cibeber, bergotong royong "
    "membersihkan saluran irigasi sepanjang dua kilometer pada Minggu pagi. Kepala Desa Sukamaju, Ahmad Suherman, "
    "mengatakan kegiatan ini rutin digelar menjelang musim tanam. 'Kami ingin air sampai ke sawah warga,' "
    "ujarnya. Kegiatan diikuti anggota KIM Sukamaju dan kelompok tani setempat.",
    "kim_group": "KIM Sukamaju",
    "author": "Siti Rahmawati",
    "channel": "website",
}
