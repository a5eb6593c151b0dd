"""Lists of names and small structured options, checked before use (the compiled module checks the rest).

A wrong type is a :class:`voc.errors.DtypeError` and a bad value an :class:`voc.errors.InvalidOptionError`,
each naming the argument — never Python's ``TypeError`` from iterating an int, nor a ``str`` read letter
by letter where a list of names is meant.
"""

from __future__ import annotations

from typing import Any, Literal

from voc.errors import DtypeError, InvalidOptionError

# The option words of docs/conventions.md, as the stubs spell them (wrappers annotate with these).
Period = Literal["day", "week", "month", "quarter", "year", "D", "W", "M", "MS", "ME", "Q", "QS", "QE", "Y", "YS", "YE"]
Missing = Literal["error", "skip"]
ShareInterval = Literal["wilson", "wilson_cc", "clopper_pearson", "exact", "wald"]

__all__ = ["DtypeError", "InvalidOptionError"]


def _is_sequence(value: Any) -> bool:
    return not isinstance(value, (str, bytes, dict)) and hasattr(value, "__iter__")


def names(value: Any, arg: str) -> list[Any]:
    """A list of names or labels (any iterable but a single str, bytes or dict)."""
    if not _is_sequence(value):
        raise DtypeError(f"{arg}: expected a list of names, got {type(value).__name__} ({value!r:.60})", arg)
    return list(value)


def strings(value: Any, arg: str) -> list[str]:
    """A list of str (not a single str)."""
    out = names(value, arg)
    for i, v in enumerate(out):
        if not isinstance(v, str):
            raise DtypeError(f"{arg}[{i}]: expected a str, got {type(v).__name__} ({v!r:.60})", arg, i)
    return out


def tuples(value: Any, arg: str, size: int) -> list[tuple[Any, ...]]:
    """A list of tuples of `size` items each."""
    out = []
    for i, item in enumerate(names(value, arg)):
        if not _is_sequence(item):
            raise DtypeError(f"{arg}[{i}]: expected a tuple of {size}, got {type(item).__name__}", arg, i)
        t = tuple(item)
        if len(t) != size:
            raise InvalidOptionError(f"{arg}[{i}]: expected a tuple of {size} items, got {len(t)}", arg, i)
        out.append(t)
    return out


def prefix_or_strings(value: Any, arg: str) -> str | list[str]:
    """A column prefix (a str) or a list of column names."""
    if isinstance(value, str):
        return value
    return strings(value, arg)


def text(value: Any, arg: str) -> str:
    """A str."""
    if not isinstance(value, str):
        raise DtypeError(f"{arg}: expected a str, got {type(value).__name__} ({value!r:.60})", arg)
    return value


def whole(value: Any, arg: str) -> int:
    """A whole number: an int (not a bool) or an integral float."""
    if isinstance(value, bool) or not isinstance(value, (int, float)) and not hasattr(value, "__index__"):
        raise DtypeError(f"{arg}: expected an int, got {type(value).__name__} ({value!r:.60})", arg)
    if isinstance(value, float) and not value.is_integer():
        raise InvalidOptionError(f"{arg}: expected a whole number, got {value!r}", arg)
    return int(value)


def whole_pair(value: Any, arg: str) -> tuple[int, int]:
    """A pair of whole numbers."""
    if not _is_sequence(value):
        raise DtypeError(f"{arg}: expected a pair of ints, got {type(value).__name__}", arg)
    t = tuple(value)
    if len(t) != 2:
        raise InvalidOptionError(f"{arg}: expected a pair of ints, got {len(t)} items", arg)
    return whole(t[0], arg), whole(t[1], arg)


def real(value: Any, arg: str) -> float:
    """A real number: an int or a float (not a bool, a str or a complex number)."""
    if isinstance(value, (bool, str, bytes, complex)) or not hasattr(value, "__float__"):
        raise DtypeError(f"{arg}: expected a number, got {type(value).__name__} ({value!r:.60})", arg)
    return float(value)


def real_pair(value: Any, arg: str) -> tuple[float, float]:
    """A pair of real numbers, such as an interval."""
    if not _is_sequence(value):
        raise DtypeError(f"{arg}: expected a pair of numbers, got {type(value).__name__}", arg)
    t = tuple(value)
    if len(t) != 2:
        raise InvalidOptionError(f"{arg}: expected a pair of numbers, got {len(t)} items", arg)
    return real(t[0], arg), real(t[1], arg)
