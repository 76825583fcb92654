#!/usr/bin/env python3
"""The Python bindings vs strata-server's Prometheus HTTP API, from Python,
on the same job (bench/python_batch_bench.py's workload): append it, then
read all of it back as NumPy arrays.

- binding: strata.DB.append of NumPy views, window by window, then one
  strata.DB.select.
- HTTP: remote write (protobuf from Debian's python3-protobuf, snappy from
  python3-snappy), one request per append of the binding (`window` samples
  of one series), over one keep-alive connection to a strata-server
  started on a free loopback port with a temporary data directory; then
  one GET /api/v1/query_range?query=bench with step 1 s over the written
  range (one point per sample), its JSON decoded and turned into arrays.

Usage (after `make`):
  PYTHONPATH=build/bindings/python /usr/bin/python3 bench/python_http_bench.py \
      --server=build/tools/strata-server/strata-server \
      [series=1000] [samples_per_series=10000] [window=1000]
"""

import http.client
import json
import os
import socket
import subprocess
import sys
import tempfile
import time

import numpy as np
import snappy

from python_batch_bench import parse_args, rate, run_binding, workload

REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
PROTO_DIR = os.path.join(REPO, "lib", "server", "remote", "proto")


def remote_write_messages(out_dir):
    """prometheus/remote.proto compiled for Python with protoc: the
    (WriteRequest, Sample) message classes."""
    subprocess.run(["protoc", f"--python_out={out_dir}", f"-I{PROTO_DIR}",
                    "prometheus/types.proto", "prometheus/remote.proto"],
                   check=True)
    sys.path.insert(0, out_dir)
    from prometheus import remote_pb2, types_pb2  # noqa: PLC0415
    return remote_pb2.WriteRequest, types_pb2.Sample


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def start_server(binary, data_dir, port, log):
    """strata-server, once /-/ready answers (bounded wait); its output goes
    to the file log."""
    proc = subprocess.Popen(
        [binary, f"--storage.tsdb.path={data_dir}",
         f"--web.listen-address=127.0.0.1:{port}"],
        stdout=log, stderr=subprocess.STDOUT)
    for _ in range(300):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            conn.request("GET", "/-/ready")
            if conn.getresponse().status == 200:
                return proc
        except OSError:
            pass
        if proc.poll() is not None:
            break
        time.sleep(0.1)
    proc.kill()
    raise RuntimeError("strata-server did not become ready")


def remote_write(messages, conn, series, samples, window):
    """The workload as remote-write requests; seconds, of which encoding
    (protobuf + snappy) in Python."""
    t, values, labels = workload(series, samples)
    t_list = t.tolist()
    values_lists = [v.tolist() for v in values]
    headers = {"Content-Type": "application/x-protobuf",
               "Content-Encoding": "snappy",
               "X-Prometheus-Remote-Write-Version": "0.1.0"}
    write_request, sample = messages
    encode_s = 0.0
    start = time.perf_counter()
    for begin in range(0, samples, window):
        end = min(begin + window, samples)
        for s in range(series):
            encode_start = time.perf_counter()
            request = write_request()
            ts = request.timeseries.add()
            for name, value in labels[s].items():
                ts.labels.add(name=name, value=value)
            ts.samples.extend(
                sample(value=v, timestamp=ms)
                for v, ms in zip(values_lists[s][begin:end], t_list[begin:end]))
            body = snappy.compress(request.SerializeToString())
            encode_s += time.perf_counter() - encode_start
            conn.request("POST", "/api/v1/write", body=body, headers=headers)
            response = conn.getresponse()
            response.read()
            if response.status != 204:
                raise RuntimeError(f"remote write: {response.status}")
    return time.perf_counter() - start, encode_s


def query_range(conn, samples):
    """One query_range of every series into (labels, timestamps, values)
    arrays; seconds, of which JSON decoding and conversion in Python."""
    end_s = samples - 1  # the last sample's time, in seconds
    start = time.perf_counter()
    conn.request("GET", f"/api/v1/query_range?query=bench&start=0"
                        f"&end={end_s}&step=1")
    response = conn.getresponse()
    body = response.read()
    if response.status != 200:
        raise RuntimeError(f"query_range: {response.status} {body[:200]}")
    decode_start = time.perf_counter()
    result = json.loads(body)["data"]["result"]
    got = []
    for s in result:
        points = s["values"]
        timestamps = (np.array([p[0] for p in points], dtype=np.float64)
                      * 1000).astype(np.int64)
        values = np.array([p[1] for p in points], dtype=np.float64)
        got.append((s["metric"], timestamps, values))
    done = time.perf_counter()
    return got, done - start, done - decode_start, len(body)


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--server=")]
    servers = [a.split("=", 1)[1] for a in sys.argv[1:]
               if a.startswith("--server=")]
    if not servers:
        sys.exit(__doc__)
    series, samples, window = parse_args(args)
    total = series * samples

    append_s, select_s = run_binding(series, samples, window)
    print(f"binding: append {rate(total, append_s)}, "
          f"select {rate(total, select_s)}")

    with tempfile.TemporaryDirectory(prefix="strata-http-bench-") as tmp:
        messages = remote_write_messages(tmp)
        data_dir = os.path.join(tmp, "data")
        os.mkdir(data_dir)
        port = free_port()
        log = open(os.path.join(tmp, "server.log"), "wb")
        server = start_server(servers[0], data_dir, port, log)
        try:
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=600)
            write_s, encode_s = remote_write(messages, conn, series,
                                             samples, window)
            print(f"HTTP:    remote write {rate(total, write_s)}, of which "
                  f"{encode_s:.3f} s protobuf+snappy in Python")
            got, query_s, decode_s, size = query_range(conn, samples)
            assert len(got) == series, len(got)
            assert sum(len(ts) for _, ts, _ in got) == total
            print(f"HTTP:    query_range {rate(total, query_s)}, of which "
                  f"{decode_s:.3f} s JSON decoding + arrays in Python "
                  f"({size / 1e6:.0f} MB of JSON)")
        finally:
            server.terminate()
            server.wait(timeout=120)
            log.close()
    print(f"binding vs HTTP: append {write_s / append_s:.1f}x faster, "
          f"select {query_s / select_s:.1f}x faster")


if __name__ == "__main__":
    main()
