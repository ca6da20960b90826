"""The alternative a user could pick: the same pins as a folium/Leaflet page in headless
Chromium, timed from inside the page.

The page is what a folium user writes: one CircleMarker per pin (Leaflet's default SVG
renderer, or its canvas renderer with prefer_canvas). offlinefolium inlines Leaflet, so
the file loads from disk with no internet. Chromium is driven over the DevTools
protocol through a pipe (--remote-debugging-pipe: fd 3 in, fd 4 out, messages ended
by NUL), so there is no port and no extra package; host names resolve to nothing, so
the browser cannot reach any address.

Figures, measured by the page's own clock (performance.now):
- load: navigation start → the load event plus two animation frames (pins on screen);
- pan frame: map.panBy(7 px) without animation → the second animation frame after it,
  with the frame-rate limit off, so a frame is as long as its work.
"""

from __future__ import annotations

import fcntl
import json
import logging
import os
import select
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

log = logging.getLogger(__name__)

TIMEOUT_S = 120.0
PAN_PX = 7  # as maps.bench pans the Qt view
RENDERED_SCRIPT = """<script>
window.addEventListener('load', function () {
  requestAnimationFrame(function () { requestAnimationFrame(function () {
    window.__rendered = performance.now();
  }); });
});
</script>"""
WAIT_RENDERED_JS = """new Promise(function (done) {
  (function poll() { if (window.__rendered) done(window.__rendered);
                     else setTimeout(poll, 5); })();
})"""
PAN_JS = """(async function () {
  var map = window[%(map)s];
  var frame = function () { return new Promise(function (r) { requestAnimationFrame(r); }); };
  var channel = new MessageChannel();
  // A message posted during a frame's callbacks is handled after that frame's style,
  // layout and paint: the end of the frame's work on the page's thread.
  var afterFrame = function () { return new Promise(function (r) {
    channel.port1.onmessage = r; channel.port2.postMessage(0); }); };
  var work = [], next = [];
  for (var i = 0; i < %(frames)d + 2; i++) {
    await frame();
    var began = performance.now();
    map.panBy([%(px)d, 0], {animate: false});
    await afterFrame();
    var done = performance.now();
    await frame();
    if (i >= 2) {  // the first frames warm caches
      work.push(done - began);
      next.push(performance.now() - began);
    }
  }
  return [work, next];
})()"""
CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",  # the bench may run as root, where the sandbox refuses to start
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--disable-extensions",
    "--disable-default-apps",
    "--no-first-run",
    "--no-default-browser-check",
    "--mute-audio",
    "--hide-scrollbars",
    "--host-resolver-rules=MAP * ~NOTFOUND",  # nothing but file:// can load
    "--disable-frame-rate-limit",  # a frame lasts as long as its work, not 1/60 s
    "--disable-gpu-vsync",
    "--remote-debugging-pipe",
]


def find_chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


def build_page(lon, lat, out: Path, bounds, canvas: bool) -> tuple[str, float]:
    """Write the folium page of the pins to ``out``; returns the map's JS name and the
    seconds folium took. ``bounds`` = (west, south, east, north) shown at start."""
    import offlinefolium as folium

    began = time.perf_counter()
    # zoom_snap 0: Leaflet may show exactly the area the Qt view shows.
    fmap = folium.Map(tiles=None, prefer_canvas=canvas, zoom_snap=0, zoom_control=False)
    fmap.options["max_zoom"] = 18
    for x, y in zip(list(lon), list(lat), strict=True):
        folium.CircleMarker(
            [y, x], radius=6, color="#222222", weight=1,
            fill=True, fill_color="#d7263d", fill_opacity=1.0,
        ).add_to(fmap)  # fmt: skip
    west, south, east, north = bounds
    fmap.fit_bounds([[south, west], [north, east]], padding=(0, 0))
    fmap.get_root().html.add_child(folium.Element(RENDERED_SCRIPT))
    fmap.save(str(out))
    return fmap.get_name(), time.perf_counter() - began


def _two_pipes() -> list[int]:
    """Chromium's reading end, our writing end, our reading end, Chromium's writing
    end, all above fd 9: placing two of them at fds 3 and 4 in the child then
    overwrites none of the others."""
    fds = [*os.pipe(), *os.pipe()]
    copies = [fcntl.fcntl(fd, fcntl.F_DUPFD_CLOEXEC, 10) for fd in fds]
    for fd in fds:
        os.close(fd)
    return copies


class Browser:
    """One headless Chromium with one page, spoken to over the DevTools pipe."""

    def __init__(self, executable: str, width: int, height: int):
        self._profile = tempfile.TemporaryDirectory(prefix="comcen-bench-chromium-")
        to_child_r, self._to_child, self._from_child, from_child_w = _two_pipes()
        flags = [*CHROMIUM_FLAGS, f"--window-size={width},{height}"]
        flags.append(f"--user-data-dir={self._profile.name}")

        def plumb() -> None:  # in the child: the pipe ends where Chromium expects them
            os.dup2(to_child_r, 3)  # dup2 leaves 3 and 4 inheritable, the rest close
            os.dup2(from_child_w, 4)

        self.proc = subprocess.Popen(
            [executable, *flags, "about:blank"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            preexec_fn=plumb,  # two dup2 calls only: safe after a fork
            close_fds=False,  # every other fd of ours is close-on-exec
        )
        os.close(to_child_r)
        os.close(from_child_w)
        self._buffer = b""
        self._next_id = 0
        self._session = None
        target = self.call("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.call("Target.attachToTarget", {"targetId": target, "flatten": True})
        self._session = attached["sessionId"]
        self.call(
            "Emulation.setDeviceMetricsOverride",
            {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": False},
        )

    def call(self, method: str, params: dict | None = None) -> dict:
        self._next_id += 1
        message = {"id": self._next_id, "method": method, "params": params or {}}
        if self._session:
            message["sessionId"] = self._session
        os.write(self._to_child, json.dumps(message).encode() + b"\0")
        while True:
            reply = self._read()
            if reply.get("id") == self._next_id:
                if "error" in reply:
                    raise RuntimeError(f"Chromium: {method}: {reply['error'].get('message')}")
                return reply.get("result", {})

    def evaluate(self, expression: str):
        result = self.call(
            "Runtime.evaluate",
            {"expression": expression, "awaitPromise": True, "returnByValue": True},
        )
        if "exceptionDetails" in result:
            raise RuntimeError(f"Chromium: {result['exceptionDetails'].get('text')}")
        return result["result"].get("value")

    def open(self, url: str) -> float:
        """Navigate and wait until the pins are on screen; in-page milliseconds."""
        # The old page forgets its mark, so only the new page can answer.
        self.evaluate("window.__rendered = 0")
        self.call("Page.navigate", {"url": url})
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            try:
                return float(self.evaluate(WAIT_RENDERED_JS))
            except RuntimeError:  # the old page went away under the evaluation
                time.sleep(0.05)
        raise TimeoutError(f"Chromium did not render {url} in {TIMEOUT_S:.0f} s")

    def pan_frames(self, map_name: str, frames: int) -> tuple[list[float], list[float]]:
        """Per pan: the frame's work, and the time until the next frame began."""
        script = PAN_JS % {"map": json.dumps(map_name), "frames": frames, "px": PAN_PX}
        work, next_frame = self.evaluate(script)
        return [float(t) for t in work], [float(t) for t in next_frame]

    def _read(self) -> dict:
        deadline = time.monotonic() + TIMEOUT_S
        while b"\0" not in self._buffer:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([self._from_child], [], [], max(left, 0))
            if not ready:
                raise TimeoutError(f"Chromium gave no answer in {TIMEOUT_S:.0f} s")
            chunk = os.read(self._from_child, 1 << 20)
            if not chunk:
                raise RuntimeError("Chromium closed the DevTools pipe (did it crash?)")
            self._buffer += chunk
        message, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(message)

    def close(self) -> None:
        try:
            self.call("Browser.close")
        except (OSError, RuntimeError, TimeoutError):
            log.debug("Chromium did not close cleanly", exc_info=True)
        try:
            self.proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.proc.kill()  # our own child, by its handle
            self.proc.wait()
        os.close(self._to_child)
        os.close(self._from_child)
        self._profile.cleanup()


def measure(lon, lat, bounds, size, loads: int, frames: int, folder: Path) -> dict:
    """Both renderers, plus an empty map (the frame floor of the page machinery).
    Returns {variant: {"load_ms": [...], "pan_ms": [...], "build_s": s, "bytes": n}}."""
    executable = find_chromium()
    if executable is None:
        raise FileNotFoundError("chromium not installed")
    results = {}
    variants = {"svg": (lon, lat, False), "canvas": (lon, lat, True), "empty": ([], [], True)}
    browser = Browser(executable, *size)
    try:
        for variant, (xs, ys, canvas) in variants.items():
            page = folder / f"leaflet-{variant}.html"
            name, build_s = build_page(xs, ys, page, bounds, canvas)
            url = page.resolve().as_uri()
            load_ms = [browser.open(url) for _ in range(loads)]
            pan_ms, next_frame_ms = browser.pan_frames(name, frames)
            results[variant] = {
                "load_ms": load_ms,
                "pan_ms": pan_ms,
                "next_frame_ms": next_frame_ms,
                "build_s": build_s,
                "bytes": page.stat().st_size,
            }
    finally:
        browser.close()
    return results
