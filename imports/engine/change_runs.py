"""Reading a changeset whose new records are kept as runs of keys (ImportChange): how many records it holds, the
records it wrote as a filter, which line holds a given record, and its lines record by record for an undo."""

from django.db.models import F, OuterRef, Q, QuerySet, Subquery, Sum

from imports.models import ImportChange

Action = ImportChange.Action

# Runs of one import are few (one a batch at most, and contiguous batches merge): a filter spells them out as
# ranges of keys up to this many, past it asks the changeset for each record instead.
RANGES_SPELLED_OUT = 200


def records_by_action(lines: QuerySet) -> dict[str, int]:
    """How many records the lines stand for, by action."""
    counted = lines.values("action").annotate(records=Sum(F("last_record_id") - F("record_id") + 1))
    return {row["action"]: row["records"] for row in counted}


def records_total(lines: QuerySet) -> int:
    """How many records the lines stand for."""
    return lines.aggregate(records=Sum(F("last_record_id") - F("record_id") + 1))["records"] or 0


def written(lines: QuerySet, action: str | None = None) -> Q:
    """A filter on primary keys: the records the lines (one import's) created, updated, or both (`action` None)."""
    condition = Q(pk__in=[])
    if action in (None, Action.UPDATED):
        condition |= Q(pk__in=lines.filter(action=Action.UPDATED).values("record_id"))
    if action in (None, Action.CREATED):
        condition |= _created(lines.filter(action=Action.CREATED))
    return condition


def _created(runs: QuerySet) -> Q:
    spans: list[list[int]] = []
    for first, last in runs.order_by("record_id").values_list("record_id", "last_record_id"):
        if spans and first == spans[-1][1] + 1:
            spans[-1][1] = last  # the next batch's keys followed on
        else:
            spans.append([first, last])
    if len(spans) <= RANGES_SPELLED_OUT:
        condition = Q(pk__in=[])
        for first, last in spans:
            condition |= Q(pk__range=(first, last))
        return condition
    # Keys scattered (writers interleaved): the run with the greatest first key at or below the record's must
    # reach it.
    run_end = runs.filter(record_id__lte=OuterRef("pk")).order_by("-record_id").values("last_record_id")[:1]
    return Q(pk__range=(spans[0][0], spans[-1][1])) & Q(pk__lte=Subquery(run_end))


def lines_holding(jobs: QuerySet, record_id: int) -> QuerySet:
    """The lines of the imports `jobs` that hold the record: under each import, the line with the greatest first
    key at or below it (one probe of the changeset's index), when that line reaches it. A run of an import never
    takes in a record the same import updated: those existed before it."""
    greatest = ImportChange.objects.filter(job=OuterRef("pk"), record_id__lte=record_id).order_by("-record_id")
    found = jobs.annotate(line=Subquery(greatest.values("pk")[:1])).values_list("line", flat=True)
    return ImportChange.objects.filter(pk__in=[pk for pk in found if pk is not None], last_record_id__gte=record_id)


def one_by_one(lines: list[ImportChange]) -> list[ImportChange]:
    """The lines as one (unsaved) line a record: a run becomes a created line for each of its keys, with its row."""
    expanded = []
    for line in lines:
        if line.action != Action.CREATED or line.last_record_id == line.record_id:
            expanded.append(line)
            continue
        numbers = line.row_numbers or [line.row_number] * line.records
        expanded.extend(
            ImportChange(job_id=line.job_id, row_number=number, record_id=record_id, last_record_id=record_id,
                         action=Action.CREATED, written_at=line.written_at)
            for record_id, number in zip(range(line.record_id, line.last_record_id + 1), numbers, strict=True)
        )
    return expanded
