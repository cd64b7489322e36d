"""TensorBoard event files (``events.out.tfevents.*``), read with the standard library.

An event file is a sequence of TFRecords: ``uint64 length``, ``uint32 masked CRC-32C of
the length``, ``length`` bytes of a serialized ``tensorflow.Event`` protobuf, and ``uint32
masked CRC-32C of the data``. We decode the few protobuf fields a journal needs (scalars,
images, hyperparameters) with a small wire-format walker rather than depend on TensorBoard
(and TensorFlow's protobufs).

Both checksums are verified (with the `crc32c` package: a pure-Python CRC over every byte
would cost more than the rest of the build). A damaged length ends the file's reading, since
nothing after it can be trusted to be a record boundary; a damaged record is reported with
its byte offset and skipped, and the records after it are still read. A file still being
written ends in a partial record, which is left for the next build, silently.
"""

from __future__ import annotations

import struct
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from mljournal.reading.formats.protowire import DecodeError, read_varint, encode_field, encode_varint, fields, signed64  # noqa: F401 - encode_* for tests

# Event, Summary, Summary.Value, Summary.Image, SummaryMetadata, TensorProto field numbers
# (tensorboard/compat/proto/{event,summary,tensor}.proto).
EVENT_WALL_TIME, EVENT_STEP, EVENT_SUMMARY = 1, 2, 5
VALUE_TAG, VALUE_SIMPLE, VALUE_IMAGE, VALUE_TENSOR, VALUE_METADATA = 1, 2, 4, 8, 9
DT_FLOAT, DT_DOUBLE, DT_INT32, DT_STRING, DT_INT64, DT_HALF = 1, 2, 3, 7, 9, 19
MAX_RECORD_BYTES = 256 * 1024 * 1024


@dataclass
class Value:
    """One ``Summary.Value`` of an event, reduced to what the journal shows."""

    tag: str
    plugin: str | None = None  # from the value's metadata, when it carries one
    number: float | None = None  # a scalar, from simple_value or a one-element tensor
    images: list[bytes] = field(default_factory=list)  # encoded PNG/JPEG images
    strings: list[bytes] = field(default_factory=list)  # a string tensor (the images plugin's)
    width: int | None = None
    height: int | None = None
    hparams: dict[str, str] | None = None  # from the hparams plugin's session start info


@dataclass
class Event:
    offset: int  # byte offset of the record in its file
    wall_time: float
    step: int
    values: list[Value]


@dataclass
class Damage:
    offset: int
    message: str
    fatal: bool  # the rest of the file cannot be read


def read_events(path: Path) -> Iterator[Event | Damage]:
    """Each whole record's event, in file order; a Damage where a record cannot be read."""
    with open(path, "rb") as handle:
        end = handle.seek(0, 2)  # what exists now; later appends wait for the next read
        handle.seek(0)
        offset = 0
        while offset + 12 <= end:
            header = handle.read(12)
            if len(header) < 12:
                return
            length, length_crc = struct.unpack("<QI", header)
            if masked_crc32c(header[:8]) != length_crc:
                yield Damage(offset, "damaged record header (length checksum mismatch); the rest of the file is skipped", True)
                return
            if length > MAX_RECORD_BYTES:
                yield Damage(offset, f"record of {length} bytes is over the limit; the rest of the file is skipped", True)
                return
            if offset + 12 + length + 4 > end:
                return  # still being written
            data = handle.read(length)
            data_crc = handle.read(4)
            if len(data) < length or len(data_crc) < 4:
                return  # shrank while we read
            if masked(crc32c_of(data)) != struct.unpack("<I", data_crc)[0]:
                yield Damage(offset, "damaged record (data checksum mismatch); skipped", False)
                offset += 12 + length + 4
                continue
            try:
                yield decode_event(offset, data)
            except (DecodeError, struct.error, UnicodeDecodeError, IndexError) as error:
                yield Damage(offset, f"record does not decode ({error or 'truncated'}); skipped", False)
            offset += 12 + length + 4


def decode_event(offset: int, data: bytes) -> Event:
    fast = _scalar_event(offset, data)
    if fast is not None:
        return fast
    wall_time, step, values = 0.0, 0, []
    for number, wire, value in fields(data):
        if number == EVENT_WALL_TIME and wire == 1:
            wall_time = struct.unpack("<d", value)[0]
        elif number == EVENT_STEP and wire == 0:
            step = signed64(value)
        elif number == EVENT_SUMMARY and wire == 2:
            values = [decode_value(raw) for n, w, raw in fields(value) if n == 1 and w == 2]
    return Event(offset, wall_time, step, values)


_DOUBLE, _FLOAT = struct.Struct("<d"), struct.Struct("<f")


def _scalar_event(offset: int, data: bytes) -> Event | None:
    """The common event, decoded without the general walker: wall time, step, and a summary
    of values that are only a tag and a simple_value (PyTorch's add_scalar), with short
    lengths. None for anything else, which decode_event then reads field by field."""
    end = len(data)
    if end < 12 or data[0] != 0x09 or data[9] != 0x10:
        return None
    position, step, shift = 10, 0, 0
    while True:
        byte = data[position]
        position += 1
        step |= (byte & 0x7F) << shift
        if byte < 0x80:
            break
        shift += 7
        if shift > 63 or position >= end:
            return None
    if position + 2 > end or data[position] != 0x2A or data[position + 1] >= 0x80:
        return None
    if position + 2 + data[position + 1] != end:
        return None
    position += 2
    values = []
    while position < end:
        if position + 4 > end or data[position] != 0x0A or data[position + 2] != 0x0A:
            return None
        size, tag_size = data[position + 1], data[position + 3]
        if size >= 0x80 or tag_size >= 0x80:
            return None
        tag_end = position + 4 + tag_size
        if tag_end + 5 != position + 2 + size or data[tag_end] != 0x15:
            return None
        values.append(Value(tag=data[position + 4 : tag_end].decode("utf-8"), number=_FLOAT.unpack_from(data, tag_end + 1)[0]))
        position = tag_end + 5
    return Event(offset, _DOUBLE.unpack_from(data, 1)[0], signed64(step), values)


def decode_value(data: bytes) -> Value:
    found = Value(tag="")
    tensor = None
    for number, wire, value in fields(data):
        if number == VALUE_TAG and wire == 2:
            found.tag = bytes(value).decode("utf-8")
        elif number == VALUE_SIMPLE and wire == 5:
            found.number = struct.unpack("<f", value)[0]
        elif number == VALUE_IMAGE and wire == 2:
            _decode_image(value, found)
        elif number == VALUE_TENSOR and wire == 2:
            tensor = value
        elif number == VALUE_METADATA and wire == 2:
            _decode_metadata(value, found)
    if tensor is not None:
        _decode_tensor(tensor, found)
    return found


def images_of_tensor(value: Value) -> None:
    """The images plugin's string tensor is [width, height, image, image…] (TF2, Keras)."""
    if len(value.strings) >= 2 and not value.images:
        try:
            value.width, value.height = int(value.strings[0]), int(value.strings[1])
        except ValueError:
            return
        value.images = value.strings[2:]


def _decode_image(data: bytes, found: Value) -> None:
    for number, wire, value in fields(data):
        if number == 1 and wire == 0:
            found.height = value
        elif number == 2 and wire == 0:
            found.width = value
        elif number == 4 and wire == 2:
            found.images.append(bytes(value))


def _decode_metadata(data: bytes, found: Value) -> None:
    for number, wire, value in fields(data):
        if number == 1 and wire == 2:  # plugin_data
            content = None
            for n, w, v in fields(value):
                if n == 1 and w == 2:
                    found.plugin = bytes(v).decode("utf-8")
                elif n == 2 and w == 2:
                    content = v
            if found.plugin == "hparams" and content is not None:
                found.hparams = _decode_hparams(content)


def _decode_tensor(data: bytes, found: Value) -> None:
    dtype, content, strings, numbers = 0, None, [], []
    for number, wire, value in fields(data):
        if number == 1 and wire == 0:
            dtype = value
        elif number == 4 and wire == 2:
            content = bytes(value)
        elif number == 8 and wire == 2:
            strings.append(bytes(value))
        elif number == 5 and wire in (2, 5):  # float_val, packed or not
            numbers.extend(_packed(value, wire, "f"))
        elif number == 6 and wire in (2, 1):  # double_val
            numbers.extend(_packed(value, wire, "d"))
        elif number in (7, 10, 13) and wire in (0, 2):  # int_val, int64_val, half_val (as raw ints)
            if number == 13:
                numbers.extend(_half(v) for v in _varints(value, wire))
            else:
                numbers.extend(float(signed64(v)) for v in _varints(value, wire))
    if dtype == DT_STRING:
        found.strings = strings
        return
    if content is not None:
        code = {DT_FLOAT: "f", DT_DOUBLE: "d", DT_INT32: "i", DT_INT64: "q"}.get(dtype)
        if dtype == DT_HALF and len(content) == 2:
            numbers = [struct.unpack("<e", content)[0]]
        elif code and len(content) == struct.calcsize(code):
            numbers = [float(struct.unpack("<" + code, content)[0])]
        else:
            numbers = []
    if len(numbers) == 1 and found.number is None:
        found.number = float(numbers[0])


def _decode_hparams(data: bytes) -> dict[str, str]:
    """HParamsPluginData.session_start_info.hparams: map<string, google.protobuf.Value>."""
    out: dict[str, str] = {}
    for number, wire, value in fields(data):
        if number != 3 or wire != 2:  # session_start_info
            continue
        for n, w, entry in fields(value):
            if n != 1 or w != 2:
                continue
            key, shown = "", ""
            for en, ew, ev in fields(entry):
                if en == 1 and ew == 2:
                    key = bytes(ev).decode("utf-8")
                elif en == 2 and ew == 2:
                    shown = _protobuf_value(ev)
            if key:
                out[key] = shown
    return out


def _protobuf_value(data: bytes) -> str:
    for number, wire, value in fields(data):
        if number == 2 and wire == 1:
            return _short(struct.unpack("<d", value)[0])
        if number == 3 and wire == 2:
            return bytes(value).decode("utf-8")
        if number == 4 and wire == 0:
            return "true" if value else "false"
        if number == 1:
            return "null"
    return ""


def _short(number: float) -> str:
    return str(int(number)) if number.is_integer() and abs(number) < 1e15 else repr(number)


# --- protobuf wire format ---------------------------------------------------------------


def _varints(value: object, wire: int) -> list[int]:
    if wire == 0:
        return [value]  # type: ignore[list-item]
    view, position, out = memoryview(value), 0, []  # type: ignore[arg-type]
    while position < len(view):
        number, position = read_varint(view, position)
        out.append(number)
    return out


def _packed(value: object, wire: int, code: str) -> list[float]:
    raw = bytes(value)  # type: ignore[arg-type]
    size = struct.calcsize(code)
    if wire == 2:
        return [float(v) for (v,) in struct.iter_unpack("<" + code, raw[: len(raw) - len(raw) % size])]
    return [float(struct.unpack("<" + code, raw)[0])]


def _half(bits: int) -> float:
    return struct.unpack("<e", struct.pack("<H", bits & 0xFFFF))[0]


# --- CRC-32C (Castagnoli), masked as TFRecord does -----------------------------------------


def _table() -> list[int]:
    table = []
    for byte in range(256):
        crc = byte
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
        table.append(crc)
    return table


_CRC_TABLE = _table()


def crc32c(data: bytes) -> int:
    crc = 0xFFFFFFFF
    for byte in data:
        crc = _CRC_TABLE[(crc ^ byte) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


def masked(crc: int) -> int:
    return (((crc >> 15) | (crc << 17)) + 0xA282EAD8) & 0xFFFFFFFF


def masked_crc32c(data: bytes) -> int:
    return masked(crc32c_of(data))


def crc32c_of(data: bytes) -> int:
    """CRC-32C with the `crc32c` package (hardware-accelerated), else in Python."""
    try:
        from crc32c import crc32c as fast
    except ImportError:  # pragma: no cover - the package is a dependency
        return crc32c(data)
    return fast(data)


def encode_record(data: bytes) -> bytes:
    """A TFRecord around `data` (for tests and for the recorder's own event files)."""
    length = struct.pack("<Q", len(data))
    return length + struct.pack("<I", masked_crc32c(length)) + data + struct.pack("<I", masked_crc32c(data))


# --- writing (for tests and the benchmark's synthetic runs) -----------------------------


def scalar_event(step: int, values: dict[str, float], wall_time: float = 0.0) -> bytes:
    """A TFRecord of one event with a simple_value per tag, as PyTorch's add_scalar writes it."""
    summary = b"".join(
        encode_field(1, 2, encode_field(1, 2, tag.encode()) + encode_field(2, 5, struct.pack("<f", value)))
        for tag, value in values.items()
    )
    event = (encode_field(1, 1, struct.pack("<d", wall_time)) + encode_field(2, 0, encode_varint(step))
             + encode_field(5, 2, summary))
    return encode_record(event)
