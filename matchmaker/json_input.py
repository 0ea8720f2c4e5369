"""JSON from outside the process: whatever cannot be parsed is a ValueError, never a crash."""

from __future__ import annotations

import json
from typing import Any


def parse(text: str | bytes) -> Any:
    """``json.loads``, except that nesting too deep for the parser is a ValueError as well.

    The C parser recurses once per level of ``[`` or ``{``: a body of 100,000 brackets fits in
    any size limit but exhausts the interpreter's stack (RecursionError), which is an input
    problem like any other syntax error.
    """
    try:
        return json.loads(text)
    except RecursionError:
        raise ValueError("JSON nested too deeply") from None
