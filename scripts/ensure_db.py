"""Create the PostgreSQL database named in DATABASE_URL if it does not exist yet (no-op for SQLite)."""

import os
import sys

url = os.environ.get("DATABASE_URL", "")
if not url.startswith(("postgres://", "postgresql://")):
    sys.exit(0)

import dj_database_url  # noqa: E402
import psycopg  # noqa: E402
from psycopg import sql  # noqa: E402

cfg = dj_database_url.parse(url)
params = {
    k: v
    for k, v in {
        "host": cfg["HOST"],
        "port": cfg["PORT"] or None,
        "user": cfg["USER"],
        "password": cfg["PASSWORD"],
    }.items()
    if v
}
with psycopg.connect(dbname="postgres", autocommit=True, **params) as conn:
    if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [cfg["NAME"]]).fetchone():
        conn.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(cfg["NAME"])))
        print(f"created database {cfg['NAME']}")
