"""The export ceiling: PostgreSQL's own `COPY (SELECT ...) TO STDOUT WITH CSV` of a company's customers, the same
columns in the same order as the project's export, streamed into a file. One child process of `make bench`.
Usage: copy_export.py COMPANY_ID FILE COLUMN,COLUMN,...; prints one JSON line (seconds, rows, bytes)."""

import json
import os
import sys
import time
from pathlib import Path

import environ
import psycopg
from psycopg import sql


def main() -> None:
    company_id, path, columns = int(sys.argv[1]), sys.argv[2], sys.argv[3].split(",")
    database = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    query = sql.SQL(
        "COPY (SELECT {columns} FROM customers_customer WHERE company_id = {company} ORDER BY id) "
        "TO STDOUT WITH (FORMAT csv, HEADER true)"
    ).format(columns=sql.SQL(", ").join(map(sql.Identifier, columns)), company=sql.Literal(company_id))
    started = time.perf_counter()
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
        password=database["PASSWORD"] or None, dbname=database["NAME"],
    ) as connection, connection.cursor() as cursor, open(path, "wb") as handle:
        with cursor.copy(query) as copy:
            for block in copy:
                handle.write(block)
        rows = cursor.rowcount
    seconds = time.perf_counter() - started
    print(json.dumps({"seconds": seconds, "rows": rows, "bytes": Path(path).stat().st_size}))


if __name__ == "__main__":
    main()
