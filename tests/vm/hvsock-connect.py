#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Host end of a host-initiated hybrid-vsock connection (Firecracker's
convention, served here by vaccel-vsock-device).

    hvsock-connect.py UDS_PATH PORT [MESSAGE]

Connects to UDS_PATH, sends "CONNECT PORT\\n" and reads the one-line
answer. With MESSAGE, sends it, shuts down its sending side and expects
the same bytes back (tests/vm/guest/vsock-serve.c echoes). Prints what
happened. Exit status: 0 when the guest accepted (and echoed MESSAGE), 1
when the connection was closed without "OK <port>" (nothing listens on
PORT in the guest), 2 on anything else.
"""
import socket
import sys


def main():
    if len(sys.argv) not in (3, 4):
        print(__doc__, file=sys.stderr)
        return 2
    path, port = sys.argv[1], int(sys.argv[2])
    msg = sys.argv[3].encode() if len(sys.argv) == 4 else b""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(60)
    s.connect(path)
    s.sendall(b"CONNECT %d\n" % port)
    line = b""
    while not line.endswith(b"\n"):
        c = s.recv(1)
        if not c:
            print("hvsock-connect: port %d: closed without OK%s" %
                  (port, " (got %r)" % line if line else ""))
            return 1
        line += c
    if not line.startswith(b"OK ") or not line[3:-1].isdigit():
        print("hvsock-connect: port %d: bad answer %r" % (port, line))
        return 2
    print("hvsock-connect: port %d: %s" % (port, line.decode().strip()))
    if not msg:
        return 0
    s.sendall(msg)
    s.shutdown(socket.SHUT_WR)
    back = b""
    while True:
        c = s.recv(4096)
        if not c:
            break
        back += c
    if back != msg:
        print("hvsock-connect: port %d: echo %r, expected %r" %
              (port, back, msg))
        return 2
    print("hvsock-connect: port %d: %d bytes echoed" % (port, len(back)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
