"""People and what they may change on the shared server, enforced by PostgreSQL itself.

Every person logs in as a database role of their own (SCRAM), a member of one of three group
roles: 管理员 (people, plans, closing months), 管理者 (every department: reading, reviewing,
printing, editing plans), 填报员 (the figures and notes of their own departments). Grants keep
填报员 off the plan tables and everyone off the people tables but 管理员; row-level security
lets a 填报员 insert, change or delete only entries (and import batches, audit rows) of
indicators of their own departments, while everyone reads every department's progress; and
the audit log is append-only for everyone, its owner too. The program checks the same rules
first, for clear messages; these hold whatever client connects.

On SQLite (one PC) none of this exists: the file is the user's.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass

from sqlalchemy import Connection, text

from desktop.models.errors import TargetMonitorError
from desktop.models.server import ServerAddress, using_server

# The roles of the program, by the names the office uses, and their group roles on the server.
KINDS = {"管理员": "admin", "管理者": "manager", "填报员": "clerk"}
KIND_NAMES = {kind: name for name, kind in KINDS.items()}
GROUPS = {kind: f"target_monitor_{kind}" for kind in KINDS.values()}
# A login's name: what psql and every client accept without quoting surprises.
NAME_PATTERN = re.compile(r"[A-Za-z_][A-Za-z0-9_.\-]{0,62}")

# What the server says when it commits a change to the figures or to the plans.
ENTRIES_CHANNEL, PLANS_CHANNEL = "target_monitor_entries", "target_monitor_plans"

_CLERK, _MANAGER, _ADMIN = GROUPS["clerk"], GROUPS["manager"], GROUPS["admin"]
_EVERYONE = f"{_ADMIN}, {_MANAGER}, {_CLERK}"
_PLAN_TABLES = "plans, departments, nodes, indicators"

# What `server init` (and a copy into a server) adds to the program's tables.
SECURING = (
    *(
        f"DO $$ BEGIN IF NOT EXISTS (SELECT FROM pg_roles WHERE rolname = '{group}') THEN "
        f"CREATE ROLE {group} NOLOGIN; END IF; END $$"
        for group in GROUPS.values()
    ),
    """CREATE TABLE tm_people (
        name text PRIMARY KEY,
        kind text NOT NULL CHECK (kind IN ('admin', 'manager', 'clerk')),
        active boolean NOT NULL DEFAULT true,
        added_at timestamp NOT NULL DEFAULT localtimestamp
    )""",
    """CREATE TABLE tm_person_departments (
        name text NOT NULL REFERENCES tm_people (name) ON DELETE CASCADE,
        department_id integer NOT NULL REFERENCES departments (id),
        PRIMARY KEY (name, department_id)
    )""",
    # Whether the logged-in person may write the figures of an indicator: a 填报员 still
    # active, of the indicator's department (session_user: SET ROLE changes nothing here).
    """CREATE FUNCTION tm_own_indicator(indicator integer) RETURNS boolean
        LANGUAGE sql STABLE SET search_path = public AS $$
        SELECT EXISTS (
            SELECT 1 FROM indicators i
            JOIN tm_person_departments d ON d.department_id = i.department_id
            JOIN tm_people p ON p.name = d.name
            WHERE i.id = indicator AND p.name = session_user AND p.active
        ) $$""",
    """CREATE FUNCTION tm_own_department(department integer) RETURNS boolean
        LANGUAGE sql STABLE SET search_path = public AS $$
        SELECT EXISTS (
            SELECT 1 FROM tm_person_departments d JOIN tm_people p ON p.name = d.name
            WHERE d.department_id = department AND p.name = session_user AND p.active
        ) $$""",
    "REVOKE ALL ON ALL TABLES IN SCHEMA public FROM PUBLIC",
    "REVOKE ALL ON ALL SEQUENCES IN SCHEMA public FROM PUBLIC",
    f"GRANT USAGE ON SCHEMA public TO {_EVERYONE}",
    f"GRANT SELECT ON ALL TABLES IN SCHEMA public TO {_EVERYONE}",
    f"GRANT USAGE ON ALL SEQUENCES IN SCHEMA public TO {_EVERYONE}",
    f"GRANT INSERT, UPDATE, DELETE ON entries, import_batches TO {_EVERYONE}",
    f"GRANT INSERT ON audit_events TO {_EVERYONE}",
    f"GRANT INSERT, UPDATE, DELETE ON {_PLAN_TABLES} TO {_ADMIN}, {_MANAGER}",
    f"GRANT INSERT, UPDATE, DELETE ON tm_people, tm_person_departments TO {_ADMIN}",
    f"GRANT UPDATE ON schema_meta TO {_ADMIN}",
    *(
        statement
        for table, own in (
            ("entries", "tm_own_indicator(indicator_id)"),
            ("import_batches", "tm_own_department(department_id)"),
            ("audit_events", "(indicator_id IS NULL OR tm_own_indicator(indicator_id))"),
        )
        for statement in (
            f"ALTER TABLE {table} ENABLE ROW LEVEL SECURITY",
            f"CREATE POLICY tm_read ON {table} FOR SELECT USING (true)",
            f"CREATE POLICY tm_managed ON {table} TO {_ADMIN}, {_MANAGER} "
            "USING (true) WITH CHECK (true)",
            f"CREATE POLICY tm_own_insert ON {table} FOR INSERT TO {_CLERK} WITH CHECK ({own})",
            f"CREATE POLICY tm_own_update ON {table} FOR UPDATE TO {_CLERK} "
            f"USING ({own}) WITH CHECK ({own})",
            f"CREATE POLICY tm_own_delete ON {table} FOR DELETE TO {_CLERK} USING ({own})",
        )
    ),
    # The history, for everyone including its owner: nothing changed, nothing deleted. Only the
    # database's own link keeping (an indicator deleted sets its rows' link to NULL) passes.
    """CREATE FUNCTION tm_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1 THEN
                RETURN NEW;
            END IF;
            RAISE EXCEPTION 'the audit log is append-only: % refused', TG_OP
                USING ERRCODE = 'insufficient_privilege';
        END $$""",
    "CREATE TRIGGER tm_append_only BEFORE UPDATE OR DELETE ON audit_events "
    "FOR EACH ROW EXECUTE FUNCTION tm_append_only()",
    "CREATE TRIGGER tm_append_only_truncate BEFORE TRUNCATE ON audit_events "
    "FOR EACH STATEMENT EXECUTE FUNCTION tm_append_only()",
    # Every open window hears of a change when it commits (desktop.models.server_database:
    # ChangeWatch): the indicator of each entry written, and that the plans changed.
    f"""CREATE FUNCTION tm_entry_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{ENTRIES_CHANNEL}',
                              coalesce(NEW.indicator_id, OLD.indicator_id)::text);
            RETURN NULL;
        END $$""",
    "CREATE TRIGGER tm_entry_changed AFTER INSERT OR UPDATE OR DELETE ON entries "
    "FOR EACH ROW EXECUTE FUNCTION tm_entry_changed()",
    f"""CREATE FUNCTION tm_plans_changed() RETURNS trigger LANGUAGE plpgsql AS $$
        BEGIN
            PERFORM pg_notify('{PLANS_CHANNEL}', TG_TABLE_NAME);
            RETURN NULL;
        END $$""",
    *(
        f"CREATE TRIGGER tm_plans_changed AFTER INSERT OR UPDATE OR DELETE ON {table} "
        "FOR EACH STATEMENT EXECUTE FUNCTION tm_plans_changed()"
        for table in ("plans", "departments", "nodes", "indicators")
    ),
)


def secure(connection: Connection) -> None:
    """Add the roles, the people tables, the grants, the policies and the append-only audit
    log to a server database whose tables were just made, and make the person setting it up
    (the login of the connection) its first 管理员."""
    driver = connection.connection.driver_connection  # as written: no placeholders in it
    for statement in SECURING:
        driver.execute(statement)  # type: ignore[union-attr]
    me = connection.execute(text("SELECT session_user")).scalar_one()
    connection.execute(text("INSERT INTO tm_people (name, kind) VALUES (:me, 'admin')"), {"me": me})
    connection.exec_driver_sql(f'GRANT {_ADMIN} TO "{_quoted(me)}"')


@dataclass(frozen=True)
class Person:
    """A login of the server and what it may do."""

    name: str
    kind: str  # a value of KINDS
    departments: tuple[str, ...]  # short names
    active: bool

    @property
    def role(self) -> str:
        return KIND_NAMES[self.kind]


def add_user(
    address: ServerAddress,
    name: str,
    role: str,
    departments: Sequence[str],
    password: str,
) -> Person:
    """A new login: a database role of its own with a SCRAM password (the verifier made here,
    the password itself never sent), a member of its role's group, of the departments named
    (full or short names; a 填报员 needs at least one)."""
    kind = KINDS.get(role)
    if kind is None:
        raise TargetMonitorError(f"{role!r}: no such role (one of {', '.join(KINDS)})")
    if not NAME_PATTERN.fullmatch(name):
        raise TargetMonitorError(
            f"{name!r}: a login's name is letters, digits, _ . - (up to 63, a letter first)"
        )
    if kind == "clerk" and not departments:
        raise TargetMonitorError("a 填报员 reports for at least one department (--department)")
    if len(password) < 8:
        raise TargetMonitorError("the password needs at least 8 characters")
    with _administering(address) as connection:
        if connection.execute(
            text("SELECT 1 FROM pg_roles WHERE rolname = :name"), {"name": name}
        ).first():
            raise TargetMonitorError(f"{name}: a login of that name exists on the server already")
        ids, short = _departments(connection, departments)
        raw = connection.connection.driver_connection
        verifier = raw.pgconn.encrypt_password(  # type: ignore[union-attr]
            password.encode(), name.encode(), b"scram-sha-256"
        ).decode()
        connection.exec_driver_sql(
            f"CREATE ROLE \"{_quoted(name)}\" LOGIN PASSWORD '{verifier}' IN ROLE {GROUPS[kind]}"
        )
        connection.execute(
            text("INSERT INTO tm_people (name, kind) VALUES (:name, :kind)"),
            {"name": name, "kind": kind},
        )
        for department_id in ids:
            connection.execute(
                text("INSERT INTO tm_person_departments (name, department_id) VALUES (:n, :d)"),
                {"n": name, "d": department_id},
            )
    return Person(name, kind, short, True)


def list_users(address: ServerAddress) -> list[Person]:
    """Every person of the database, the disabled too, by name."""
    with _administering(address) as connection:
        rows = connection.execute(
            text(
                "SELECT p.name, p.kind, p.active AND coalesce(r.rolcanlogin, false), "
                "coalesce(string_agg(d.short_name, ',' ORDER BY d.id), '') "
                "FROM tm_people p LEFT JOIN pg_roles r ON r.rolname = p.name "
                "LEFT JOIN tm_person_departments pd ON pd.name = p.name "
                "LEFT JOIN departments d ON d.id = pd.department_id "
                "GROUP BY p.name, p.kind, p.active, r.rolcanlogin ORDER BY p.name"
            )
        ).all()
    return [
        Person(name, kind, tuple(filter(None, shorts.split(","))), bool(active))
        for name, kind, active, shorts in rows
    ]


def disable_user(address: ServerAddress, name: str) -> None:
    """The person can no longer log in, and a session still open writes nothing more; their
    name stays in the history."""
    with _administering(address) as connection:
        found = connection.execute(
            text("UPDATE tm_people SET active = false WHERE name = :name RETURNING name"),
            {"name": name},
        ).first()
        if found is None:
            raise TargetMonitorError(f"{name}: no such person in this database")
        connection.exec_driver_sql(f'ALTER ROLE "{_quoted(name)}" NOLOGIN')


def _departments(connection: Connection, named: Sequence[str]) -> tuple[list[int], tuple[str, ...]]:
    rows = connection.execute(text("SELECT id, name, short_name FROM departments")).all()
    ids, short = [], []
    for wanted in named:
        match = next((row for row in rows if wanted in (row.name, row.short_name)), None)
        if match is None:
            known = "、".join(row.short_name for row in rows)
            raise TargetMonitorError(f"{wanted}: no such department (the database has {known})")
        ids.append(match.id)
        short.append(match.short_name)
    return ids, tuple(short)


def _quoted(name: str) -> str:
    return name.replace('"', '""')


@contextmanager
def _administering(address: ServerAddress) -> Iterator[Connection]:
    """One transaction on a server database set up by `server init`; a server that cannot be
    reached, or a login without the right (not a 管理员, unable to create logins), is one
    TargetMonitorError, and nothing is changed."""
    with using_server(address, "nothing was changed") as engine, engine.begin() as connection:
        if connection.execute(text("SELECT to_regclass('tm_people')")).scalar() is None:
            raise TargetMonitorError(
                f"{address.shown}: has no people yet; set the database up with `server init` first"
            )
        yield connection
