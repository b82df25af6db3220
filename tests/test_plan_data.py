"""The 2025 plan as data: faithful to its source text, complete, and the seed is up to date."""

from __future__ import annotations

import re
import sqlite3
import tomllib
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from desktop.models.errors import PlanSourceError
from desktop.models.plan_source import build_seed, load_plan_source, parse_plan_source
from desktop.models.records import IndicatorFacts, NodeFacts, shared_fields
from desktop.models.store import Database
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
# Numbers that count clusters the sentence names one by one, which already exist and are to be
# kept or grown (做大做强, 巩固), or that rank one named cluster (第6个): not counts to reach
# from zero. Each is quoted by a milestone (indicator code → the phrase).
NAMED_SETS = {
    "1.1.2-1": "3个国家级先进制造业集群",
    "1.1.3-1": "5个千亿集群",
    "1.1.3-2": "第6个千亿集群",
}
# What closes a clause in the source documents (full-width comma, full stop, semicolon).
CLAUSE_ENDS = ",。;"
# Clauses of the six projects that borrow the verb of the clause before them ("新培育 A, B"):
# a quote never starts with one of them.
VERBLESS_CLAUSES = ("卓越级、领航级智能工厂2个以上",)
# How the six-project section could name a department, if it did.
DEPARTMENT_WORDS = (
    "工业和信息化局",
    "工信局",
    "发展改革委",
    "发改委",
    "科技局",
    "市场监管局",
    "城乡建设局",
)
PLAN_NOTE = ROOT / "docs" / "plan-2025.md"


def raw_plan() -> dict[str, Any]:
    return tomllib.loads(PLAN_SOURCE.read_text(encoding="utf-8"))


def indicators_by_code() -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in raw_plan()["indicator"]}


def nodes_by_code() -> dict[str, dict[str, Any]]:
    return {item["code"]: item for item in raw_plan()["node"]}


def source_text(key: str) -> str:
    return (SOURCES / raw_plan()["sources"][key]["file"]).read_text(encoding="utf-8")


def is_whole_clauses(quote: str, text: str) -> bool:
    """The quote stands somewhere in the text from a clause's start to a clause's end."""
    start = text.find(quote)
    while start != -1:
        before = text[start - 1] if start else "\n"
        end = start + len(quote)
        after = text[end] if end < len(text) else "\n"
        opens = before in CLAUSE_ENDS or before.isspace()
        closes = quote[-1] in CLAUSE_ENDS or after in CLAUSE_ENDS or after.isspace()
        if opens and closes:
            return True
        start = text.find(quote, start + 1)
    return False


def figures_of_the_six_projects() -> Counter[float]:
    text = SIX_PROJECTS
    for pattern in (*NAME_PATTERNS, *NAMED_SETS.values()):
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
        "国家中小企业数字化转型试点城市建设",
        "“5G+工业互联网”融合应用试点城市建设",
        "推动生物医药及医疗装备集群晋升为第6个千亿集群",
    ):
        assert commitment in milestones


def test_every_quote_is_a_whole_clause() -> None:
    """Quotes run from a clause's start to its end (never a list item cut out of a clause, which
    drops its verb: 新培育, 推动, 年度新增), in the plan's source and in the reports."""
    plan = raw_plan()
    quoted = [(item["code"], item["quote"], SIX_PROJECTS) for item in plan["node"]]
    quoted += [(item["code"], item["quote"], SIX_PROJECTS) for item in plan["indicator"]]
    quoted += [
        (item["code"], item["baseline_quote"], source_text(item["baseline_source"]))
        for item in plan["indicator"]
        if "baseline_quote" in item
    ]
    quoted += [
        (item["code"], item["department_quote"], PRIMARY)
        for item in plan["indicator"]
        if "department_quote" in item
    ]
    for code, quote, text in quoted:
        assert is_whole_clauses(quote, text), (code, quote)
        assert not quote.startswith(VERBLESS_CLAUSES), (code, quote)


def test_the_verbs_of_listed_figures_are_quoted() -> None:
    by_code = indicators_by_code()
    for code, verb in [
        ("2.1.3-2", "推动"),
        ("2.2.1-2", "新培育"),
        ("2.2.1-3", "新培育"),
        ("3.1.2-2", "新培育"),
        ("4.1.2-2", "力争"),
        ("6.2.4-1", "年度新增"),
    ]:
        assert by_code[code]["quote"].startswith(verb), code


def test_every_department_is_named_by_its_sentence_or_marked_inferred() -> None:
    plan = raw_plan()
    full_names = {d["short"]: d["name"] for d in plan["department"]}
    for item in plan["indicator"]:
        basis = item["department_basis"]  # explicit on every indicator
        assert basis in {"named", "inferred"}, item["code"]
        if basis == "named":
            clause = item["department_quote"]
            assert clause in PRIMARY, item["code"]
            assert item["department"] in clause or full_names[item["department"]] in clause
        else:
            assert "department_quote" not in item, item["code"]
    # No sentence of the six projects names a department, so every owner is inferred; if one
    # ever does, its indicators must say "named".
    assert [word for word in DEPARTMENT_WORDS if word in SIX_PROJECTS] == []
    assert {item["department_basis"] for item in plan["indicator"]} == {"inferred"}


def test_the_plans_lead_is_the_department_the_document_names() -> None:
    plan = raw_plan()["plan"]
    assert plan["lead"] == "工信局" and plan["state"] == "active"
    assert (
        "市工业和信息化局将与市发展改革委、科技局、市场监管局、城乡建设局等单位同向发力" in PRIMARY
    )


def test_clusters_to_keep_are_milestones_not_counts_from_zero() -> None:
    """做大做强 3 national clusters and 巩固 5 千亿 clusters are met on 1 January as counts;
    no report gives those counts as actual values to serve as baselines, so they are
    milestones, and so is the promotion of one named cluster to 千亿."""
    by_code = indicators_by_code()
    for code, phrase in NAMED_SETS.items():
        item = by_code[code]
        assert item["kind"] == "milestone" and "target" not in item, code
        assert phrase in item["quote"] and item["done_when"] and item["note"], code
    quoting = {
        code
        for code, item in by_code.items()
        for phrase in NAMED_SETS.values()
        if phrase in item["quote"]
    }
    assert quoting == set(NAMED_SETS)
    report = source_text("004")
    assert "千亿" not in report and "3个国家级" not in report


def test_a_running_total_is_a_level_without_an_invented_baseline() -> None:
    item = indicators_by_code()["3.2.1-1"]
    assert item["quote"].startswith("累计") and item["kind"] == "level"
    assert item["target"] == 700 and "baseline" not in item
    assert "累计" in item["note"]


def test_the_cluster_scale_baselines_date_is_marked_inferred() -> None:
    item = indicators_by_code()["1.1.1-1"]
    assert (item["baseline"], item["baseline_date_basis"]) == (9000, "inferred")
    assert "10 clusters" in item["note"] and "“10+1”" in item["note"]
    assert "2024-06-30 is inferred" in item["note"]


def test_a_part_of_another_figure_has_weight_zero() -> None:
    plan = raw_plan()
    by_code = {item["code"]: item for item in plan["indicator"]}
    part, whole = by_code["6.2.4-2"], by_code["6.2.4-1"]
    assert part["quote"].startswith("其中") and part["weight"] == 0 and part["note"]
    assert part["target"] < whole["target"]
    assert [i["code"] for i in plan["indicator"] if i.get("weight", 1) <= 0] == ["6.2.4-2"]


def test_moved_measures_keep_their_former_codes() -> None:
    nodes, indicators = nodes_by_code(), indicators_by_code()
    moved_nodes = {code: n["former_code"] for code, n in nodes.items() if "former_code" in n}
    assert moved_nodes == {"4.1.3": "4.2.3", "4.2.3": "4.1.3"}
    assert "人工智能" in nodes["4.1.3"]["title"] and "数据标注" in nodes["4.2.3"]["title"]
    moved = {code: i["former_code"] for code, i in indicators.items() if "former_code" in i}
    assert moved == {"4.1.3-1": "4.2.3-1", "4.1.3-2": "4.2.3-2", "4.2.3-1": "4.1.3-1"}
    for code, former in moved.items():
        measure, _, number = code.partition("-")
        assert former == f"{moved_nodes[measure]}-{number}"
    # The data-labelling base joins the data-element task and its department (发改委); the AI
    # work joins the digital-economy core industries, and its owner is the science bureau,
    # which the 2023 plan gives the AI computing centre and large models.
    assert nodes["4.2"]["department"] == nodes["4.2.3"]["department"] == "发改委"
    assert {indicators[c]["department"] for c in ("4.1.3-1", "4.1.3-2")} == {"科技局"}
    history = source_text("001")
    assert "沈阳市科技局将从5个方面落实" in history
    assert "启动算力中心300P扩容建设" in history and "推进大模型建设" in history


def test_every_milestone_says_when_it_is_done() -> None:
    for item in raw_plan()["indicator"]:
        if item["kind"] != "milestone":
            assert "done_when" not in item, item["code"]
            continue
        assert item["done_when"], item["code"]
        if item["done_when_basis"] == "text":
            assert item["done_when"] in SIX_PROJECTS, item["code"]
        else:
            assert item["done_when_basis"] == "editor", item["code"]


def test_the_pilot_city_measures_have_their_milestones() -> None:
    by_code = indicators_by_code()
    for measure in ("3.2.1", "3.2.2"):
        pilots = [
            item
            for code, item in by_code.items()
            if code.startswith(f"{measure}-") and "试点城市建设" in item["quote"]
        ]
        assert [item["kind"] for item in pilots] == ["milestone"], measure


def test_titles_that_paraphrase_are_marked() -> None:
    for node in raw_plan()["node"]:
        paraphrase = node["title"] not in SIX_PROJECTS
        assert node.get("editor_title", False) == paraphrase, node["code"]


def test_rolling_counts_are_read_as_new_in_2025() -> None:
    by_code = indicators_by_code()
    for code in ("2.1.1-1", "2.2.2-1"):
        item = by_code[code]
        assert "滚动" in item["quote"] and item["kind"] == "cumulative"
        assert "in 2025" in item["note"], code


def test_the_notes_quotes_are_verbatim() -> None:
    """docs/plan-2025.md backs each correction with a sentence of a source, quoted as
    `> (003) …`; each is copied character for character."""
    quoted = re.findall(r"(?m)^> \((\d{3})\) (.+)$", PLAN_NOTE.read_text(encoding="utf-8"))
    assert len(quoted) >= 10
    for key, sentence in quoted:
        assert sentence in source_text(key), sentence


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
    with sqlite3.connect(SEED) as connection:
        plans = dict(connection.execute("SELECT code, source FROM plans"))
    connection.close()
    assert plans == {
        "SY2023-MIS": "2023年初报道《沈阳:实干争春早 奋力开门红》",
        "SY2025-MIS": "2025年3月28日市政府新闻发布会",
        "SY2025-SCI": "2025年3月28日市政府新闻发布会",
    }


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
