#!/usr/bin/python3
"""Writes the seed corpora of the fuzz targets: tests/fuzz/corpus/<target>/<name>.

Run with Debian's python3 (it has pymongo's `bson`): /usr/bin/python3 tests/fuzz/make_corpus.py
Small valid inputs only; the fuzzer mutates from there.
"""
import datetime
import os
import struct
import zlib

import bson
from bson.binary import Binary
from bson.code import Code
from bson.decimal128 import Decimal128
from bson.int64 import Int64
from bson.max_key import MaxKey
from bson.min_key import MinKey
from bson.objectid import ObjectId
from bson.regex import Regex
from bson.son import SON
from bson.timestamp import Timestamp

HERE = os.path.dirname(os.path.abspath(__file__))
OP_REPLY, OP_QUERY, OP_COMPRESSED, OP_MSG = 1, 2004, 2012, 2013


def enc(d):
    return bson.BSON.encode(d)


def message(opcode, body, request_id=1):
    return struct.pack("<iiii", 16 + len(body), request_id, 0, opcode) + body


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc ^= b
        for _ in range(8):
            crc = (crc >> 1) ^ 0x82F63B78 if crc & 1 else crc >> 1
    return crc ^ 0xFFFFFFFF


def op_msg(body, flags=0, sequences=()):
    payload = struct.pack("<I", flags)
    for ident, docs in sequences:
        data = ident.encode() + b"\x00" + b"".join(enc(d) for d in docs)
        payload += b"\x01" + struct.pack("<i", 4 + len(data)) + data
    payload += b"\x00" + enc(body)
    if flags & 1:
        msg = message(OP_MSG, payload + b"\x00" * 4)
        return msg[:-4] + struct.pack("<I", crc32c(msg[:-4]))
    return message(OP_MSG, payload)


def op_query(ns, query, n=-1, flags=0):
    return message(OP_QUERY, struct.pack("<i", flags) + ns.encode() + b"\x00" +
                   struct.pack("<ii", 0, n) + enc(query))


def snappy_literal(data):
    """A valid snappy stream made of one literal (len <= 60)."""
    assert 0 < len(data) <= 60
    out, n = b"", len(data)
    while True:  # varint length
        if n < 0x80:
            out += bytes([n])
            break
        out += bytes([(n & 0x7F) | 0x80])
        n >>= 7
    return out + bytes([(len(data) - 1) << 2]) + data


def zstd_raw(data):
    """A valid zstd frame holding one raw block (single segment, 2-byte content size)."""
    assert 256 <= len(data) < 65536 + 256
    frame = struct.pack("<I", 0xFD2FB528) + bytes([0x60]) + struct.pack("<H", len(data) - 256)
    header = (len(data) << 3) | 1  # last block, raw
    return frame + struct.pack("<I", header)[:3] + data


def compressed(inner, compressor_id, packed):
    body = inner[16:]
    opcode = struct.unpack("<i", inner[12:16])[0]
    return message(OP_COMPRESSED, struct.pack("<iiB", opcode, len(body), compressor_id) + packed)


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def main():
    ping = op_msg(SON([("ping", 1), ("$db", "admin")]))
    insert = op_msg(SON([("insert", "c"), ("$db", "test")]),
                    sequences=[("documents", [{"_id": 1, "a": "x"}, {"_id": 2}])])
    write("fuzz_wire_message", "op_msg_ping", ping)
    write("fuzz_wire_message", "op_msg_insert_sequence", insert)
    write("fuzz_wire_message", "op_msg_checksum", op_msg(SON([("ping", 1), ("$db", "a")]), flags=1))
    write("fuzz_wire_message", "op_msg_more_to_come",
          op_msg(SON([("endSessions", []), ("$db", "admin")]), flags=2))
    write("fuzz_wire_message", "op_msg_two_sequences",
          op_msg(SON([("update", "c"), ("$db", "t")]),
                 sequences=[("updates", [{"q": {}, "u": {"$set": {"a": 1}}}]), ("x", [])]))
    write("fuzz_wire_message", "op_query_ismaster",
          op_query("admin.$cmd", SON([("ismaster", 1), ("helloOk", True),
                                      ("client", {"driver": {"name": "fuzz"}}),
                                      ("compression", ["snappy", "zlib", "zstd"])])))
    write("fuzz_wire_message", "op_query_wrapped",
          op_query("admin.$cmd", SON([("$query", {"isMaster": 1}),
                                      ("$readPreference", {"mode": "primary"})])))
    write("fuzz_wire_message", "op_query_collection", op_query("test.coll", {"a": 1}, n=0))
    write("fuzz_wire_message", "op_compressed_noop", compressed(ping, 0, ping[16:]))
    write("fuzz_wire_message", "op_compressed_zlib", compressed(insert, 2, zlib.compress(insert[16:])))
    write("fuzz_wire_message", "op_compressed_snappy", compressed(ping, 1, snappy_literal(ping[16:])))
    big = op_msg(SON([("find", "c"), ("filter", {"s": "y" * 300}), ("$db", "test")]))
    write("fuzz_wire_message", "op_compressed_zstd", compressed(big, 3, zstd_raw(big[16:])))

    write("fuzz_bson", "empty", enc({}))
    write("fuzz_bson", "scalars", enc(SON([
        ("d", 1.5), ("s", "str"), ("b", True), ("n", None), ("i", 7), ("l", Int64(1 << 40)),
        ("dt", datetime.datetime(2020, 1, 2, 3, 4, 5)), ("oid", ObjectId("5f0000000000000000000001")),
        ("ts", Timestamp(1, 2)), ("dec", Decimal128("1.25E+3")), ("min", MinKey()), ("max", MaxKey()),
    ])))
    write("fuzz_bson", "nested", enc({"a": {"b": [1, {"c": [[], {}]}, "x"]}, "e": []}))
    write("fuzz_bson", "binary_regex_code", enc(SON([
        ("bin", Binary(b"\x00\x01\x02", 0)), ("uuid", Binary(b"0123456789abcdef", 4)),
        ("re", Regex("^a.*b$", "im")), ("code", Code("function(){}")),
        ("cws", Code("return x", {"x": 1})),
    ])))
    write("fuzz_bson", "special_doubles", enc(SON([
        ("nan", float("nan")), ("inf", float("inf")), ("ninf", float("-inf")), ("nz", -0.0),
        ("dnan", Decimal128("NaN")), ("dinf", Decimal128("-Infinity")),
    ])))
    write("fuzz_bson", "extjson_like_keys", enc({"$numberInt": "1", "$oid": 5, "x": {"$date": 1}}))
    write("fuzz_bson", "unicode", enc({"k\u00e9y": "v\u00e4l\u00fc\u20ac", "": "empty name"}))
    write("fuzz_bson", "command", enc(SON([("find", "c"), ("filter", {"a": {"$gt": 1}}),
                                           ("sort", {"a": -1}), ("$db", "test")])))


if __name__ == "__main__":
    main()
