"""The shared server, against a real PostgreSQL server of the test run's own (tests/pg_server.py):
`server init` puts the shipped plans on it, `copy-db` moves a whole database from a file to the
server and back unchanged, and whatever cannot be done is refused with nothing changed."""

from __future__ import annotations

import io
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

import psycopg
import pytest
from pytestqt.qtbot import QtBot

from desktop.cli import main
from desktop.models.store import ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY
from tests.conftest import ROOT
from tests.pg_server import Cluster
from tests.test_cli import run
from tests.test_crash_kill import filled_template

from desktop.ui.app import create_main_window
from desktop.ui.settings import Settings

PLANS = ("SY2025-MIS", "SY2025-SCI", "SY2023-MIS")


def plans_shown(capsys: pytest.CaptureFixture[str], database: Path) -> list[dict[str, Any]]:
    """`tree --json` of every plan of a database file."""
    shown = []
    for plan in PLANS:
        code, out, err = run(capsys, "--db", str(database), "tree", "--json", "--plan", plan)
        assert code == 0, err
        shown.append(json.loads(out))
    return shown


def table_contents(database: Path) -> dict[str, list[tuple[Any, ...]]]:
    """Every table's rows in the order of their ids, read by the driver itself (schema_meta
    without the revisions each file keeps of its own)."""
    connection = sqlite3.connect(database)
    try:
        tables = [
            name
            for (name,) in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        contents = {
            table: connection.execute(f"SELECT * FROM {table} ORDER BY 1").fetchall()
            for table in tables
        }
    finally:
        connection.close()
    own = {ENTRIES_REVISION_KEY, STRUCTURE_REVISION_KEY}
    contents["schema_meta"] = [row for row in contents["schema_meta"] if row[0] not in own]
    return contents


def server_tables(url: str) -> list[str]:
    with psycopg.connect(url) as connection:
        rows = connection.execute(
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
            "ORDER BY table_name"
        ).fetchall()
    return [name for (name,) in rows]


def test_server_init_puts_the_shipped_plans_on_the_server(
    capsys: pytest.CaptureFixture[str],
    server_url: str,
    postgres: Cluster,
    seed_copy: Path,
    tmp_path: Path,
) -> None:
    code, out, err = run(capsys, "--db", server_url, "server", "init")
    assert code == 0, err
    assert "3 plans" in out and "every table compared" in out
    assert postgres.password not in out + err  # the address is shown without its password
    back = tmp_path / "back.sqlite"
    code, out, err = run(capsys, "copy-db", server_url, str(back))
    assert code == 0, err
    assert plans_shown(capsys, back) == plans_shown(capsys, seed_copy)


def test_server_init_takes_the_address_and_password_as_psql_does(
    capsys: pytest.CaptureFixture[str],
    server_url: str,
    postgres: Cluster,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """TARGET_MONITOR_DB names the server, PGPASSWORD gives the password (not the address)."""
    database = server_url.rsplit("/", 1)[1]
    monkeypatch.setenv("TARGET_MONITOR_DB", postgres.url(database, password=""))
    monkeypatch.setenv("PGPASSWORD", postgres.password)
    code, out, err = run(capsys, "server", "init")
    assert code == 0, err
    assert f"postgresql://postgres@127.0.0.1:{postgres.port}/{database}" in out
    assert "plans" in server_tables(server_url) and "entries" in server_tables(server_url)


def test_a_database_goes_to_the_server_and_back_unchanged(
    capsys: pytest.CaptureFixture[str], server_url: str, tmp_path: Path
) -> None:
    """Plans, figures, notes, history and an import batch: every row of every table."""
    demo = tmp_path / "demo.sqlite"
    assert run(capsys, "demo", "--db", str(demo))[0] == 0
    filled, rows = filled_template(demo, tmp_path)
    code, _out, err = run(capsys, "--db", str(demo), "import", str(filled), "--user", "测试员")
    assert code == 0, err
    original = table_contents(demo)
    assert original["import_batches"] and len(original["entries"]) > rows
    assert any("进展" in str(row) for row in original["entries"])  # the notes typed in

    code, out, err = run(capsys, "copy-db", str(demo), server_url)
    assert code == 0, err
    assert f"entries {len(original['entries'])}" in out
    back = tmp_path / "back.sqlite"
    code, _out, err = run(capsys, "copy-db", server_url, str(back))
    assert code == 0, err
    assert table_contents(back) == original
    # the server numbers new rows after the copied ones
    with psycopg.connect(server_url) as connection:
        connection.execute("INSERT INTO departments (name, short_name) VALUES ('新部门', '新')")
        (new_id,) = connection.execute(
            "SELECT id FROM departments WHERE name = '新部门'"
        ).fetchone()
    assert new_id > max(row[0] for row in original["departments"])


def test_server_init_refuses_a_database_that_holds_one(
    capsys: pytest.CaptureFixture[str], server_url: str
) -> None:
    assert run(capsys, "--db", server_url, "server", "init")[0] == 0
    with psycopg.connect(server_url) as connection:
        connection.execute("DELETE FROM indicators WHERE id = (SELECT max(id) FROM indicators)")
        before = connection.execute("SELECT count(*) FROM indicators").fetchone()
    code, _out, err = run(capsys, "--db", server_url, "server", "init")
    assert code == 1
    assert "holds this program's tables already" in err and "nothing was copied" in err
    with psycopg.connect(server_url) as connection:
        assert connection.execute("SELECT count(*) FROM indicators").fetchone() == before


def test_a_copy_the_server_refuses_leaves_it_empty(
    capsys: pytest.CaptureFixture[str], server_url: str, seed_copy: Path
) -> None:
    """SQLite keeps a name longer than its column allows; the server does not: the copy stops
    there, says why, and the server holds nothing of it."""
    with sqlite3.connect(seed_copy) as connection:
        connection.execute(
            "UPDATE departments SET short_name = ? WHERE id = (SELECT max(id) FROM departments)",
            ("很长的简称" * 10,),
        )
    connection.close()
    code, _out, err = run(capsys, "copy-db", str(seed_copy), server_url)
    assert code == 1
    assert "too long" in err and "nothing was copied" in err
    assert server_tables(server_url) == []


def test_what_copy_db_and_server_init_cannot_do_is_refused(
    capsys: pytest.CaptureFixture[str], postgres: Cluster, seed_copy: Path, tmp_path: Path
) -> None:
    existing = tmp_path / "existing.sqlite"
    existing.write_bytes(b"mine")
    cases = {
        ("copy-db", str(seed_copy), str(existing)): "exists already",
        (
            "copy-db",
            str(tmp_path / "none.sqlite"),
            str(tmp_path / "new.sqlite"),
        ): "no such database file",
        ("copy-db", str(seed_copy), "postgresql://nobody@127.0.0.1:1/x"): "could not be used",
        (
            "copy-db",
            str(seed_copy),
            postgres.url(password="wrong"),
        ): "password authentication failed",
        ("copy-db", str(seed_copy), "postgresql://someone@127.0.0.1:5432"): "names no database",
        ("copy-db", str(seed_copy), "postgresql://someone@127.0.0.1:99999/x"): "no port",
        ("--db", str(seed_copy), "server", "init"): "works on a server database",
        ("--db", postgres.url(), "tree"): "holds no database of this program",
        ("--db", postgres.url(), "demo"): "works on a database file, not on a server",
        ("--db", postgres.url(), "restore", str(seed_copy)): "works on a database file",
    }
    for argv, said in cases.items():
        code, out, err = run(capsys, *argv)
        assert (code, out) == (1, ""), argv
        assert said in err, (argv, err)
        assert "wrong" not in err and postgres.password not in err and "Traceback" not in err
    assert existing.read_bytes() == b"mine"
    assert not (tmp_path / "new.sqlite").exists() and not list(tmp_path.glob(".*.tmp"))


PASSWORD = "填报-secret-1"


def add_user(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    url: str,
    name: str,
    role: str,
    *departments: str,
) -> tuple[int, str, str]:
    monkeypatch.setattr(sys, "stdin", io.StringIO(PASSWORD + "\n"))
    named = [word for department in departments for word in ("--department", department)]
    return run(
        capsys, "--db", url, "server", "add-user", name, "--role", role, *named, "--password-stdin"
    )


@pytest.fixture
def city_server(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    server_url: str,
    postgres: Cluster,
) -> str:
    """A server database set up as the README says: owned by an administrator's login that
    may create logins but is no superuser, who runs `server init` and adds two 填报员 of two
    departments and a 管理者. The administrator's address (with the password)."""
    database = server_url.rsplit("/", 1)[1]
    with psycopg.connect(postgres.url(), autocommit=True) as connection:
        connection.execute(f"CREATE ROLE tm_admin LOGIN CREATEROLE PASSWORD '{PASSWORD}'")
        connection.execute(f'ALTER DATABASE "{database}" OWNER TO tm_admin')
    admin = postgres.url(database, user="tm_admin", password=PASSWORD)
    assert run(capsys, "--db", admin, "server", "init")[0] == 0
    for name, role, *departments in (
        ("jianshe", "填报员", "市城乡建设局"),
        ("gongxin", "填报员", "工信局"),
        ("manager", "管理者"),
    ):
        code, out, err = add_user(capsys, monkeypatch, admin, name, role, *departments)
        assert code == 0, err
        assert PASSWORD not in out + err
    return admin


def as_person(url: str, name: str) -> str:
    """The address `url` with `name` as its login and no password (PGPASSWORD gives it)."""
    scheme, rest = url.split("//", 1)
    return f"{scheme}//{name}@{rest.split('@', 1)[1]}"


def login(url: str, name: str, password: str = PASSWORD) -> psycopg.Connection[Any]:
    """A bare driver connection as a person: what psql would do with their login."""
    info = psycopg.conninfo.conninfo_to_dict(url)
    info.update(user=name, password=password)
    return psycopg.connect(**info, autocommit=True)


def indicator_of_department(url: str, short_name: str) -> int:
    with psycopg.connect(url) as connection:
        row = connection.execute(
            "SELECT i.id FROM indicators i JOIN departments d ON d.id = i.department_id "
            "JOIN plans p ON p.id = i.plan_id WHERE d.short_name = %s "
            "AND i.kind <> 'milestone' AND p.code = 'SY2025-MIS' ORDER BY i.id LIMIT 1",
            (short_name,),
        ).fetchone()
    assert row is not None
    return int(row[0])


ENTRY = (
    "INSERT INTO entries (indicator_id, period, value, progress_note, problems, reported_by, "
    "reported_at, origin, version) VALUES (%s, '2025-06', 1, '', '', 'x', localtimestamp, "
    "'manual', 1) RETURNING id"
)


def test_a_clerk_writes_only_their_own_departments_figures_whatever_client_they_use(
    city_server: str,
) -> None:
    """A 填报员 with a bare connection (as psql gives): their department's entries yes,
    another's no — inserted, changed or deleted — and no plan, person or history row."""
    own = indicator_of_department(city_server, "城乡建设局")
    other = indicator_of_department(city_server, "工信局")
    with login(city_server, "gongxin") as colleague:
        (theirs,) = colleague.execute(ENTRY, (other,)).fetchone() or (None,)
    with login(city_server, "jianshe") as clerk:
        (mine,) = clerk.execute(ENTRY, (own,)).fetchone() or (None,)
        assert clerk.execute("UPDATE entries SET value = 2 WHERE id = %s", (mine,)).rowcount == 1
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            clerk.execute(ENTRY, (other,))
        # another department's rows are read, but neither changed nor deleted (none matched)
        assert clerk.execute(
            "SELECT count(*) FROM entries WHERE id = %s", (theirs,)
        ).fetchone() == (1,)
        assert clerk.execute("UPDATE entries SET value = 9 WHERE id = %s", (theirs,)).rowcount == 0
        assert clerk.execute("DELETE FROM entries WHERE id = %s", (theirs,)).rowcount == 0
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            clerk.execute("UPDATE entries SET indicator_id = %s WHERE id = %s", (other, mine))
        for statement in (
            "UPDATE plans SET title = 'x'",
            "DELETE FROM indicators",
            "INSERT INTO departments (name, short_name) VALUES ('x', 'x')",
            "UPDATE tm_people SET kind = 'admin'",
            "INSERT INTO tm_person_departments VALUES ('jianshe', 1)",
            "UPDATE audit_events SET new_value = 'x'",
            "DELETE FROM audit_events",
            "CREATE ROLE intruder LOGIN",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege):
                clerk.execute(statement)
        clerk.execute(
            'INSERT INTO audit_events (at, "user", entity, entity_id, indicator_id, field) '
            "VALUES (localtimestamp, 'jianshe', 'entry', %s, %s, 'value')",
            (mine, own),
        )
    with psycopg.connect(city_server) as owner:
        values = owner.execute(
            "SELECT id, value FROM entries WHERE id IN (%s, %s) ORDER BY id", (mine, theirs)
        ).fetchall()
    assert sorted(values) == sorted([(mine, 2.0), (theirs, 1.0)])


def test_the_history_is_append_only_for_everyone(city_server: str) -> None:
    own = indicator_of_department(city_server, "城乡建设局")
    with psycopg.connect(city_server, autocommit=True) as owner:  # who set the database up
        owner.execute(
            'INSERT INTO audit_events (at, "user", entity, entity_id, indicator_id, field) '
            "VALUES (localtimestamp, 'x', 'entry', 1, %s, 'value')",
            (own,),
        )
        for statement in (
            "UPDATE audit_events SET new_value = 'x'",
            "DELETE FROM audit_events",
            "TRUNCATE audit_events",
        ):
            with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
                owner.execute(statement)
    with login(city_server, "manager") as manager:
        with pytest.raises(psycopg.errors.InsufficientPrivilege):
            manager.execute("DELETE FROM audit_events")
        manager.execute("UPDATE plans SET title = title")  # a 管理者 edits plans


def test_people_are_listed_and_a_disabled_one_can_no_longer_log_in(
    capsys: pytest.CaptureFixture[str], city_server: str
) -> None:
    code, out, err = run(capsys, "--db", city_server, "server", "list-users")
    assert code == 0, err
    lines = dict(line.split("\t", 1) for line in out.splitlines())
    assert lines["jianshe"] == "填报员\t城乡建设局"
    assert lines["gongxin"] == "填报员\t工信局" and lines["manager"] == "管理者\tall departments"
    assert lines["tm_admin"].startswith("管理员")
    with login(city_server, "jianshe") as still_open:
        code, out, err = run(capsys, "--db", city_server, "server", "disable-user", "jianshe")
        assert code == 0, err
        own = indicator_of_department(city_server, "城乡建设局")
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="row-level security"):
            still_open.execute(ENTRY, (own,))  # a session left open writes nothing more
    with pytest.raises(psycopg.OperationalError, match="not permitted to log in"):
        login(city_server, "jianshe")
    assert "(disabled)" in run(capsys, "--db", city_server, "server", "list-users")[1]


def test_adding_a_person_refuses_what_it_cannot_do(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, city_server: str
) -> None:
    cases = {
        ("jianshe", "填报员", "城乡建设局"): "exists on the server already",
        ("newclerk", "填报员"): "at least one department",
        ("newclerk", "填报员", "市财政局"): "no such department",
        ("new clerk", "管理者"): "a login's name",
    }
    for (name, role, *departments), said in cases.items():
        code, out, err = add_user(capsys, monkeypatch, city_server, name, role, *departments)
        assert (code, out) == (1, ""), name
        assert said in err, (name, err)
    # a 填报员 cannot add people
    with (
        login(city_server, "gongxin") as clerk,
        pytest.raises(psycopg.errors.InsufficientPrivilege),
    ):
        clerk.execute("CREATE ROLE intruder LOGIN PASSWORD 'x'")
    with psycopg.connect(city_server) as owner:
        assert owner.execute("SELECT count(*) FROM tm_people").fetchone() == (4,)


def test_the_program_shows_a_server_database_as_it_shows_a_file(
    capsys: pytest.CaptureFixture[str], server_url: str, seed_copy: Path
) -> None:
    assert run(capsys, "--db", server_url, "server", "init")[0] == 0
    on_server = []
    for plan in PLANS:
        code, out, err = run(capsys, "--db", server_url, "tree", "--json", "--plan", plan)
        assert code == 0, err
        on_server.append(json.loads(out))
    assert on_server == plans_shown(capsys, seed_copy)


def test_a_clerk_imports_their_departments_figures_and_only_theirs(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    server_url: str,
    tmp_path: Path,
) -> None:
    """Through the program, logged in as themselves: the 工信局's 填报员 imports the 工信局's
    template (backed up first, on this PC); the 城乡建设局's is told it is not theirs, and the
    server holds what it held."""
    demo = tmp_path / "demo.sqlite"
    assert run(capsys, "demo", "--db", str(demo))[0] == 0
    filled, rows = filled_template(demo, tmp_path)
    assert run(capsys, "copy-db", str(demo), server_url)[0] == 0
    for name, department in (("gongxin", "工信局"), ("jianshe", "城乡建设局")):
        assert add_user(capsys, monkeypatch, server_url, name, "填报员", department)[0] == 0
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    database = server_url.rsplit("/", 1)[1]
    as_clerk = {name: as_person(server_url, name) for name in ("gongxin", "jianshe")}

    def held() -> tuple[Any, ...]:
        with psycopg.connect(server_url) as connection:
            return tuple(
                connection.execute(f"SELECT count(*), max(id) FROM {table}").fetchone()
                for table in ("entries", "audit_events", "import_batches")
            )

    before = held()
    code, out, err = run(capsys, "--db", as_clerk["jianshe"], "import", str(filled))
    assert code == 1 and "只能填报本部门(市城乡建设局)的指标" in err, err
    assert held() == before
    code, out, err = run(capsys, "--db", as_clerk["gongxin"], "import", str(filled))
    assert code == 0, err
    assert "imported as batch 1: " in out and f" cells of {rows} indicators" in out
    assert "servers" in out and database in out  # the backup, on this PC
    with psycopg.connect(server_url) as connection:
        batch = connection.execute('SELECT "user", department_id FROM import_batches').fetchall()
        notes = connection.execute(
            "SELECT count(*) FROM entries WHERE progress_note LIKE '第 % 项进展'"
        ).fetchone()
    assert batch[0][0] and notes == (rows,)


def test_a_figure_changed_meanwhile_on_the_server_is_not_overwritten(server_url: str) -> None:
    """Two people, two connections: the second write of what both saw is refused with the
    first one's value and name, as between two processes on a file."""
    from desktop.models.errors import StaleEditError  # noqa: PLC0415
    from desktop.models.server import parse_address  # noqa: PLC0415
    from desktop.models.server_database import open_server  # noqa: PLC0415
    from desktop.models.service import EntryService  # noqa: PLC0415
    from tests.conftest import FixedClock, indicator_of  # noqa: PLC0415

    assert main(["--db", server_url, "server", "init"]) == 0
    mine, theirs = (open_server(parse_address(server_url)) for _ in range(2))
    try:
        projects = indicator_of(mine, "2.1.1-1")
        EntryService(mine, "张三", clock=FixedClock()).set_value(
            projects, "2025-06", 128, expected=None
        )
        EntryService(theirs, "李四", clock=FixedClock()).set_value(
            projects, "2025-06", 140, expected=128
        )
        with pytest.raises(StaleEditError, match="李四") as caught:
            EntryService(mine, "张三", clock=FixedClock()).set_value(
                projects, "2025-06", 150, expected=128
            )
        assert caught.value.current_value == "140.0"
    finally:
        mine.close()
        theirs.close()


def test_a_servers_backup_is_a_checked_file_of_what_it_holds(
    capsys: pytest.CaptureFixture[str], server_url: str, seed_copy: Path, tmp_path: Path
) -> None:
    assert run(capsys, "--db", server_url, "server", "init")[0] == 0
    backup = tmp_path / "backup.sqlite"
    code, out, err = run(capsys, "--db", server_url, "backup", "-o", str(backup))
    assert code == 0 and "backup checked" in out, err
    assert table_contents(backup) == table_contents(seed_copy)
    code, out, err = run(capsys, "--db", server_url, "check")
    assert code == 1 and "copy-db" in err


def test_two_windows_on_the_server_see_each_others_figures_as_they_are_saved(
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
    city_server: str,
    postgres: Cluster,
    settings: Settings,
) -> None:
    """The 城乡建设局's 填报员 types a figure in a window of their own; a 管理者's window on the
    same server shows it within 2 seconds, untouched; the 填报员's figure of another department
    is refused in words and written nowhere. A lost connection is told in the status bar and
    mended by itself."""
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    windows = {
        name: create_main_window(as_person(city_server, name), settings=settings, as_of="2025-06")
        for name in ("jianshe", "manager")
    }
    refused: list[str] = []
    try:
        for window in windows.values():
            qtbot.addWidget(window)
            window.show()
        clerk, manager = windows["jianshe"].controller, windows["manager"].controller
        clerk.refused.connect(refused.append)
        assert "postgresql://jianshe@" in windows["jianshe"].status.database_label.text()
        with qtbot.waitSignal(manager.serverHeard, timeout=5000):
            windows["manager"].start_chores()  # as after the window is shown
        own = indicator_of_department(city_server, "城乡建设局")
        other = indicator_of_department(city_server, "工信局")

        def shown(value: float) -> bool:
            seen = manager.workspace.entry(own, "2025-06")
            return seen is not None and seen.value == value

        assert clerk.edit([clerk.cell(own, "2025-06", value=321.0)], "typed"), refused
        qtbot.waitUntil(lambda: shown(321.0), timeout=2000)
        assert not clerk.edit([clerk.cell(other, "2025-06", value=5.0)], "typed")
        assert refused and "只能填报本部门(市城乡建设局)的指标" in refused[-1]
        with psycopg.connect(city_server) as connection:
            written = connection.execute("SELECT indicator_id, value FROM entries").fetchall()
        assert written == [(own, 321.0)]

        # the connection the 管理者's window listens on is cut: told, then mended
        status = windows["manager"].status.server_label
        with psycopg.connect(postgres.url(), autocommit=True) as admin:
            admin.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE usename = 'manager' AND query LIKE 'LISTEN%%'"
            )
        qtbot.waitUntil(status.isVisible, timeout=3000)
        assert status.text() == "Server connection lost, reconnecting…"
        assert clerk.edit([clerk.cell(own, "2025-06", value=322.0)], "typed"), refused
        qtbot.waitUntil(lambda: not status.isVisible() and shown(322.0), timeout=5000)
    finally:
        for window in windows.values():
            window.close()
            window.controller.database.close()


def test_twenty_people_at_once_lose_nothing_and_write_only_their_own(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    city_server: str,
) -> None:
    """Twenty client processes at once, several 填报员 per department and two 管理者, each
    typing June into every figure it may (each expecting the month empty: one writer wins
    each cell, the others are refused, none overwritten), the 填报员 also importing their
    department's February and trying another department's figure."""
    with psycopg.connect(city_server) as connection:
        departments = [
            short
            for (short,) in connection.execute(
                "SELECT DISTINCT d.short_name FROM indicators i "
                "JOIN departments d ON d.id = i.department_id JOIN plans p ON p.id = i.plan_id "
                "WHERE p.code = 'SY2025-MIS' AND i.kind <> 'milestone' ORDER BY 1"
            )
        ]
    per_department = -(-18 // len(departments))
    people = [("manager", "*", "-"), ("duban", "*", "-")]
    assert add_user(capsys, monkeypatch, city_server, "duban", "管理者")[0] == 0
    for number, short in enumerate(departments):
        for copy in range(per_department):
            name = f"clerk{number}_{copy}"
            assert add_user(capsys, monkeypatch, city_server, name, "填报员", short)[0] == 0
            people.append((name, short, departments[(number + 1) % len(departments)]))
    assert len(people) >= 20
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    client = [sys.executable, "-m", "tests.server_client"]
    clients = [
        subprocess.Popen(
            [*client, as_person(city_server, name), name, str(index + 1), own, other],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        for index, (name, own, other) in enumerate(people)
    ]
    results = {}
    for (name, _own, _other), client in zip(people, clients, strict=True):
        out, err = client.communicate(timeout=300)
        assert client.returncode == 0, err
        results[name] = json.loads(out.splitlines()[-1])

    with psycopg.connect(city_server) as connection:
        june = {
            row[0]: row[1:]
            for row in connection.execute(
                "SELECT indicator_id, value, reported_by FROM entries WHERE period = '2025-06'"
            )
        }
        audited = connection.execute(
            'SELECT indicator_id, "user", new_value FROM audit_events '
            "WHERE period = '2025-06' AND field = 'value'"
        ).fetchall()
        by_department = dict(
            connection.execute(
                "SELECT i.id, d.short_name FROM indicators i JOIN departments d "
                "ON d.id = i.department_id"
            ).fetchall()
        )
        batches = connection.execute(
            "SELECT d.short_name, count(*) FROM import_batches b "
            "JOIN departments d ON d.id = b.department_id WHERE b.period = '2025-02' GROUP BY 1"
        ).fetchall()
    won = {
        indicator: (value, name)
        for name, result in results.items()
        for indicator, value in result["written"]
    }
    written = sum(len(result["written"]) for result in results.values())
    assert written == len(won)  # each cell written once: the others were refused, not lost
    assert {i: (value, name) for i, (value, name) in june.items()} == won
    assert sorted(audited) == sorted((i, name, str(value)) for i, (value, name) in won.items())
    stale = sum(len(result["stale"]) for result in results.values())
    assert stale > 0  # they did meet: several wanted each cell
    for name, own, _other in people:
        if own != "*":
            assert "只能填报本部门" in str(results[name]["other"]), name
            assert all(by_department[i] == own for i, _ in results[name]["written"])
    assert dict(batches) == dict.fromkeys(departments, 1)


def test_a_clerk_is_told_the_plans_are_the_managers(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, city_server: str
) -> None:
    monkeypatch.setenv("PGPASSWORD", PASSWORD)
    as_clerk, as_manager = (as_person(city_server, name) for name in ("jianshe", "manager"))
    for command in (["plan-state", "closed"], ["next-plan"]):
        code, out, err = run(capsys, "--db", as_clerk, *command)
        assert (code, out) == (1, "") and "只有管理者和管理员可以修改计划" in err, err
    code, out, err = run(capsys, "--db", as_manager, "plan-state", "closed")
    assert code == 0, err
    with psycopg.connect(city_server) as connection:
        states = connection.execute("SELECT code, state FROM plans ORDER BY code").fetchall()
    assert ("SY2025-MIS", "closed") in states and len(states) == 3  # no next year's plan
