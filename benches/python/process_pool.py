#!/usr/bin/env python3
"""Python's ProcessPoolExecutor on the work of benches/process_pool.rs.

map over 10,000 small CPU tasks (20 rounds of a 64-bit mix) with 2 worker
processes at chunk sizes 1 and 100, the checksum checked; and start-up:
create a 2-worker pool, run 2 trivial tasks, shut it down. Workers are
forked (the `fork` start method, Linux's default before Python 3.14).
Prints one line per measurement, the median of --runs runs (start-up: of
10 times as many):

    python map_chunk1 <tasks/s>
    python map_chunk100 <tasks/s>
    python startup_ms <milliseconds>
"""

import argparse
import multiprocessing
import statistics
import sys
import time
from concurrent.futures import ProcessPoolExecutor

TASKS = 10_000
WORKERS = 2
MASK = 0xFFFF_FFFF_FFFF_FFFF


def small(x):
    h = x
    for _ in range(20):
        h = ((h ^ (h >> 33)) * 0xFF51AFD7ED558CCD) & MASK
    return h


def trivial(x):
    return x + 1


EXPECTED = sum(small(x) for x in range(TASKS)) & MASK


def map_all(executor, chunksize):
    return sum(executor.map(small, range(TASKS), chunksize=chunksize)) & MASK


def startup(context):
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as executor:
        a = executor.submit(trivial, 1)
        b = executor.submit(trivial, 2)
        assert (a.result(), b.result()) == (2, 3)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs per measurement (median)")
    args = parser.parse_args()
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=WORKERS, mp_context=context) as executor:
        map_all(executor, 1)  # warm up: both workers started
        for chunksize in (1, 100):
            rates = []
            for _ in range(args.runs):
                start = time.perf_counter()
                total = map_all(executor, chunksize)
                elapsed = time.perf_counter() - start
                if total != EXPECTED:
                    sys.exit(f"error: chunksize {chunksize}: wrong checksum {total}")
                rates.append(TASKS / elapsed)
            print(f"python map_chunk{chunksize} {statistics.median(rates):.0f}", flush=True)
    startup(context)
    times = []
    for _ in range(args.runs * 10):
        start = time.perf_counter()
        startup(context)
        times.append((time.perf_counter() - start) * 1e3)
    print(f"python startup_ms {statistics.median(times):.2f}", flush=True)


if __name__ == "__main__":
    main()
