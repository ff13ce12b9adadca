// Frames per second of the replay viewer (docs/viewer.md) in headless Chromium: serves REPLAY
// with `greenwave view`, plays it at SPEED simulated seconds per second from frame START for
// SECONDS, and prints the decode time and the frames drawn in each second.
// usage: node viewer_fps.mjs GREENWAVE REPLAY NODE_DIR [START] [SPEED] [SECONDS]
// (NODE_DIR holds node_modules/playwright-core, e.g. build/browser after ctest -R browser_deps)
import { spawn } from "node:child_process";
import { statSync } from "node:fs";
import { createRequire } from "node:module";
import { join, resolve } from "node:path";

const [greenwave, replay, nodeDir, start = "300", speed = "10", seconds = "8"] = process.argv.slice(2);
const { chromium } = createRequire(join(resolve(nodeDir), "package.json"))("playwright-core");
const server = spawn(greenwave, ["view", replay, "--port", "0"], { stdio: ["ignore", "pipe", "inherit"] });
const url = await new Promise((resolve, reject) => {
  let out = "";
  server.stdout.on("data", (d) => {
    out += d;
    const m = out.match(/http:\/\/127\.0\.0\.1:\d+\//);
    if (m) resolve(m[0]);
  });
  server.on("exit", (code) => reject(new Error(`greenwave view exited with ${code}`)));
});
const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ["--no-sandbox"] });
try {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } });
  await page.goto(`${url}?frame=${start}&speed=${speed}`);
  await page.waitForSelector("body[data-loaded=true]", { timeout: 600000 });
  const status = await page.textContent("#status");
  await page.click("#play");
  const fps = [], vehicles = [];
  for (let i = 0; i < Number(seconds); ++i) {
    await page.waitForTimeout(1000);
    fps.push(Number(await page.textContent("#fps")));
    vehicles.push(Number(await page.textContent("#vehicles")));
  }
  const sorted = [...fps].sort((a, b) => a - b);
  console.log(JSON.stringify({ replay, bytes: statSync(replay).size, status, vehicles, fps,
    median_fps: sorted[Math.floor(sorted.length / 2)] }));
} finally {
  await browser.close();
  server.kill();
}
