#!/usr/bin/env python3
"""Writes the seed corpora of the runtime's fuzzers (test/fuzz/runtime/) into this folder.

    test/fuzz/corpus/make_seeds.py

One folder per target, a few small valid files and a few near misses each (a byte or a field
away from valid), so the fuzzer starts from every branch a real file takes. The files are checked
in; this script says what each is and writes them again, byte for byte (gzip members carry no
time stamp). Plain Python: no NumPy needed.
"""
import gzip
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))


def write(target, name, data):
    folder = os.path.join(HERE, target)
    os.makedirs(folder, exist_ok=True)
    with open(os.path.join(folder, name), "wb") as f:
        f.write(data)


def gz(data):
    return gzip.compress(data, mtime=0)


# --- checkpoint: the fuzzer's model is w f32[2, 3], mask bool[3] (params), count i32[] (buffer).


def safetensors(tensors, metadata=None, pad=True):
    header, data = {}, b""
    parts = []
    if metadata is not None:
        parts.append('"__metadata__":' + metadata)
    for name, dtype, shape, raw in tensors:
        parts.append('"%s":{"dtype":"%s","shape":[%s],"data_offsets":[%d,%d]}'
                     % (name, dtype, ",".join(map(str, shape)), len(data), len(data) + len(raw)))
        data += raw
    text = "{" + ",".join(parts) + "}"
    if pad:
        text += " " * ((8 - len(text) % 8) % 8)
    return struct.pack("<Q", len(text)) + text.encode() + data


W = ("w", "F32", [2, 3], struct.pack("<6f", 1, -2, 0.5, 0, 3, 1e-3))
MASK = ("mask", "BOOL", [3], b"\x01\x00\x01")
COUNT = ("count", "I32", [], struct.pack("<i", 7))
DLC_META = '{"format":"dlc","model":"m","step":"42"}'
write("checkpoint", "dlc.safetensors", safetensors([W, MASK, COUNT], DLC_META))
write("checkpoint", "python-order.safetensors", safetensors([COUNT, W, MASK], None, pad=False))
write("checkpoint", "integer-step.safetensors", safetensors([MASK, W, COUNT], '{"step":3}'))
write("checkpoint", "bad-bool.safetensors",
      safetensors([W, ("mask", "BOOL", [3], b"\x01\x02\x00"), COUNT], DLC_META))
write("checkpoint", "wrong-shape.safetensors",
      safetensors([("w", "F32", [3, 2], W[3]), MASK, COUNT], DLC_META))
write("checkpoint", "truncated.safetensors", safetensors([W, MASK, COUNT], DLC_META)[:-3])
write("checkpoint", "unknown-tensor.safetensors",
      safetensors([W, MASK, COUNT, ("extra", "F32", [1], b"\0\0\0\0")], DLC_META))

# --- npy: as np.save writes them (version 1.0, the dict padded to 64 bytes with a newline).


def npy(descr, shape, data, version=1, fortran=False):
    shape_text = "(" + ", ".join(map(str, shape)) + ("," if len(shape) == 1 else "") + ")"
    d = "{'descr': '%s', 'fortran_order': %s, 'shape': %s, }" % (descr, fortran, shape_text)
    prefix = 10 if version == 1 else 12
    d += " " * ((64 - (prefix + len(d) + 1) % 64) % 64) + "\n"
    length = struct.pack("<H", len(d)) if version == 1 else struct.pack("<I", len(d))
    return b"\x93NUMPY" + bytes([version, 0]) + length + d.encode("latin-1") + data


write("npy", "f4-2x3.npy", npy("<f4", [2, 3], struct.pack("<6f", 1, 2, 3, 4, 5, 6)))
write("npy", "f8-vector.npy", npy("<f8", [3], struct.pack("<3d", 0.5, -1, 1e300)))
write("npy", "i4-scalar.npy", npy("<i4", [], struct.pack("<i", -7)))
write("npy", "i8-empty.npy", npy("<i8", [0, 5], b""))
write("npy", "u1-v2.npy", npy("|u1", [2, 2], b"\x00\x10\xff\x7f", version=2))
write("npy", "b1-v3.npy", npy("|b1", [4], b"\x01\x00\x00\x01", version=3))
write("npy", "f4.npy.gz", gz(npy("<f4", [2], struct.pack("<2f", 1, 2))))
write("npy", "fortran.npy", npy("<f4", [2, 3], struct.pack("<6f", *range(6)), fortran=True))
write("npy", "big-endian.npy", npy(">f4", [2], struct.pack(">2f", 1, 2)))
write("npy", "truncated.npy", npy("<f4", [2, 3], struct.pack("<5f", *range(5))))

# --- idx: LeCun's format, big-endian dimensions and elements.


def idx(code, shape, data):
    return b"\0\0" + bytes([code, len(shape)]) + struct.pack(">%dI" % len(shape), *shape) + data


write("idx", "u8-images.idx", idx(0x08, [2, 2, 3], bytes(range(0, 240, 20))))
write("idx", "u8-labels.idx", idx(0x08, [4], b"\x00\x09\x03\x01"))
write("idx", "i32.idx", idx(0x0C, [2], struct.pack(">2i", -1, 65536)))
write("idx", "f32.idx", idx(0x0D, [1, 2], struct.pack(">2f", 0.25, -3)))
write("idx", "f64.idx", idx(0x0E, [1], struct.pack(">d", 2.5)))
write("idx", "labels.idx.gz", gz(idx(0x08, [3], b"\x01\x02\x03")))
write("idx", "i16.idx", idx(0x0B, [2], b"\0\1\0\2"))
write("idx", "truncated.idx", idx(0x08, [2, 2, 2], b"\1\2\3\4\5\6\7"))
write("idx", "rank0.idx", b"\0\0\x08\0")

# --- csv: numbers, one row per line.
write("csv", "header.csv", b"x,y,label\n0.5,-1,3\n1e-3, 2 ,0\n")
write("csv", "plain.csv", b"1,2,3\n4,5,6\n")
write("csv", "windows.csv", b"\xef\xbb\xbfa,b\r\n1,2\r\n\r\n3,inf\r\n")
write("csv", "column.csv", b"nan\n-0\n0x1p3\n")
write("csv", "gzip.csv.gz", gz(b"p,q\n1,2\n3,4\n"))
write("csv", "ragged.csv", b"1,2\n3\n")
write("csv", "not-a-number.csv", b"1,2\n3,abc\n")
write("csv", "empty-field.csv", b"1,,2\n")

# --- text: any bytes; every byte is a character.
write("text", "english.txt", b"To be, or not to be, that is the question:\n"
                             b"Whether 'tis nobler in the mind to suffer\n")
write("text", "utf8.txt", "Grüße, café — naïve 日本\n".encode())
write("text", "one.txt", b"a")
write("text", "two.txt", b"\n\0")
write("text", "text.gz", gz(b"abracadabra " * 8))

# --- elf: a minimal x86-64 shared object (ELF header, PT_LOAD and PT_DYNAMIC covering the file)
# and near misses, each one field off. Never loaded: the fuzzer only reads the headers.
EHDR, PHDR, SHDR = 64, 56, 64


def elf(e_type=3, machine=62, ei_class=2, phnum=2, file_extra=64, load_filesz=None,
        shoff=0, shnum=0, cut=None):
    size = EHDR + PHDR * phnum + file_extra
    header = (b"\x7fELF" + bytes([ei_class, 1, 1, 0]) + bytes(8)
              + struct.pack("<HHIQQQIHHHHHH", e_type, machine, 1, 0, EHDR, shoff, 0, EHDR, PHDR,
                            phnum, SHDR, shnum, 0))
    load = struct.pack("<IIQQQQQQ", 1, 5, 0, 0, 0, size if load_filesz is None else load_filesz,
                       size, 0x1000)
    dynamic = struct.pack("<IIQQQQQQ", 2, 6, size - 32, size - 32, size - 32, 32, 32, 8)
    data = header + (load + dynamic)[:PHDR * phnum] + bytes(file_extra)
    return data[:cut] if cut is not None else data


write("elf", "shared-object.elf", elf())
write("elf", "with-sections.elf", elf(shoff=EHDR + 2 * PHDR, shnum=1))
write("elf", "executable.elf", elf(e_type=2))
write("elf", "aarch64.elf", elf(machine=183))
write("elf", "32-bit.elf", elf(ei_class=1))
write("elf", "segment-past-end.elf", elf(load_filesz=4096))
write("elf", "sections-cut-off.elf", elf(shoff=EHDR + 2 * PHDR, shnum=4))
write("elf", "truncated.elf", elf(cut=EHDR + PHDR + 10))
