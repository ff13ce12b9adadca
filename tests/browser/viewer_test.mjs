// Browser test of the replay viewer (viewer/, served by `greenwave view`): headless Chromium,
// driven by playwright-core, plays a small replay and checks what it shows against the replay
// file decoded here with node's zlib (docs/replay.md), not with the viewer's own reader.
//
// usage: node viewer_test.mjs GREENWAVE SCENARIO OUT_DIR [CHROMIUM [NAME [RUN_OPTION...]]]
// Writes OUT_DIR/NAME.gwr and the screenshot OUT_DIR/NAME.png (NAME viewer_test); RUN_OPTIONs are
// added to `greenwave run` (e.g. --backend sumo).
import { spawn, spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";
import { inflateSync } from "node:zlib";

const [greenwave, scenario, outDir, chromiumPath = "/usr/bin/chromium", name = "viewer_test", ...runOptions] =
  process.argv.slice(2);
if (!outDir) {
  console.error("usage: node viewer_test.mjs GREENWAVE SCENARIO OUT_DIR [CHROMIUM]");
  process.exit(2);
}
// playwright-core is installed into OUT_DIR by the browser_deps test (npm).
const { chromium } = createRequire(join(resolve(outDir), "package.json"))("playwright-core");

let failures = 0;
function check(ok, what) {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}`);
  if (!ok) failures += 1;
}

// 1. A small replay: the scenario (the 2x2 demo grid) under MaxPressure for 120 s.
const replayPath = join(outDir, `${name}.gwr`);
const run = spawnSync(greenwave, ["run", scenario, "--controller", "maxpressure", "--horizon", "120",
  "--replay", replayPath, "--force", ...runOptions], { encoding: "utf8" });
if (run.status !== 0) throw new Error(`greenwave run failed: ${run.stderr}`);

// 2. Decode it: per frame the vehicle count and each signal's state word.
function decode(path) {
  const file = readFileSync(path);
  if (file.subarray(0, 8).toString("latin1") !== "GWREPLAY" || file.readUInt32LE(8) !== 1) throw new Error("bad header");
  const body = inflateSync(file.subarray(12));
  const metaLen = body.readUInt32LE(0);
  const meta = JSON.parse(body.subarray(4, 4 + metaLen).toString("utf8").replace(/\0+$/, ""));
  const S = meta.signals.intersection.length, M = meta.metrics.length;
  const frames = [];
  let off = (4 + metaLen + 3) & ~3;
  while (off < body.length) {
    const size = body.readUInt32LE(off);
    const n = body.readUInt32LE(off + 4);
    const signalAt = off + 16 + 4 * M; // the metric floats end on a 4-byte boundary
    const queueAt = (signalAt + 2 * S + 3) & ~3, servedAt = (queueAt + 2 * S + 3) & ~3;
    const signal = [], queue = [], served = [];
    for (let s = 0; s < S; ++s) {
      signal.push(body.readUInt16LE(signalAt + 2 * s));
      queue.push(body.readUInt16LE(queueAt + 2 * s));
      served.push(body.readUInt16LE(servedAt + 2 * s) + (frames.length ? frames[frames.length - 1].servedTotal[s] : 0));
    }
    frames.push({ n, time: body.readDoubleLE(off + 8), signal, queue, servedTotal: served });
    off += size;
  }
  return { meta, frames };
}
const { meta, frames } = decode(replayPath);
check(frames.length === 121, `the replay has 121 frames (t = 0..120 s), got ${frames.length}`);

// 3. Serve it with greenwave view on a free port.
const server = spawn(greenwave, ["view", replayPath, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
    if (m) resolve(m[0]);
  });
  server.on("exit", (code) => reject(new Error(`greenwave view exited with ${code}: ${out}`)));
  setTimeout(() => reject(new Error(`greenwave view printed no URL: ${out}`)), 60000);
});

const browser = await chromium.launch({ executablePath: chromiumPath, args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1200, height: 800 } });
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  page.on("pageerror", (e) => errors.push(e.message));

  // 4. A given step, by URL: the vehicle count shown is the replay's.
  const K = 60;
  await page.goto(`${url}?frame=${K}`);
  await page.waitForSelector("body[data-loaded=true]", { timeout: 60000 });
  await page.waitForFunction((k) => document.getElementById("frame").textContent === String(k), K);
  const shownAtK = Number(await page.textContent("#vehicles"));
  check(shownAtK === frames[K].n, `step ${K}: the viewer shows ${shownAtK} vehicles, the replay has ${frames[K].n}`);

  // 5. Click a signalized intersection: the panel shows its phase, queue and served vehicles at step K.
  const s = Math.min(2, meta.signals.intersection.length - 1); // the third signal, or the last
  const [x, y] = await page.evaluate((i) => window.gwViewer.signalScreenPosition(i), s);
  const box = await page.locator("#map").boundingBox();
  await page.mouse.click(box.x + x, box.y + y);
  await page.waitForSelector("#info:not([hidden])");
  const state = frames[K].signal[s];
  const expected = `${meta.signals.phase_names[s][state & 0x7fff]}${state & 0x8000 ? " (clearance)" : ""}`;
  const id = meta.intersections.id[meta.signals.intersection[s]];
  check((await page.textContent("#info-id")) === id, `the clicked intersection is ${id}`);
  const phase = await page.textContent("#info-phase");
  check(phase === expected, `its phase at step ${K} is "${expected}", the viewer shows "${phase}"`);

  const queue = Number(await page.textContent("#info-queue"));
  check(queue === frames[K].queue[s], `its queue at step ${K} is ${frames[K].queue[s]}, the viewer shows ${queue}`);
  const served = Number(await page.textContent("#info-served-total"));
  check(served === frames[K].servedTotal[s] && served > 0,
    `it served ${frames[K].servedTotal[s]} vehicles up to step ${K}, the viewer shows ${served}`);

  // 6. Play from the start, pause, and compare the step it stopped at.
  await page.goto(`${url}?speed=30`);
  await page.waitForSelector("body[data-loaded=true]", { timeout: 60000 });
  await page.click("#play");
  await page.waitForFunction(() => Number(document.getElementById("frame").textContent) >= 20, null, { timeout: 30000 });
  await page.click("#play"); // pause
  await page.waitForTimeout(200);
  const k = Number(await page.textContent("#frame"));
  const shown = Number(await page.textContent("#vehicles"));
  check(k >= 20 && k < frames.length, `playing reached step ${k}`);
  check(shown === frames[k].n, `paused at step ${k}: the viewer shows ${shown} vehicles, the replay has ${frames[k].n}`);
  check(Number(await page.textContent("#time")) === frames[k].time, `the time shown is the frame's, ${frames[k].time} s`);

  // 7. The canvas is not blank: vehicles are drawn in their two colours.
  const pixels = await page.evaluate(() => {
    const c = document.getElementById("map");
    const d = c.getContext("2d").getImageData(0, 0, c.width, c.height).data;
    const seen = { background: 0, vehicle: 0, other: 0 };
    for (let i = 0; i < d.length; i += 4) {
      const rgb = (d[i] << 16) | (d[i + 1] << 8) | d[i + 2];
      if (rgb === 0x15181c) seen.background += 1;
      else if (rgb === 0x7fc8ff || rgb === 0xff7a59) seen.vehicle += 1;
      else seen.other += 1;
    }
    return seen;
  });
  check(pixels.other > 1000, `the map draws lanes and junctions (${pixels.other} non-background pixels)`);
  check(frames[k].n === 0 || pixels.vehicle > 0, `vehicles are drawn (${pixels.vehicle} vehicle pixels)`);

  const shot = join(outDir, `${name}.png`);
  await page.screenshot({ path: shot });
  console.log(`screenshot ${shot}`);
  check(errors.length === 0, `no console errors${errors.length ? ": " + errors.join(" | ") : ""}`);

  // 8. A file that is not a replay: the page says so, naming it.
  await page.goto(`${url}?replay=viewer.css`);
  await page.waitForSelector("#error:not([hidden])", { timeout: 30000 });
  const error = await page.textContent("#error");
  check(error === "viewer.css: not a greenwave replay (no GWREPLAY header)", `a bad file is reported: "${error}"`);
} finally {
  await browser.close();
  server.kill();
}
console.log(failures === 0 ? "viewer test passed" : `viewer test: ${failures} check(s) failed`);
process.exit(failures === 0 ? 0 : 1);
