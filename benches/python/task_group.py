#!/usr/bin/env python3
"""Python's asyncio.TaskGroup on the work of benches/task_group.rs.

Create 100,000 trivial tasks in a TaskGroup, leave the `async with` block
(which waits for all of them), and sum their results. Prints one line,
median of --runs runs:

    python task_group <tasks/s>
"""

import argparse
import asyncio
import statistics
import sys
import time

TASKS = 100_000


async def trivial(i):
    return i


async def group(n):
    async with asyncio.TaskGroup() as tg:
        tasks = [tg.create_task(trivial(i)) for i in range(n)]
    return sum(t.result() for t in tasks)


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=3, help="runs (median)")
    args = parser.parse_args()
    rates = []
    for _ in range(args.runs):
        start = time.perf_counter()
        total = asyncio.run(group(TASKS))
        elapsed = time.perf_counter() - start
        if total != TASKS * (TASKS - 1) // 2:
            sys.exit(f"error: wrong sum {total}")
        rates.append(TASKS / elapsed)
    print(f"python task_group {statistics.median(rates):.0f}", flush=True)


if __name__ == "__main__":
    main()
