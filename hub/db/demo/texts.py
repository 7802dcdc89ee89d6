"""The wording of the generated newsroom: titles, paragraphs and quotes, per kind of agency.

Written for this project (no published article is copied). Placeholders: ``{agency}`` (the
agency's acronym), ``{city}``, ``{province}``, ``{stage}`` (the stage as a phrase),
``{Stage}`` (the same, title case), ``{date}`` (a date in Indonesian), ``{person}``,
``{position}``.
"""

from __future__ import annotations

# Stage codes (reference data) -> how a sentence names them.
STAGE_PHRASES = {
    "pemutakhiran_data_pemilih": "pemutakhiran data pemilih",
    "pendaftaran_verifikasi_peserta": "verifikasi partai politik peserta pemilu",
    "pencalonan_dpd": "pencalonan anggota DPD",
    "pencalonan_dpr_dprd": "pencalonan anggota legislatif",
    "pencalonan_presiden": "pendaftaran calon presiden dan wakil presiden",
    "kampanye": "masa kampanye",
    "masa_tenang": "masa tenang",
    "pemungutan_suara": "pemungutan suara",
    "penghitungan_suara": "penghitungan suara",
    "rekapitulasi": "rekapitulasi suara",
    "sumpah_dpr_dpd": "pelantikan anggota DPR dan DPD",
    "sumpah_presiden": "pelantikan presiden dan wakil presiden",
}

MONTHS = [
    "Januari",
    "Februari",
    "Maret",
    "April",
    "Mei",
    "Juni",
    "Juli",
    "Agustus",
    "September",
    "Oktober",
    "November",
    "Desember",
]

# Kind of agency -> title templates (chosen in turn, so neighbours differ).
TITLES = {
    "kpu": [
        "{agency} Sosialisasikan Tahapan {Stage} kepada Warga {city}",
        "{agency} Gelar Bimbingan Teknis {Stage} bagi Petugas di {city}",
        "Jelang {Stage}, {agency} Buka Layanan Informasi Pemilih di {city}",
        "Simulasi Pemilihan di {city}: {agency} Uji Kesiapan Petugas Jelang {Stage}",
        "{agency} Ajak Pemilih Pemula {province} Kenali Tahapan {Stage}",
    ],
    "bawaslu": [
        "{agency} Perketat Pengawasan {Stage} di {city}",
        "{agency} Ajak Warga {province} Laporkan Pelanggaran selama {Stage}",
        "{agency} Petakan Titik Rawan {Stage} di {province}",
        "Pengawas Kelurahan di {city} Dibekali Materi {Stage}",
        "{agency} Terima Aduan Warga {city} terkait {Stage}",
    ],
    "humas_polda": [
        "{agency} Siagakan Personel Pengamanan {Stage} di {city}",
        "{agency} Imbau Warga Tidak Menyebar Hoaks selama {Stage}",
        "Patroli Siber {agency} Pantau Konten Provokatif Jelang {Stage}",
        "{agency} Gelar Apel Kesiapan {Stage} di {city}",
        "{agency} Kawal Distribusi Logistik {Stage} ke {city}",
    ],
    "diskominfo_provinsi": [
        "{agency} Luncurkan Kanal Informasi {Stage} untuk Warga {province}",
        "{agency} Latih Pengelola Media Sosial Instansi Menghadapi {Stage}",
        "{agency} Gandeng Media Lokal Kabarkan {Stage} di {city}",
        "{agency} Siapkan Pusat Klarifikasi Hoaks selama {Stage}",
        "Literasi Digital {agency}: Warga {city} Diajak Cek Fakta saat {Stage}",
    ],
}

# Kind of agency -> the opening paragraph's templates (in turn, like the titles).
OPENINGS = {
    "kpu": [
        "{agency} mengumpulkan perwakilan kelurahan, tokoh masyarakat dan komunitas di {city} "
        "pada {date} untuk menjelaskan apa saja yang berlangsung selama {stage}.",
        "Petugas penyelenggara di {city} mengikuti pelatihan dari {agency} pada {date}; "
        "materinya berpusat pada tata kerja {stage} dan pencatatan yang tertib.",
    ],
    "bawaslu": [
        "{agency} menambah jumlah pengawas lapangan di {city} sejak {date} agar setiap "
        "kegiatan selama {stage} dapat dipantau dari dekat.",
        "Dalam pertemuan dengan organisasi pemantau di {city} pada {date}, {agency} "
        "memaparkan jenis pelanggaran yang paling sering muncul selama {stage}.",
    ],
    "humas_polda": [
        "{agency} menyiapkan personel gabungan di {city} pada {date} untuk menjaga "
        "ketertiban selama {stage}, bekerja sama dengan pemerintah daerah.",
        "Mulai {date}, {agency} meningkatkan patroli di ruang publik dan ruang digital "
        "{province} agar {stage} berjalan aman.",
    ],
    "diskominfo_provinsi": [
        "{agency} membuka saluran informasi terpadu pada {date} yang menghimpun jadwal dan "
        "ketentuan {stage} dari penyelenggara pemilu di {province}.",
        "Sejak {date}, {agency} mengajak humas instansi dan media di {city} menyebarkan "
        "informasi {stage} yang bersumber dari penyelenggara resmi.",
    ],
}

MIDDLES = [
    "Warga diminta memeriksa informasi melalui kanal resmi penyelenggara sebelum "
    "membagikannya, terutama bila pesan itu beredar tanpa sumber yang jelas.",
    "Koordinasi antarinstansi dilakukan sepekan sekali supaya perubahan jadwal cepat "
    "sampai ke kecamatan dan desa.",
    "Kegiatan ini juga melibatkan penyandang disabilitas dan pemilih pemula agar kebutuhan "
    "mereka tercatat sejak awal.",
    "Posko pengaduan dibuka setiap hari kerja, dan laporan yang masuk ditindaklanjuti "
    "bersama instansi terkait.",
]

QUOTES = {
    "kpu": "Setiap pemilih berhak tahu jadwal dan tempatnya; tugas kami memastikan itu.",
    "bawaslu": "Pengawasan paling kuat adalah ketika warga sendiri berani melapor.",
    "humas_polda": "Keamanan pemilu dijaga bersama, di jalan maupun di media sosial.",
    "diskominfo_provinsi": "Informasi yang benar harus lebih cepat daripada kabar bohong.",
}

CLOSING = "<p>{person}, {position}, mengatakan, “{quote}”</p>"

POSITIONS = {
    "kpu": "anggota KPU Provinsi {province}",
    "bawaslu": "anggota Bawaslu Provinsi {province}",
    "humas_polda": "Kepala Bidang Humas {police}",
    "diskominfo_provinsi": "Kepala Diskominfo Provinsi {province}",
}

# Invented names for the invented spokespeople (first name, family name taken in turn).
GIVEN_NAMES = [
    "Ahmad",
    "Rina",
    "Yohanes",
    "Dewi",
    "Made",
    "Andi",
    "Nurul",
    "Benny",
    "Sitti",
    "Fransiska",
    "Rudi",
    "Ketut",
    "Maria",
    "Hasan",
    "Wulan",
    "Daniel",
]
FAMILY_NAMES = [
    "Siregar",
    "Wibowo",
    "Rumbiak",
    "Lestari",
    "Suarsana",
    "Pratama",
    "Hidayah",
    "Tanoto",
    "Rahmawati",
    "Ndun",
    "Hutapea",
    "Mahendra",
    "Wenda",
    "Fauzi",
    "Anggraini",
    "Lumban",
]

EVENT_TITLE = "Rapat Koordinasi Kehumasan Pemilu 2024 Provinsi {province}"
EVENT_DESCRIPTION = (
    "Pertemuan humas pemerintah daerah, penyelenggara dan pengawas pemilu, kepolisian dan "
    "media di {province} untuk menyepakati alur informasi selama masa kampanye: siapa "
    "mengumumkan apa, lewat kanal mana, dan bagaimana kabar keliru diluruskan."
)
EVENT_THEME = "Satu Pintu Informasi Pemilu yang Cepat dan Benar"
EVENT_VENUE = "Aula Kantor Gubernur {province}"

CORRECTION_NOTE = (
    "Koreksi: tanggal kegiatan pada paragraf pertama semula tertulis keliru dan telah diperbaiki."
)
RETRACTION_REASON = (
    "Ditarik: kegiatan yang diberitakan ditunda oleh penyelenggara; berita baru akan "
    "diterbitkan setelah jadwal pengganti ditetapkan."
)
