"""Types of the optional C extension gateway/fix/_speedups.c (see codec.py's docstring).

Every function answers None when its input is not the simple case; the caller then
runs the Python reference path.
"""

from collections.abc import Callable, Container, Mapping

from gateway.fix.message import Item, Value

def split_fields(frame: bytes, /) -> tuple[list[int], list[str]] | None: ...
def build_flat(
    tags: list[int],
    values: list[str],
    header_tags: Container[int],
    trailer_tags: Container[int],
    body_group_tags: Container[int] | None,
    header_group_tags: Container[int] | None,
    /,
) -> tuple[dict[int, Value], list[Item], dict[int, str], list[tuple[int, str]],
           list[tuple[int, str]], int] | None: ...
def certainly_valid(
    body: list[Item],
    header_items: list[tuple[int, str]],
    trailer_items: list[tuple[int, str]],
    message_fields: frozenset[int],
    message_group_tags: Container[int],
    known_tags: frozenset[int],
    value_rules: Mapping[int, frozenset[str] | Callable[[str], bool]],
    ruled_tags: frozenset[int],
    /,
) -> bool: ...
def encode_message(
    msg_type: str,
    header: Mapping[int, Value],
    body: list[Item],
    trailer: Mapping[int, str],
    begin_string: str,
    canonical: bool,
    /,
) -> bytes | None: ...
def register_group(group_type: type, /) -> None: ...
