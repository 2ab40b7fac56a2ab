"""Bad input at the socket level (raw sockets, no driver): truncated messages, lying lengths, unknown
opcodes, invalid BSON, nesting too deep, oversized lengths, bad checksums, random garbage. Each one
must end in an error reply or a closed connection -- never a crash, never an "ok: 1" -- and the
server must keep serving other connections, including one opened before the bad input."""
import random
import socket
import struct

import bson
import pytest
from bson.codec_options import CodecOptions

from ddsd_launcher import op_msg, ping_once, recv_message

OP_REPLY = 1
OP_QUERY = 2004
OP_MSG = 2013


def doc(d):
    return bson.BSON.encode(d)


def connect(ddsd):
    s = socket.create_connection(("127.0.0.1", ddsd.port), timeout=5)
    s.settimeout(5)
    return s


# Error messages may quote the (garbage) input back, invalid UTF-8 included, as mongod does.
LENIENT = CodecOptions(unicode_decode_error_handler="replace")


def reply_body(msg):
    """The first document of an OP_MSG or OP_REPLY reply."""
    opcode = struct.unpack("<i", msg[12:16])[0]
    if opcode == OP_MSG:
        assert msg[20] == 0, "first section of a reply must be kind 0"
        return bson.BSON(msg[21:21 + struct.unpack("<i", msg[21:25])[0]]).decode(LENIENT)
    if opcode == OP_REPLY:
        return bson.BSON(msg[36:36 + struct.unpack("<i", msg[36:40])[0]]).decode(LENIENT)
    raise AssertionError("reply with unexpected opcode %d" % opcode)


def expect_rejected(sock):
    """Returns "closed" or the error reply; fails on ok: 1 or on silence for 5 s."""
    try:
        msg = recv_message(sock)
    except (ConnectionResetError, BrokenPipeError):
        return "closed"
    except socket.timeout:
        pytest.fail("server neither replied nor closed the connection within 5 s")
    if not msg:
        return "closed"
    body = reply_body(msg)
    assert body.get("ok") in (0, 0.0), "bad input got a success reply: %r" % body
    return body


def send_raw(sock, data):
    try:
        sock.sendall(data)
    except (ConnectionResetError, BrokenPipeError):
        pass  # the server may close before reading everything: that is an accepted outcome


@pytest.fixture
def witness(ddsd):
    """A connection opened before the bad input; it must still work afterwards."""
    s = connect(ddsd)
    s.sendall(op_msg(doc({"ping": 1, "$db": "admin"})))
    assert reply_body(recv_message(s))["ok"] == 1.0
    yield s
    s.sendall(op_msg(doc({"ping": 1, "$db": "admin"}), request_id=77))
    msg = recv_message(s)
    assert msg, "a connection opened before the bad input was closed"
    assert reply_body(msg)["ok"] == 1.0
    assert struct.unpack("<i", msg[8:12])[0] == 77, "responseTo must echo the requestID"
    s.close()
    assert ddsd.alive(), "ddsd died:\n" + ddsd.log_tail()
    assert ping_once(ddsd.port), "a new connection cannot ping after the bad input"


def header(length, opcode, request_id=1, response_to=0):
    return struct.pack("<iiii", length, request_id, response_to, opcode)


def test_truncated_message_then_eof(ddsd, witness):
    full = op_msg(doc({"ping": 1, "$db": "admin"}))
    s = connect(ddsd)
    send_raw(s, full[:len(full) - 7])
    s.shutdown(socket.SHUT_WR)
    assert expect_rejected(s) == "closed"
    s.close()


def test_truncated_header_then_eof(ddsd, witness):
    s = connect(ddsd)
    send_raw(s, b"\x30\x00\x00")
    s.shutdown(socket.SHUT_WR)
    assert expect_rejected(s) == "closed"
    s.close()


@pytest.mark.parametrize("length", [0, 4, 15, -1, -2147483648])
def test_length_smaller_than_header(ddsd, witness, length):
    s = connect(ddsd)
    send_raw(s, header(length, OP_MSG) + b"\x00" * 32)
    expect_rejected(s)
    s.close()


@pytest.mark.parametrize("length", [48000001, 0x7FFFFFFF])
def test_oversized_length(ddsd, witness, length):
    s = connect(ddsd)
    send_raw(s, header(length, OP_MSG) + b"\x00" * 64)
    expect_rejected(s)
    s.close()


def test_length_longer_than_content(ddsd, witness):
    # Claims 64 more bytes than the body has, then sends zeros to fill: trailing junk after the doc.
    body = struct.pack("<I", 0) + b"\x00" + doc({"ping": 1, "$db": "admin"})
    s = connect(ddsd)
    send_raw(s, header(16 + len(body) + 64, OP_MSG) + body + b"\x00" * 64)
    expect_rejected(s)
    s.close()


def test_length_shorter_than_content(ddsd, witness):
    body = struct.pack("<I", 0) + b"\x00" + doc({"ping": 1, "$db": "admin"})
    s = connect(ddsd)
    send_raw(s, header(16 + len(body) - 6, OP_MSG) + body)
    expect_rejected(s)
    s.close()


@pytest.mark.parametrize("opcode", [0, 1, 999, 2002, 2005, 2010, 9999, -5])
def test_unknown_or_unsupported_opcode(ddsd, witness, opcode):
    payload = b"\x00" * 4 + doc({"ping": 1})
    s = connect(ddsd)
    send_raw(s, header(16 + len(payload), opcode) + payload)
    expect_rejected(s)
    s.close()


INVALID_DOCS = {
    "length_too_big": struct.pack("<i", 200) + b"\x10a\x00\x01\x00\x00\x00\x00",
    "length_too_small": struct.pack("<i", 6) + b"\x10a\x00\x01\x00\x00\x00\x00",
    "no_terminator": struct.pack("<i", 12) + b"\x10a\x00\x01\x00\x00\x00\x01",
    "bad_type_byte": struct.pack("<i", 12) + b"\x7ea\x00\x01\x00\x00\x00\x00",
    "string_len_lies": struct.pack("<i", 17) + b"\x02s\x00" + struct.pack("<i", 255) + b"abcd\x00\x00",
    "string_not_nul_terminated": struct.pack("<i", 14) + b"\x02s\x00" + struct.pack("<i", 2) + b"ab\x00",
    "field_name_unterminated": struct.pack("<i", 9) + b"\x10abcd",
    "negative_length": struct.pack("<i", -20) + b"\x00" * 16,
    "bool_not_0_or_1": struct.pack("<i", 12) + b"\x08ping\x00\x07\x00",
    "empty": b"",
}


@pytest.mark.parametrize("name", sorted(INVALID_DOCS))
def test_invalid_bson_in_op_msg(ddsd, witness, name):
    body = struct.pack("<I", 0) + b"\x00" + INVALID_DOCS[name]
    s = connect(ddsd)
    send_raw(s, header(16 + len(body), OP_MSG) + body)
    expect_rejected(s)
    s.close()


def test_invalid_bson_in_op_query(ddsd, witness):
    bad = INVALID_DOCS["bad_type_byte"]
    body = struct.pack("<i", 0) + b"admin.$cmd\x00" + struct.pack("<ii", 0, -1) + bad
    s = connect(ddsd)
    send_raw(s, header(16 + len(body), OP_QUERY) + body)
    expect_rejected(s)
    s.close()


def test_unknown_section_kind(ddsd, witness):
    body = struct.pack("<I", 0) + b"\x00" + doc({"ping": 1, "$db": "admin"}) + b"\x07" + doc({"x": 1})
    s = connect(ddsd)
    send_raw(s, header(16 + len(body), OP_MSG) + body)
    expect_rejected(s)
    s.close()


def test_bad_checksum(ddsd, witness):
    body = struct.pack("<I", 1) + b"\x00" + doc({"ping": 1, "$db": "admin"}) + b"\xde\xad\xbe\xef"
    s = connect(ddsd)
    send_raw(s, header(16 + len(body), OP_MSG) + body)
    expect_rejected(s)
    s.close()


def test_unknown_required_flag_bit(ddsd, witness):
    body = struct.pack("<I", 1 << 3) + b"\x00" + doc({"ping": 1, "$db": "admin"})
    s = connect(ddsd)
    send_raw(s, header(16 + len(body), OP_MSG) + body)
    expect_rejected(s)
    s.close()


def test_nesting_too_deep(ddsd, witness):
    deep = {"leaf": 1}
    for _ in range(200):
        deep = {"d": deep}
    s = connect(ddsd)
    send_raw(s, op_msg(doc({"insert": "deep", "documents": [deep], "$db": "py_bad_input"})))
    try:
        msg = recv_message(s)
    except (ConnectionResetError, BrokenPipeError):
        msg = b""
    if msg:
        body = reply_body(msg)
        assert body.get("ok") in (0, 0.0) or body.get("writeErrors"), \
            "a 200-deep document was accepted: %r" % body
    s.close()
    s = connect(ddsd)
    s.sendall(op_msg(doc({"count": "deep", "$db": "py_bad_input"})))
    assert reply_body(recv_message(s)).get("n", 0) == 0
    s.close()


def test_missing_db_field(ddsd, witness):
    s = connect(ddsd)
    send_raw(s, op_msg(doc({"ping": 1})))
    expect_rejected(s)
    s.close()


def test_random_garbage_messages(ddsd, witness):
    rng = random.Random(20261128)
    good = op_msg(doc({"find": "c", "filter": {"a": {"$gt": 1}}, "$db": "py_bad_input"}))
    for i in range(300):
        data = bytearray(good)
        for _ in range(rng.randint(1, 8)):
            pos = rng.randrange(4, len(data))  # keep the length field so the server reads it all
            data[pos] = rng.randrange(256)
        s = connect(ddsd)
        s.settimeout(1)  # a flipped moreToCome bit legitimately gets no reply
        send_raw(s, bytes(data))
        try:
            msg = recv_message(s)
            if msg:
                reply_body(msg)  # must be a well-formed reply (success is possible for benign flips)
        except (ConnectionResetError, BrokenPipeError):
            pass
        except socket.timeout:
            pass  # e.g. a flipped moreToCome bit: no reply expected
        s.close()
        assert ddsd.alive(), "ddsd died on garbage message %d: %r\n%s" % (i, bytes(data), ddsd.log_tail())


def test_many_connections_closing_abruptly(ddsd, witness):
    for _ in range(200):
        s = connect(ddsd)
        s.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))  # RST on close
        send_raw(s, op_msg(doc({"ping": 1, "$db": "admin"}))[:20])
        s.close()
