"""The exception tree of voc.

Every error raised by voc derives from :class:`VocError`. Errors caused by the caller's input also derive
from :class:`ValueError` (and :class:`DtypeError` from :class:`TypeError`), so existing ``except ValueError``
code keeps working. Input errors carry the argument name, the position and the offending value when
there is one::

    >>> import voc
    >>> try:
    ...     voc.nps([9, 11])
    ... except voc.ScoreRangeError as e:
    ...     (e.arg, e.index, e.value)
    ('scores', 1, 11.0)
"""

from __future__ import annotations

import re
from typing import Any

__all__ = [
    "VocError",
    "InputError",
    "ScoreRangeError",
    "NonFiniteError",
    "MissingValueError",
    "EmptyInputError",
    "LengthMismatchError",
    "InvalidOptionError",
    "UnknownIdError",
    "ColumnNotFoundError",
    "DtypeError",
    "IncompatibleError",
    "DecodeError",
    "InsufficientDataError",
    "ConvergenceError",
    "LimitError",
    "InternalError",
]

_ARGUMENT_NOTE = re.compile(r"while processing '(\w+)'")


class VocError(Exception):
    """Base class of every voc error."""

    def __init__(
        self, message: str, arg: str | None = None, index: int | tuple[int, int] | None = None, value: Any = None
    ) -> None:
        super().__init__(message)
        self.message = message
        #: Name of the argument at fault, if any.
        self.arg = arg
        #: Position of the offending value, if any: an int for a column, a (row, column) pair for a matrix cell.
        self.index = index
        #: The offending value, if any.
        self.value = value

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.message, self.arg, self.index, self.value))

    def add_note(self, note: str, /) -> None:
        """Adds a note; an error raised while an argument was read takes its name as ``.arg``.

        The compiled functions read each option through one converter, which does not know the
        argument's name; the binding then notes it ("while processing 'k'"), and the name becomes
        ``.arg`` and the start of the message.
        """
        super().add_note(note)
        match = _ARGUMENT_NOTE.fullmatch(note)
        if match is not None and self.arg is None:
            self.arg = match.group(1)
            self.message = f"{self.arg}: {self.message}"
            self.args = (self.message,)


class InputError(VocError, ValueError):
    """The input is not acceptable: nothing was computed and no state was changed."""


class ScoreRangeError(InputError):
    """A score lies outside its scale, or is not a whole number on an integer scale."""


class NonFiniteError(InputError):
    """NaN or an infinity where a finite number is required."""


class MissingValueError(InputError):
    """A missing value (NaN, None, null, NaT) while ``missing="error"``."""


class EmptyInputError(InputError):
    """No data where some are required."""


class LengthMismatchError(InputError):
    """Columns that must line up have different lengths."""


class InvalidOptionError(InputError):
    """An option outside its domain (confidence level, method name, threshold, ...)."""


class UnknownIdError(InputError, KeyError):
    """An id that the table it refers to does not hold, or a repeated id that must be unique."""

    def __str__(self) -> str:
        # KeyError would otherwise show the message in quotes.
        return self.message


class ColumnNotFoundError(InputError, KeyError):
    """A column name that the table does not hold (``.value`` is the name asked for)."""

    def __str__(self) -> str:
        return self.message


class DtypeError(InputError, TypeError):
    """A column of a type voc cannot read as this argument (e.g. strings as scores)."""


class IncompatibleError(InputError):
    """States or results that cannot be merged or compared (different metrics or scales)."""


class DecodeError(InputError):
    """Bytes that are not a serialised voc state of this kind and version."""


class InsufficientDataError(InputError):
    """Too little information for the statistic (e.g. a t-interval from one response)."""


class ConvergenceError(VocError, ArithmeticError):
    """An iterative fit stopped before reaching its tolerance."""


class LimitError(InputError):
    """A size, count or span beyond one of voc's documented limits (``docs/reliability/limits.md``):
    nothing was allocated or computed. ``.arg`` names the argument."""


class InternalError(VocError, RuntimeError):
    """A bug in voc caught at the boundary (a Rust panic): the message names the function. The input
    was not at fault; please report the call."""
