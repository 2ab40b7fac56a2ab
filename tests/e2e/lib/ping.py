#!/usr/bin/env python3
"""Waits until a ddsd answers {ping: 1} over OP_MSG on 127.0.0.1:PORT (raw socket, no driver).

Usage: ping.py PORT [TIMEOUT_SECONDS]. Exit 0 when ping answered ok: 1, 1 on timeout.
"""
import socket
import struct
import sys
import time


def bson_ping():
    # {ping: 1, $db: "admin"}
    body = b"\x10ping\x00" + struct.pack("<i", 1) + b"\x02$db\x00" + struct.pack("<i", 6) + b"admin\x00"
    return struct.pack("<i", len(body) + 5) + body + b"\x00"


def ping_once(port):
    doc = bson_ping()
    msg = struct.pack("<I", 0) + b"\x00" + doc  # flagBits, section kind 0
    header = struct.pack("<iiii", 16 + len(msg), 1, 0, 2013)
    with socket.create_connection(("127.0.0.1", port), timeout=2) as s:
        s.sendall(header + msg)
        data = b""
        while len(data) < 4 or len(data) < struct.unpack("<i", data[:4])[0]:
            chunk = s.recv(65536)
            if not chunk:
                return False
            data += chunk
    # ok: 1 as double or int anywhere in the reply body is good enough here.
    return b"\x01ok\x00" + struct.pack("<d", 1.0) in data or b"\x10ok\x00" + struct.pack("<i", 1) in data


def main():
    port = int(sys.argv[1])
    timeout = float(sys.argv[2]) if len(sys.argv) > 2 else 20.0
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if ping_once(port):
                return 0
        except OSError:
            pass
        time.sleep(0.05)
    print(f"ddsd on port {port} did not answer ping within {timeout}s", file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main())
