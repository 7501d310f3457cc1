"""Realistic utility-customer files for benchmarks, CSV and workbooks made from it: accented names, mixed phone
formats, repeated cities and states, about 1 % of addresses with a non-ASCII local part (the rest ASCII, as real
address lists are), and about 2 % of rows broken in the ways real files are (bad email, short phone, unknown state,
missing name, short ZIP)."""

import csv
import datetime
import random
import unicodedata
import zipfile
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


# --- Claims: a company's local claims store, and files of claim queries ------------------------------------------

CLAIM_QUERY_HEADER = ["claim_number", "first_name", "last_name", "date_of_birth", "subscriber_id"]
CLAIM_CODES = [("F1", "Finalized"), ("F2", "Denied"), ("P1", "Pending"), ("A3", "Rejected")]


def claim_number(number: int) -> str:
    return f"ZE{number:08d}"


def stored_claim(number: int) -> dict:
    """The claim numbered `number` of the bench's local store: the same claim on every run (seeded by its number),
    so a query file made later still names it."""
    rng = random.Random(number)
    code, word = rng.choices(CLAIM_CODES, weights=[70, 10, 15, 5])[0]
    charged = rng.randint(5_000, 500_000)
    processed = datetime.date(2025, 1, 1) + datetime.timedelta(days=rng.randint(0, 270))
    service = processed - datetime.timedelta(days=rng.randint(5, 40))
    return {
        "claim_number": claim_number(number),
        "first_name": rng.choice(FIRST_NAMES),
        "last_name": rng.choice(LAST_NAMES),
        "date_of_birth": datetime.date(rng.randint(1930, 2020), rng.randint(1, 12), rng.randint(1, 28)),
        "subscriber_id": f"{rng.randint(0, 999_999_999):09d}",  # a third of them start with 0
        "payer_id": "60054",
        "status": word,
        "status_code": code,
        "total_charged": charged / 100,
        "total_paid": (charged * rng.randint(0, 100) // 100) / 100 if code == "F1" else 0,
        "processed_date": processed,
        "paid_date": processed + datetime.timedelta(days=4) if code == "F1" else None,
        "payer_claim_number": f"E{number:08d}",
        "check_number": f"CHK{number:07d}" if code == "F1" else "",
        "service_date_from": service,
        "service_date_to": service,
    }


def claim_query_row(stored: int, rng: random.Random) -> list[str]:
    """One query of a claim look-up against a store of `stored` claims, as real files mix them: about 85 % of
    claims found (names written in capitals without accents now and then), 7 % not found, 5 % whose patient does
    not match, 3 % rows that fail their checks (an impossible date, a missing subscriber id, an X12 separator in a
    name)."""
    claim = stored_claim(rng.randint(1, stored))
    number, first, last = claim["claim_number"], claim["first_name"], claim["last_name"]
    birth, subscriber = f"{claim['date_of_birth']:%m/%d/%Y}", claim["subscriber_id"]
    if rng.random() < 0.2:
        first, last = _ascii(first).upper(), _ascii(last).upper()
    roll = rng.random()
    if roll < 0.07:
        number = f"ZX{rng.randint(0, 99_999_999):08d}"
    elif roll < 0.12:
        birth = f"{claim['date_of_birth'] + datetime.timedelta(days=1):%m/%d/%Y}"
    elif roll < 0.15:
        broken = rng.choice(("date", "subscriber", "separator"))
        if broken == "date":
            birth = f"02/30/{claim['date_of_birth'].year}"
        elif broken == "subscriber":
            subscriber = ""
        else:
            last = f"{last}~"
    return [number, first, last, birth, subscriber]


def claim_queries_csv(path: Path, rows: int, stored: int, seed: int = 2025) -> Path:
    """Write a file of `rows` claim queries against a store of `stored` claims (unless it is already there)."""
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CLAIM_QUERY_HEADER)
        for _ in range(rows):
            writer.writerow(claim_query_row(stored, rng))
    return path


def payer_queries_csv(path: Path, rows: int, subscribers: dict[str, float], seed: int = 2025) -> Path:
    """Write a file of `rows` claim queries for the fake payer, whose answer a query's subscriber id chooses:
    `subscribers` maps the scenarios' subscriber ids to their share of the rows; the rest are paid claims."""
    if path.exists() and path.stat().st_size > 0:
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    rng = random.Random(seed)
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(CLAIM_QUERY_HEADER)
        for number in range(1, rows + 1):
            claim = stored_claim(number)
            roll, subscriber = rng.random(), claim["subscriber_id"]
            for scenario, share in subscribers.items():
                if roll < share:
                    subscriber = scenario
                    break
                roll -= share
            writer.writerow([claim["claim_number"], claim["first_name"], claim["last_name"],
                             f"{claim['date_of_birth']:%m/%d/%Y}", subscriber])
    return path


_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
_RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
_PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
_SHARED_WORKBOOK_PARTS = {
    "[Content_Types].xml": (
        '<?xml version="1.0" encoding="UTF-8"?>'
        '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
        '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
        '<Default Extension="xml" ContentType="application/xml"/>'
        '<Override PartName="/xl/workbook.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
        '<Override PartName="/xl/worksheets/sheet1.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
        '<Override PartName="/xl/styles.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
        '<Override PartName="/xl/sharedStrings.xml" '
        'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/></Types>'
    ),
    "_rels/.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/officeDocument" Target="xl/workbook.xml"/></Relationships>'
    ),
    "xl/workbook.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="{_MAIN}" xmlns:r="{_RELATIONSHIPS}"><sheets>'
        '<sheet name="Customers" sheetId="1" r:id="rId1"/></sheets></workbook>'
    ),
    "xl/_rels/workbook.xml.rels": (
        f'<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="{_PACKAGE_RELATIONSHIPS}">'
        f'<Relationship Id="rId1" Type="{_RELATIONSHIPS}/worksheet" Target="worksheets/sheet1.xml"/>'
        f'<Relationship Id="rId2" Type="{_RELATIONSHIPS}/styles" Target="styles.xml"/>'
        f'<Relationship Id="rId3" Type="{_RELATIONSHIPS}/sharedStrings" Target="sharedStrings.xml"/>'
        "</Relationships>"
    ),
    # Cell format 1 shows a date (built-in number format 14), as Excel formats a typed date.
    "xl/styles.xml": (
        f'<?xml version="1.0" encoding="UTF-8"?><styleSheet xmlns="{_MAIN}">'
        '<fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
        '<fills count="1"><fill><patternFill patternType="none"/></fill></fills>'
        '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
        '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
        '<cellXfs count="2"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
        '<xf numFmtId="14" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/></cellXfs>'
        "</styleSheet>"
    ),
}


def shared_strings_workbook(source: Path, destination: Path) -> Path:
    """The customers CSV as a workbook laid out the way Excel saves one (openpyxl writes every text inline): each
    distinct text once in the shared-strings table, phone digits as numbers, connection dates as date-formatted
    serial numbers. Written as it goes, a row at a time; the table of texts is the only thing held."""
    from xml.sax.saxutils import escape

    numbers: dict[str, int] = {}
    epoch = datetime.date(1899, 12, 30)
    with zipfile.ZipFile(destination, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, text in _SHARED_WORKBOOK_PARTS.items():
            archive.writestr(name, text)
        with archive.open("xl/worksheets/sheet1.xml", "w", force_zip64=True) as sheet, \
                open(source, newline="", encoding="utf-8") as handle:
            sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>'.encode())
            for row_number, row in enumerate(csv.reader(handle), start=1):
                cells = []
                for column, value in enumerate(row):
                    reference = f"{chr(65 + column)}{row_number}"
                    if not value:
                        continue
                    if row_number > 1 and column == 3:
                        digits = "".join(c for c in value if c.isdigit()) or "0"
                        cells.append(f'<c r="{reference}"><v>{int(digits)}</v></c>')
                    elif row_number > 1 and column == 12:
                        serial = (datetime.date.fromisoformat(value) - epoch).days
                        cells.append(f'<c r="{reference}" s="1"><v>{serial}</v></c>')
                    else:
                        index = numbers.setdefault(value, len(numbers))
                        cells.append(f'<c r="{reference}" t="s"><v>{index}</v></c>')
                sheet.write(f'<row r="{row_number}">{"".join(cells)}</row>'.encode())
            sheet.write(b"</sheetData></worksheet>")
        with archive.open("xl/sharedStrings.xml", "w", force_zip64=True) as table:
            table.write(f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" uniqueCount="{len(numbers)}">'
                        .encode())
            for text in numbers:
                table.write(f'<si><t xml:space="preserve">{escape(text)}</t></si>'.encode())
            table.write(b"</sst>")
    return destination
