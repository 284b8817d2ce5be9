#!/usr/bin/env python3
"""Dumps what Python's plistlib reads from each file named on the command line, one JSON line per
file: {"path", "ok", "typed"} or {"path", "ok": false, "error"}. "typed" is the canonical typed text
that test/support/typedPlist.ts writes for an OSValue, so the two readers can be compared exactly:

  s:<UTF-16 hex>  i:<decimal>  r:<IEEE-754 double hex>|r:nan  t f  d:<microseconds since 2001>
  x:<hex>  u:<n>  [a,b]  {s:..=v,...} (key order kept)

An XML dictionary whose only key is CF$UID with an integer value is written as a UID, because that
is how Core Foundation reads it (plistlib leaves it a dictionary).
"""
import datetime
import json
import plistlib
import struct
import sys

sys.setrecursionlimit(5000)
EPOCH = datetime.datetime(2001, 1, 1)


def s(text):
    return "s:" + text.encode("utf-16-be", "surrogatepass").hex()


def typed(v, xml):
    if isinstance(v, bool):
        return "t" if v else "f"
    if isinstance(v, int):
        return "i:%d" % v
    if isinstance(v, float):
        return "r:nan" if v != v else "r:" + struct.pack(">d", v).hex()
    if isinstance(v, str):
        return s(v)
    if isinstance(v, (bytes, bytearray)):
        return "x:" + bytes(v).hex()
    if isinstance(v, datetime.datetime):
        if v.tzinfo is not None:
            v = v.astimezone(datetime.timezone.utc).replace(tzinfo=None)
        return "d:%d" % ((v - EPOCH) // datetime.timedelta(microseconds=1))
    if isinstance(v, plistlib.UID):
        return "u:%d" % v.data
    if isinstance(v, list):
        return "[" + ",".join(typed(x, xml) for x in v) + "]"
    if isinstance(v, dict):
        if xml and len(v) == 1 and "CF$UID" in v and isinstance(v["CF$UID"], int) and not isinstance(v["CF$UID"], bool) \
                and 0 <= v["CF$UID"] <= 0xFFFFFFFF:
            return "u:%d" % v["CF$UID"]
        return "{" + ",".join(s(k) + "=" + typed(x, xml) for k, x in v.items()) + "}"
    if v is None:
        return "null"
    raise TypeError("unexpected %r" % type(v))


for path in sys.argv[1:]:
    with open(path, "rb") as f:
        data = f.read()
    try:
        value = plistlib.loads(data)
        print(json.dumps({"path": path, "ok": True, "typed": typed(value, not data.startswith(b"bplist"))}))
    except Exception as e:  # plistlib raises many kinds; each counts as "cannot read"
        print(json.dumps({"path": path, "ok": False, "error": "%s: %s" % (type(e).__name__, e)}))
