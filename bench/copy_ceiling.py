"""The ceiling: PostgreSQL's COPY into a staging table, then INSERT ... ON CONFLICT DO UPDATE, with no validation
at all. One child process of `make bench`. Usage: copy_ceiling.py COMPANY_ID FILE; prints one JSON line."""

import json
import os
import sys
from pathlib import Path

import environ
import psycopg

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from bench.generate import HEADER

UPDATED = [column for column in HEADER if column != "account_number"]


def main() -> None:
    company_id, path = int(sys.argv[1]), sys.argv[2]
    database = environ.Env.db_url_config(os.environ["DATABASE_URL"])
    with psycopg.connect(
        host=database["HOST"], port=database["PORT"] or 5432, user=database["USER"],
        password=database["PASSWORD"] or None, dbname=database["NAME"],
    ) as connection, connection.cursor() as cursor:
        columns = ", ".join(HEADER)
        cursor.execute(f"CREATE TEMPORARY TABLE staging ({', '.join(f'{c} text' for c in HEADER)}) ON COMMIT DROP")
        with open(path, "rb") as handle, cursor.copy(f"COPY staging ({columns}) FROM STDIN WITH (FORMAT csv, "
                                                     "HEADER true)") as copy:
            while block := handle.read(1 << 20):
                copy.write(block)
        selected = ", ".join(
            "connection_date::date" if c == "connection_date" else f"COALESCE({c}, '')" for c in HEADER
        )
        cursor.execute(
            f"INSERT INTO customers_customer (company_id, {columns}, billing_address, billing_city, billing_state, "
            "billing_postal_code, rate_code, address_status, standardized_address, standardized_city, "
            "standardized_state, standardized_postal_code, address_note, created_at, updated_at) "
            f"SELECT %s, {selected}, COALESCE(service_address, ''), COALESCE(city, ''), COALESCE(state, ''), "
            "COALESCE(postal_code, ''), '', 'pending', '', '', '', '', '', now(), now() FROM staging "
            "ON CONFLICT (company_id, account_number) DO UPDATE SET "
            + ", ".join(f"{column} = EXCLUDED.{column}" for column in UPDATED) + ", updated_at = now()",
            [company_id],
        )
        written = cursor.rowcount
    print(json.dumps({"total": written, "created": written, "updated": 0, "unchanged": 0, "failed": 0}))


if __name__ == "__main__":
    main()
