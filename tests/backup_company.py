"""A company holding records of every registered target, filled the way users fill one (by importing files), and
its records read back target by target for comparison: what backup and restore tests start from and compare.

    from tests.backup_company import company_fill, company_records
"""

import io
from pathlib import Path

from django.core.files import File

from imports.declare.targets import all_targets
from imports.engine.options import ImportOptions
from imports.jobs.inprocess import job_run
from imports.jobs.services import job_create

# Each target's file, in an order its imports can run in. Values chosen to trip a careless round trip: ZIP codes
# with leading zeros, E.164 phones, texts that look like formulas, an account whose parent comes later in the file,
# the primary contacts of INDIVIDUAL accounts, readings whose consumption depends on their neighbours.
FILES = {
    "CustomerGroup": (
        "name,group_type\n"
        "Individuals,INDIVIDUAL\n"
        "Businesses,BUSINESS\n"
        "Partners,BUSINESS\n"
    ),
    "Account": (
        "name,legal_name,account_number,customer_group,parent_account,website,industry,description,"
        "primary_contact_first_name,primary_contact_last_name,primary_contact_email,primary_contact_phone\n"
        "Acme Holdings,Acme Holdings Inc.,ACC-1001,Businesses,,acme.example.com,Manufacturing,Head office,,,,\n"
        "Acme Springfield,,ACC-1002,Businesses,ACC-1001,https://springfield.acme.example.com,Manufacturing,,,,,\n"
        "Acme Branch,,ACC-1003,Partners,ACC-1004,,,\"=1+2, a note that looks like a formula\",,,,\n"
        "Acme Region,,ACC-1004,Partners,,,,,,,,\n"
        "Jane Smith,,ACC-2001,Individuals,,,,,Jane,Smith,jane.smith@example.com,+12125550108\n"
        "Zoë Ågren,,ACC-2002,Individuals,,,,,Zoë,Ågren,zoe@example.com,555-555-5557\n"
    ),
    "Contact": (
        "first_name,last_name,email,phone,account,job_title,department,is_primary\n"
        "John,Doe,john.doe@acme.example.com,555-555-5555,ACC-1001,Purchasing Manager,Purchasing,yes\n"
        "Mary,Major,mary.major@acme.example.com,+12125550199,ACC-1001,Accountant,Finance,no\n"
        "Sam,Lee,sam.lee@acme.example.com,,ACC-1002,,,no\n"
        "Jane,Smith,jane.smith@example.com,+12125550108,ACC-2001,Teacher,,yes\n"
    ),
    "Customer": (
        "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number,"
        "billing_address,billing_city,billing_state,billing_postal_code,status,customer_type,rate_code,"
        "connection_date,notes\n"
        "John,Doe,john.doe@example.com,+12125550108,12 Beacon St,Boston,MA,02134,MTR-0001,0000000001,"
        "PO Box 7,Cambridge,MA,02139,active,residential,RES-1,2023-05-01,-5 and rising\n"
        "Jane,Smith,jane.smith@example.com,555-555-5556,456 Oak Ave,Springfield,IL,62702,MTR-0002,0000000002,"
        ",,,,active,commercial,COM-2,2024-01-15,\n"
        "Zoë,Ågren,zoe@example.com,+1 (401) 555-0105,1 Harbor Rd,Newport,RI,02840,MTR-0003,0000000003,"
        ",,,,inactive,residential,,2022-11-30,\"=HYPERLINK(\"\"x\"\")\"\n"
    ),
    "MeterReading": (
        "account_number,meter_number,reading_date,reading_value,reading_type,notes\n"
        "0000000001,MTR-0001,2024-01-15,12345,manual,Clear access\n"
        "0000000001,MTR-0001,2024-03-15,12600.5,estimated,\n"
        "0000000001,MTR-0001,2024-02-15,12400,manual,Dog on premises\n"
        "0000000002,MTR-0002,2024-01-15,500,automated,\n"
    ),
    "SalesProAppointment": (
        "_id,_created_at,_updated_at,isSale,resultFullString,customer.nameLast,customer.nameFirst,"
        "customer.estimateName,salesrep.email,salesrep.nameFirst,salesrep.nameLast,saleAmount\n"
        "Xk3fP9a2Qe,2025-06-18T14:30:00.000Z,2025-06-18T16:05:12.000Z,true,Sale - Windows (8),Doe,John,"
        "Doe Residence - Windows,ann.rep@example.com,Ann,Rep,\"$12,450.00\"\n"
        "Lm7tR2b8Wc,2025-06-18T15:00:00.000Z,2025-06-18T15:45:00.000Z,false,No Sale - Price,Smith,Jane,"
        "Smith Residence - Roof,ann.rep@example.com,Ann,Rep,\n"
    ),
    "Claim": (
        "claim_number,first_name,last_name,date_of_birth,subscriber_id,payer_id,status,status_code,total_charged,"
        "total_paid,processed_date,payer_claim_number,check_number,service_date_from,service_date_to,paid_date\n"
        "ZE59426195,CHANTAL,KISA,05/10/1975,057896633,60054,Finalized,F1,720.00,351.00,08/08/2025,E12345678,"
        "CHK100234,07/14/2025,07/14/2025,08/12/2025\n"
        "ZE59426196,JOHN,DOE,01/15/1980,123456789,60054,Pending,P1,500.00,0.00,08/10/2025,E12345679,,07/21/2025,"
        "07/21/2025,\n"
    ),
}

# Read-only columns a restore works out again exactly as they were: compared too.
RECOMPUTED = {"MeterReading": ("consumption",)}


def file_import(company, target_name: str, text: str):
    """Import `text` as a file of `target_name` for `company`, the command line's way; the finished job."""
    job = job_create(
        company=company, target_name=target_name, file=File(io.BytesIO(text.encode()), name=f"{target_name}.csv"),
        file_name=f"{target_name}.csv", options=ImportOptions(),
    )
    return job_run(job=job)


def company_fill(company) -> None:
    """Give `company` records of every registered target (every row imported, none failed)."""
    assert set(FILES) == {target.name for target in all_targets()}, "a target without records here"
    for name, text in FILES.items():
        job = file_import(company, name, text)
        assert job.job_status == "completed", job.error_message
        assert job.failed_records == 0, list(job.logs.values_list("message", flat=True))


def company_records(company) -> dict[str, list[tuple[str, ...]]]:
    """Every target's records of `company`, each as the texts of the columns an import takes (and the read-only
    columns a restore works out again), sorted: two companies holding the same records compare equal."""
    records = {}
    for target in all_targets():
        fields = [*target.fields, *(field for field in target.read_only_fields
                                   if field.name in RECOMPUTED.get(target.name, ()))]
        rows = target.export_queryset(company).values_list(*(field.name for field in fields))
        records[target.name] = sorted(
            tuple(field.to_text(value) for field, value in zip(fields, row, strict=True)) for row in rows
        )
    return records


def archive_file(path: Path) -> File:
    """An archive on disk as an upload (the faces' File), to use in a `with` block."""
    return File(open(path, "rb"), name=path.name)
