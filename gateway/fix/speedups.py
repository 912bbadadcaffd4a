"""Whether the FIX hot path runs in C, and the C functions (see codec.py's docstring).

One place decides whether the C path is used: the extension `gateway.fix._speedups`
is imported when the install could compile it, and `FIXGW_PURE_PYTHON=1` in the
environment (read at import) turns it off, to compare or to rule it out. The
functions below are None when it is not in use.
"""

from __future__ import annotations

import os

from gateway.fix.message import Group

try:
    from gateway.fix import _speedups
except ImportError:  # installed without a compiler: the Python paths alone
    _speedups = None  # type: ignore[assignment]

if os.environ.get("FIXGW_PURE_PYTHON", "") not in ("", "0"):
    _speedups = None  # type: ignore[assignment]

ENABLED = _speedups is not None
if _speedups is not None:
    _speedups.register_group(Group)
# Each function, or None when the C path is not in use.
split_fields = _speedups.split_fields if _speedups is not None else None
build_flat = _speedups.build_flat if _speedups is not None else None
certainly_valid = _speedups.certainly_valid if _speedups is not None else None
encode_message = _speedups.encode_message if _speedups is not None else None
