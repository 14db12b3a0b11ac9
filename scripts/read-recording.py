#!/usr/bin/env python3
"""Read a uwsgitop-ts recording (docs/recording-format.md) without uwsgitop-ts: one JSON line per poll.

usage: read-recording.py FILE [FILE...]   (segments in the order given, e.g. app.uwrec.1 app.uwrec)

Each output line is {"t": read time (epoch ms), "doc": the uWSGI stats document} for a successful read,
or {"t": ..., "err": reason, "code": ...} for a failed one. A cut or damaged tail is reported on stderr.
"""
import json
import struct
import os
import sys
import zlib

MAGIC = b"UWSGITOP-REC\n"
WINDOW = 32 * 1024


def apply_patch(doc, ops):
    for op in ops:
        kind, path = op[0], op[1]
        if not path:
            doc = op[2] if kind == 0 else doc + op[2]
            continue
        parent = doc
        for step in path[:-1]:
            parent = parent[step]
        last = path[-1]
        if kind == 0:
            if isinstance(parent, list) and last == len(parent):
                parent.append(op[2])
            else:
                parent[last] = op[2]
        elif kind == 1:
            if isinstance(parent, list):
                del parent[last:]
            else:
                del parent[last]
        else:
            parent[last] += op[2]
    return doc


def read_segment(path, out):
    data = open(path, "rb").read()
    if not data.startswith(MAGIC):
        sys.exit(f"{path}: not a uwsgitop-ts recording")
    at = len(MAGIC)
    history = b""
    doc = None
    streaming = False
    while at < len(data):
        if len(data) - at < 9:
            print(f"{path}: incomplete poll at the end ({len(data) - at} bytes), ignored", file=sys.stderr)
            return
        length, crc = struct.unpack(">II", data[at:at + 8])
        body = data[at + 8:at + 9 + length]
        if len(body) != length + 1:
            print(f"{path}: incomplete poll at the end ({len(data) - at} bytes), ignored", file=sys.stderr)
            return
        if zlib.crc32(body) != crc:
            print(f"{path}: damaged data at byte {at}, the rest ignored", file=sys.stderr)
            return
        kind, payload = chr(body[0]), body[1:]
        at += 9 + length
        if kind == "H":
            header = json.loads(payload)
            if header.get("format") != 1:
                sys.exit(f"{path}: format {header.get('format')} is not format 1")
            continue
        if kind == "K":
            history, doc, streaming = b"", None, True
        elif kind != "D" or not streaming:
            continue
        inflater = zlib.decompressobj(-15, zdict=history) if history else zlib.decompressobj(-15)
        text = inflater.decompress(payload) + inflater.flush()
        history = (history + text)[-WINDOW:]
        record = json.loads(text)
        if "err" in record:
            out({"t": record["t"], "err": record["err"], "code": record.get("code")})
            continue
        doc = record["doc"] if "doc" in record else apply_patch(doc, record["p"])
        out({"t": record["t"], "doc": doc})


def main():
    if len(sys.argv) < 2:
        sys.exit(__doc__)
    write = lambda rec: sys.stdout.write(json.dumps(rec, separators=(",", ":")) + "\n")
    for path in sys.argv[1:]:
        read_segment(path, write)


if __name__ == "__main__":
    try:
        main()
        sys.stdout.flush()
    except BrokenPipeError:
        # The reader went away (`| head`): that ends the output, as uwsgitop-ts --json --watch ends. Point
        # stdout at /dev/null so that Python's own flush at exit does not fail again with a traceback.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        sys.exit(0)
