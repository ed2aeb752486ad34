#!/usr/bin/env python3
"""Python's ThreadPoolExecutor on the work of benches/thread_pool.rs.

100,000 tiny tasks on 2 workers: submit each (a Future per task), then
result() on every future, the sum checked; and executor.map over 100,000
items. Prints one line per measurement, median of --runs runs:

    python submit_wait <tasks/s>
    python map <tasks/s>
"""

import argparse
import statistics
import sys
import time
from concurrent.futures import ThreadPoolExecutor

TASKS = 100_000
WORKERS = 2


def tiny(i):
    return (i * 3) & 0xFFFF_FFFF_FFFF_FFFF


EXPECTED = sum(tiny(i) for i in range(TASKS)) & 0xFFFF_FFFF_FFFF_FFFF


def submit_wait(executor, tasks):
    futures = [executor.submit(tiny, i) for i in range(tasks)]
    total = sum(f.result() for f in futures) & 0xFFFF_FFFF_FFFF_FFFF
    return total


def map_all(executor, tasks):
    return sum(executor.map(tiny, range(tasks))) & 0xFFFF_FFFF_FFFF_FFFF


def measure(name, work, executor, tasks, runs):
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        total = work(executor, tasks)
        elapsed = time.perf_counter() - start
        if tasks == TASKS and total != EXPECTED:
            sys.exit(f"error: {name}: wrong sum {total}, expected {EXPECTED}")
        rates.append(tasks / elapsed)
    print(f"python {name} {statistics.median(rates):.0f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    parser.add_argument("--tasks", type=int, default=TASKS, help="tasks per run")
    args = parser.parse_args()
    with ThreadPoolExecutor(max_workers=WORKERS) as executor:
        # Warm up: start both workers.
        submit_wait(executor, 1000)
        measure("submit_wait", submit_wait, executor, args.tasks, args.runs)
        measure("map", map_all, executor, args.tasks, args.runs)


if __name__ == "__main__":
    main()
