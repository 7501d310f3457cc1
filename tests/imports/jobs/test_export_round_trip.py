"""An import-compatible export of every target imports back with every row unchanged (issue 15's "Done means"),
through the real export job and the real import job, in every format an import reads.

A company holding every target is built by importing realistic files (leading-zero ZIP codes and account numbers,
phone numbers in every form, negative and decimal numbers, dates and times, yes/no values, text starting with
= + - @ or an apostrophe, unicode, line breaks, empty optional fields, parent accounts, INDIVIDUAL accounts with
their primary contacts, a meter reading below the previous one). Each target is then exported and

- imported into an empty company, in dependency order (customer groups, accounts, contacts; customers, readings):
  every row is created and every field reads the same as in the first company;
- imported back into the first company: every row is unchanged and no stored value moves.
"""

import csv
import io
from pathlib import Path

import pytest

from claims.models import Claim
from crm.models import Account, Contact, CustomerGroup
from customers.models import Customer
from imports.declare.targets import all_targets, get_target
from imports.jobs.export_services import export_job_create
from imports.jobs.inprocess import job_run
from imports.models import ImportExportJob
from readings.models import MeterReading
from salespro.models import SalesProAppointment
from tests.factories import CompanyFactory

pytestmark = pytest.mark.django_db

FORMATS = ["csv", "json", "excel"]

# Each target's file, imported in this order: a target after the targets its rows name.
FILES = {
    "CustomerGroup": (
        "name,group_type\n"
        "Individuals,INDIVIDUAL\n"
        "Businesses,business\n"
        "=Ünïcode — Gruppe,BUSINESS\n"
    ),
    "Account": (
        "name,legal_name,account_number,customer_group,parent_account,website,industry,description,"
        "primary_contact_first_name,primary_contact_last_name,primary_contact_email,primary_contact_phone\n"
        "Acme Springfield,,ACC-1002,Businesses,ACC-1001,https://springfield.acme.example.com,,''=quoted,,,,\n"
        "Acme Holdings,Acme Holdings Inc.,ACC-1001,Businesses,,acme.example.com,Manufacturing,=Head office,,,,\n"
        "Acme Shed,,00042,=Ünïcode — Gruppe,ACC-1002,,-,\"+ two\nlines\",,,,\n"
        "Jane Smith,,ACC-2001,Individuals,,,,,Jane,Smith,jane@example.com,(212) 555-0199\n"
        "Zoë Ñandú,,,Individuals,,,,@home,Zoë,Ñandú,zoe.n@example.com,\n"
    ),
    "Contact": (
        "first_name,last_name,email,phone,account,job_title,department,is_primary\n"
        "Bob,Builder,bob@acme.example.com,+44 20 7946 0958,ACC-1001,=CEO,Ops,yes\n"
        "Ann,Other,ann@acme.example.com,,ACC-1001,,,no\n"
        "Ünï,Cödé,uni@acme.example.com,212.555.0108,ACC-1002,-VP,,\n"
        "Sam,Shed,sam@shed.example.com,+1 401 555 0105,00042,@ops,Sheds & Co,true\n"
    ),
    "Customer": (
        "first_name,last_name,email,phone,service_address,city,state,postal_code,meter_number,account_number,"
        "billing_address,billing_city,billing_state,billing_postal_code,status,customer_type,rate_code,"
        "connection_date,notes\n"
        "Zoë,Ñandú-O'Brien,zoe@example.com,+44 20 7946 0958,1 High St,Boston,MA,02134,MTR-0001,0012345678,,,,,"
        "active,residential,,2020-02-29,=SUM(A1:A3)\n"
        "=Eve,+Plus,eve@example.com,(212) 555-0108,\"2 Elm St, Apt 4\",Hartford,CT,06103-1234,-M2,1234567890,"
        "PO Box 7,Hartford,CT,06101,suspended,commercial,COM-2,2023-12-31,\"+ note ✓ 中文\nsecond line\"\n"
        "Sam,Lee,sam@example.com,555-555-0101,3 Oak,Springfield,IL,62701,M3,0000000042,,,,,inactive,residential,"
        ",,\n"
        "@Al,-Minus,al@example.com,+12125550142,4 Pine,Springfield,IL,00501,M4,,,,,,,,,1999-01-01,@mention\n"
    ),
    "MeterReading": (
        "account_number,meter_number,reading_date,reading_value,reading_type,notes\n"
        "0012345678,MTR-0001,2024-01-15,12345.678,manual,Clear access\n"
        "0012345678,MTR-0001,2024-02-15,12000.5,estimated,=roll-over?\n"
        "1234567890,-M2,2024-01-31,0,automated,\n"
        "0000000042,M3,2023-12-31,\"1,234,567.125\",,-5 on the dial\n"
    ),
    "SalesProAppointment": (
        "_id,_created_at,_updated_at,isSale,resultFullString,customer.nameLast,customer.nameFirst,"
        "customer.estimateName,salesrep.email,salesrep.nameFirst,salesrep.nameLast,saleAmount\n"
        "Xk3fP9a2Qe,2025-06-18T14:30:00.123Z,2025-06-18T16:05:12.000Z,true,=Sale - Windows (8),Doe,John,"
        "Doe Residence - Windows,Ann.Rep@example.com,Ann,Rep,\"$12,450.00\"\n"
        "Lm7tR2b8Wc,2025-06-18T15:00:00Z,2025-06-18 15:45:00,false,No Sale - Price,Ñandú,Zoë,,"
        "ann.rep@example.com,Ann,Rep,-$50.25\n"
        "0000Qq1,,,,,,,,,,,\n"
    ),
    "Claim": (
        "claim_number,first_name,last_name,date_of_birth,subscriber_id,payer_id,status,status_code,total_charged,"
        "total_paid,processed_date,payer_claim_number,check_number,service_date_from,service_date_to,paid_date\n"
        "ZE59426195,CHANTAL,KISA,05/10/1975,057896633,60054,Finalized,F1,720.00,351.00,08/08/2025,E12345678,"
        "CHK100234,07/14/2025,07/14/2025,08/12/2025\n"
        "ZE59426196,JOHN,DOE,01/15/1980,123456789,60054,,P1,\"$1,500.5\",0,08/10/2025,E12345679,,07/21/2025,"
        "07/21/2025,\n"
        "00777,Zoë,=O'Neil,1901-02-03,000123,,,,,,,,,,,\n"
    ),
}
ORDER = list(FILES)

# Besides the columns an import takes, what the product works out from them must come out the same too.
WORKED_OUT = {"MeterReading": ["consumption"]}

MODELS = {
    "CustomerGroup": CustomerGroup, "Account": Account, "Contact": Contact, "Customer": Customer,
    "MeterReading": MeterReading, "SalesProAppointment": SalesProAppointment, "Claim": Claim,
}


def rows(target_name: str, company) -> list[tuple]:
    """Every record of the target, as a file gives it (references by their keys), sorted."""
    target = get_target(target_name)
    names = [field.name for field in target.fields] + WORKED_OUT.get(target_name, [])
    return sorted(target.export_queryset(company).values_list(*names), key=repr)


def stored(target_name: str, company) -> list[dict]:
    """Every record of the target as the database holds it, every column included."""
    return list(MODELS[target_name].objects.filter(company=company).order_by("pk").values())


def exported(target_name: str, company, file_format: str) -> Path:
    """The import-compatible export of the target, written by the real export job."""
    job = export_job_create({"target": target_name, "import_compatible": True, "format": file_format},
                            company=company, via="cli", enqueue=False)
    job = job_run(job=job)
    assert job.job_status == ImportExportJob.Status.COMPLETED, job.error_message
    return Path(job.file.path)


@pytest.fixture
def holding_every_target(company, run_import, write_file):
    """The company `company` holding realistic records of every target."""
    for name, content in FILES.items():
        job = run_import(write_file(f"{name}.csv", content), target=name)
        assert (job.job_status, job.failed_records) == (ImportExportJob.Status.COMPLETED, 0), (name, job.error_message)
        assert job.created_records == len(list(csv.reader(io.StringIO(content)))) - 1, name
    return company


def test_every_registered_target_is_covered():
    assert sorted(ORDER) == sorted(target.name for target in all_targets())


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_export_of_every_target_imports_into_an_empty_company_unchanged(holding_every_target, run_import,
                                                                           file_format):
    source = holding_every_target
    copy = CompanyFactory(slug=f"copy-{file_format}", name="Copy", tenant_number=7777)

    for name in ORDER:
        expected = rows(name, source)
        # The primary contacts of INDIVIDUAL accounts come with the accounts: their contact rows find them.
        there = MODELS[name].objects.filter(company=copy).count()
        job = run_import(exported(name, source, file_format), target=name, into=copy)

        assert job.job_status == ImportExportJob.Status.COMPLETED, (name, job.error_message)
        assert (job.created_records, job.unchanged_records, job.updated_records, job.failed_records) == (
            len(expected) - there, there, 0, 0), name
        assert rows(name, copy) == expected, name


@pytest.mark.parametrize("file_format", FORMATS)
def test_an_export_of_every_target_imported_back_leaves_every_row_unchanged(holding_every_target, run_import,
                                                                            file_format):
    company = holding_every_target

    for name in ORDER:
        before = stored(name, company)
        job = run_import(exported(name, company, file_format), target=name)

        assert job.job_status == ImportExportJob.Status.COMPLETED, (name, job.error_message)
        assert (job.unchanged_records, job.created_records, job.updated_records, job.failed_records) == (
            len(before), 0, 0, 0), name
        assert stored(name, company) == before, name
