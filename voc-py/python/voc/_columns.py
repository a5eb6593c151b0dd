"""Reading columns by name from the tables users hand in: a :class:`voc.Table`, a pandas or polars
DataFrame, a pyarrow Table or a dict of columns. A thin front of the compiled role reader
(``voc-py/src/convert/roles.rs``), which every module uses: the lookups, their errors and the
conversion to numbers all happen in Rust."""

from __future__ import annotations

from typing import Any

from voc import _voc


def names(data: Any) -> list[str]:
    """Column names of ``data``; a :class:`voc.DtypeError` when it is not a table."""
    return _voc._table_names(data)


def column(data: Any, name: Any, arg: str) -> Any:
    """A column of ``data`` by name (:class:`voc.ColumnNotFoundError` when it has none), or ``name``
    itself when it is already a column (array, Series)."""
    return _voc._role(data, name, arg)
