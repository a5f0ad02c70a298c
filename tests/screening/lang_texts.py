"""Hand-written texts in the languages a Diskominfo office receives besides Indonesian, as posts and news.

Used by the language-detection tests and by bench/bench_language.py (which also measures on the Indonesian
training texts). Written to look like what circulates in village groups: short chain messages, announcements,
news paragraphs; spelling as people type it, not as a grammar book would.
"""
# ruff: noqa: E501  (texts keep their natural sentences on one line)

from __future__ import annotations

# Indonesian that a detector could mistake for something else: slang, English loanwords, shouting, very short.
INDONESIAN_HARD = [
    "PENTING!!! Share ke semua grup ya, klik link ini buat daftar bansos sebelum tgl 30. Jangan sampai telat!!",
    "Info dari grup sebelah: share link ini ke 10 grup WA, nanti dapat kuota gratis 50GB. Sudah saya coba, berhasil!",
    "gk usah percaya bgt sm berita yg beredar, cek dulu di website resmi pemprov ya guys",
    "Wkwkwk hoax lagi, udah di-klarifikasi sama Kominfo kemarin. Stop share!",
    "Update: jadwal vaksin booster di puskesmas diundur ke minggu depan. Follow akun IG resmi desa buat info terbaru.",
    "Mohon dibantu share, anak ini hilang sejak kemarin sore di pasar. Kalau ada yg lihat hubungi nomor di bawah.",
    "Breaking news!!! Harga BBM naik mulai besok jam 00.00, buruan isi full tank sekarang!",
    "Link pendaftaran UMKM online sudah dibuka, download aplikasinya di Play Store lalu upload foto KTP.",
    "Hati2 modus baru penipuan lewat WA, pelaku ngaku dari kurir paket lalu kirim file APK. Jangan di-klik!",
    "Sebarkan!",
    "Hoaks.",
    "Warga Desa Sukamaju gotong royong membersihkan saluran irigasi menjelang musim tanam.",
    "Bapak/Ibu yth, rapat koordinasi KIM diadakan hari Kamis pukul 09.00 WIB di aula kantor desa. Terima kasih.",
]

JAVANESE = [
    "Kabar saka grup sebelah: sesuk listrik mati sedina natas, mula siapke lilin lan senter. Tulung disebarke!",
    "Sedulur kabeh, aja gampang percaya karo kabar sing durung cetha sumbere. Takon dhisik marang perangkat desa.",
    "Wis tak cobo dhewe, jare nek ngombe banyu anget campur jahe saben esuk iso nambani penyakit gula. Tenan iki.",
    "Pengumuman: kerja bakti resik-resik kali bakal dianakake dina Minggu esuk jam pitu. Kabeh warga dijaluk teka.",
    "Nyuwun pangapunten, kagem panjenengan sedaya, pasamuwan ing bale desa dipunundur dados dinten Setu.",
    "Bocah iku ilang wiwit wingi sore ana ing pasar. Sapa wae sing weruh, tulung enggal kabari kulawargane.",
    "Ojo dumeh sugih banjur lali karo tanggane. Urip iku kudu tulung-tinulung, luwih-luwih yen ana sing kesusahan.",
    "Aku ora ngerti kok ana kabar yen bantuan sosial bakal dibagekake maneh, jare kudu daftar liwat link iki.",
    "Para warga ingkang kinurmatan, kula aturi rawuh wonten ing pengaosan malem Jumat ing mesjid dusun.",
    "Udan deres wiwit awan mau nganti saiki, dalan menyang pasar kebanjiran. Sing arep lunga luwih becik ngenteni.",
    "Pak lurah ngendika menawa dana desa taun iki bakal digunakake kanggo mbangun dalan lan talang banyu.",
    "Lho kok ngono to, wong wis dikandhani bola-bali ora gelem ngrungokake. Yo wis, sak karepmu.",
    "Rega lombok ing pasar saiki mundhak banget, sekilo wis tekan satus ewu. Para bakul padha sambat.",
    "Mangga sami dipunwaos kanthi tliti, sampun ngantos kesupen nyebaraken pawartos ingkang leres kemawon.",
]

SUNDANESE = [
    "Wartos ti grup tatangga: isukan listrik pareum sadinten jeput, sayagikeun lilin. Punten sebarkeun!",
    "Ulah gampang percaya kana béja nu can écés sumberna, mangga taroskeun heula ka aparat desa.",
    "Abdi tos nyobian nyalira, saurna upami nginum cai haneut dicampur jahé unggal énjing tiasa nyageurkeun diabetes.",
    "Wawar: kerja bakti ngabersihan walungan bakal dilaksanakeun dinten Minggu énjing tabuh tujuh. Sadaya warga diondang.",
    "Budak éta leungit ti kamari soré di pasar. Saha waé nu ningali, punten énggal béjaan kulawargana.",
    "Hujan gedé ti beurang nepi ka ayeuna, jalan ka pasar kabanjiran. Nu rék indit mah mending ngadagoan heula.",
    "Pa kuwu nyarios yén dana desa taun ieu bakal dianggo ngawangun jalan jeung solokan.",
    "Kunaon atuh bet kitu, geus dibéjaan sababaraha kali teu daék ngadéngé. Nya enggeus, sakahayang manéh.",
    "Harga cabé di pasar ayeuna naék pisan, sakilo geus nepi ka saratus rébu. Para padagang ngarasula.",
    "Hapunten ka sadayana, rapat di balé désa dialihkeun janten dinten Saptu.",
    "Kuring teu nyaho naha aya béja yén bantuan sosial bakal dibagikeun deui, cenah kudu daptar ngaliwatan link ieu.",
    "Mangga sadayana kauninga, pangaosan malem Jumaah di masjid lembur bakal dimimitian ba'da isya.",
    "Urang Sunda kudu reueus kana basana sorangan, ulah nepi ka poho kana budaya karuhun.",
]

MALAY = [
    "Kerajaan negeri akan memberikan bantuan wang tunai kepada semua isi rumah yang berpendapatan rendah bulan hadapan.",
    "Sila kongsikan maklumat ini kepada ahli keluarga dan rakan-rakan anda. Jangan lupa daftar sebelum tarikh tutup.",
    "Polis Diraja Malaysia menafikan dakwaan yang tular di media sosial berhubung kejadian culik kanak-kanak di Johor.",
    "Saya tak faham kenapa ramai sangat percaya berita palsu macam ni. Semak dulu sebelum kongsi, boleh tak?",
    "Kementerian Kesihatan menasihatkan orang ramai supaya mendapatkan suntikan penggalak dengan segera.",
    "Pihak berkuasa tempatan telah mengeluarkan notis kepada peniaga yang gagal mematuhi peraturan kebersihan.",
    "Harga minyak masak di pasar raya naik lagi minggu ini, ramai pengguna mengeluh kerana kos sara hidup semakin tinggi.",
    "Perdana Menteri berkata kerajaan komited untuk membantu rakyat yang terjejas akibat banjir di pantai timur.",
    "Tolong sebarkan, budak ni hilang sejak semalam di pusat beli-belah. Sesiapa yang nampak sila hubungi nombor ini.",
    "Percuma! Tuntut baucar RM200 anda sekarang dengan klik pautan di bawah. Tawaran terhad untuk hari ini sahaja.",
    "Mesyuarat jawatankuasa kampung akan diadakan pada hari Sabtu di dewan orang ramai. Kehadiran semua amat dihargai.",
    "Jabatan Meteorologi mengeluarkan amaran hujan lebat berterusan di beberapa daerah di Kelantan dan Terengganu.",
]

ENGLISH = [
    "URGENT!!! Share this with everyone you know: the government is giving free internet quota to all citizens today.",
    "The village health centre will open a free immunisation clinic every Tuesday starting next month.",
    "Please do not believe this message, it has been debunked by the Ministry of Communication and Informatics.",
    "Forwarded as received: drinking warm water with lemon every morning cures diabetes and high blood pressure.",
    "Flood warning: heavy rain is expected across the district tonight, residents near the river should move to higher ground.",
    "lol this is fake news again, stop sharing stuff without checking first",
    "The regent inaugurated the new bridge on Monday, saying it would cut travel time to the market by half.",
    "Click the link below to claim your prize before midnight. Only the first 100 people will get the reward!",
    "A missing child was last seen yesterday afternoon near the market. If you have any information please call.",
    "According to the police, the viral video showing a kidnapping attempt was recorded in another country years ago.",
    "Meeting reminder: the community information group meets on Thursday at 9 am in the village hall.",
    "Scientists say there is no evidence that 5G towers spread the virus, despite claims circulating on social media.",
]

SAMPLES: dict[str, list[str]] = {
    "jv": JAVANESE,
    "su": SUNDANESE,
    "ms": MALAY,
    "en": ENGLISH,
}
