"""Realistic Indonesian texts written for the screening tests: village news, chain messages, scams, health myths."""
# ruff: noqa: E501  (corpus texts keep their natural paragraphs on one line)

KIM_TITLE = "Warga Desa Sukamaju Gotong Royong Bersihkan Saluran Irigasi Jelang Musim Tanam"
KIM_TEXT = """Desa Sukamaju, Kecamatan Cibeber, Kabupaten Cianjur — Kelompok Informasi Masyarakat (KIM) Sukamaju melaporkan ratusan warga bergotong royong membersihkan saluran irigasi sepanjang dua kilometer pada Senin (12/8/2024) pagi.

Kegiatan yang dimulai pukul 07.00 WIB itu diikuti oleh pengurus BPD, anggota PKK, Karang Taruna, serta Babinsa Koramil Cibeber. Warga membawa cangkul, sabit, dan karung untuk mengangkat lumpur serta sampah plastik yang menyumbat aliran air.

"Saluran ini mengairi sekitar 120 hektare sawah. Kalau tersumbat, petani tidak bisa mulai tanam tepat waktu," kata Kepala Desa Sukamaju, Ahmad Suryana, di sela kegiatan.

Menurut Ahmad, gotong royong dilakukan menjelang musim tanam agar air dari bendungan dapat mengalir merata ke seluruh petak sawah. Pemerintah desa juga menyediakan makanan dan minuman bagi warga yang ikut bekerja.

Ketua Kelompok Tani Sri Rejeki, Dedi Kurniawan, mengatakan kegiatan serupa akan digelar setiap tiga bulan. "Kami berterima kasih kepada warga yang sudah meluangkan waktu. Hasilnya langsung terasa, air sudah mengalir lancar," ujarnya.

Pemerintah Desa Sukamaju berencana mengusulkan perbaikan dinding saluran yang retak melalui dana desa tahun 2025.

Penulis: Rina Marlina (KIM Sukamaju)
Editor: Yusuf Hidayat"""

CHAIN_TEXT = """PENTING!!! SEBARKAN KE SEMUA GRUP!!! Info dari grup sebelah, A1 dari org dalam kemenkes: mulai besok malam jam 12 akan ada penyemprotan disinfektan dari helikopter di seluruh kota. Jgn keluar rumah, tutup semua jendela!!! Kirim ke 10 grup lain yg kamu punya, jgn berhenti di kamu. Ini bukan hoax!!! 😱😱😱"""

SCAM_TEXT = """Selamat! Nomor WA anda terpilih sbg pemenang undian Shopee 2024 dan mendapatkan hadiah 1 unit motor. Untuk klaim hadiah silakan isi data diri di bit.ly/klaim-hadiah-shopee lalu kirim kode OTP yg masuk ke nomor anda. Biaya admin Rp 250.000 transfer dulu ke rekening panitia."""

HEALTH_TEXT = """Rebusan daun sirsak 100% ampuh menyembuhkan kanker tanpa operasi!! Cukup minum 3 gelas sehari, dijamin sembuh total dalam seminggu. Dokter tidak mau anda tahu rahasia ini. Obat herbal ini sudah terbukti, banyak yang sembuh total. Bagikan sebanyak-banyaknya agar keluarga kita terhindar."""

DEBUNK_TITLE = "Pesan Berantai Penyemprotan Disinfektan dari Helikopter Dipastikan Hoaks"
DEBUNK_TEXT = """Kabupaten Cianjur — Pesan berantai yang menyebut akan ada penyemprotan disinfektan dari helikopter pada malam hari beredar di sejumlah grup WhatsApp warga sejak Minggu (15/3/2020).

Dinas Kesehatan Kabupaten Cianjur membantah kabar tersebut. "Informasi itu tidak benar. Tidak ada rencana penyemprotan dari udara," kata Kepala Dinas Kesehatan Cianjur, dr. Irvan Nur Fauzy, saat dikonfirmasi, Senin (16/3/2020).

Menurut Irvan, pesan tersebut merupakan hoaks yang sudah pernah beredar di daerah lain. Ia meminta warga tidak menyebarkan pesan yang belum jelas sumbernya dan memeriksa informasi melalui kanal resmi pemerintah.

Tim cek fakta Diskominfo juga telah memberi label disinformasi pada pesan itu. "Masyarakat jangan mudah percaya dan selalu cek kebenarannya," ujarnya.

Penulis: Tim KIM Cianjur
Editor: Siti Aminah"""

IMPERSONATION_TEXT = """Pesan dari Kapolri: mulai 1 Juli semua pengendara yang tidak membawa SIM akan langsung ditilang Rp 1 juta di tempat. Harap diteruskan ke keluarga dan teman-teman."""

IMPERSONATION_WITH_LINK = """Pesan dari Kemenkes: jadwal vaksinasi booster untuk lansia dapat dilihat di https://www.kemkes.go.id/jadwal-vaksinasi sesuai domisili masing-masing."""

SLANG_CHAIN = """Info dr grup sebelah nih, katanya besok ada razia besar2an. Copas dr grup RT. Share ke semua ya, jgn sampe telat!"""
