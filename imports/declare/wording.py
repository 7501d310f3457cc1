"""How counts read in the sentences people see (summaries, logs, report headers): "1 row", "2,345 rows"."""


def counted(number: int, noun: str, plural: str | None = None) -> str:
    """`number` with thousands separators and `noun`, in the plural unless it is one."""
    return f"{number:,} {noun if number == 1 else plural or noun + 's'}"
