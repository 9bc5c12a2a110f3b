#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Host half of the virtio-serial smoke test.

    host-echo.py SOCKET [--prefix TEXT] [--log FILE]

Listens on the unix socket SOCKET (QEMU connects to it as the client of a
virtserialport chardev), and answers every line it receives with PREFIX +
the line. Each received line is also appended to FILE, so that the test can
check on the host side that the guest's bytes really arrived. Serves one
connection after another until it is killed.
"""
import argparse
import os
import socket
import sys


def serve(conn, prefix, log):
    buf = b""
    while True:
        data = conn.recv(4096)
        if not data:
            return
        buf += data
        while b"\n" in buf:
            line, buf = buf.split(b"\n", 1)
            if log:
                with open(log, "ab") as f:
                    f.write(line + b"\n")
            conn.sendall(prefix + line + b"\n")


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("socket")
    ap.add_argument("--prefix", default="echo:")
    ap.add_argument("--log")
    args = ap.parse_args()

    if os.path.exists(args.socket):
        os.unlink(args.socket)
    srv = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    srv.bind(args.socket)
    srv.listen(1)
    print(f"host-echo: listening on {args.socket}", file=sys.stderr, flush=True)
    try:
        while True:
            conn, _ = srv.accept()
            with conn:
                serve(conn, args.prefix.encode(), args.log)
    except KeyboardInterrupt:
        pass
    finally:
        os.unlink(args.socket)


if __name__ == "__main__":
    main()
