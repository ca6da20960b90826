"""A console without a window, for the sync tests: ``python -m tests.console_probe URL``.

Runs the real follower (ui.sync.QtStateFollower) under a QApplication and prints, from
the GUI thread once the state has arrived there:

    READY <unix time>              first state loaded
    SEEN <seq> <unix time>         one line per new event, each seq once
    LOST <retry s> <reason>        the database went away
    BACK <unix time>               it is back

``run_scenario`` starts three of these and one feeder (tests/feeder.py) and measures,
for every acknowledged event, how long each console took to see it.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import threading
import time
from dataclasses import dataclass, field


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.console_probe")
    parser.add_argument("url")
    parser.add_argument("--seconds", type=float, default=120.0)
    args = parser.parse_args(argv)
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from services.database import open_database
    from ui.sync import QtStateFollower

    app = QApplication([])
    database = open_database(args.url)
    follower = QtStateFollower(database)
    ready = []

    def loaded(_state) -> None:
        if not ready:
            ready.append(True)
            say(f"READY {time.time():.6f}")

    def seen(seqs: list) -> None:
        now = time.time()
        for seq in seqs:
            say(f"SEEN {seq} {now:.6f}")

    follower.stateLoaded.connect(loaded)
    follower.eventsSeen.connect(seen)
    follower.connectionLost.connect(lambda reason, pause: say(f"LOST {pause} {reason}"))
    follower.connectionRestored.connect(lambda: say(f"BACK {time.time():.6f}"))
    follower.start()
    QTimer.singleShot(int(args.seconds * 1000), app.quit)
    code = app.exec()
    follower.stop()
    database.dispose()
    return code


def say(line: str) -> None:
    print(line, flush=True)


# --- the parent's side -------------------------------------------------------------


class Child:
    """A child process whose stdout lines are collected by a thread as they come."""

    def __init__(self, argv: list[str], env: dict | None = None):
        self.proc = subprocess.Popen(
            [sys.executable, "-m", *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen", **(env or {})},
        )
        self.lines: list[str] = []
        self.errors: list[str] = []
        self._out = threading.Thread(target=self._read, args=(self.proc.stdout, self.lines))
        self._err = threading.Thread(target=self._read, args=(self.proc.stderr, self.errors))
        self._out.start()
        self._err.start()

    @staticmethod
    def _read(stream, into: list[str]) -> None:
        for line in stream:
            into.append(line.rstrip("\n"))

    def words(self, tag: str) -> list[list[str]]:
        return [line.split() for line in list(self.lines) if line.startswith(tag + " ")]

    def wait_for(self, tag: str, count: int = 1, timeout: float = 60.0) -> bool:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if len(self.words(tag)) >= count:
                return True
            if self.proc.poll() is not None:
                self._out.join(timeout=5)
                return len(self.words(tag)) >= count
            time.sleep(0.05)
        return False

    def finish(self, timeout: float = 30.0) -> int:
        try:
            code = self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            code = self.proc.wait()
        self._out.join(timeout=5)
        self._err.join(timeout=5)
        return code

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
        self.finish()


def start_probe(url: str, seconds: float = 120.0) -> Child:
    return Child(["tests.console_probe", url, "--seconds", str(seconds)])


def start_feeder(url: str, prefix: str, count: int, rate: float = 0.0, **more) -> Child:
    argv = ["tests.feeder", url, "--prefix", prefix, "--count", str(count)]
    argv += ["--rate", str(rate)]
    for key, value in more.items():
        argv += [f"--{key}", str(value)]
    return Child(argv)


@dataclass
class SyncRun:
    acked: dict[int, float]  # seq -> commit acknowledged (unix time)
    seen: list[dict[int, list[float]]]  # per console: seq -> every time it was printed
    latencies: list[float] = field(default_factory=list)

    def lost(self) -> list[tuple[int, int]]:
        return [(i, s) for i, one in enumerate(self.seen) for s in self.acked if s not in one]

    def duplicated(self) -> list[tuple[int, int]]:
        return [(i, s) for i, one in enumerate(self.seen) for s, t in one.items() if len(t) > 1]

    def summary(self) -> str:
        if not self.latencies:
            return "no latencies"
        ms = sorted(x * 1000 for x in self.latencies)
        return (
            f"{len(self.acked)} events × {len(self.seen)} consoles: "
            f"median {statistics.median(ms):.0f} ms, p95 {ms[int(0.95 * (len(ms) - 1))]:.0f} ms, "
            f"worst {ms[-1]:.0f} ms; lost {len(self.lost())}, duplicated {len(self.duplicated())}"
        )


def run_scenario(url: str, consoles: int = 3, count: int = 60, rate: float = 10.0) -> SyncRun:
    """``consoles`` probes follow while one feeder writes ``count`` reports at ``rate``/s."""
    probes = [start_probe(url) for _ in range(consoles)]
    try:
        for probe in probes:
            assert probe.wait_for("READY", timeout=90), probe.errors[-20:]
        feeder = start_feeder(url, f"sync{os.getpid()}-{time.time_ns()}", count, rate)
        assert feeder.finish(timeout=count / rate + 120) == 0, feeder.errors[-20:]
        acked = {int(w[3]): float(w[4]) for w in feeder.words("ACK")}
        for probe in probes:
            _wait_for_seqs(probe, set(acked), timeout=30)
    finally:
        for probe in probes:
            probe.stop()
    return _measure(acked, probes)


def _wait_for_seqs(probe: Child, seqs: set[int], timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline and not seqs <= {int(w[1]) for w in probe.words("SEEN")}:
        time.sleep(0.1)


def _measure(acked: dict[int, float], probes: list[Child]) -> SyncRun:
    run = SyncRun(acked, [])
    for probe in probes:
        seen: dict[int, list[float]] = {}
        for word in probe.words("SEEN"):
            seen.setdefault(int(word[1]), []).append(float(word[2]))
        run.seen.append(seen)
        # Seen before the feeder printed its ACK counts as 0: the line comes after COMMIT.
        run.latencies += [max(0.0, seen[s][0] - t) for s, t in acked.items() if s in seen]
    return run


if __name__ == "__main__":
    sys.exit(main())
