"""A minimal raw HTTP/2 gRPC client (the `h2` package) for behaviour grpcio hides: exact
response headers and message flags, stopping reading, resetting streams."""
import socket
import struct
import time

import h2.config
import h2.connection
import h2.events
import h2.settings


def frame(message: bytes, compressed: bool = False) -> bytes:
    """gRPC length-prefixed message: flag byte, 4-byte big-endian length, body."""
    return struct.pack(">BI", 1 if compressed else 0, len(message)) + message


class Stream:
    def __init__(self):
        self.headers = {}
        self.data = b""
        self.trailers = {}
        self.ended = False
        self.reset = None


class RawH2:
    def __init__(self, addr, initial_window=None, connection_window=None, timeout_s=5.0):
        host, port = addr.rsplit(":", 1)
        self.authority = addr
        self.sock = socket.create_connection((host, int(port)), timeout=timeout_s)
        self.conn = h2.connection.H2Connection(
            h2.config.H2Configuration(client_side=True, header_encoding="utf-8"))
        self.conn.initiate_connection()
        if initial_window is not None:
            self.conn.update_settings({h2.settings.SettingCodes.INITIAL_WINDOW_SIZE: initial_window})
        if connection_window is not None and connection_window > 65535:
            self.conn.increment_flow_control_window(connection_window - 65535)
        self.streams = {}
        self.goaway = None
        self.closed = False
        self.flush()

    def flush(self):
        out = self.conn.data_to_send()
        if out:
            self.sock.sendall(out)

    def start(self, path, message: bytes, end_stream=True, extra_headers=()):
        sid = self.conn.get_next_available_stream_id()
        self.conn.send_headers(sid, [
            (":method", "POST"), (":scheme", "http"), (":path", path),
            (":authority", self.authority), ("content-type", "application/grpc"),
            ("te", "trailers"), *extra_headers])
        self.conn.send_data(sid, frame(message), end_stream=end_stream)
        self.streams[sid] = Stream()
        self.flush()
        return sid

    def reset(self, sid):
        self.conn.reset_stream(sid, h2.errors.ErrorCodes.CANCEL)
        self.flush()

    def pump(self, until, timeout_s=5.0, ack_data=True):
        """Read and handle frames until until() is true; False on timeout or close."""
        deadline = time.monotonic() + timeout_s
        while not until():
            if self.closed or time.monotonic() > deadline:
                return until()
            self.sock.settimeout(max(0.01, deadline - time.monotonic()))
            try:
                data = self.sock.recv(65536)
            except socket.timeout:
                continue
            except OSError:
                data = b""
            if not data:
                self.closed = True
                continue
            for ev in self.conn.receive_data(data):
                self._handle(ev, ack_data)
            self.flush()
        return True

    def _handle(self, ev, ack_data):
        st = self.streams.get(getattr(ev, "stream_id", None))
        if isinstance(ev, h2.events.ResponseReceived) and st:
            st.headers = dict(ev.headers)
        elif isinstance(ev, h2.events.TrailersReceived) and st:
            st.trailers = dict(ev.headers)
        elif isinstance(ev, h2.events.DataReceived):
            if st:
                st.data += ev.data
            if ack_data:
                self.conn.acknowledge_received_data(ev.flow_controlled_length, ev.stream_id)
        elif isinstance(ev, h2.events.StreamEnded) and st:
            st.ended = True
        elif isinstance(ev, h2.events.StreamReset) and st:
            st.reset = ev.error_code
            st.ended = True
        elif isinstance(ev, h2.events.ConnectionTerminated):
            self.goaway = ev.error_code

    def grpc_status(self, sid):
        st = self.streams[sid]
        return st.trailers.get("grpc-status", st.headers.get("grpc-status"))

    def close(self):
        try:
            self.sock.close()
        except OSError:
            pass


import h2.errors  # noqa: E402  (after the class, used only by reset())
