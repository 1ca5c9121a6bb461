#!/usr/bin/env python3
"""Splits a pcapng capture by interface (tests/pcap/tshark-check.sh).

tcpsim's capture has one interface at each host (views/pcap.hpp): a delivered segment is a
frame at its sender's end and another at its receiver's. Wireshark 4.0 analyses TCP by
conversation, whatever the interface, so the gate reads each end on its own, as a capture taken
on that host: OUT_PREFIX.0.pcapng holds the Section Header Block, every Interface Description
Block (so that interface numbers stay valid) and the Enhanced Packet Blocks of interface 0, and
so on for each interface. Only little-endian sections of the kind tcpsim writes are read.

Usage: split-interfaces.py CAPTURE OUT_PREFIX
Prints the number of interfaces.
"""

import struct
import sys

SECTION_HEADER = 0x0A0D0D0A
INTERFACE_DESCRIPTION = 0x00000001
ENHANCED_PACKET = 0x00000006


def main():
    if len(sys.argv) != 3:
        print(__doc__)
        return 2
    with open(sys.argv[1], "rb") as capture:
        data = capture.read()
    head = b""  # the SHB and the IDBs
    interfaces = 0
    packets = {}
    at = 0
    while at < len(data):
        kind, length = struct.unpack_from("<II", data, at)
        if length < 12 or length % 4 or at + length > len(data):
            print("split-interfaces.py: malformed block at %d" % at, file=sys.stderr)
            return 1
        block = data[at:at + length]
        if kind == SECTION_HEADER:
            if at != 0:
                print("split-interfaces.py: a second section at %d" % at, file=sys.stderr)
                return 1
            head += block
        elif kind == INTERFACE_DESCRIPTION:
            head += block
            interfaces += 1
        elif kind == ENHANCED_PACKET:
            interface = struct.unpack_from("<I", block, 8)[0]
            packets.setdefault(interface, []).append(block)
        else:
            print("split-interfaces.py: unexpected block type 0x%08x" % kind, file=sys.stderr)
            return 1
        at += length
    for interface in range(interfaces):
        with open("%s.%d.pcapng" % (sys.argv[2], interface), "wb") as out:
            out.write(head + b"".join(packets.get(interface, [])))
    print(interfaces)
    return 0


if __name__ == "__main__":
    sys.exit(main())
