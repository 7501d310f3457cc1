"""Realistic utility-customer CSV files for benchmarks: accented names, mixed phone formats, repeated cities and
states, about 1 % of addresses with a non-ASCII local part (the rest ASCII, as real address lists are), and about
2 % of rows broken in the ways real files are (bad email, short phone, unknown state, missing name, short ZIP)."""

import csv
import random
import unicodedata
from pathlib import Path

FIRST_NAMES = ["James", "Mary", "Robert", "Patricia", "John", "Jennifer", "Michael", "Linda", "David", "Elizabeth",
               "William", "Barbara", "Richard", "Susan", "José", "Zoë", "Chloé", "Nguyen", "Aisha", "Olivia"]
LAST_NAMES = ["Smith", "Johnson", "Williams", "Brown", "Jones", "Garcia", "Miller", "Davis", "Rodriguez",
              "Martinez", "Hernandez", "Lopez", "O'Brien", "Wilson", "Anderson", "Thomas", "Taylor", "Moore"]
STREETS = ["Main St", "Oak Ave", "Maple Dr", "Cedar Ln", "Elm St", "Washington Blvd", "Lake Rd", "Hill St"]
PLACES = [("Springfield", "IL", "62701"), ("Peoria", "IL", "61602"), ("Madison", "WI", "53703"),
          ("Columbus", "OH", "43215"), ("Austin", "TX", "73301"), ("Denver", "CO", "80202"),
          ("Portland", "OR", "97201"), ("Boston", "MA", "02108"), ("Atlanta", "GA", "30303")]
DOMAINS = ["example.com", "mail.example.org", "utility.example.net", "corp.example.com"]
HEADER = ["first_name", "last_name", "email", "phone", "service_address", "city", "state", "postal_code",
          "meter_number", "account_number", "status", "customer_type", "connection_date", "notes"]
BREAKAGES = ("email", "phone", "state", "first_name", "postal_code")


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()


def customer_row(number: int, rng: random.Random) -> list[str]:
    first, last = rng.choice(FIRST_NAMES), rng.choice(LAST_NAMES)
    mailbox = f"{first.lower()}.{last.lower().replace(chr(39), '')}{number}"
    city, state, postal = rng.choice(PLACES)
    area, exchange = rng.randint(201, 989), rng.randint(200, 999)
    phone = rng.choice([
        f"({area}) {exchange}-{number % 10000:04d}", f"{area}-{exchange}-{number % 10000:04d}",
        f"{area}{exchange}{number % 10000:04d}", f"+1-{area}-{exchange}-{number % 10000:04d}",
    ])
    row = {
        "first_name": first,
        "last_name": last,
        "email": f"{mailbox if rng.random() < 0.01 else _ascii(mailbox)}@{rng.choice(DOMAINS)}",
        "phone": phone,
        "service_address": f"{rng.randint(1, 9999)} {rng.choice(STREETS)}",
        "city": city,
        "state": rng.choice([state, state.lower()]),
        "postal_code": postal if rng.random() < 0.8 else f"{postal}-{rng.randint(1000, 9999)}",
        "meter_number": f"MTR-{number:08d}",
        "account_number": f"{7_000_000_000 + number}",
        "status": rng.choices(["active", "inactive", "suspended"], weights=[90, 7, 3])[0],
        "customer_type": rng.choices(["residential", "commercial", "industrial"], weights=[80, 15, 5])[0],
        "connection_date": f"{rng.randint(1995, 2024)}-{rng.randint(1, 12):02d}-{rng.randint(1, 28):02d}",
        "notes": rng.choice(["", "", "", "Dog on premises", "Gate code 4411", "Meter in basement"]),
    }
    if rng.random() < 0.02:
        broken = rng.choice(BREAKAGES)
        row[broken] = {"email": "not-an-email", "phone": "555-12", "state": "XX", "first_name": "",
                       "postal_code": "1234"}[broken]
    return [row[name] for name in HEADER]


def customers_csv(path: Path, rows: int, seed: int = 2024) -> Path:
    """Write `rows` customers to `path` (unless a file of that size is already there) and return the path."""
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADER)
        for number in range(1, rows + 1):
            writer.writerow(customer_row(number, rng))
    return path
