"""The protobuf wire format, decoded and encoded with the standard library: the few fields
a reader needs, walked without the message classes (TensorBoard events, W&B records).
"""

from __future__ import annotations

from collections.abc import Iterator


class DecodeError(ValueError):
    pass


def fields(data: bytes | memoryview) -> Iterator[tuple[int, int, object]]:
    """(field number, wire type, value): an int for varints, bytes for the others."""
    view = memoryview(data)
    position, end = 0, len(view)
    while position < end:
        key, position = read_varint(view, position)
        number, wire = key >> 3, key & 7
        if wire == 0:
            value, position = read_varint(view, position)
        elif wire == 1:
            value, position = view[position : position + 8], position + 8
        elif wire == 2:
            length, position = read_varint(view, position)
            value, position = view[position : position + length], position + length
        elif wire == 5:
            value, position = view[position : position + 4], position + 4
        else:
            raise DecodeError(f"unsupported wire type {wire}")
        if position > end:
            raise DecodeError("truncated field")
        yield number, wire, value


def read_varint(view: memoryview, position: int) -> tuple[int, int]:
    result = shift = 0
    while True:
        if position >= len(view):
            raise DecodeError("truncated varint")
        byte = view[position]
        position += 1
        result |= (byte & 0x7F) << shift
        if not byte & 0x80:
            return result, position
        shift += 7
        if shift > 63:
            raise DecodeError("varint too long")
        if shift == 63 and position < len(view) and view[position] > 1:
            raise DecodeError("varint over 64 bits")


def signed64(value: int) -> int:
    return value - (1 << 64) if value >= 1 << 63 else value


# --- writing (for tests and the benchmark's synthetic runs) -----------------------------


def encode_varint(number: int) -> bytes:
    out = bytearray()
    while True:
        out.append((number & 0x7F) | (0x80 if number > 0x7F else 0))
        number >>= 7
        if not number:
            return bytes(out)


def encode_field(number: int, wire: int, payload: bytes) -> bytes:
    """A protobuf field: `payload` is the value's bytes (a varint's, 4 or 8 fixed bytes, or a
    length-delimited body, whose length is added here)."""
    body = encode_varint(len(payload)) + payload if wire == 2 else payload
    return encode_varint(number << 3 | wire) + body
