"""Python's multiprocessing.Queue on the work of benches/process_queue.rs:
a child process puts 200,000 ints, the parent gets them all. Prints
`python queue_msgs_per_s <messages/s>`, the median of --runs N runs."""

import multiprocessing as mp
import statistics
import sys
import time

MESSAGES = 200_000


def produce(q, n):
    for i in range(n):
        q.put(i)


def one_run():
    q = mp.Queue()
    start = time.perf_counter()
    p = mp.Process(target=produce, args=(q, MESSAGES))
    p.start()
    total = 0
    for _ in range(MESSAGES):
        total += q.get()
    elapsed = time.perf_counter() - start
    p.join()
    assert total == MESSAGES * (MESSAGES - 1) // 2
    return MESSAGES / elapsed


def main():
    runs = 5
    if "--runs" in sys.argv:
        runs = int(sys.argv[sys.argv.index("--runs") + 1])
    rates = [one_run() for _ in range(max(runs, 1))]
    print(f"python queue_msgs_per_s {statistics.median(rates):.0f}")


if __name__ == "__main__":
    mp.set_start_method("fork")
    main()
