"""How many cores a build keeps busy, over time: where a build with jobs waits on one core.

    python -m benchmarks.utilization ../shared/corpora/efcl-blog [--jobs 2] [--src TREE] [--step 0.1]

Runs one `postsearch index --no-cache` (benchmarks.common.index_command, as cold_build
does) and reads the CPU time of its process group (the build, its workers and forked
children) from /proc every `--step` seconds. Prints the cores in use in each step, then the wall time, the CPU time,
the cores in use on average, and the core-seconds left unused over the whole build, in the
first second and in the last. A process that has ended keeps the CPU time last read of it,
so the total never goes down. Linux only (/proc).
"""

from __future__ import annotations

import os
import subprocess
import tempfile
import time
from pathlib import Path

from benchmarks.common import arguments, index_command, posts_dir

TICKS = os.sysconf("SC_CLK_TCK")


def group_cpu(group: int, seen: dict[int, float]) -> float:
    """CPU seconds of every process in `group`, those that ended included (`seen`: the last
    reading of each process, updated here)."""
    for name in os.listdir("/proc"):
        if not name.isdigit():
            continue
        try:
            with open(f"/proc/{name}/stat", "rb") as f:
                fields = f.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue  # it ended meanwhile
        if int(fields[2]) == group:  # fields[2]: the process group; [11], [12]: utime, stime
            seen[int(name)] = (int(fields[11]) + int(fields[12])) / TICKS
    return sum(seen.values())


def sample(cmd: list[str], env: dict[str, str] | None, step: float) -> tuple[float, float, list[tuple[float, float]]]:
    """Wall and CPU seconds of `cmd`, and (time, cores in use since the sample before) every
    `step` (it runs in a session of its own, so its process group is its own)."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, start_new_session=True)
    seen: dict[int, float] = {}
    samples: list[tuple[float, float]] = []
    last_time, last_cpu = 0.0, 0.0
    while proc.poll() is None:
        time.sleep(step)
        now, cpu = time.perf_counter() - started, group_cpu(proc.pid, seen)
        samples.append((now, (cpu - last_cpu) / (now - last_time)))
        last_time, last_cpu = now, cpu
    return time.perf_counter() - started, last_cpu, samples


def unused(samples: list[tuple[float, float]], cores: int, start: float, end: float) -> float:
    """Core-seconds not in use between `start` and `end` seconds."""
    total, before = 0.0, 0.0
    for at, busy in samples:
        if start <= before and at <= end:
            total += (at - before) * max(0.0, cores - busy)
        before = at
    return total


def main() -> None:
    ap = arguments(__doc__)
    ap.add_argument("corpus", type=Path)
    ap.add_argument("--jobs", type=int, default=2)
    ap.add_argument("--src", type=Path, help="the package's source tree (default: the installed package)")
    ap.add_argument("--step", type=float, default=0.1)
    args = ap.parse_args()
    cores = os.cpu_count() or 1
    with tempfile.TemporaryDirectory() as tmp:
        src = args.src.resolve() if args.src else None
        cmd, env = index_command(posts_dir(args.corpus), Path(tmp) / "out", ["--jobs", str(args.jobs)], src)
        wall, cpu, samples = sample(cmd, env, args.step)
    print(" ".join(f"{at:.1f}:{busy:.1f}" for at, busy in samples))
    print(f"wall {wall:.2f} s, CPU {cpu:.2f} s, {cpu / wall:.2f} of {cores} cores in use on average")
    print(
        f"core-seconds unused: {unused(samples, cores, 0, wall):.2f} in all, "
        f"{unused(samples, cores, 0, 1):.2f} in the first second, {unused(samples, cores, wall - 1, wall):.2f} in the last"
    )


if __name__ == "__main__":
    main()
