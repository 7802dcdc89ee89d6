"""The generated newsroom: 240 articles by 32 agencies in eight provinces, over the 2024
election's dated stages, with eight coordination meetings and their speakers, a few
corrections and retractions.

Generated deterministically (arithmetic on indexes, no randomness): every load makes the
same rows, so the README's queries and the tests see the same data. The wording is in
:mod:`hub.db.demo.texts`; the agencies are real kinds of offices in real provinces (names as
each office is commonly called), the people and what they say are invented. Each article is
dated inside its stage's official range (reference data), in its province's local time.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, timezone
from typing import Any

from sqlalchemy import insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from hub.db.demo import texts
from hub.db.demo.forum import DemoAgency, ensure_agencies
from hub.db.models import (
    Article,
    ArticlePerson,
    ArticleTransition,
    ElectionStage,
    Event,
    EventSpeaker,
    Person,
    Tag,
    article_election_stages,
    article_regions,
    article_tags,
)
from hub.vocabulary import TransitionKind

WIB, WITA, WIT = (
    timezone(timedelta(hours=h), name) for h, name in ((7, "WIB"), (8, "WITA"), (9, "WIT"))
)
MARKER_SLUG = "rakor-kehumasan-pemilu-2024-papua"  # the last event: loaded means all loaded


@dataclass(frozen=True)
class Province:
    code: str
    name: str  # as written in sentences
    short: str  # in acronyms ("KPU Jatim")
    slug: str  # in agency slugs ("kpu-jatim")
    city_code: str
    city: str
    zone: timezone
    police: str


PROVINCES = [
    Province("12", "Sumatera Utara", "Sumut", "sumut", "12.71", "Medan", WIB, "Polda Sumut"),
    Province(
        "31", "DKI Jakarta", "DKI", "jakarta", "31.71", "Jakarta Pusat", WIB, "Polda Metro Jaya"
    ),
    Province("35", "Jawa Timur", "Jatim", "jatim", "35.78", "Surabaya", WIB, "Polda Jatim"),
    Province("51", "Bali", "Bali", "bali", "51.71", "Denpasar", WITA, "Polda Bali"),
    Province("53", "Nusa Tenggara Timur", "NTT", "ntt", "53.71", "Kupang", WITA, "Polda NTT"),
    Province(
        "64", "Kalimantan Timur", "Kaltim", "kaltim", "64.71", "Balikpapan", WITA, "Polda Kaltim"
    ),
    Province(
        "73", "Sulawesi Selatan", "Sulsel", "sulsel", "73.71", "Makassar", WITA, "Polda Sulsel"
    ),
    Province("91", "Papua", "Papua", "papua", "91.71", "Jayapura", WIT, "Polda Papua"),
]

# Kind of agency (type code) -> slug prefix, acronym and full name patterns, and its tag.
KINDS: dict[str, tuple[str, str, str, str]] = {
    "diskominfo_provinsi": (
        "diskominfo",
        "Diskominfo {short}",
        "Dinas Komunikasi dan Informatika Provinsi {name}",
        "literasi-digital",
    ),
    "kpu": ("kpu", "KPU {short}", "Komisi Pemilihan Umum Provinsi {name}", "sosialisasi"),
    "bawaslu": (
        "bawaslu",
        "Bawaslu {short}",
        "Badan Pengawas Pemilihan Umum Provinsi {name}",
        "pengawasan",
    ),
    "humas_polda": (
        "humas-polda",
        "Bidhumas {police}",
        "Bidang Hubungan Masyarakat {police}",
        "keamanan",
    ),
}
KIND_ORDER = list(KINDS)
KIND_TAGS = {
    "literasi-digital": "Literasi digital",
    "sosialisasi": "Sosialisasi",
    "pengawasan": "Pengawasan",
    "keamanan": "Keamanan",
    "pemilu-2024": "Pemilu 2024",
}
CORRECTED_EVERY, CORRECTED_AT = 61, 7  # articles 7, 68, 129, 190
RETRACTED_EVERY, RETRACTED_AT = 83, 40  # articles 40, 123, 206
CATEGORIES = ("news", "news", "press_release", "news", "announcement")


def slug_of(text: str) -> str:
    return "-".join(re.findall(r"[a-z0-9]+", text.lower()))[:180].rstrip("-")


def title_case(phrase: str) -> str:
    """``pelantikan anggota DPR dan DPD`` -> ``Pelantikan Anggota DPR dan DPD``."""
    return " ".join(
        word if word in ("dan", "di") or word.isupper() else word.capitalize()
        for word in phrase.split()
    )


def indonesian_date(day: date) -> str:
    return f"{day.day} {texts.MONTHS[day.month - 1]} {day.year}"


def agency_slug(kind: str, province: Province) -> str:
    return f"{KINDS[kind][0]}-{province.slug}"


def demo_agencies() -> list[DemoAgency]:
    return [
        DemoAgency(
            agency_slug(kind, province),
            KINDS[kind][2].format(name=province.name, police=province.police),
            KINDS[kind][1].format(short=province.short, police=province.police),
            kind,
            province.code,
        )
        for province in PROVINCES
        for kind in KIND_ORDER
    ]


def person_of(index: int, kind: str, province: Province) -> dict[str, str]:
    given = texts.GIVEN_NAMES[index % len(texts.GIVEN_NAMES)]
    family = texts.FAMILY_NAMES[(5 * index + 3 * (index // 16)) % len(texts.FAMILY_NAMES)]
    name = f"{given} {family}"
    position = texts.POSITIONS[kind].format(province=province.name, police=province.police)
    return {"slug": slug_of(name), "name": name, "position": position}


@dataclass(frozen=True)
class Planned:
    """One article as generated, before it gets ids."""

    index: int
    province: Province
    kind: str
    stage: str
    published_at: datetime
    fields: dict[str, Any]


def plan_articles(stage_dates: dict[str, tuple[date, date]]) -> list[Planned]:
    planned: list[Planned] = []
    used = dict.fromkeys(KIND_ORDER, 0)  # templates taken in turn per kind
    for p, province in enumerate(PROVINCES):
        for s, stage in enumerate(texts.STAGE_PHRASES):
            for k in range(2 + (s + p) % 2):
                kind = KIND_ORDER[(s + k + p) % len(KIND_ORDER)]
                turn = used[kind]
                used[kind] += 1
                first, last = stage_dates[stage]
                day = first + timedelta(
                    days=((k + 1) * (p + 3) * 7 + s) % ((last - first).days + 1)
                )
                moment = time(7 + (p * 3 + k * 5 + s) % 10, (p * 17 + s * 7 + k * 29) % 60)
                published = datetime.combine(day, moment, province.zone)
                words = {
                    "agency": KINDS[kind][1].format(short=province.short, police=province.police),
                    "city": province.city,
                    "province": province.name,
                    "stage": texts.STAGE_PHRASES[stage],
                    "Stage": title_case(texts.STAGE_PHRASES[stage]),
                    "date": indonesian_date(day),
                }
                titles = texts.TITLES[kind]
                title = titles[turn % len(titles)].format(**words)
                openings = texts.OPENINGS[kind]
                opening = openings[(turn // len(titles)) % len(openings)].format(**words)
                middle = texts.MIDDLES[(p + s + k) % len(texts.MIDDLES)]
                index = len(planned)
                planned.append(
                    Planned(
                        index=index,
                        province=province,
                        kind=kind,
                        stage=stage,
                        published_at=published,
                        fields={
                            "slug": slug_of(title),
                            "title": title,
                            "summary": opening,
                            "body": f"<p>{opening}</p><p>{middle}</p>",
                            "byline": f"Tim Humas {words['agency']}",
                            "category": CATEGORIES[index % len(CATEGORIES)],
                            "view_count": (index * 37) % 900,
                            "language": "id",
                        },
                    )
                )  # fmt: skip
    return planned


async def load_newsroom(session: AsyncSession) -> bool:
    """Insert the newsroom. Returns False if it is there already."""
    if await session.scalar(select(Event.id).where(Event.slug == MARKER_SLUG)) is not None:
        return False
    agencies = await ensure_agencies(session, demo_agencies())
    stage_dates = {
        code: (first, last)
        for code, first, last in await session.execute(
            select(ElectionStage.code, ElectionStage.starts_on, ElectionStage.ends_on).where(
                ElectionStage.code.in_(list(texts.STAGE_PHRASES))
            )
        )
        if first is not None and last is not None
    }
    tags = await _ensure_tags(session)
    people = await _add_people(session)
    events = await _add_events(session, agencies, people, stage_dates)
    for planned in plan_articles(stage_dates):
        await _add_article(session, planned, agencies, people, events, tags)
    await session.flush()
    return True


async def _ensure_tags(session: AsyncSession) -> dict[str, int]:
    wanted = {**KIND_TAGS, **{slug_of(p.name): p.name for p in PROVINCES}}
    existing = dict(
        (await session.execute(select(Tag.slug, Tag.id).where(Tag.slug.in_(list(wanted))))).all()
    )
    for slug, label in wanted.items():
        if slug not in existing:
            tag = Tag(slug=slug, label=label)
            session.add(tag)
            await session.flush()
            existing[slug] = tag.id
    return existing


async def _add_people(session: AsyncSession) -> dict[tuple[str, str], Person]:
    people: dict[tuple[str, str], Person] = {}
    for index, (province, kind) in enumerate(
        (province, kind) for province in PROVINCES for kind in KIND_ORDER
    ):
        person = Person(**person_of(index, kind, province))
        session.add(person)
        people[province.code, kind] = person
    await session.flush()
    return people


async def _add_events(
    session: AsyncSession,
    agencies: dict[str, int],
    people: dict[tuple[str, str], Person],
    stage_dates: dict[str, tuple[date, date]],
) -> dict[str, int]:
    """One coordination meeting per province early in the campaign; province code -> id."""
    events: dict[str, int] = {}
    campaign_start = stage_dates["kampanye"][0]
    for p, province in enumerate(PROVINCES):
        day = campaign_start + timedelta(days=3 + 2 * p)
        event = Event(
            slug=f"rakor-kehumasan-pemilu-2024-{province.slug}",
            title=texts.EVENT_TITLE.format(province=province.name),
            description=texts.EVENT_DESCRIPTION.format(province=province.name),
            theme=texts.EVENT_THEME,
            venue=texts.EVENT_VENUE.format(province=province.name),
            region_code=province.city_code,
            organiser_id=agencies[agency_slug("diskominfo_provinsi", province)],
            starts_at=datetime.combine(day, time(9, 0), province.zone),
            ends_at=datetime.combine(day, time(15, 0), province.zone),
        )
        session.add(event)
        await session.flush()
        events[province.code] = event.id
        roles = [
            ("diskominfo_provinsi", "opening"),
            ("kpu", "speaker"),
            ("bawaslu", "speaker"),
            ("humas_polda", "speaker"),
        ]
        session.add_all(
            EventSpeaker(
                event_id=event.id,
                person_id=people[province.code, kind].id,
                role=role,
                position=position,
            )
            for position, (kind, role) in enumerate(roles)
        )
    return events


async def _add_article(
    session: AsyncSession,
    planned: Planned,
    agencies: dict[str, int],
    people: dict[tuple[str, str], Person],
    events: dict[str, int],
    tags: dict[str, int],
) -> None:
    published = planned.published_at
    corrected = planned.index % CORRECTED_EVERY == CORRECTED_AT
    retracted = planned.index % RETRACTED_EVERY == RETRACTED_AT
    person = people[planned.province.code, planned.kind]
    quote = texts.QUOTES[planned.kind]
    closing = texts.CLOSING.format(person=person.name, position=person.position, quote=quote)
    article = Article(
        **{**planned.fields, "body": planned.fields["body"] + closing},
        source_agency_id=agencies[agency_slug(planned.kind, planned.province)],
        event_id=events[planned.province.code] if planned.stage == "kampanye" else None,
        status="retracted" if retracted else "approved",
        version=2 if corrected or retracted else 1,
        submitted_at=published - timedelta(hours=1),
        approved_at=published,
        published_at=published,
        correction_note=texts.CORRECTION_NOTE if corrected else None,
        corrected_at=published + timedelta(hours=3) if corrected else None,
        retraction_reason=texts.RETRACTION_REASON if retracted else None,
        retracted_at=published + timedelta(days=1) if retracted else None,
    )
    session.add(article)
    await session.flush()
    await session.execute(
        insert(article_regions),
        [
            {"article_id": article.id, "region_code": code}
            for code in (planned.province.code, planned.province.city_code)
        ],
    )
    await session.execute(
        insert(article_election_stages), [{"article_id": article.id, "stage_code": planned.stage}]
    )
    tag_slugs = ("pemilu-2024", KINDS[planned.kind][3], slug_of(planned.province.name))
    await session.execute(
        insert(article_tags), [{"article_id": article.id, "tag_id": tags[s]} for s in tag_slugs]
    )
    session.add(
        ArticlePerson(
            article_id=article.id, person_id=person.id, kind="quoted", quote=quote, position=0
        )
    )
    steps: list[tuple[TransitionKind, str | None, str, str | None, int]] = [
        (TransitionKind.CREATED, None, "draft", None, 1),
        (TransitionKind.SUBMITTED, "draft", "submitted", None, 1),
        (TransitionKind.APPROVED, "submitted", "approved", None, 1),
    ]
    if corrected:
        steps.append((TransitionKind.CORRECTED, "approved", "approved", texts.CORRECTION_NOTE, 2))
    if retracted:
        steps.append(
            (TransitionKind.RETRACTED, "approved", "retracted", texts.RETRACTION_REASON, 2)
        )
    session.add_all(
        ArticleTransition(
            article_id=article.id,
            kind=kind,
            from_status=from_status,
            to_status=to_status,
            reason=reason or "Demo content",
            article_version=version,
        )
        for kind, from_status, to_status, reason, version in steps
    )
