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


# Village reports, hoaxes and warnings for the decisions an editor expects (hand-written for the tests).
POSYANDU_TEXT = """Desa Mekarsari, Kecamatan Cikalong — Posyandu Melati II Desa Mekarsari kembali menggelar kegiatan penimbangan dan imunisasi balita pada Selasa (14/5/2024) di balai dusun. Sebanyak 46 balita hadir bersama orang tuanya.

Kegiatan dibuka oleh Kepala Desa Mekarsari, Hendra Gunawan, dan didampingi bidan desa Siti Rohmah dari Puskesmas Cikalong. Selain penimbangan, kader posyandu juga membagikan makanan tambahan berupa bubur kacang hijau dan telur rebus.

"Kami ingin memastikan tumbuh kembang anak terpantau setiap bulan, terutama untuk mencegah stunting," kata Siti Rohmah di sela kegiatan.

Menurut Hendra, pemerintah desa mengalokasikan dana desa untuk mendukung pemberian makanan tambahan selama tiga bulan ke depan. Ia mengajak warga yang memiliki balita untuk rutin datang ke posyandu setiap Selasa kedua.

Penulis: Dewi Lestari (KIM Mekarsari)"""

ROAD_TEXT = """Kecamatan Sukaresmi — Pemerintah Desa Sindangsari mulai membangun jalan rabat beton sepanjang 650 meter di Dusun Cibodas, Senin (3/6/2024). Pembangunan jalan yang menghubungkan permukiman warga dengan area persawahan itu dibiayai dana desa tahun anggaran 2024 sebesar Rp 280 juta.

Kepala Desa Sindangsari, Asep Saepudin, mengatakan selama ini jalan tersebut berlumpur dan sulit dilalui saat musim hujan. "Petani sering kesulitan mengangkut hasil panen. Dengan jalan beton, biaya angkut bisa lebih murah," ujarnya.

Pekerjaan dilakukan secara swakelola dengan melibatkan sekitar 30 warga setempat sebagai tenaga kerja. Tim Pengelola Kegiatan (TPK) desa menargetkan pembangunan selesai dalam 45 hari kerja.

Ketua BPD Sindangsari, Ujang Mulyana, meminta warga ikut mengawasi mutu pekerjaan dan melaporkan jika ada kekurangan. Pemerintah desa juga memasang papan informasi proyek di lokasi agar penggunaan anggaran dapat diketahui masyarakat.

Penulis: Yayan Sopyan (KIM Sindangsari)
Editor: Neng Euis"""

VACCINE_HOAX = "Waspada!!! Vaksin yang disuntikkan ke anak-anak kita ternyata mengandung microchip untuk melacak gerak-gerik warga. Seorang dokter di Jakarta sudah membuktikan bahwa setelah divaksin, lengan bisa menempel magnet. Pemerintah menutupi fakta ini karena ada kerja sama dengan perusahaan asing. Jangan mau anak kita divaksin, lindungi keluarga kita dari program jahat ini."

BPJS_CHAIN = "SEBARKAN!!! Mulai bulan depan kartu BPJS Kesehatan yang tidak diperbarui lewat link bpjs-update.xyz akan dinonaktifkan oleh pemerintah. Daftar ulang sekarang juga sebelum terlambat, isi data diri dan nomor KTP. Info dari grup sebelah, valid 100%. Kirim ke 10 grup WA supaya keluarga kita tidak kehilangan hak berobat."

SHOUTING_ARTICLE_TITLE = "HEBOH!!! Warga Desa Geger, Air Sumur Berubah Jadi Merah Darah"

SHOUTING_ARTICLE = """HEBOH!!! Warga Desa Cibeureum dibuat geger setelah air sumur di beberapa rumah berubah menjadi merah seperti darah sejak Jumat malam. Info dari grup sebelah, kejadian ini pertanda bencana besar akan datang dan orang pintar di kampung sebelah sudah memperingatkan.

Banyak warga yang ketakutan dan memilih mengungsi ke rumah saudara. Menurut cerita warga, sebelum air berubah warna terdengar suara gemuruh dari dalam tanah. Sampai sekarang belum ada yang bisa menjelaskan penyebabnya.

Tolong sebarkan berita ini ke semua keluarga dan teman-teman agar semua waspada!!! Jangan sampai terlambat, bagikan sebanyak-banyaknya!!!"""

FLOOD_WARNING = """Kabupaten Bandung — Badan Penanggulangan Bencana Daerah (BPBD) Kabupaten Bandung mengimbau warga yang tinggal di bantaran Sungai Citarum untuk waspada terhadap potensi banjir menyusul hujan deras yang diperkirakan turun hingga Kamis (9/11/2023).

Kepala Pelaksana BPBD Kabupaten Bandung, Uka Suska Puji Utama, mengatakan debit air di sejumlah titik pantau terus naik sejak Selasa malam. "Kami minta warga segera mengungsi ke tempat yang lebih tinggi jika air mulai masuk ke permukiman," ujarnya, Rabu (8/11/2023).

BPBD telah menyiagakan perahu karet dan petugas di Kecamatan Dayeuhkolot, Baleendah, dan Bojongsoang. Warga dapat menghubungi pusat pengendalian operasi BPBD apabila membutuhkan bantuan evakuasi."""

CLARIFICATION_TEXT = """Kota Bekasi — Dinas Kesehatan Kota Bekasi membantah pesan berantai yang menyebut vaksin campak mengandung babi dan menyebabkan kemandulan. Pesan tersebut beredar di sejumlah grup WhatsApp sejak pekan lalu.

"Informasi itu tidak benar. Vaksin yang digunakan sudah mendapat izin edar dan fatwa MUI," kata Kepala Dinas Kesehatan Kota Bekasi, Tanti Rohilawati, Senin (6/8/2018). Ia meminta warga memeriksa kebenaran informasi melalui kanal resmi pemerintah sebelum menyebarkannya."""
