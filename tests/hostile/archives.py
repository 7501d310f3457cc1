"""Hostile backup archives: ZIP files built to make a restore run out of memory, write outside its folder, or
import something that is no backup. Each is refused, before any job exists, with the sentence in `refusal`.

The archives are made from one small valid backup (`valid_archive`), then broken one way each.
"""

import json
import struct
import zipfile
from pathlib import Path

from .corpus import HostileFile

CUSTOMERS_HEADER = (
    "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number\r\n"
)
CUSTOMER_ROW = "Ada,Lovelace,ada{n}@example.com,+15555550100,1 Engine Way,Springfield,IL,62701,MTR-{n},{n:010d}\r\n"


def manifest(*entries: tuple[str, str, int], **changes) -> bytes:
    data = {"format": "import-hub-company-backup", "version": 1, "company": "Acme Water",
            "created_at": "2026-12-06T09:30:00+00:00",
            "targets": [{"target": target, "file": file, "rows": rows} for target, file, rows in entries]}
    return json.dumps({**data, **changes}).encode()


def customers_csv(rows: int) -> bytes:
    return (CUSTOMERS_HEADER + "".join(CUSTOMER_ROW.format(n=n) for n in range(1, rows + 1))).encode()


def valid_archive(path: Path, *, rows: int = 2) -> None:
    """A backup of two customers: what every hostile archive starts from, and is restored correctly."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("customers.csv", customers_csv(rows))
        archive.writestr("manifest.json", manifest(("Customer", "customers.csv", rows)))


def _with(members: dict[str, bytes], compression: int = zipfile.ZIP_DEFLATED):
    def make(path: Path) -> None:
        with zipfile.ZipFile(path, "w", compression) as archive:
            for name, content in members.items():
                archive.writestr(name, content)

    return make


def _central_directory_patched(offset: int, value: int, size: int = 4, name: bytes = b"customers.csv"):
    """A valid archive whose central directory entry of `name` has the field at `offset` set to `value` (a lying
    size, an encryption flag): what a crafted archive does."""

    def make(path: Path) -> None:
        valid_archive(path)
        data = bytearray(path.read_bytes())
        start = data.rfind(b"PK\x01\x02" + b"", 0)
        while start != -1:
            name_length = struct.unpack_from("<H", data, start + 28)[0]
            if bytes(data[start + 46:start + 46 + name_length]) == name:
                break
            start = data.rfind(b"PK\x01\x02", 0, start)
        struct.pack_into({2: "<H", 4: "<I"}[size], data, start + offset, value)
        path.write_bytes(bytes(data))

    return make


def _bomb(path: Path) -> None:
    """One file of 8 MB of one row repeated: within IMPORT_MAX_FILE_MB, hundreds of times its packed size."""
    row = CUSTOMER_ROW.format(n=1).encode()
    content = CUSTOMERS_HEADER.encode() + row * (8 * 1024 * 1024 // len(row))
    _with({"customers.csv": content, "manifest.json": manifest(("Customer", "customers.csv", 1))})(path)


def _not_a_zip(path: Path) -> None:
    path.write_bytes(customers_csv(2))


ARCHIVES = [
    HostileFile("bomb.zip", _bomb, "times its packed size; the limit is 100 (IMPORT_MAX_ZIP_RATIO)"),
    HostileFile("declares-4-gb.zip", _central_directory_patched(24, 0xF000_0000),
                "the limit is 1,024 MB (IMPORT_MAX_UNZIPPED_MB)"),
    HostileFile("declares-less.zip", _central_directory_patched(24, 40),
                "The archive is damaged: 'customers.csv' cannot be unpacked"),
    HostileFile("encrypted.zip", _central_directory_patched(8, 0x1, size=2), "is encrypted"),
    HostileFile("traversal.zip", _with({"../../etc/cron.d/evil.csv": b"x", "manifest.json": manifest()}),
                "a file named '../../etc/cron.d/evil.csv'; a backup names its files plainly"),
    HostileFile("absolute.zip", _with({"/tmp/evil.csv": b"x", "manifest.json": manifest()}),
                "a file named '/tmp/evil.csv'"),
    HostileFile("folder.zip", _with({"data/customers.csv": customers_csv(1), "manifest.json": manifest()}),
                "a file named 'data/customers.csv'"),
    HostileFile("no-manifest.zip", _with({"customers.csv": customers_csv(1)}),
                "The archive has no manifest.json, so it is not a company backup"),
    HostileFile("unknown-target.zip", _with({"widgets.csv": b"code\r\nA\r\n",
                                              "manifest.json": manifest(("Widget", "widgets.csv", 1))}),
                "names 'Widget', which is no kind of record this product imports"),
    HostileFile("missing-member.zip", _with({"manifest.json": manifest(("Customer", "customers.csv", 2))}),
                "lists 'customers.csv', but the archive has no such file"),
    HostileFile("extra-member.zip", _with({"customers.csv": customers_csv(1), "notes.txt": b"hello",
                                            "manifest.json": manifest(("Customer", "customers.csv", 1))}),
                "The archive holds 'notes.txt', which its manifest.json does not list"),
    HostileFile("not-a-zip.zip", _not_a_zip, "The file is not a backup archive: it is no ZIP file"),
    HostileFile("binary-member.zip", _with({"customers.csv": b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR",
                                             "manifest.json": manifest(("Customer", "customers.csv", 1))}),
                "The archive's 'customers.csv' is not a CSV file of customers: it holds binary data"),
    HostileFile("latin1-member.zip", _with({"customers.csv": CUSTOMERS_HEADER.encode() + "Zo\xeb".encode("latin-1"),
                                             "manifest.json": manifest(("Customer", "customers.csv", 1))}),
                "is not a CSV file of customers: it is not UTF-8 text"),
    HostileFile("wrong-columns.zip", _with({"customers.csv": b"shoe_size\r\n42\r\n",
                                             "manifest.json": manifest(("Customer", "customers.csv", 1))}),
                "its header names 'shoe_size', which is no column of customers"),
    HostileFile("manifest-not-json.zip", _with({"customers.csv": customers_csv(1), "manifest.json": b"{targets"}),
                "The archive's manifest.json is not valid JSON"),
    HostileFile("newer-format.zip", _with({"customers.csv": customers_csv(1),
                                            "manifest.json": manifest(("Customer", "customers.csv", 1), version=9)}),
                "this version of the product reads format 1"),
    HostileFile("rows-miscounted.zip", _with({"customers.csv": customers_csv(2),
                                              "manifest.json": manifest(("Customer", "customers.csv", 0))}),
                "counts 0 rows in 'customers.csv', but the file holds some"),
    HostileFile("too-many-files.zip", _with({f"f{n}.csv": b"a\r\n" for n in range(40)}),
                "The archive holds 40 files; a backup holds at most 8"),
    HostileFile("bzip2.zip", _with({"customers.csv": customers_csv(1),
                                    "manifest.json": manifest(("Customer", "customers.csv", 1))}, zipfile.ZIP_BZIP2),
                "is packed in a way backups never use"),
]
