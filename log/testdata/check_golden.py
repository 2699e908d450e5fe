#!/usr/bin/env python3
"""Independent check of the golden RecordBatch files (stdlib only + lz4 CLI).

Decodes every <name>.bin listed in golden_batches.json from the byte layout
alone (no kafkajs code), verifies CRC-32C, header fields, every record, and for
LZ4 batches the frame header checksum (own XXH32), the content checksum, and
decompression with the Debian `lz4` CLI and with liblz4 through ctypes. It also
re-compresses each LZ4 block with the system liblz4 (LZ4_compress_default) to
report whether a C++ encoder using it would produce the identical bytes, and
re-encodes every batch from the JSON alone (as a C++ test would) and compares.

Usage: python3 check_golden.py [dir]   (default: the folder of this script)
Not run by CI; documentation of how the files were verified.
"""

import ctypes
import hashlib
import json
import os
import struct
import subprocess
import sys

# ----------------------------------------------------------------- CRC-32C
_CRC32C_TABLE = []
for _n in range(256):
    _c = _n
    for _ in range(8):
        _c = (_c >> 1) ^ 0x82F63B78 if _c & 1 else _c >> 1
    _CRC32C_TABLE.append(_c)


def crc32c(data):
    crc = 0xFFFFFFFF
    for b in data:
        crc = _CRC32C_TABLE[(crc ^ b) & 0xFF] ^ (crc >> 8)
    return crc ^ 0xFFFFFFFF


assert crc32c(b"123456789") == 0xE3069283  # standard check value

# ------------------------------------------------------------------- XXH32
_P1, _P2, _P3, _P4, _P5 = 2654435761, 2246822519, 3266489917, 668265263, 374761393
_M = 0xFFFFFFFF


def _rotl(x, r):
    return ((x << r) | (x >> (32 - r))) & _M


def xxh32(data, seed=0):
    n = len(data)
    i = 0
    if n >= 16:
        v = [(seed + _P1 + _P2) & _M, (seed + _P2) & _M, seed & _M, (seed - _P1) & _M]
        while i + 16 <= n:
            for k in range(4):
                lane = struct.unpack_from("<I", data, i + 4 * k)[0]
                v[k] = (_rotl((v[k] + lane * _P2) & _M, 13) * _P1) & _M
            i += 16
        h = (_rotl(v[0], 1) + _rotl(v[1], 7) + _rotl(v[2], 12) + _rotl(v[3], 18)) & _M
    else:
        h = (seed + _P5) & _M
    h = (h + n) & _M
    while i + 4 <= n:
        h = (_rotl((h + struct.unpack_from("<I", data, i)[0] * _P3) & _M, 17) * _P4) & _M
        i += 4
    while i < n:
        h = (_rotl((h + data[i] * _P5) & _M, 11) * _P1) & _M
        i += 1
    h ^= h >> 15
    h = (h * _P2) & _M
    h ^= h >> 13
    h = (h * _P3) & _M
    h ^= h >> 16
    return h


assert xxh32(b"") == 0x02CC5D05
assert xxh32(b"abc") == 0x32D153FF

# ------------------------------------------------------------ byte specs


def spec_bytes(spec):
    if spec is None:
        return None
    if "utf8" in spec:
        return spec["utf8"].encode("utf-8")
    if "hex" in spec:
        return bytes.fromhex(spec["hex"])
    n = spec["n"]
    if spec["rule"] == "letters":
        return bytes(0x61 + ((7 * j + spec["i"]) % 26) for j in range(n))
    if spec["rule"] == "lcg":
        x = spec["seed"]
        out = bytearray(n)
        for j in range(n):
            x = (1103515245 * x + 12345) % 2147483648
            out[j] = (x >> 16) & 0xFF
        return bytes(out)
    raise ValueError(spec)


def check_spec(spec, actual, what):
    want = spec_bytes(spec)
    if want != actual:
        raise AssertionError(f"{what}: want {want!r:.80} got {actual!r:.80}")
    if spec is not None and spec["len"] != len(actual):
        raise AssertionError(f"{what}: len field {spec['len']} != {len(actual)}")
    if spec is not None and "sha256" in spec:
        assert hashlib.sha256(actual).hexdigest() == spec["sha256"], what


# ------------------------------------------------------------------ records


class Reader:
    def __init__(self, data):
        self.data, self.pos = data, 0

    def varint(self):
        result = shift = 0
        while True:
            b = self.data[self.pos]
            self.pos += 1
            result |= (b & 0x7F) << shift
            if not b & 0x80:
                break
            shift += 7
        return (result >> 1) ^ -(result & 1)

    def take(self, n):
        if n < 0:
            return None
        out = self.data[self.pos : self.pos + n]
        assert len(out) == n, "truncated"
        self.pos += n
        return out


def check_records(section, batch, header):
    r = Reader(section)
    timestamps = []
    for i, want in enumerate(batch["records"]):
        length = r.varint()
        end = r.pos + length
        assert length == want["lengthVarint"]
        attributes = r.take(1)[0]
        ts_delta = r.varint()
        off_delta = r.varint()
        key = r.take(r.varint())
        value = r.take(r.varint())
        headers = []
        for _ in range(r.varint()):
            hk = r.take(r.varint()).decode("utf-8")
            headers.append((hk, r.take(r.varint())))
        assert r.pos == end, f"record {i}: length varint disagrees with contents"
        assert attributes == want["attributes"] == 0
        assert off_delta == want["offsetDelta"] == i
        assert ts_delta == want["timestampDelta"]
        assert header["baseTimestamp"] + ts_delta == want["timestamp"]
        timestamps.append(want["timestamp"])
        check_spec(want["key"], key, f"record {i} key")
        check_spec(want["value"], value, f"record {i} value")
        assert len(headers) == len(want["headers"]), f"record {i} header count"
        for (hk, hv), wh in zip(headers, want["headers"]):
            assert hk == wh["key"] and len(hk.encode()) == wh["keyLen"], (hk, wh)
            check_spec(wh["value"], hv, f"record {i} header {hk}")
    assert r.pos == len(section), "trailing bytes after the last record"
    assert header["recordsCount"] == len(batch["records"])
    assert header["lastOffsetDelta"] == len(batch["records"]) - 1
    assert header["maxTimestamp"] == max(timestamps)


# --------------------------------------------------------------------- LZ4
_liblz4 = ctypes.CDLL("liblz4.so.1")


def lz4_block_compress(src):
    cap = _liblz4.LZ4_compressBound(len(src))
    dst = ctypes.create_string_buffer(cap)
    n = _liblz4.LZ4_compress_default(src, dst, len(src), cap)
    assert n > 0
    return dst.raw[:n]


def lz4_block_decompress(src, cap):
    dst = ctypes.create_string_buffer(cap)
    n = _liblz4.LZ4_decompress_safe(src, dst, len(src), cap)
    assert n >= 0, "LZ4_decompress_safe failed"
    return dst.raw[:n]


def check_lz4(frame, batch):
    info = batch["lz4Frame"]
    assert frame[:4] == b"\x04\x22\x4d\x18", "magic"
    flg, bd = frame[4], frame[5]
    assert flg >> 6 == 1, "version"
    assert flg & 0x20, "Kafka requires independent blocks"
    assert flg & 0x03 == 0, "reserved bit / dictionary id set (Kafka rejects)"
    assert bd & 0x8F == 0 and 4 <= (bd >> 4) <= 7, "BD"
    pos = 6 + (8 if flg & 0x08 else 0)
    hc = frame[pos]
    assert hc == (xxh32(frame[4:pos]) >> 8) & 0xFF, "header checksum"
    assert f"0x{flg:02x}" == info["flg"] and f"0x{bd:02x}" == info["bd"]
    assert f"0x{hc:02x}" == info["hc"] and frame[: pos + 1].hex() == info["headerHex"]
    pos += 1
    max_block = 1 << (8 + 2 * (bd >> 4))
    content = b""
    blocks = []
    recompress_same = True
    while True:
        (word,) = struct.unpack_from("<I", frame, pos)
        pos += 4
        if word == 0:
            break
        size, raw = word & 0x7FFFFFFF, bool(word & 0x80000000)
        assert size <= max_block
        data = frame[pos : pos + size]
        pos += size
        if flg & 0x10:
            pos += 4
        plain = data if raw else lz4_block_decompress(data, max_block)
        if not raw and lz4_block_compress(plain) != data:
            recompress_same = False
        blocks.append({"storedSize": size, "uncompressed": raw})
        content += plain
    assert [{k: b[k] for k in ("storedSize", "uncompressed")} for b in info["blocks"]] == blocks
    if flg & 0x04:
        (cs,) = struct.unpack_from("<I", frame, pos)
        pos += 4
        assert cs == xxh32(content), "content checksum"
    assert pos == len(frame)
    cli = subprocess.run(["lz4", "-d", "-c"], input=frame, capture_output=True, check=True).stdout
    assert cli == content, "lz4 CLI disagrees with liblz4 block decoding"
    want = batch["recordsSectionUncompressed"]
    assert len(content) == want["len"] and hashlib.sha256(content).hexdigest() == want["sha256"]
    return content, blocks, recompress_same


# ------------------------------------------------------------------ rebuild


def zigzag_varint(v):
    z = (v << 1) ^ (v >> 63)
    z &= (1 << 64) - 1
    out = bytearray()
    while z >= 0x80:
        out.append((z & 0x7F) | 0x80)
        z >>= 7
    out.append(z)
    return bytes(out)


def varint_bytes(b):
    return zigzag_varint(-1) if b is None else zigzag_varint(len(b)) + b


def encode_record(rec):
    body = b"\x00" + zigzag_varint(rec["timestampDelta"]) + zigzag_varint(rec["offsetDelta"])
    body += varint_bytes(spec_bytes(rec["key"])) + varint_bytes(spec_bytes(rec["value"]))
    body += zigzag_varint(len(rec["headers"]))
    for h in rec["headers"]:
        body += varint_bytes(h["key"].encode("utf-8")) + varint_bytes(spec_bytes(h["value"]))
    return zigzag_varint(len(body)) + body


def lz4_frame(content, flg, bd):
    """LZ4 frame as Kafka's Lz4BlockOutputStream / node-lz4 write it (liblz4 blocks)."""
    desc = bytes([flg, bd])
    out = b"\x04\x22\x4d\x18" + desc + bytes([(xxh32(desc) >> 8) & 0xFF])
    max_block = 1 << (8 + 2 * (bd >> 4))
    for i in range(0, len(content), max_block):
        plain = content[i : i + max_block]
        comp = lz4_block_compress(plain)
        if len(comp) > max_block:  # node-lz4 rule; Java stores raw when len(comp) >= len(plain)
            out += struct.pack("<I", 0x80000000 | len(plain)) + plain
        else:
            out += struct.pack("<I", len(comp)) + comp
    out += b"\x00\x00\x00\x00"
    if flg & 0x04:
        out += struct.pack("<I", xxh32(content))
    return out


def rebuild(batch):
    """Re-encodes the batch from the JSON description alone (what a C++ test does)."""
    h = batch["header"]
    records = b"".join(encode_record(r) for r in batch["records"])
    attributes = int(h["attributes"], 16)
    if attributes & 7 == 3:
        records = lz4_frame(records, int(batch["lz4Frame"]["flg"], 16), int(batch["lz4Frame"]["bd"], 16))
    body = struct.pack(">hiqqqhii", attributes, h["lastOffsetDelta"], h["baseTimestamp"],
                       h["maxTimestamp"], h["producerId"], h["producerEpoch"], h["baseSequence"],
                       len(batch["records"])) + records
    batch_bytes = struct.pack(">ibI", h["partitionLeaderEpoch"], 2, crc32c(body)) + body
    return struct.pack(">qi", h["baseOffset"], len(batch_bytes)) + batch_bytes


# ------------------------------------------------------------------- main


def check_batch(folder, batch):
    data = open(os.path.join(folder, batch["file"]), "rb").read()
    assert len(data) == batch["fileSize"]
    assert hashlib.sha256(data).hexdigest() == batch["sha256"]
    assert data[:61].hex() == batch["first61Hex"]
    fields = struct.unpack(">qiibIhiqqqhii", data[:61])
    names = ["baseOffset", "batchLength", "partitionLeaderEpoch", "magic", "crc", "attributes",
             "lastOffsetDelta", "baseTimestamp", "maxTimestamp", "producerId", "producerEpoch",
             "baseSequence", "recordsCount"]
    header = dict(zip(names, fields))
    want = batch["header"]
    for name in names:
        w = want[name]
        if name == "crc" or name == "attributes":
            w = int(w, 16)
        assert header[name] == w, f"{name}: file {header[name]} json {w}"
    assert header["batchLength"] == len(data) - 12
    assert header["magic"] == 2
    assert header["crc"] == crc32c(data[21:]), "CRC-32C"
    codec = header["attributes"] & 7
    bits = want["attributeBits"]
    assert bits["compression"] == ["none", "gzip", "snappy", "lz4", "zstd"][codec]
    assert bits["isTransactional"] == bool(header["attributes"] & 0x10)
    assert bits["isControlBatch"] == bool(header["attributes"] & 0x20)
    assert bits["timestampType"] == ("LogAppendTime" if header["attributes"] & 8 else "CreateTime")
    note = ""
    if codec == 0:
        section = data[61:]
    elif codec == 3:
        section, blocks, same = check_lz4(data[61:], batch)
        note = (f" lz4 blocks={[(b['storedSize'], 'raw' if b['uncompressed'] else 'lz4') for b in blocks]}"
                f" system-liblz4-recompress-identical={same}")
    else:
        raise AssertionError("unexpected codec")
    check_records(section, batch, header)
    rebuilt = rebuild(batch) == data
    assert rebuilt or codec != 0, "uncompressed batch not reproducible from the JSON"
    note += f" rebuilt-from-json-identical={rebuilt}"
    print(f"OK {batch['file']}: {len(data)} bytes, crc32c=0x{header['crc']:08x}, "
          f"{header['recordsCount']} records{note}")


def main():
    folder = sys.argv[1] if len(sys.argv) > 1 else os.path.dirname(os.path.abspath(__file__))
    doc = json.load(open(os.path.join(folder, "golden_batches.json"), encoding="utf-8"))
    for batch in doc["batches"]:
        check_batch(folder, batch)
    print(f"all {len(doc['batches'])} batches OK (liblz4 {_liblz4.LZ4_versionNumber()})")


if __name__ == "__main__":
    main()
