"""Reading columns by name from the tables users hand in: a :class:`voc.Table`, a pandas or polars
DataFrame, a pyarrow Table or a dict of columns. Shared by the modules that take tables (segment,
impact); the conversion to numbers happens in the compiled part."""

from __future__ import annotations

from typing import Any

import numpy as np

from voc.errors import ColumnNotFoundError, DtypeError


def names(data: Any) -> list[str]:
    """Column names of ``data``; a clear error when it is not a table."""
    if isinstance(data, dict):
        return [str(k) for k in data]
    cols = getattr(data, "column_names", None)
    if cols is None:
        cols = getattr(data, "columns", None)
    if cols is None:
        raise DtypeError(
            "data must be a table (voc.Table, pandas or polars DataFrame, pyarrow Table or dict of columns), "
            f"got {type(data).__name__}",
            "data",
            None,
            type(data).__name__,
        )
    return [str(c) for c in cols]


def column(data: Any, name: Any, arg: str) -> Any:
    """A column of ``data`` by name, or ``name`` itself when it is already a column (array, Series)."""
    if not isinstance(name, str):
        return name
    have = names(data)
    if name not in have:
        raise ColumnNotFoundError(f"{arg} = {name!r}: the table has no such column (columns: {have})", arg, None, name)
    return data[name]


def bool_as_float(col: Any) -> Any:
    """Boolean columns (numpy, pandas, polars, pyarrow, lists of bools; e.g. ``labels()["churned"]``) as
    0.0 / 1.0, nulls as NaN; other columns unchanged."""
    if str(getattr(col, "type", "")) == "bool" and hasattr(col, "to_numpy"):  # pyarrow
        return np.asarray(col.to_numpy(zero_copy_only=False), dtype=np.float64)
    dtype = getattr(col, "dtype", None)
    if dtype is not None and str(dtype).lower() in ("bool", "boolean"):
        arr = col.to_numpy() if hasattr(col, "to_numpy") else np.asarray(col)
        return np.asarray(arr, dtype=np.float64)
    if isinstance(col, (list, tuple)) and col and all(isinstance(v, bool) for v in col):
        return np.asarray(col, dtype=np.float64)
    return col
