#!/usr/bin/env python3
"""Python's asyncio on the work of benches/event_loop.rs.

Create 100,000 trivial tasks and await each one; and 10,000 tasks that each
yield 10 times (await asyncio.sleep(0)), then await each one. Prints one
line per measurement, median of --runs runs:

    python tasks <tasks/s>
    python yields <yields/s>
"""

import argparse
import asyncio
import statistics
import sys
import time

TASKS = 100_000
YIELDING_TASKS = 10_000
YIELDS = 10


async def trivial(i):
    return i


async def yielding(i):
    for _ in range(YIELDS):
        await asyncio.sleep(0)
    return i


async def create_and_await(make, n):
    tasks = [asyncio.create_task(make(i)) for i in range(n)]
    total = 0
    for t in tasks:
        total += await t
    return total


def measure(name, make, n, per_run, runs):
    rates = []
    for _ in range(runs):
        start = time.perf_counter()
        total = asyncio.run(create_and_await(make, n))
        elapsed = time.perf_counter() - start
        if total != n * (n - 1) // 2:
            sys.exit(f"error: {name}: wrong sum {total}")
        rates.append(per_run / elapsed)
    print(f"python {name} {statistics.median(rates):.0f}", flush=True)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs per measurement (median)")
    args = parser.parse_args()
    measure("tasks", trivial, TASKS, TASKS, args.runs)
    measure("yields", yielding, YIELDING_TASKS, YIELDING_TASKS * YIELDS, args.runs)


if __name__ == "__main__":
    main()
