"""The 2023 plan as data: faithful to its source text (seed 001), complete, and loadable."""

from __future__ import annotations

import datetime as dt
import re
import tomllib
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from desktop.models.database import create_database
from desktop.models.integrity import check_database
from desktop.models.plan_source import PlanSpec, load_plan_source, populate
from desktop.models.records import IndicatorFacts, NodeFacts, shared_fields
from desktop.models.store import Database
from desktop.models.workspace import PlanWorkspace

ROOT = Path(__file__).resolve().parent.parent
PLAN_SOURCE = ROOT / "data" / "plan_2023.toml"
PLAN_2025 = ROOT / "data" / "plan_2025.toml"
SOURCE = (ROOT / "data" / "sources" / "001_08d562f2d22f3f55.txt").read_text(encoding="utf-8")


def part(start: str, end: str, *, including_end: bool = False) -> str:
    stop = SOURCE.index(end, SOURCE.index(start))
    return SOURCE[SOURCE.index(start) : stop + (len(end) if including_end else 0)]


# The plan: the paragraph that announces it, then the seven "**实施…工程。**" paragraphs.
PLAN_PART = part("沈阳市工信局细化制定专项行动计划", "着力提升沈阳品牌价值。", including_end=True)
# The 2022 results the baselines are read from.
RESULTS_2022 = part("### 盘点成绩看基础", "### 透过现象看趋势")
# The same article restates some 2023 targets further on.
RESTATED = part("### 透过现象看趋势", "## 发挥科技创新引领作用")

# Figures of the plan part that are not targets, removed before the comparison, each for a
# reason. Order matters: "5项行动" goes before "5G".
NOT_TARGETS_IN_THE_PLAN = (
    r"7项工程、28项行动",  # the plan's declared shape (test_shape_…)
    r"5项行动",  # project 2's count of actions (test_the_counts_of_actions_the_text_gives)
    r"4项行动",  # project 6's count of actions (same test)
    r"2023年",  # the plan's year
    r"8条市级重点产业链",  # how many chains the 8000亿元 target adds up: part of its name
    r"50亿元以上企业",  # a size class of enterprises: part of the 10户 target's name
    r"5G",  # a name
)

# Figures of the 2022 results that are not baselines: the 2023 plan sets no target for the
# same quantity.
NOT_BASELINES_IN_THE_RESULTS = (
    r"2022年",  # the year of the results
    r"2022“成绩单”",  # the heading of the 2022 list
    r"增加值增长12\.4%",  # growth of the “新字号” value added; the target is their share
    r"获批2个国家级、7个省级",  # “单项冠军” recognised in 2022; no 2023 target
    r"分别增长62\.5%、22%、13%",  # growth of three industries; no 2023 target
    r"第25名,提升了9个位次",  # a ranking
    r"\*\*第25位\*\*,位次提升9位",  # the same ranking in the 2022 list
    r"工业投资增长\*\*30\.3%\*\*",  # growth of industrial investment; no 2023 target
    r"新建5G基站1\.3万个",  # built in 2022 (and the name 5G); the baseline is the total, 3万个
    r"每4小时",  # a company's story (东软医疗's CT line)
    r"2000台",  # the same story
    r"256层",  # the same story
    r"3T",  # the same story
    r"7个企业技术中心",  # promoted to national level in 2022; no 2023 target
    r"418个创新项目",  # promoted by the province in 2022; no 2023 target
    r"“小巨人”企业25户",  # new in 2022; the 2023 target (450户) is a stock, not new ones
    r"中小企业324户",  # new in 2022; the same
    r"产品\(技术\)426项",  # new in 2022; no 2023 target
)


# 2023 indicators that track the same quantity as a 2025 indicator (data/plan_2025.toml).
PAIRED_WITH_2025 = {
    "6.1.1-1": "5.2.1-1",  # 绿色建筑占新建建筑比例 (90% in 2023, 100% in 2025)
    "6.1.3-1": "5.2.2-1",  # 新开工装配式建筑项目面积占新建建筑面积比例 (65%, 75%)
    "2.1.1-1": "3.1.2-1",  # new smart factories (2025 counts the advanced level apart)
}
# Keyed for later years' data, no 2025 indicator: the 2025 plan counts no parks "12+24".
KEYED_WITHOUT_A_2025_PAIR = {"4.1.1-1", "4.1.1-2"}


def raw_plan() -> dict[str, Any]:
    return tomllib.loads(PLAN_SOURCE.read_text(encoding="utf-8"))


def spec() -> PlanSpec:
    return load_plan_source(PLAN_SOURCE)


def figures(text: str, removed: tuple[str, ...]) -> Counter[float]:
    for pattern in removed:
        assert re.search(pattern, text), f"exclusion {pattern!r} matches nothing"
        text = re.sub(pattern, "", text)
    return Counter(float(number) for number in re.findall(r"\d+(?:\.\d+)?", text))


def project_paragraphs() -> Iterator[tuple[str, str]]:
    """(project name, its paragraph) in the document's order."""
    pieces = re.split(r"\*\*实施(.+?工程)。\*\*", PLAN_PART)
    yield from zip(pieces[1::2], pieces[2::2], strict=True)


# --- shape -----------------------------------------------------------------------------------


def test_shape_is_7_projects_28_measures_and_one_task_per_project() -> None:
    plan = spec()
    depths = Counter(node.depth for node in plan.nodes)
    assert (depths[1], depths[2], depths[3]) == plan.declared_shape == (7, 7, 28)
    assert "实施7项工程、28项行动" in PLAN_PART
    projects = {n.code: n.title for n in plan.nodes if n.depth == 1}
    tasks = [n for n in raw_plan()["node"] if n["code"].count(".") == 1]
    # The text has no task level: one task per project, with the project's name, the editor's.
    assert [(t["code"].split(".")[0], t["title"]) for t in tasks] == list(projects.items())
    assert all(t.get("editor_title") is True for t in tasks)


def test_projects_follow_the_documents_order_and_names() -> None:
    titles = [n.title for n in spec().nodes if n.depth == 1]
    assert titles == [name for name, _ in project_paragraphs()]
    assert len(titles) == 7


def test_the_counts_of_actions_the_text_gives() -> None:
    """Projects 2 and 6 count their actions (5项行动, 4项行动); the measures agree."""
    measures = Counter(n.code.split(".")[0] for n in spec().nodes if n.depth == 3)
    counted = {}
    for number, (_, paragraph) in enumerate(project_paragraphs(), start=1):
        if match := re.search(r"(\d+)项行动", paragraph):
            counted[str(number)] = int(match.group(1))
    assert counted == {"2": 5, "6": 4}
    assert {code: measures[code] for code in counted} == counted
    assert sum(measures.values()) == 28


def test_the_named_actions_of_project_2_are_its_measures() -> None:
    titles = [n.title for n in spec().nodes if n.depth == 3 and n.code.startswith("2.")]
    assert "、".join(titles) + "5项行动" in PLAN_PART


# --- figures, quotes, baselines --------------------------------------------------------------


def test_every_figure_of_the_plan_is_a_target_and_nothing_else_is() -> None:
    targets: Counter[float] = Counter()
    for indicator in spec().indicators:
        targets.update(v for v in (indicator.target, indicator.stretch_target) if v is not None)
    assert targets == figures(PLAN_PART, NOT_TARGETS_IN_THE_PLAN)


def test_every_figure_of_the_2022_results_is_a_baseline_or_set_aside() -> None:
    baselines = {i.baseline for i in spec().indicators if i.baseline is not None}
    assert set(figures(RESULTS_2022, NOT_BASELINES_IN_THE_RESULTS)) == baselines


def test_targets_the_article_restates_agree_with_the_plan() -> None:
    by_code = {i.code: i for i in spec().indicators}
    for clause, code in [
        ("今\n\n年高端装备制造占比将达到35%以上", "1.1.4-1"),  # a page break in 今年
        ("今年经济规模力争突破8000亿元", "1.1.1-1"),
        ("力争今年产值50亿元企业达到10户", "1.1.5-2"),
        ("百亿元企业达到5户", "1.1.5-1"),
    ]:
        assert clause in RESTATED
        assert float(re.findall(r"\d+", clause)[-1]) == by_code[code].target, code


def test_key_figures_have_their_units_and_kinds() -> None:
    by_code = {i.code: (i.target, i.unit, i.kind.value) for i in spec().indicators}
    assert by_code["1.1.1-1"] == (8000, "亿元", "level")
    assert by_code["1.1.5-4"] == (1900, "户", "level")
    assert by_code["2.1.1-1"] == (30, "个", "cumulative")
    assert by_code["2.1.4-1"] == (4, "万个", "level")
    assert by_code["4.1.1-3"] == (150, "亿元", "cumulative")
    assert by_code["6.1.1-1"] == (90, "%", "level")
    assert by_code["6.1.3-1"] == (65, "%", "level")


def test_every_quote_is_verbatim_from_the_plan() -> None:
    plan = raw_plan()
    for item in plan["node"] + plan["indicator"]:
        assert item["quote"] in PLAN_PART, item["code"]
        if "section" in item:
            assert f"**{item['section']}。**" in PLAN_PART, item["code"]


def test_titles_quote_the_text_unless_marked_as_the_editors() -> None:
    """A title the editor did not mark is the text's own words (the page breaks of the file
    left out: they cut a clause in two)."""
    text = PLAN_PART.replace("\n\n", "")
    for node in raw_plan()["node"]:
        if not node.get("editor_title", False):
            assert node["title"] in text, node["code"]


def test_baselines_are_2022_results_quoted_from_the_same_article() -> None:
    plan = raw_plan()
    with_baseline = [i for i in plan["indicator"] if "baseline" in i]
    assert {i["code"] for i in with_baseline} == {
        "1.1.2-1",
        "1.1.4-1",
        "2.1.1-3",
        "2.1.1-4",
        "2.1.4-1",
    }
    for item in with_baseline:
        assert item["baseline_source"] == "001" == plan["plan"]["source"]
        assert item["baseline_date"] == dt.date(2022, 12, 31)  # read from "2022年" / "去年"
        assert item["baseline_quote"] in RESULTS_2022, item["code"]
        assert f"{item['baseline']:g}" in item["baseline_quote"], item["code"]
        assert item["baseline"] < item["target"], item["code"]
        assert item["baseline_note"], item["code"]


def test_qualitative_commitments_are_milestones() -> None:
    milestones = {i.name for i in spec().indicators if i.target is None}
    for commitment in (
        "强基础补短板补链",
        "推进数字化转型促进中心建设",
        "创建东北首家工业设计研究院",
        "“三生融合”生态初步建立",
        "建设中国沈阳数据交易中心",
        "建设中国(沈阳)智能建造产业园",
        "创建质量品牌提升示范区",
        "培育争取质量奖",
    ):
        assert commitment in milestones


# --- departments -----------------------------------------------------------------------------


def test_the_plan_is_led_by_the_industry_bureau_the_text_names() -> None:
    plan = raw_plan()["plan"]
    assert (plan["code"], plan["state"], plan["lead"]) == ("SY2023-MIS", "closed", "工信局")
    assert (plan["start"], plan["end"]) == (dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert f"“{plan['title']}”,沈阳市工信局细化制定专项行动计划" in SOURCE


def test_departments_are_named_by_the_sentence_or_the_plans_lead() -> None:
    plan = raw_plan()
    lead = plan["plan"]["lead"]
    assert {d["short"] for d in plan["department"]} == {"工信局", "浑南区", "铁西区"}
    owners = set()
    for item in plan["indicator"]:
        owners.add(item["department"])
        basis = item.get("department_basis", "inferred")
        assert basis in {"named", "inferred"}, item["code"]
        if basis == "named":
            quote = item["department_quote"]
            assert quote in PLAN_PART and item["department"] in quote, item["code"]
        else:
            assert "department_quote" not in item, item["code"]
            assert item["department"] == lead, item["code"]
    assert owners == {d["short"] for d in plan["department"]}


# --- pairs with 2025 -------------------------------------------------------------------------


def test_quantities_pair_with_the_2025_indicators_of_the_same_quantity() -> None:
    indicators_2025 = {
        i["code"]: i for i in tomllib.loads(PLAN_2025.read_text(encoding="utf-8"))["indicator"]
    }
    keyed = {i["code"]: i for i in raw_plan()["indicator"] if "quantity" in i}
    assert set(keyed) == set(PAIRED_WITH_2025) | KEYED_WITHOUT_A_2025_PAIR
    assert len({i["quantity"] for i in keyed.values()}) == len(keyed)
    for item in keyed.values():
        assert re.fullmatch(r"[a-z][a-z0-9_]*", item["quantity"]), item["code"]
    for code, code_2025 in PAIRED_WITH_2025.items():
        mine, theirs = keyed[code], indicators_2025[code_2025]
        assert (mine["unit"], mine["kind"]) == (theirs["unit"], theirs["kind"]), code
        assert theirs.get("quantity", mine["quantity"]) == mine["quantity"], code


# --- loading ---------------------------------------------------------------------------------


def test_the_plan_populates_a_fresh_database_that_passes_check(tmp_path: Path) -> None:
    plan = spec()
    database = create_database(tmp_path / "plan.sqlite")
    try:
        with database.write() as session:
            populate(session, plan)
        report = check_database(database)
        assert report.ok, report.problems
        assert report.counts == {"plans": 1, "nodes": 42, "indicators": 49, "entries": 0}
        assert_the_program_shows_what_the_source_states(database, plan)
    finally:
        database.close()


def assert_the_program_shows_what_the_source_states(database: Database, plan: PlanSpec) -> None:
    workspace = PlanWorkspace(database)
    assert (workspace.plan.code, workspace.plan.source) == (plan.code, plan.source.cited_as)
    short_names = {d.id: d.short_name for d in workspace.departments.values()}
    pairs: tuple[tuple[Any, Any, Any], ...] = (
        (workspace.indicators.values(), plan.indicators, IndicatorFacts),
        (workspace.nodes.values(), plan.nodes, NodeFacts),
    )
    for stored, stated, facts in pairs:
        shown = {r.code: (shared_fields(r, facts), short_names[r.department_id]) for r in stored}
        assert shown == {s.code: (shared_fields(s, facts), s.department) for s in stated}


def test_the_loader_reads_the_file_as_it_is() -> None:
    assert load_plan_source(PLAN_SOURCE).declared_shape == (7, 7, 28)
