"""A stand-in look-up service with API routes, for the look-up API's tests: it answers a code, found unless it
starts with N (not found) or R (failed, worth asking again)."""

from imports.declare import ImportField, LookupResult, LookupService


class CodeLookup(LookupService):
    name = "Code"
    verbose_name = "code look-up"
    api_path = "v1/codes"
    identifier = "code"
    fields = (
        ImportField("code", required=True, example="C1"),
        ImportField("first_name", required=True, example="ADA"),
        ImportField("note"),
    )
    result_columns = ("row", "code", "answer", "first_name", "success", "error", "retryable")
    sensitive_fields = frozenset({"first_name"})
    example_rows = ({"code": "C1", "first_name": "ADA"},)
    max_mb = 10
    answered_again = frozenset()

    def max_file_mb(self) -> int:
        return self.max_mb

    def result_base(self, values):
        return {name: values[name] for name in ("code", "first_name") if name in values}

    def look_up(self, queries, context):
        for query in queries:
            code = query.values["code"]
            base = self.result_base(query.values)
            if code.startswith("N"):
                yield LookupResult(query.row, False, base, "Code not found")
            elif code.startswith("R") and code not in self.answered_again:
                yield LookupResult(query.row, False, base, "Look-up failed: busy", retryable=True)
            else:
                yield LookupResult(query.row, True, {**base, "answer": f"answer to {code}"})
