"""The one rule for what a date column holds, shared by validation, serving, drafting and the DateParts transform."""

from __future__ import annotations

import re

# A date, then optionally a time after "T" or a space, which is not read. [0-9], not \d: Python's \d also matches
# other scripts' digits, which ONNX Runtime's RE2 does not. The same pattern runs in both (RegexFullMatch).
DATE_PATTERN = r"[0-9]{4}-[0-9]{2}-[0-9]{2}(?:[T ].*)?"
# "." stops at a line break in both engines: a time containing one fails the pattern in both alike.
DATE = re.compile(DATE_PATTERN)
DAYS_IN_MONTH = (31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31)


def is_date(value: object) -> bool:
    """Whether `value` is a string matching DATE_PATTERN whose first ten characters name a real calendar day."""
    if not isinstance(value, str) or not DATE.fullmatch(value):
        return False
    year, month, day = int(value[:4]), int(value[5:7]), int(value[8:10])
    if not 1 <= month <= 12:
        return False
    leap = (year % 4 == 0 and year % 100 != 0) or year % 400 == 0
    return 1 <= day <= DAYS_IN_MONTH[month - 1] + (leap and month == 2)
