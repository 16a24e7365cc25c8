# The kernel side of `./jiip tap-bench --loss`: the client that times one TCP transfer, and the kernel servers
# that stand in for jiip's (same protocols as jiip-io's EchoServer, DiscardServer and HttpServer /bytes/N).
# Every stream is the jiip Pattern (byte i is i % 251), so both ends can check it without sharing a file.
#
#   transfer.py client echo|download|upload HOST BYTES TIMEOUT_S CC
#       prints "ok SECONDS BYTES" (exit 0), "timeout SECONDS BYTES" (exit 3) or "error MESSAGE" (exit 1);
#       SECONDS runs from the established connection to the verified end of the transfer.
#   transfer.py server HOST CC
#       echo on port 7, discard on 9, HTTP GET /bytes/N on 80; until killed.
#   transfer.py check CC
#       exit 0 if a socket can use CC, else "error MESSAGE" (exit 1).
# CC is the Linux congestion control of every socket (TCP_CONGESTION: root may pick any the kernel has, whatever
# net.ipv4.tcp_allowed_congestion_control says), so that the comparison with jiip is like for like.
import hashlib
import os
import signal
import socket
import sys
import threading
import time

ECHO_PORT, DISCARD_PORT, HTTP_PORT = 7, 9, 80
PERIOD = 251
BLOCK = bytes(range(PERIOD)) * 4096  # a whole number of periods: every slice from 0 continues the stream
CHUNK = 1 << 18


def pattern_sha256(n):
    h = hashlib.sha256()
    left = n
    while left > 0:
        k = min(left, len(BLOCK))
        h.update(BLOCK[:k])
        left -= k
    return h.hexdigest()


def send_pattern(sock, n):
    view = memoryview(BLOCK)
    left = n
    while left > 0:
        k = min(left, len(BLOCK))
        sock.sendall(view[:k])
        left -= k


def congestion_control(sock, cc):
    sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, cc.encode())
    actual = sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_CONGESTION, 16).rstrip(b"\0").decode()
    if actual != cc:
        raise OSError("congestion control %s asked, %s in use" % (cc, actual))


def client(mode, host, n, timeout, cc):
    received = [0]
    started = [None]

    def expire(signum, frame):
        elapsed = time.monotonic() - started[0] if started[0] else 0.0
        print("timeout %.6f %d" % (elapsed, received[0]), flush=True)
        os._exit(3)

    signal.signal(signal.SIGALRM, expire)
    signal.setitimer(signal.ITIMER_REAL, timeout)
    port = {"echo": ECHO_PORT, "download": HTTP_PORT, "upload": DISCARD_PORT}[mode]
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    congestion_control(sock, cc)
    sock.connect((host, port))
    # The clock starts once the handshake is done: a lost SYN costs the client's 1 s initial RTO, the same
    # against either server, and would swamp the transfer itself.
    started[0] = time.monotonic()
    digest = hashlib.sha256()
    if mode == "echo":
        # Send from a second thread while this one reads: a client that only reads after sending everything
        # deadlocks once the echo fills both ends' buffers.
        sender = threading.Thread(target=lambda: (send_pattern(sock, n), sock.shutdown(socket.SHUT_WR)),
                                  daemon=True)
        sender.start()
    elif mode == "download":
        sock.sendall(("GET /bytes/%d HTTP/1.1\r\nHost: %s\r\nConnection: close\r\n\r\n" % (n, host)).encode())
    else:
        send_pattern(sock, n)
        sock.shutdown(socket.SHUT_WR)
    head = b"" if mode == "download" else None
    while True:
        data = sock.recv(CHUNK)
        if not data:
            break
        if head is not None:
            head += data
            end = head.find(b"\r\n\r\n")
            if end < 0:
                continue
            if not head.startswith(b"HTTP/1.1 200"):
                print("error unexpected response %r" % head[:80], flush=True)
                sys.exit(1)
            data = head[end + 4:]
            head = None
        received[0] += len(data)
        digest.update(data)
    elapsed = time.monotonic() - started[0]
    signal.setitimer(signal.ITIMER_REAL, 0)
    sock.close()
    # upload: the server closes only after reading our FIN, so EOF here means it received every byte.
    expected = 0 if mode == "upload" else n
    if received[0] != expected:
        print("error received %d bytes, expected %d" % (received[0], expected), flush=True)
        sys.exit(1)
    if expected and digest.hexdigest() != pattern_sha256(n):
        print("error SHA-256 mismatch", flush=True)
        sys.exit(1)
    print("ok %.6f %d" % (elapsed, n), flush=True)


def serve_echo(conn):
    while True:
        data = conn.recv(CHUNK)
        if not data:
            break
        conn.sendall(data)
    conn.shutdown(socket.SHUT_WR)


def serve_discard(conn):
    while conn.recv(CHUNK):
        pass
    conn.shutdown(socket.SHUT_WR)


def serve_http(conn):
    head = b""
    while b"\r\n\r\n" not in head:
        data = conn.recv(4096)
        if not data:
            return
        head += data
    parts = head.split(b"\r\n", 1)[0].split(b" ")
    if len(parts) != 3 or parts[0] != b"GET" or not parts[1].startswith(b"/bytes/"):
        conn.sendall(b"HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\nConnection: close\r\n\r\n")
        conn.shutdown(socket.SHUT_WR)
        return
    n = int(parts[1][7:])
    conn.sendall(b"HTTP/1.1 200 OK\r\nServer: kernel\r\nContent-Length: %d\r\n"
                 b"Content-Type: application/octet-stream\r\nConnection: close\r\n\r\n" % n)
    send_pattern(conn, n)
    conn.shutdown(socket.SHUT_WR)
    # Wait for the client's FIN before closing, so that close() never turns into a reset.
    while conn.recv(CHUNK):
        pass


def server(host, cc):
    def accept_loop(listener, handler):
        while True:
            conn, _ = listener.accept()

            def run(c=conn):
                try:
                    handler(c)
                except OSError:
                    pass  # the client gave up (a timed-out run): its reset ends this connection
                finally:
                    c.close()

            threading.Thread(target=run, daemon=True).start()

    threads = []
    for port, handler in ((ECHO_PORT, serve_echo), (DISCARD_PORT, serve_discard), (HTTP_PORT, serve_http)):
        listener = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        congestion_control(listener, cc)  # accepted connections inherit it
        listener.bind((host, port))
        listener.listen(64)
        t = threading.Thread(target=accept_loop, args=(listener, handler), daemon=True)
        t.start()
        threads.append(t)
    for t in threads:
        t.join()


if __name__ == "__main__":
    if sys.argv[1] == "client":
        try:
            client(sys.argv[2], sys.argv[3], int(sys.argv[4]), float(sys.argv[5]), sys.argv[6])
        except OSError as e:
            print("error %s" % e, flush=True)
            sys.exit(1)
    elif sys.argv[1] == "check":
        try:
            congestion_control(socket.socket(socket.AF_INET, socket.SOCK_STREAM), sys.argv[2])
        except OSError as e:
            print("error congestion control %s: %s" % (sys.argv[2], e), flush=True)
            sys.exit(1)
    else:
        try:
            server(sys.argv[2], sys.argv[3])
        except OSError as e:
            print("error %s" % e, flush=True)
            sys.exit(1)
