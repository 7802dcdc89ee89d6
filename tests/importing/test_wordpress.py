"""``hub import wordpress`` against a local WordPress-shaped site: discovery of a REST root
that is not ``/wp-json/``, paging, mapping, incremental runs, and resuming after a failure."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from hub.db.models import (
    Article,
    ArticleTransition,
    OutboxEntry,
    Tag,
    article_election_stages,
    article_regions,
)
from hub.importing import command, wordpress
from hub.importing.runner import Options
from hub.importing.wordpress import TermMapping
from tests.importing.conftest import AGENCY, RunImport
from tests.importing.wordpress_site import Site, serving

Sessions = async_sessionmaker[AsyncSession]


@pytest.fixture
def site() -> Iterator[Site]:
    with serving(Site()) as running:
        yield running


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(wordpress, "BACKOFF", 0.01)


async def imported(sessions: Sessions, site: Site) -> dict[str, Article]:
    """The articles imported from the site, by the last part of their address."""
    async with sessions() as session:
        rows = await session.scalars(
            select(Article).where(Article.canonical_url.startswith(site.base))
        )
        return {(row.canonical_url or "").rstrip("/").rsplit("/", 1)[1]: row for row in rows}


@pytest.mark.parametrize(
    ("rest_style", "embed"),
    [("path", True), ("query", True), ("path", False)],
    ids=["root at /api/", "root at ?rest_route=", "no _embed"],
)
async def test_a_site_is_imported(
    site: Site, run_import: RunImport, sessions: Sessions, rest_style: str, embed: bool
) -> None:
    site.rest_style, site.embed = rest_style, embed
    run = await run_import("wordpress", f"{site.base}/berita/", per_page=2)
    assert run.status == 2, run.output  # the password-protected post
    assert run.lines[0] == f"WordPress {site.root} -> {AGENCY}: 7 read"
    assert run.lines[1] == "  created 6, updated 0, skipped 0 (unchanged), failed 1"
    assert run.lines[2] == "  failed post 4105: password-protected on the site"

    articles = await imported(sessions, site)
    assert sorted(articles) == [
        "deklarasi-kampanye-damai",
        "diskominfo-ajak-warga-cek-dps",
        "pantarlih-mulai-coklit-dari-rumah-ke-rumah",
        "patroli-masa-tenang",
        "pemungutan-suara-berjalan-lancar",
        "pendaftaran-pasangan-calon-dibuka",
    ]
    coklit = articles["pantarlih-mulai-coklit-dari-rumah-ke-rumah"]
    assert coklit.status == "approved"
    assert coklit.published_at == datetime(2024, 6, 24, 0, 15, tzinfo=UTC)  # date_gmt
    assert coklit.canonical_url == f"{site.base}/berita/pantarlih-mulai-coklit-dari-rumah-ke-rumah/"
    assert coklit.summary == "Petugas pantarlih mulai mendatangi rumah warga"
    assert coklit.byline == ("Tim Liputan Diskominfo" if embed else None)
    # Featured images: embedded (odd ids) or fetched from the media route (even ids); none.
    assert coklit.featured_image_url == f"{site.base}/wp-content/uploads/2024/foto-901.jpg"
    cek = articles["diskominfo-ajak-warga-cek-dps"]
    assert cek.featured_image_url == f"{site.base}/wp-content/uploads/2024/foto-902.jpg"
    assert articles["pendaftaran-pasangan-calon-dibuka"].featured_image_url is None
    # Titles as text, bodies sanitised.
    assert cek.title == "Diskominfo Ajak Warga Cek Daftar Pemilih – Jangan Sampai Terlewat"
    assert articles["deklarasi-kampanye-damai"].title == (
        "Deklarasi Kampanye Damai & Tertib di Tenggarong"
    )
    assert "script" not in cek.body
    assert "onclick" not in cek.body
    assert "Tautan resmi" in cek.body

    async with sessions() as session:
        labels = set((await session.scalars(select(Tag.label))).all())
        steps = (
            await session.scalars(
                select(ArticleTransition).where(ArticleTransition.article_id == coklit.id)
            )
        ).all()
        kinds = set((await session.scalars(select(OutboxEntry.kind))).all())
    assert {"Berita", "Pilkada 2024", "Daftar Pemilih", "KPU", "Kampanye", "TPS & KPPS"} <= labels
    assert "Tak Berkategori" not in labels  # WordPress's default category
    assert [(s.kind, s.origin) for s in steps] == [("imported", f"WordPress {site.root} post 4101")]
    assert kinds == {"article.backfilled"}  # not streamed unless asked

    # Paged in modification order with the pagination headers; each request after the last
    # post handled; terms fetched apart when the site does not embed them.
    pages = site.post_requests()
    assert all(p["orderby"] == "modified" and p["order"] == "asc" for p in pages)
    assert "modified_after" not in pages[0]
    assert pages[1]["modified_after"] == "2024-07-02T10:29:59"  # 2nd post, minus a second
    routes = {route for route, _ in site.requests}
    assert ("/wp/v2/categories" in routes) is not embed


async def test_the_next_run_reads_only_what_changed(
    site: Site, run_import: RunImport, sessions: Sessions
) -> None:
    assert (await run_import("wordpress", site.root)).status == 2
    changed = next(post for post in site.posts if post["id"] == 4103)
    changed["title"]["rendered"] = "Pendaftaran Pasangan Calon Bupati Diperpanjang"
    changed["modified"] = "2024-12-01T10:00:00"
    new = json.loads(json.dumps(changed))
    new.update(id=4120, slug="rekapitulasi-tingkat-kabupaten", modified="2024-12-02T09:00:00",
               link="{site}/berita/rekapitulasi-tingkat-kabupaten/")  # fmt: skip
    new["title"]["rendered"] = "Rekapitulasi Tingkat Kabupaten Selesai"
    site.posts.append(new)
    site.requests.clear()

    run = await run_import("wordpress", site.root)
    assert run.status == 0, run.output
    assert run.lines == [
        f"WordPress {site.root} -> {AGENCY}, after posts modified at 2024-11-27T16:00:00 "
        "(site time): 2 read",
        "  created 1, updated 1, skipped 0 (unchanged), failed 0",
    ]
    assert site.post_requests()[0]["modified_after"] == "2024-11-27T15:59:59"
    articles = await imported(sessions, site)
    assert articles["pendaftaran-pasangan-calon-dibuka"].title == (
        "Pendaftaran Pasangan Calon Bupati Diperpanjang"
    )
    assert articles["pendaftaran-pasangan-calon-dibuka"].version == 2
    assert len(articles) == 7

    # --full reads everything again: what was imported is unchanged.
    run = await run_import("wordpress", site.root, options=Options(full=True))
    assert run.lines[1] == "  created 0, updated 0, skipped 7 (unchanged), failed 1"


async def test_an_interrupted_run_resumes_where_it_stopped(
    site: Site, run_import: RunImport, sessions: Sessions
) -> None:
    # From the third request for posts on, the site fails: the run stops after three posts
    # (each request starts at the last post handled, so the second one brought one new post).
    calls = {"posts": 0}

    def failing_from_the_third(route: str, params: dict[str, str]) -> bool:
        if route != "/wp/v2/posts":
            return False
        calls["posts"] += 1
        return calls["posts"] >= 3

    site.fail = failing_from_the_third
    with pytest.raises(command.ImportFailed, match="run the command again to resume"):
        await run_import("wordpress", site.root, per_page=2)
    assert len(await imported(sessions, site)) == 3
    assert calls["posts"] == 2 + wordpress.ATTEMPTS  # retried before giving up

    site.fail = lambda route, params: False
    site.requests.clear()
    run = await run_import("wordpress", site.root, per_page=2)
    assert "after posts modified at 2024-08-27T15:00:00" in run.lines[0]
    assert run.lines[1] == "  created 3, updated 0, skipped 0 (unchanged), failed 1"
    assert site.post_requests()[0]["modified_after"] == "2024-08-27T14:59:59"
    assert len(await imported(sessions, site)) == 6


async def test_mapping_and_tied_modification_times(
    site: Site, run_import: RunImport, sessions: Sessions, tmp_path: Path
) -> None:
    mapping = tmp_path / "mapping.json"
    mapping.write_text(
        json.dumps(
            {
                "category": {"siaran-pers": "PRESS_RELEASE"},
                "stages": {"pilkada-2024": ["pilkada_kampanye"], "kampanye": ["kampanye"]},
                "regions": {"pilkada-2024": ["64.02", "64"]},
                "ignore": ["tak-berkategori", "berita"],
            }
        )
    )
    # One post per request: the tie (two posts modified in the same second) must not loop
    # or lose a post.
    run = await run_import(
        "wordpress", site.root, per_page=1, mapping=TermMapping.from_file(mapping)
    )
    assert run.lines[1] == "  created 6, updated 0, skipped 0 (unchanged), failed 1"
    articles = await imported(sessions, site)
    release = articles["pendaftaran-pasangan-calon-dibuka"]
    assert release.category == "press_release"
    async with sessions() as session:
        labels = set((await session.scalars(select(Tag.label))).all())
        stages = await session.scalars(
            select(article_election_stages.c.stage_code).where(
                article_election_stages.c.article_id == release.id
            )
        )
        regions = await session.scalars(
            select(article_regions.c.region_code).where(article_regions.c.article_id == release.id)
        )
        assert set(stages) == {"pilkada_kampanye", "kampanye"}
        assert set(regions) == {"64", "64.02"}
    assert "Berita" not in labels
    assert "Siaran Pers" in labels


@pytest.mark.parametrize(
    ("content", "problem"),
    [
        ('{"category": {"x": "GOSSIP"}}', "category of `x` must be one of"),
        ('{"stages": {"x": "kampanye"}}', "`stages` maps term slugs to lists of codes"),
        ('{"colour": {}}', "unknown keys in the mapping: colour"),
        ("[1, 2", "cannot read the mapping"),
    ],
)
def test_bad_mappings_are_refused(tmp_path: Path, content: str, problem: str) -> None:
    path = tmp_path / "mapping.json"
    path.write_text(content)
    with pytest.raises(command.ImportFailed, match=problem.replace("[", r"\[")):
        command.load_mapping(path)


async def test_a_site_without_the_api_is_refused(run_import: RunImport) -> None:
    with serving(Site()) as running:
        running.rest_style = "none"  # pages without the Link header, no REST root
        with pytest.raises(command.ImportFailed, match="does not announce a WordPress REST API"):
            await run_import("wordpress", f"{running.base}/")


async def test_an_unreadable_post_fails_alone(
    site: Site, run_import: RunImport, sessions: Sessions
) -> None:
    broken = next(post for post in site.posts if post["id"] == 4102)
    broken["date_gmt"] = "kemarin sore"
    run = await run_import("wordpress", site.root)
    assert run.lines[1] == "  created 5, updated 0, skipped 0 (unchanged), failed 2"
    assert run.lines[2].startswith("  failed post 4102: unreadable post (ValueError")
    assert len(await imported(sessions, site)) == 5
