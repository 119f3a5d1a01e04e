#!/usr/bin/env python3
"""Re-runs a Vouch draw (algorithm vouch-draw-v1) from its published inputs.

Usage: verify_draw.py CAMPAIGN BEACON WINNERS ALTERNATES < pool.txt
pool.txt: one eligible entry per line, "ENTRY_ID WEIGHT" (any order).
Prints the inputs digest, the seed, the winners and the alternates.
"""
import hashlib
import struct
import sys


def lp(b: bytes) -> bytes:
    return struct.pack(">I", len(b)) + b


def draw(campaign: str, pool: list[tuple[str, int]], beacon: str, winners: int, alternates: int):
    pool = sorted(pool, key=lambda c: c[0].encode())
    h = hashlib.sha256(struct.pack(">Q", len(pool)))
    for entry_id, weight in pool:
        h.update(lp(entry_id.encode()) + struct.pack(">I", weight))
    digest = h.digest()
    seed = hashlib.sha256(lp(b"vouch-draw-v1") + lp(campaign.encode()) + digest + lp(beacon.encode())).digest()
    counter = 0
    weights = [w for _, w in pool]
    picks = []
    for _ in range(min(winners + alternates, len(pool))):
        total = sum(weights)
        while True:
            r = int.from_bytes(hashlib.sha256(seed + struct.pack(">Q", counter)).digest()[:8], "big")
            counter += 1
            if r >= (1 << 64) % total:
                break
        x = r % total
        for i, w in enumerate(weights):  # the first remaining entry whose running sum exceeds x
            if x < w:
                break
            x -= w
        weights[i] = 0
        picks.append(pool[i][0])
    return digest.hex(), seed.hex(), picks[:winners], picks[winners:]


if __name__ == "__main__":
    campaign, beacon, n, m = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
    pool = [(line.split()[0], int(line.split()[1])) for line in sys.stdin if line.strip()]
    digest, seed, won, alt = draw(campaign, pool, beacon, n, m)
    print(f"inputs_digest {digest}\nseed {seed}\nwinners {' '.join(won)}\nalternates {' '.join(alt)}")
