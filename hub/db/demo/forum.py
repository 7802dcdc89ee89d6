"""The demo forum: the Forum Bakohumas Kalimantan Timur 2023 and two outlets' reports of it.

Facts (dates, names, positions, venue, theme) are from public reports of the forum; the
article texts are written for this project. Needs the reference data (regions, types,
stages) loaded first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta, timezone

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.models import (
    Agency,
    Article,
    ArticlePerson,
    ArticleTransition,
    Event,
    EventSpeaker,
    Person,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.vocabulary import TransitionKind

WITA = timezone(timedelta(hours=8), "WITA")  # Balikpapan's time zone
EVENT_SLUG = "forum-bakohumas-kaltim-2023"


@dataclass(frozen=True)
class DemoAgency:
    slug: str
    name: str
    acronym: str
    type_code: str
    region_code: str
    website: str | None = None


AGENCIES = [
    DemoAgency(
        "diskominfo-kaltim",
        "Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur",
        "Diskominfo Kaltim",
        "diskominfo_provinsi",
        "64",
        "https://diskominfo.kaltimprov.go.id",
    ),
    DemoAgency(
        "setda-kaltim",
        "Sekretariat Daerah Provinsi Kalimantan Timur",
        "Setda Kaltim",
        "biro_humas_setda_provinsi",
        "64",
    ),
    DemoAgency(
        "diskominfo-kukar",
        "Dinas Komunikasi dan Informatika Kabupaten Kutai Kartanegara",
        "Diskominfo Kukar",
        "diskominfo_kabkota",
        "64.02",
    ),
    DemoAgency(
        "diskominfo-ppu",
        "Dinas Komunikasi dan Informatika Kabupaten Penajam Paser Utara",
        "Diskominfo PPU",
        "diskominfo_kabkota",
        "64.09",
    ),
    DemoAgency(
        "humas-polda-kaltim",
        "Bidang Hubungan Masyarakat Kepolisian Daerah Kalimantan Timur",
        "Bidhumas Polda Kaltim",
        "humas_polda",
        "64",
    ),
    DemoAgency(
        "bawaslu-kaltim",
        "Badan Pengawas Pemilihan Umum Provinsi Kalimantan Timur",
        "Bawaslu Kaltim",
        "bawaslu",
        "64",
    ),
    DemoAgency("kaltim-post", "Kaltim Post", "Kaltim Post", "media_massa", "64.71"),
    DemoAgency(
        "poskaltim-id", "Poskaltim.id", "Poskaltim", "media_massa", "64", "https://poskaltim.id"
    ),
]


@dataclass(frozen=True)
class DemoPerson:
    slug: str
    name: str
    position: str
    agency_slug: str
    role: str | None  # role at the forum; None for someone only quoted


PEOPLE = [
    DemoPerson(
        "sri-wahyuni",
        "Sri Wahyuni",
        "Sekretaris Daerah Provinsi Kalimantan Timur",
        "setda-kaltim",
        "opening",
    ),
    DemoPerson(
        "muhammad-faisal",
        "Muhammad Faisal",
        "Kepala Dinas Komunikasi dan Informatika Provinsi Kalimantan Timur; Ketua ASKOMSI",
        "diskominfo-kaltim",
        "keynote",
    ),
    DemoPerson(
        "yusuf-sutejo",
        "Kombes Pol Yusuf Sutejo",
        "Kepala Bidang Humas Polda Kalimantan Timur",
        "humas-polda-kaltim",
        "speaker",
    ),
    DemoPerson(
        "galeh-akbar-tanjung",
        "Galeh Akbar Tanjung",
        "Anggota Bawaslu Provinsi Kalimantan Timur",
        "bawaslu-kaltim",
        "speaker",
    ),
    DemoPerson("romdani", "Romdani", "Pemimpin Redaksi Kaltim Post", "kaltim-post", "speaker"),
    DemoPerson(
        "surya-admaja",
        "Surya Admaja",
        "Kepala Bidang Pengelolaan dan Layanan Informasi Publik, Diskominfo Kutai Kartanegara",
        "diskominfo-kukar",
        None,
    ),
]

TAGS = [
    ("bakohumas", "Bakohumas"),
    ("pemilu-2024", "Pemilu 2024"),
    ("kehumasan", "Kehumasan"),
    ("kalimantan-timur", "Kalimantan Timur"),
]

EVENT_DESCRIPTION = (
    "Pertemuan tahunan para pengelola kehumasan pemerintah, aparat keamanan, penyelenggara dan "
    "pengawas pemilu, serta media di Kalimantan Timur untuk menyelaraskan penyebaran informasi "
    "menjelang Pemilu Serentak 14 Februari 2024. Peserta datang dari humas kabupaten/kota, "
    "Polda Kaltim, Kodam VI/Mulawarman, Kejaksaan Tinggi, dan Diskominfo daerah."
)

ARTICLE_DISKOMINFO = {
    "slug": "forum-bakohumas-kaltim-2023-humas-bersatu-sambut-pemilu-2024",
    "title": "Forum Bakohumas Kaltim 2023: Humas Satukan Langkah Sambut Pemilu Serentak 2024",
    "summary": (
        "Diskominfo Kaltim mengumpulkan humas instansi se-Kalimantan Timur di Balikpapan untuk "
        "menyamakan cara menyebarkan informasi pemilu dan mengusulkan kanal komunikasi bersama."
    ),
    "body": (
        "<p>Para pengelola kehumasan dari berbagai instansi di Kalimantan Timur berkumpul di "
        "Swiss-Belhotel Balikpapan pada Senin, 10 Juli 2023, dalam Forum Bakohumas tahun ini. "
        "Forum tersebut mengangkat peran humas dalam publikasi dan keamanan selama tahapan "
        "Pemilu Serentak 2024.</p>"
        "<p>Kepala Diskominfo Kaltim, Muhammad Faisal, menyebut forum ini sebagai ruang "
        "koordinasi agar layanan informasi antarinstansi berjalan seiring dan profesi humas "
        "makin siap mengabarkan setiap tahapan pemilu. Tujuannya pemilu yang aman dan nyaman "
        "serta partisipasi warga yang luas.</p>"
        "<p>Faisal, yang juga memimpin Asosiasi Komunikasi dan Informatika Seluruh Indonesia "
        "(ASKOMSI), mengusulkan agar peserta membentuk kanal komunikasi bersama, misalnya grup "
        "percakapan, untuk mengajak masyarakat aktif dalam Pemilu 2024. Ia juga menceritakan "
        "pertemuan sebelumnya dengan Kementerian Kominfo bersama Plt. Menkominfo Mahfud MD yang "
        "membahas dukungan dinas kominfo dan biro humas dari 38 provinsi serta sekitar 500 "
        "kabupaten/kota.</p>"
        "<p>Menurutnya, informasi pemilu yang benar akan lebih cepat sampai ke warga bila semua "
        "humas bergerak bersama.</p>"
    ),
    "byline": "Hendra Saputra",
    "category": "news",
    "canonical_url": (
        "https://diskominfo.kaltimprov.go.id/berita/"
        "forum-bakohumas-2023-bersatu-dalam-menghadapi-pemilu-serentak-2024"
    ),
    "published_at": datetime(2023, 7, 10, 13, 16, tzinfo=WITA),
    "view_count": 493,
}

ARTICLE_POSKALTIM = {
    "slug": "diskominfo-kukar-ikuti-forum-bakohumas-kaltim-2023",
    "title": "Diskominfo Kukar Ikuti Forum Bakohumas se-Kaltim 2023 di Balikpapan",
    "summary": (
        "Kutai Kartanegara mengirim tim Diskominfo ke forum kehumasan provinsi dan berharap "
        "sinergi humas memperkuat dukungan bagi Pemilu Serentak 2024 di Kukar."
    ),
    "body": (
        "<p>Diskominfo Kabupaten Kutai Kartanegara ambil bagian dalam Forum Bakohumas "
        "se-Kalimantan Timur 2023 di Swiss-Belhotel Balikpapan, Senin, 10 Juli 2023. Tim Kukar "
        "dipimpin Surya Admaja, Kepala Bidang Pengelolaan dan Layanan Informasi Publik, bersama "
        "sejumlah pranata humas.</p>"
        "<p>Surya menyampaikan terima kasih atas kesempatan menjadi peserta. Ia menilai layanan "
        "informasi publik terus berubah, sehingga dinas kominfo di Kaltim, termasuk Kukar, perlu "
        "menjadi garda depan penyebaran informasi kepada warga. Ia berharap forum ini mempererat "
        "kerja sama kehumasan untuk menyukseskan Pemilu Serentak 2024 di Kukar.</p>"
        "<p>Forum dibuka Sekretaris Daerah Provinsi Kaltim, Sri Wahyuni, dengan tema peran serta "
        "Bakohumas dalam publikasi dan keamanan pada tahapan Pemilu Serentak 2024. Narasumber "
        "yang tampil ialah Kabid Humas Polda Kaltim Yusuf Sutejo, anggota Bawaslu Kaltim Galeh "
        "Akbar Tanjung, dan Pemimpin Redaksi Kaltim Post Romdani.</p>"
        "<p>Kepala Diskominfo Kaltim Muhammad Faisal menambahkan, forum diharapkan melahirkan "
        "kesepakatan membuat kanal komunikasi bersama agar ajakan berpartisipasi dalam pemilu "
        "sampai ke masyarakat.</p>"
    ),
    "byline": "Redaksi Poskaltim.id",
    "category": "news",
    "canonical_url": "https://poskaltim.id/?p=5412",
    "published_at": datetime(2023, 7, 10, 18, 0, tzinfo=WITA),
    "view_count": 0,
}

# article, source agency, regions covered, stages, quoted people (slug, paraphrased quote)
DemoArticle = tuple[dict[str, object], str, list[str], list[str], list[tuple[str, str | None]]]
ARTICLES: list[DemoArticle] = [
    (
        ARTICLE_DISKOMINFO,
        "diskominfo-kaltim",
        ["64", "64.71"],
        ["pencalonan_dpr_dprd", "pemungutan_suara"],
        [
            (
                "muhammad-faisal",
                "Informasi pemilu yang benar lebih mudah sampai ke warga bila semua humas "
                "bergerak bersama.",
            ),
        ],
    ),
    (
        ARTICLE_POSKALTIM,
        "poskaltim-id",
        ["64", "64.71", "64.02"],
        ["pencalonan_dpr_dprd", "pemungutan_suara"],
        [
            (
                "surya-admaja",
                "Dinas kominfo di Kaltim, termasuk Kukar, harus menjadi garda depan penyebaran "
                "informasi kepada masyarakat.",
            ),
            ("muhammad-faisal", None),
        ],
    ),
]


async def load_forum(session: AsyncSession) -> bool:
    """Insert the forum, its agencies, people and articles. Returns False if already there."""
    if await session.scalar(select(Event.id).where(Event.slug == EVENT_SLUG)) is not None:
        return False

    agencies = await ensure_agencies(session, AGENCIES)
    people = {}
    for demo in PEOPLE:
        person = Person(
            slug=demo.slug,
            name=demo.name,
            position=demo.position,
            agency_id=agencies[demo.agency_slug],
        )
        session.add(person)
        people[demo.slug] = person
    tags = {slug: Tag(slug=slug, label=label) for slug, label in TAGS}
    session.add_all(tags.values())

    event = Event(
        slug=EVENT_SLUG,
        title="Forum Bakohumas se-Kalimantan Timur 2023",
        description=EVENT_DESCRIPTION,
        theme=(
            "Peran Serta Bakohumas Dalam Publikasi dan Keamanan Pada Tahapan "
            "Pemilu Serentak Tahun 2024"
        ),
        venue="Swiss-Belhotel Balikpapan",
        region_code="64.71",
        organiser_id=agencies["diskominfo-kaltim"],
        starts_at=datetime(2023, 7, 10, 8, 30, tzinfo=WITA),
        ends_at=datetime(2023, 7, 10, 16, 0, tzinfo=WITA),
    )
    session.add(event)
    await session.flush()

    speakers = [demo for demo in PEOPLE if demo.role is not None]
    session.add_all(
        EventSpeaker(
            event_id=event.id, person_id=people[demo.slug].id, role=demo.role, position=index
        )
        for index, demo in enumerate(speakers)
    )
    for fields, agency_slug, regions, stages, quoted in ARTICLES:
        await _add_article(
            session, fields, agencies[agency_slug], event.id, regions, stages, tags, people, quoted
        )
    await session.flush()
    return True


async def ensure_agencies(session: AsyncSession, wanted: list[DemoAgency]) -> dict[str, int]:
    """Ids of the ``wanted`` agencies by slug, adding those that are missing."""
    slugs = [agency.slug for agency in wanted]
    rows = await session.execute(select(Agency.slug, Agency.id).where(Agency.slug.in_(slugs)))
    existing = {slug: agency_id for slug, agency_id in rows}
    for agency in wanted:
        if agency.slug not in existing:
            row = Agency(
                slug=agency.slug,
                name=agency.name,
                acronym=agency.acronym,
                type_code=agency.type_code,
                region_code=agency.region_code,
                website=agency.website,
            )
            session.add(row)
            await session.flush()
            existing[agency.slug] = row.id
    return existing


async def _add_article(
    session: AsyncSession,
    fields: dict[str, object],
    agency_id: int,
    event_id: int,
    regions: list[str],
    stages: list[str],
    tags: dict[str, Tag],
    people: dict[str, Person],
    quoted: list[tuple[str, str | None]],
) -> None:
    published_at = fields["published_at"]
    article = Article(
        **fields,
        source_agency_id=agency_id,
        event_id=event_id,
        status="approved",
        language="id",
        submitted_at=published_at,
        approved_at=published_at,
    )
    session.add(article)
    await session.flush()
    await session.execute(
        insert(article_regions), [{"article_id": article.id, "region_code": r} for r in regions]
    )
    await session.execute(
        insert(article_election_stages),
        [{"article_id": article.id, "stage_code": code} for code in stages],
    )
    await session.execute(
        insert(article_tags),
        [{"article_id": article.id, "tag_id": tag.id} for tag in tags.values()],
    )
    session.add_all(
        ArticlePerson(
            article_id=article.id,
            person_id=people[slug].id,
            kind="quoted" if quote else "mentioned",
            quote=quote,
            position=index,
        )
        for index, (slug, quote) in enumerate(quoted)
    )
    session.add_all(
        ArticleTransition(
            article_id=article.id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            reason="Demo content",
            article_version=1,
        )
        for kind, from_status, to_status in [
            (TransitionKind.CREATED, None, "draft"),
            (TransitionKind.SUBMITTED, "draft", "submitted"),
            (TransitionKind.APPROVED, "submitted", "approved"),
        ]
    )
