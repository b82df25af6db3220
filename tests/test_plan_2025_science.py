"""The science bureau's 2025 plan as data: faithful to its source text, complete, and loadable."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

from desktop.models.database import create_database
from desktop.models.integrity import check_database
from desktop.models.plan_source import load_plan_source, populate

ROOT = Path(__file__).resolve().parent.parent
PLAN_SOURCE = ROOT / "data" / "plan_2025_science.toml"
SOURCES = ROOT / "data" / "sources"

PRIMARY = (SOURCES / "003_2e6eae32420e2f95.txt").read_text(encoding="utf-8")
# The science bureau's part of the press conference: from its speaker to the end.
SCIENCE = PRIMARY[PRIMARY.index("市科技局相关负责人介绍") :]
HEADINGS = re.findall(r"\n  ([一二三]、.+强市)\n", SCIENCE)


# Figures of the section that are no target of their own, with the clause each stands in
# and why. A figure the area goal states and an item repeats is one indicator, under the goal.
EXCLUDED = [
    ("实施关键核心技术攻关沈阳“325”模式", 325, "the model's name, not a commitment"),
    ("年底前,全市科技型企业总数突破3万家", 30000, "repeats the goal: 1.1.1-2"),
    ("累计攻克关键技术超过300项", 300, "repeats the goal: 1.1.1-4"),
    ("年底前,东北大学、辽宁大学等高校4个学科达到世界一流水平", 4, "repeats the goal: 2.1.2-1"),
    (
        "年底前,东北大学、辽宁大学等高校4个学科达到世界一流水平,10个学科达到国内一流水平",
        10,
        "repeats the goal: 2.1.2-2",
    ),
    ("年底前,推进3个市域产教联合体建设", 3, "repeats the goal: 2.1.1-1"),
    ("组建5个行业产教融合共同体并实体化运作", 5, "repeats the goal: 2.1.1-2"),
    ("围绕10个重点产业集群吸引集聚高层次人才", 10, "names the ten existing clusters"),
]


def raw_plan() -> dict[str, Any]:
    return tomllib.loads(PLAN_SOURCE.read_text(encoding="utf-8"))


def figures(text: str) -> Counter[float]:
    """Every number of a text, 万 multiplied out (3万 → 30000)."""
    found: Counter[float] = Counter()
    for number, scale in re.findall(r"(\d+(?:\.\d+)?)(万)?", text):
        found[round(float(number) * (10000 if scale else 1), 6)] += 1
    return found


def test_the_plan_source_loads_as_it_is() -> None:
    spec = load_plan_source(PLAN_SOURCE)
    assert spec.code == "SY2025-SCI"
    assert (spec.start.isoformat(), spec.end.isoformat()) == ("2025-01-01", "2025-12-31")
    assert spec.title in SCIENCE


def test_plan_state_and_lead() -> None:
    plan = raw_plan()
    assert plan["plan"]["state"] == "active"
    assert plan["plan"]["lead"] == "科技局"
    assert plan["plan"]["lead"] in {d["short"] for d in plan["department"]}


def test_projects_are_the_three_areas_in_the_documents_order() -> None:
    nodes = raw_plan()["node"]
    assert len(HEADINGS) == 3
    projects = [n for n in nodes if "." not in n["code"]]
    assert [f"{'一二三'[i]}、{n['title']}" for i, n in enumerate(projects)] == HEADINGS
    assert {n["section"] for n in nodes} == set(HEADINGS)


def test_the_declared_shape_is_the_one_built() -> None:
    plan = raw_plan()
    depths = Counter(n["code"].count(".") + 1 for n in plan["node"])
    declared = plan["plan"]
    assert (depths[1], depths[2], depths[3]) == (
        declared["projects"],
        declared["tasks"],
        declared["measures"],
    )


def test_every_quote_is_verbatim_from_the_science_section() -> None:
    plan = raw_plan()
    for item in plan["node"] + plan["indicator"]:
        assert item["quote"] in SCIENCE, item["code"]
        assert item.get("department_quote", "") in SCIENCE, item["code"]


def test_a_title_is_marked_when_it_is_not_the_documents_words() -> None:
    for node in raw_plan()["node"]:
        assert (node["title"] not in SCIENCE) == node.get("editor_title", False), node["code"]


def test_every_figure_of_the_section_is_a_target_or_an_explained_exclusion() -> None:
    plan = raw_plan()
    accounted: Counter[float] = Counter()
    for indicator in plan["indicator"]:
        accounted.update(
            float(indicator[key]) for key in ("target", "stretch_target") if key in indicator
        )
        if indicator.get("baseline_source") == "003":
            accounted[float(indicator["baseline"])] += 1
    for clause, figure, reason in EXCLUDED:
        assert clause in SCIENCE and figures(clause)[figure], reason
        accounted[figure] += 1
    assert accounted == figures(SCIENCE)


def test_key_figures_have_their_units_and_kinds() -> None:
    by_target = {(i.get("target"), i["unit"], i["kind"]) for i in raw_plan()["indicator"]}
    for expected in [
        (1850, "家", "level"),
        (30000, "家", "level"),
        (10, "%", "level"),
        (300, "项", "level"),
        (130, "个", "level"),
        (3, "个", "level"),
        (600, "人", "cumulative"),
        (170000, "人", "cumulative"),
        (2000, "套", "cumulative"),
        (27000, "人", "cumulative"),
    ]:
        assert expected in by_target


def test_new_in_the_year_is_cumulative_and_shares_are_levels() -> None:
    for indicator in raw_plan()["indicator"]:
        if "新增" in indicator["quote"] and indicator["kind"] != "milestone":
            assert indicator["kind"] == "cumulative", indicator["code"]
        if indicator["unit"] == "%":
            assert indicator["kind"] == "level", indicator["code"]


def test_the_only_baseline_is_an_actual_value_of_the_same_quantity() -> None:
    """004 reports the platforms' total at the end of May 2024; no other target of the section
    has an actual value of its own quantity in 001 or 004 (see the indicators' notes)."""
    plan = raw_plan()
    platforms = next(i for i in plan["indicator"] if "baseline" in i)
    assert [i["code"] for i in plan["indicator"] if "baseline" in i] == [platforms["code"]]
    assert platforms["name"] == "各级各类科技创新平台总数"
    assert (platforms["baseline"], platforms["baseline_date"].isoformat()) == (1690, "2024-05-31")
    report = SOURCES / plan["sources"][platforms["baseline_source"]]["file"]
    assert report.name.startswith("004_")
    assert platforms["baseline_quote"] in report.read_text(encoding="utf-8")
    assert "各级各类科技创新平台总数达1690" in platforms["baseline_quote"]


def test_departments_are_the_bodies_the_section_names() -> None:
    plan = raw_plan()
    named = {"市科技局", "市委组织部", "市教育局"}
    assert {d["name"] for d in plan["department"]} == named
    assert all(name in SCIENCE for name in named)
    short_to_full = {d["short"]: d["name"] for d in plan["department"]}
    owners = {short_to_full[i["department"]] for i in plan["indicator"]}
    assert owners == named  # each of them owns at least one indicator
    assert {n["department"] for n in plan["node"]} <= set(short_to_full)


def test_a_named_department_is_quoted_and_an_inferred_one_is_not() -> None:
    full = {d["short"]: d["name"] for d in raw_plan()["department"]}
    for indicator in raw_plan()["indicator"]:
        basis = indicator.get("department_basis", "inferred")
        assert basis in {"named", "inferred"}, indicator["code"]
        if basis == "named":
            assert full[indicator["department"]] in indicator["department_quote"]
        else:
            assert "department_quote" not in indicator, indicator["code"]


def test_quantity_keys_are_ascii_and_one_per_indicator() -> None:
    keys = [i["quantity"] for i in raw_plan()["indicator"] if "quantity" in i]
    assert all(re.fullmatch(r"[a-z][a-z0-9_]*", key) for key in keys)
    assert len(keys) == len(set(keys))
    numeric = [i for i in raw_plan()["indicator"] if i["kind"] != "milestone"]
    assert all("quantity" in i for i in numeric)


def test_qualitative_commitments_are_milestones() -> None:
    milestones = {i["name"] for i in raw_plan()["indicator"] if i["kind"] == "milestone"}
    for commitment in (
        "分类布局建设概念验证中心",
        "开展职务科技成果管理改革试点工作",
        "建立人才需求库",
        "打造现代职业教育体系建设改革示范区",
    ):
        assert commitment in milestones


def test_the_plan_populates_a_fresh_database_that_passes_check(tmp_path: Path) -> None:
    spec = load_plan_source(PLAN_SOURCE)
    path = tmp_path / "science.sqlite"
    database = create_database(path)
    try:
        with database.write() as session:
            populate(session, spec)
        report = check_database(database)
    finally:
        database.close()
    assert report.ok, report.problems
    assert report.counts == {
        "plans": 1,
        "nodes": len(spec.nodes),
        "indicators": len(spec.indicators),
        "entries": 0,
    }
    with sqlite3.connect(path) as connection:
        stored = dict(connection.execute("SELECT code, target FROM indicators").fetchall())
    connection.close()
    assert stored == {i.code: i.target for i in spec.indicators}
