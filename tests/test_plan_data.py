"""The 2025 plan as data: faithful to its source text, complete, and the seed is up to date."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from desktop.models.database import Database
from desktop.models.errors import PlanSourceError
from desktop.models.plan_source import build_seed, load_plan_source, parse_plan_source
from desktop.models.records import IndicatorFacts, NodeFacts, shared_fields
from desktop.models.workspace import PlanWorkspace

ROOT = Path(__file__).resolve().parent.parent
PLAN_SOURCE = ROOT / "data" / "plan_2025.toml"
SOURCES = ROOT / "data" / "sources"
SEED = ROOT / "data" / "seed.sqlite"

PRIMARY = (SOURCES / "003_2e6eae32420e2f95.txt").read_text(encoding="utf-8")
SIX_PROJECTS = PRIMARY[
    PRIMARY.index("一、实施重点产业集群提升工程") : PRIMARY.index("市科技局相关负责人介绍")
]

# Numbers that are part of a name, not a commitment: the "10+1" cluster system, the
# "4+2+N" AI system, the "325" model, and 5G.
NAME_PATTERNS = (r"“10\+1”", r"“4\+2\+N”", r"“325沈阳模式”", r"5G")


def raw_plan() -> dict[str, Any]:
    return tomllib.loads(PLAN_SOURCE.read_text(encoding="utf-8"))


def figures_of_the_six_projects() -> Counter[float]:
    text = SIX_PROJECTS
    for pattern in NAME_PATTERNS:
        text = re.sub(pattern, "", text)
    figures: Counter[float] = Counter()
    for number, scale in re.findall(r"(\d+(?:\.\d+)?)(万亿)?", text):
        figures[float(number) * (10000 if scale else 1)] += 1  # 万亿 → 亿元
    return figures


def test_shape_is_6_projects_12_tasks_30_measures() -> None:
    spec = load_plan_source(PLAN_SOURCE)
    depths = Counter(node.depth for node in spec.nodes)
    assert (depths[1], depths[2], depths[3]) == (6, 12, 30)
    tasks_per_project = Counter(n.parent_code for n in spec.nodes if n.depth == 2)
    assert set(tasks_per_project.values()) == {2}


def test_projects_follow_the_documents_order_and_names() -> None:
    spec = load_plan_source(PLAN_SOURCE)
    headings = re.findall(r"[一二三四五六]、实施(.+?工程)", SIX_PROJECTS)
    assert [n.title for n in spec.nodes if n.depth == 1] == headings


def test_every_figure_of_the_six_projects_is_a_target_and_nothing_else_is() -> None:
    spec = load_plan_source(PLAN_SOURCE)
    targets: Counter[float] = Counter()
    for indicator in spec.indicators:
        targets.update(v for v in (indicator.target, indicator.stretch_target) if v is not None)
    assert targets == figures_of_the_six_projects()


def test_key_figures_have_their_units() -> None:
    by_target = {(i.target, i.unit) for i in load_plan_source(PLAN_SOURCE).indicators}
    for expected in [
        (11000, "亿元"),
        (300, "个"),
        (700, "户"),
        (1000, "P"),
        (100, "%"),
        (75, "%"),
        (40, "项"),
        (80, "项"),
        (650, "家"),
    ]:
        assert expected in by_target


def test_every_quote_is_verbatim_from_the_primary_source() -> None:
    plan = raw_plan()
    for item in plan["node"] + plan["indicator"]:
        assert item["quote"] in SIX_PROJECTS, item["code"]
        if "section" in item:
            assert item["section"] in SIX_PROJECTS, item["code"]


def test_baselines_are_actual_values_quoted_from_later_reports() -> None:
    plan = raw_plan()
    with_baseline = [i for i in plan["indicator"] if "baseline" in i]
    assert with_baseline, "the mid-2024 cluster scale is a documented baseline"
    for item in with_baseline:
        document = plan["sources"][item["baseline_source"]]["file"]
        assert document.startswith(("001_", "004_")), "baselines come from seeds 001 or 004"
        text = (SOURCES / document).read_text(encoding="utf-8")
        assert item["baseline_quote"] in text
        assert str(int(item["baseline"])) in item["baseline_quote"]


def test_every_indicator_is_owned_by_a_department_the_plan_names() -> None:
    spec = load_plan_source(PLAN_SOURCE)
    named = {"市工业和信息化局", "市发展改革委", "市科技局", "市市场监管局", "市城乡建设局"}
    assert {full for full, _ in spec.departments} == named
    short_to_full = {short: full for full, short in spec.departments}
    owners = {short_to_full[i.department] for i in spec.indicators}
    assert owners == named  # each of them owns at least one indicator


def test_qualitative_commitments_are_milestones() -> None:
    milestones = {i.name for i in load_plan_source(PLAN_SOURCE).indicators if i.target is None}
    for commitment in (
        "建设智能建造试点城市",
        "修订《沈阳市地方标准管理办法》",
        "推行首席标准官制度",
    ):
        assert commitment in milestones


def test_the_program_shows_what_the_plan_source_states(database: Database) -> None:
    """Targets, baselines, due dates, weights and quotes arrive unchanged, and so do the
    departments that lead each node and own each indicator."""
    spec = load_plan_source(PLAN_SOURCE)
    workspace = PlanWorkspace(database)
    short_names = {d.id: d.short_name for d in workspace.departments.values()}
    assert {
        i.code: (shared_fields(i, IndicatorFacts), short_names[i.department_id])
        for i in workspace.indicators.values()
    } == {i.code: (shared_fields(i, IndicatorFacts), i.department) for i in spec.indicators}
    assert {
        n.code: (shared_fields(n, NodeFacts), short_names[n.department_id])
        for n in workspace.nodes.values()
    } == {n.code: (shared_fields(n, NodeFacts), n.department) for n in spec.nodes}


def test_the_committed_seed_matches_a_fresh_build(tmp_path: Path) -> None:
    fresh = tmp_path / "seed.sqlite"
    build_seed(sorted((ROOT / "data").glob("plan_*.toml")), fresh)
    assert dump(fresh) == dump(SEED), "run `target-monitor build-seed` and commit the result"


def dump(path: Path) -> dict[str, Any]:
    with sqlite3.connect(path) as connection:
        tables = [
            row[0]
            for row in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        content: dict[str, Any] = {
            "schema": connection.execute(
                "SELECT type, name, sql FROM sqlite_master ORDER BY type, name"
            ).fetchall()
        }
        for table in tables:
            content[table] = connection.execute(f'SELECT * FROM "{table}" ORDER BY 1').fetchall()
    connection.close()
    return content


def test_the_seed_holds_no_entries() -> None:
    """Actual figures are typed by users; the shipped seed has none."""
    assert dump(SEED)["entries"] == [] and dump(SEED)["audit_events"] == []


def test_the_seed_cites_its_sources_as_a_person_would() -> None:
    """What the window and the printed documents show: no file name of the repository."""
    with sqlite3.connect(SEED) as connection:
        cited = [
            text
            for query in (
                "SELECT source FROM plans",
                "SELECT source FROM nodes",
                "SELECT source FROM indicators",
                "SELECT baseline_source FROM indicators WHERE baseline_source IS NOT NULL",
            )
            for (text,) in connection.execute(query)
        ]
    connection.close()
    assert len(cited) > 1 + 48 + 46  # the plan, its nodes, its indicators and baselines
    files = {path.name for path in SOURCES.glob("*.txt")}
    assert [text for text in cited if ".txt" in text or any(f in text for f in files)] == []
    assert cited[0] == "2025年3月28日市政府新闻发布会"


def drop_last_measure(plan: dict[str, Any]) -> None:
    code = plan["node"].pop()["code"]
    plan["indicator"] = [i for i in plan["indicator"] if not i["code"].startswith(f"{code}-")]


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        (lambda p: p["node"].pop(), "no measure 6.2.4"),
        (lambda p: p["indicator"].clear(), "has no indicator"),
        (drop_last_measure, "announces 6/12/30 .* the source has 6/12/29"),
        (lambda p: p["indicator"][0].update(department="不存在局"), "unknown department"),
        (lambda p: p["indicator"][0].update(kind="bogus"), "bogus"),
        (lambda p: p["indicator"][0].pop("baseline_date"), "baseline needs"),
        (lambda p: p["indicator"][1].update(target=5), "milestone has no numeric target"),
        (lambda p: p["indicator"][0].update(colour="red"), "unknown key"),
        (lambda p: p["indicator"][0].update(target="many"), "wrong type"),
        (lambda p: p["indicator"][0].update(code="9.9.9-1"), "no measure 9.9.9"),
        (lambda p: p["node"].append(dict(p["node"][2])), "duplicated code"),
        (lambda p: p["sources"]["003"].pop("cited_as"), "sources.003.*cited_as"),
    ],
)
def test_a_broken_plan_source_is_refused_with_the_place(mutate: Any, message: str) -> None:
    plan = raw_plan()
    mutate(plan)
    with pytest.raises(PlanSourceError, match=message):
        parse_plan_source(plan)
