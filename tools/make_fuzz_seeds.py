"""Writes the seed corpus of //fuzz:frame_decode_fuzzer from the schema-derived
test vectors: every valid example as a CALL or CALLRESULT frame, a sample of
the invalid ones, and hand-made malformed frames.

    /usr/bin/python3 tools/make_fuzz_seeds.py
"""
import hashlib
import json
import os

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
OUT = os.path.join(ROOT, "fuzz", "corpus", "frame_decode")
MALFORMED = [
    "", "[", "[]", "{}", "null", "[2]", '[2,"1"]', '[2,"1","Heartbeat"]', '[2,1,"Heartbeat",{}]',
    '[2,"1","Heartbeat",{}, 5]', '[3,"1"]', '[4,"1","GenericError"]', '[9,"1",{}]',
    '[2,"1","NoSuchAction",{}]', '[2,"' + "x" * 40 + '","Heartbeat",{}]',
    '[2,"1","Heartbeat",[]]', '[2,"1","Heartbeat",' + "[" * 64 + "]" * 64 + "]",
    '[2,"1","StatusNotification",{"connectorId":1e400}]', '[2,"1","Authorize",{"idTag":"\\ud800"}]',
]


def main():
    with open(os.path.join(ROOT, "generated", "ocpp16", "test_vectors.json")) as f:
        vectors = json.load(f)
    with open(os.path.join(ROOT, "codegen", "actions.json")) as f:
        actions = list(json.load(f)["actions"])
    order = sorted(actions)  # registry order is by action name
    frames = list(MALFORMED)
    chosen = vectors["positive"] + vectors["negative"][::5]
    for v in chosen:
        payload = json.dumps(v["payload"], ensure_ascii=False)
        if v["message"] == "req":
            frames.append(f'[2,"seed","{v["action"]}",{payload}]')
        else:
            # The fuzzer picks the response type from the id's first byte.
            index = order.index(v["action"])
            first = next(chr(c) for c in range(48, 123) if c % len(order) == index)
            frames.append(f'[3,"{first}seed",{payload}]')
    os.makedirs(OUT, exist_ok=True)
    for name in os.listdir(OUT):
        os.remove(os.path.join(OUT, name))
    for text in frames:
        data = text.encode("utf-8", "surrogatepass")
        with open(os.path.join(OUT, hashlib.sha1(data).hexdigest()[:16]), "wb") as f:
            f.write(data)
    print(f"wrote {len(frames)} seeds to {os.path.relpath(OUT, ROOT)}")


if __name__ == "__main__":
    main()
