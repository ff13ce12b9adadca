// The greenwave replay viewer: draws a replay's lanes (cached), its vehicles (interpolated between
// frames), its signal heads, the clicked intersection's phase, queue and served vehicles, and a
// live chart of served vehicles, delay index and average travel time. Canvas2D, no build step.
import { Replay } from "./replay.js";

const $ = (id) => document.getElementById(id);
const VEHICLE_LENGTH = 5; // metres: drawn behind the front position along the heading
const VEHICLE_WIDTH = 2;
const HEAD_LENGTH = 6; // metres of a movement's path drawn as its signal head
const COLORS = {
  background: "#15181c", lane: "#3b4048", junction: "#2a2e35", movement: "#30353c",
  moving: "#7fc8ff", stopped: "#ff7a59", red: "#e5484d", green: "#30c85e", amber: "#f5b400",
  selection: "#ffffff",
};
/** COLORS as little-endian RGBA words for ImageData. */
const PIXEL = Object.fromEntries(Object.entries(COLORS).map(([k, hex]) => {
  const v = parseInt(hex.slice(1), 16);
  return [k, ((0xff << 24) | ((v & 0xff) << 16) | (v & 0xff00) | (v >> 16)) >>> 0];
}));
/** cos and sin of the 256 quantised headings. */
const COS = Float32Array.from({ length: 256 }, (_, q) => Math.cos((q * 2 * Math.PI) / 256));
const SIN = Float32Array.from({ length: 256 }, (_, q) => Math.sin((q * 2 * Math.PI) / 256));
const CHARTS = [
  { metric: "served_vehicles", label: "served vehicles", color: "#7fc8ff", digits: 0 },
  { metric: "delay_index", label: "delay index", color: "#f5b400", digits: 3 },
  { metric: "average_travel_time", label: "ATT (s)", color: "#30c85e", digits: 1 },
];

/** The viewer's whole state; `window.gwViewer` exposes it to tests and the console. */
class Viewer {
  constructor() {
    this.canvas = $("map");
    this.ctx = this.canvas.getContext("2d", { alpha: false });
    this.background = document.createElement("canvas");
    this.chart = $("chart");
    this.replay = null;
    this.playhead = 0; // in frames, fractional between two frames
    this.playing = false;
    this.speed = Number($("speed").value); // simulated seconds per wall second
    this.view = { cx: 0, cy: 0, scale: 1 }; // world centre and pixels per metre
    this.backgroundKey = "";
    this.pair = null; // the cached interpolation between two frames
    this.selected = -1; // signal index
    this.shownFrame = -1;
    this.fps = 0;
    this.frameTimes = [];
    this.dirty = true;
    this.bindUi();
    new ResizeObserver(() => this.resize()).observe(this.canvas.parentElement);
    this.resize();
    requestAnimationFrame((t) => this.tick(t));
  }

  // --- loading ---
  async loadUrl(url) {
    this.status(`loading ${url} ...`);
    const response = await fetch(url);
    if (!response.ok) throw new Error(`${url}: HTTP ${response.status} ${response.statusText}`);
    await this.loadBuffer(await response.arrayBuffer(), url.split("/").pop());
  }

  async loadBuffer(buffer, name) {
    const t0 = performance.now();
    const replay = await Replay.fromBuffer(buffer, name);
    this.replay = replay;
    this.prepareGeometry();
    this.playhead = 0;
    this.selected = -1;
    this.pair = null;
    this.backgroundKey = "";
    $("scrub").max = String(replay.frameCount - 1);
    $("scrub").value = "0";
    $("name").textContent = `${replay.meta.scenario} — ${name}`;
    this.fit();
    this.showSelection();
    this.dirty = true;
    this.shownFrame = -1;
    this.status(`${replay.frameCount} frames, ${replay.meta.intersections.id.length} intersections, ` +
      `${replay.meta.lanes.road.length} lanes, decoded in ${(performance.now() - t0).toFixed(0)} ms`);
    document.body.dataset.loaded = "true";
  }

  /** Precomputes the signal heads and the signalized intersections' positions. */
  prepareGeometry() {
    const m = this.replay.meta;
    const mv = m.movements;
    this.heads = []; // per signal: [{movement, x0, y0, x1, y1}]
    this.signalXY = [];
    this.greenSets = m.signals.phase_movements.map((phases) => phases.map((list) => new Set(list)));
    m.signals.intersection.forEach((inter, s) => {
      this.signalXY.push([m.intersections.x[inter], m.intersections.y[inter]]);
      const heads = [];
      for (let j = 0; j < mv.intersection.length; ++j) {
        if (mv.intersection[j] !== inter || mv.always_green[j]) continue;
        heads.push({ movement: j, line: headOf(mv.line[j]) });
      }
      this.heads.push(heads);
    });
    // Per signal, per phase: 1 for each of its heads that the phase makes green.
    this.greenMasks = this.heads.map((heads, k) =>
      this.greenSets[k].map((green) => Uint8Array.from(heads, (h) => (green.has(h.movement) ? 1 : 0))));
  }

  // --- view ---
  resize() {
    const dpr = window.devicePixelRatio || 1;
    const box = this.canvas.parentElement.getBoundingClientRect();
    this.width = Math.max(1, Math.floor(box.width));
    this.height = Math.max(1, Math.floor(box.height));
    for (const c of [this.canvas, this.background]) {
      c.width = Math.floor(this.width * dpr);
      c.height = Math.floor(this.height * dpr);
    }
    this.canvas.style.width = `${this.width}px`;
    this.canvas.style.height = `${this.height}px`;
    this.dpr = dpr;
    this.backgroundKey = "";
    this.dirty = true;
  }

  fit() {
    const [x0, y0, x1, y1] = this.replay.bounds;
    this.view.cx = (x0 + x1) / 2;
    this.view.cy = (y0 + y1) / 2;
    this.view.scale = 0.95 * Math.min(this.width / (x1 - x0), this.height / (y1 - y0));
    this.backgroundKey = "";
    this.dirty = true;
  }

  sx(x) {
    return (x - this.view.cx) * this.view.scale + this.width / 2;
  }
  sy(y) {
    return this.height / 2 - (y - this.view.cy) * this.view.scale;
  }
  worldAt(px, py) {
    return [(px - this.width / 2) / this.view.scale + this.view.cx, (this.height / 2 - py) / this.view.scale + this.view.cy];
  }

  /** Redraws the cached lanes and junctions when the view changed. */
  drawBackground() {
    const key = `${this.view.cx},${this.view.cy},${this.view.scale},${this.width},${this.height}`;
    if (key === this.backgroundKey) return;
    this.backgroundKey = key;
    const ctx = this.background.getContext("2d", { alpha: false });
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    ctx.fillStyle = COLORS.background;
    ctx.fillRect(0, 0, this.width, this.height);
    const m = this.replay.meta;
    const s = this.view.scale;
    // Junctions: discs of the intersection's width.
    ctx.fillStyle = COLORS.junction;
    ctx.beginPath();
    m.intersections.x.forEach((x, i) => {
      const r = Math.max(m.intersections.width[i] * s, 1.5);
      const px = this.sx(x), py = this.sy(m.intersections.y[i]);
      ctx.moveTo(px + r, py);
      ctx.arc(px, py, r, 0, 2 * Math.PI);
    });
    ctx.fill();
    // Lanes, grouped by their drawn width.
    const byWidth = new Map();
    m.lanes.line.forEach((line, j) => {
      const w = Math.max(1, 0.85 * m.lanes.width[j] * s);
      const key = w.toFixed(1);
      if (!byWidth.has(key)) byWidth.set(key, []);
      byWidth.get(key).push(line);
    });
    ctx.strokeStyle = COLORS.lane;
    ctx.lineCap = "butt";
    for (const [w, lines] of byWidth) {
      ctx.lineWidth = Number(w);
      ctx.beginPath();
      for (const line of lines) this.polyline(ctx, line, line.length);
      ctx.stroke();
    }
    if (s > 0.6) {
      ctx.strokeStyle = COLORS.movement;
      ctx.lineWidth = Math.max(1, 0.5 * s);
      ctx.beginPath();
      for (const line of m.movements.line) this.polyline(ctx, line, line.length);
      ctx.stroke();
    }
  }

  polyline(ctx, line, end) {
    ctx.moveTo(this.sx(line[0]), this.sy(line[1]));
    for (let i = 2; i < end; i += 2) ctx.lineTo(this.sx(line[i]), this.sy(line[i + 1]));
  }

  // --- frames ---
  /** Vehicles of frames k and k+1 matched by id (ids ascend in both), in world coordinates. */
  pairAt(k) {
    if (this.pair && this.pair.k === k) return this.pair;
    const r = this.replay;
    const a = r.frame(k);
    const b = k + 1 < r.frameCount ? r.frame(k + 1) : a;
    const n = a.n;
    const pair = { k, n, frame: a, x: new Float32Array(n), y: new Float32Array(n), nx: new Float32Array(n),
      ny: new Float32Array(n), heading: a.heading, moving: new Uint8Array(n) };
    const [bx0, by0, bx1, by1] = r.bounds;
    const qx = (bx1 - bx0) / 65535, qy = (by1 - by0) / 65535;
    // Moving: at least 0.5 m/s between the two frames.
    const still = (0.5 * Math.max(r.meta.dt, 1e-9)) ** 2;
    const aid = a.ids, bid = b.ids;
    let j = 0;
    for (let i = 0; i < n; ++i) {
      const x = bx0 + a.qx[i] * qx, y = by0 + a.qy[i] * qy;
      let nx = x, ny = y; // a vehicle that leaves before the next frame is drawn where it is
      const id = aid[i];
      while (j < b.n && bid[j] < id) ++j;
      if (j < b.n && bid[j] === id) {
        nx = bx0 + b.qx[j] * qx;
        ny = by0 + b.qy[j] * qy;
      }
      pair.x[i] = x;
      pair.y[i] = y;
      pair.nx[i] = nx;
      pair.ny[i] = ny;
      pair.moving[i] = (nx - x) * (nx - x) + (ny - y) * (ny - y) >= still ? 1 : 0;
    }
    this.pair = pair;
    return pair;
  }

  frameIndex() {
    return Math.min(Math.floor(this.playhead), this.replay.frameCount - 1);
  }

  setFrame(k) {
    if (!this.replay) return;
    this.playhead = Math.max(0, Math.min(this.replay.frameCount - 1, k));
    this.dirty = true;
  }

  draw() {
    const ctx = this.ctx;
    this.drawBackground();
    const k = this.frameIndex();
    const p = this.pairAt(k);
    const alpha = this.playhead - k;
    if (VEHICLE_LENGTH * this.view.scale < 4) {
      this.drawPixels(p, alpha); // city scale: vehicles and signals as pixels
    } else {
      this.drawSignals(p.frame);
      this.drawVehicles(p, alpha);
    }
    this.drawSelection();
    if (k !== this.shownFrame) {
      this.shownFrame = k;
      this.showFrame(p.frame);
    }
  }

  /** Zoomed out: the cached background's pixels, vehicles and signal heads as dots, in one put. */
  drawPixels(p, alpha) {
    const W = this.canvas.width, H = this.canvas.height;
    if (this.pixelsKey !== this.backgroundKey) {
      this.pixelsKey = this.backgroundKey;
      const bg = this.background.getContext("2d").getImageData(0, 0, W, H);
      this.bgPixels = new Uint32Array(bg.data.buffer);
      this.image = this.ctx.createImageData(W, H);
      this.pixels = new Uint32Array(this.image.data.buffer);
    }
    const px = this.pixels;
    px.set(this.bgPixels);
    const d = this.dpr, s = this.view.scale * d;
    const ox = this.width / 2 * d - this.view.cx * s, oy = this.height / 2 * d + this.view.cy * s;
    // 2x2 device pixels per dot, top-left at (x - 1, y - 1).
    const plot = (x, y, colour) => {
      const i = (x | 0) - 1, j = (y | 0) - 1;
      if (i < 0 || j < 0 || i + 2 > W || j + 2 > H) return;
      const o = j * W + i;
      px[o] = colour;
      px[o + 1] = colour;
      px[o + W] = colour;
      px[o + W + 1] = colour;
    };
    const frame = p.frame;
    for (let k = 0; k < this.heads.length; ++k) {
      const heads = this.heads[k];
      const state = frame.signal[k];
      const green = this.greenMasks[k][state & 0x7fff];
      for (let h = 0; h < heads.length; ++h) {
        const colour = state & 0x8000 ? PIXEL.amber : green && green[h] ? PIXEL.green : PIXEL.red;
        plot(ox + heads[h].line[0] * s, oy - heads[h].line[1] * s, colour);
      }
    }
    const { x: x0, y: y0, nx, ny, moving } = p;
    for (let i = 0; i < p.n; ++i) {
      const x = x0[i] + (nx[i] - x0[i]) * alpha, y = y0[i] + (ny[i] - y0[i]) * alpha;
      plot(ox + x * s, oy - y * s, moving[i] ? PIXEL.moving : PIXEL.stopped);
    }
    this.ctx.putImageData(this.image, 0, 0);
  }

  drawVehicles(p, alpha) {
    const ctx = this.ctx;
    const s = this.view.scale;
    const len = VEHICLE_LENGTH * s, half = (VEHICLE_WIDTH * s) / 2;
    const cx = this.view.cx, cy = this.view.cy, w2 = this.width / 2, h2 = this.height / 2;
    for (const moving of [1, 0]) {
      ctx.fillStyle = moving ? COLORS.moving : COLORS.stopped;
      ctx.beginPath();
      for (let i = 0; i < p.n; ++i) {
        if (p.moving[i] !== moving) continue;
        const x = (p.x[i] + (p.nx[i] - p.x[i]) * alpha - cx) * s + w2;
        const y = h2 - (p.y[i] + (p.ny[i] - p.y[i]) * alpha - cy) * s;
        if (x < -len || y < -len || x > this.width + len || y > this.height + len) continue;
        const hx = COS[p.heading[i]], hy = -SIN[p.heading[i]]; // screen y points down
        const bx = x - hx * len, by = y - hy * len;
        const ox = -hy * half, oy = hx * half;
        ctx.moveTo(x + ox, y + oy);
        ctx.lineTo(x - ox, y - oy);
        ctx.lineTo(bx - ox, by - oy);
        ctx.lineTo(bx + ox, by + oy);
        ctx.closePath();
      }
      ctx.fill();
    }
  }

  /** The cached background, then the signal heads as short strokes coloured by state. */
  drawSignals(frame) {
    const ctx = this.ctx;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.drawImage(this.background, 0, 0);
    ctx.setTransform(this.dpr, 0, 0, this.dpr, 0, 0);
    const paths = { red: new Path2D(), green: new Path2D(), amber: new Path2D() };
    this.heads.forEach((heads, s) => {
      const state = frame.signal[s];
      const clearance = (state & 0x8000) !== 0;
      const green = this.greenMasks[s][state & 0x7fff];
      heads.forEach((h, i) => {
        const colour = clearance ? "amber" : green && green[i] ? "green" : "red";
        const path = paths[colour];
        path.moveTo(this.sx(h.line[0]), this.sy(h.line[1]));
        path.lineTo(this.sx(h.line[2]), this.sy(h.line[3]));
      });
    });
    ctx.lineWidth = Math.max(1.5, 1.2 * this.view.scale);
    ctx.lineCap = "round";
    for (const colour of ["red", "amber", "green"]) {
      ctx.strokeStyle = COLORS[colour];
      ctx.stroke(paths[colour]);
    }
  }

  drawSelection() {
    if (this.selected < 0) return;
    const [x, y] = this.signalXY[this.selected];
    const inter = this.replay.meta.signals.intersection[this.selected];
    const r = Math.max(8, (this.replay.meta.intersections.width[inter] + 10) * this.view.scale);
    const ctx = this.ctx;
    ctx.strokeStyle = COLORS.selection;
    ctx.lineWidth = 2;
    ctx.beginPath();
    ctx.arc(this.sx(x), this.sy(y), r, 0, 2 * Math.PI);
    ctx.stroke();
  }

  /** The header's numbers, the selection panel and the chart of frame `frame`. */
  showFrame(frame) {
    const r = this.replay;
    $("frame").textContent = String(frame.index);
    $("time").textContent = frame.time.toFixed(1);
    $("vehicles").textContent = String(frame.n);
    $("scrub").value = String(frame.index);
    const values = CHARTS.map((c) => r.series(c.metric)[frame.index]);
    CHARTS.forEach((c, i) => ($(`value-${c.metric}`).textContent = values[i].toFixed(c.digits)));
    this.showSelection();
    this.drawChart(frame.index);
  }

  showSelection() {
    const panel = $("info");
    if (!this.replay || this.selected < 0) {
      panel.hidden = true;
      return;
    }
    panel.hidden = false;
    const r = this.replay;
    const s = this.selected;
    const k = this.frameIndex();
    const frame = this.pair && this.pair.k === k ? this.pair.frame : r.frame(k);
    const state = frame.signal[s];
    const phase = state & 0x7fff;
    const names = r.meta.signals.phase_names[s];
    $("info-id").textContent = r.meta.intersections.id[r.meta.signals.intersection[s]];
    $("info-phase").textContent = `${names[phase] ?? phase}${state & 0x8000 ? " (clearance)" : ""}`;
    $("info-phase").dataset.phase = String(phase);
    $("info-phase").dataset.clearance = state & 0x8000 ? "true" : "false";
    $("info-queue").textContent = String(frame.queue[s]);
    $("info-served").textContent = String(frame.served[s]);
    $("info-served-total").textContent = String(r.servedTotals[k * r.signalCount + s]);
  }

  drawChart(k) {
    const r = this.replay;
    const c = this.chart;
    const dpr = this.dpr;
    const w = c.clientWidth, h = c.clientHeight;
    if (c.width !== Math.floor(w * dpr)) c.width = Math.floor(w * dpr);
    if (c.height !== Math.floor(h * dpr)) c.height = Math.floor(h * dpr);
    const ctx = c.getContext("2d");
    ctx.setTransform(dpr, 0, 0, dpr, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const rows = CHARTS.length;
    const rh = h / rows;
    const t0 = r.times[0], t1 = Math.max(r.times[r.frameCount - 1], t0 + 1e-9);
    const px = (t) => 4 + ((t - t0) / (t1 - t0)) * (w - 8);
    CHARTS.forEach((chart, row) => {
      const series = r.series(chart.metric);
      let lo = Infinity, hi = -Infinity;
      for (const v of series) {
        lo = Math.min(lo, v);
        hi = Math.max(hi, v);
      }
      if (hi - lo < 1e-9) hi = lo + 1;
      const top = row * rh + 16, bottom = (row + 1) * rh - 4;
      const py = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
      ctx.fillStyle = "#9aa3ad";
      ctx.font = "11px sans-serif";
      ctx.fillText(`${chart.label}  ${lo.toFixed(chart.digits)}–${hi.toFixed(chart.digits)}`, 4, row * rh + 11);
      const stride = Math.max(1, Math.floor(r.frameCount / (2 * w)));
      const line = (end, colour, width) => {
        ctx.strokeStyle = colour;
        ctx.lineWidth = width;
        ctx.beginPath();
        ctx.moveTo(px(r.times[0]), py(series[0]));
        for (let i = stride; i <= end; i += stride) ctx.lineTo(px(r.times[i]), py(series[i]));
        ctx.lineTo(px(r.times[end]), py(series[end]));
        ctx.stroke();
      };
      line(r.frameCount - 1, "#2c3138", 1);
      line(k, chart.color, 1.5);
    });
    ctx.strokeStyle = "#9aa3ad";
    ctx.lineWidth = 1;
    ctx.beginPath();
    ctx.moveTo(px(r.times[k]), 0);
    ctx.lineTo(px(r.times[k]), h);
    ctx.stroke();
  }

  // --- loop ---
  tick(now) {
    const dtWall = this.lastTick === undefined ? 0 : Math.min(0.25, (now - this.lastTick) / 1000);
    this.lastTick = now;
    if (this.replay) {
      if (this.playing) {
        const last = this.replay.frameCount - 1;
        this.playhead += (dtWall * this.speed) / Math.max(this.replay.meta.dt, 1e-9);
        if (this.playhead >= last) {
          this.playhead = last;
          this.setPlaying(false);
        }
        this.dirty = true;
      }
      if (this.dirty) {
        this.dirty = false;
        this.draw();
        this.frameTimes.push(now);
        while (this.frameTimes.length && this.frameTimes[0] < now - 1000) this.frameTimes.shift();
        this.fps = this.frameTimes.length; // frames drawn in the last second
        $("fps").textContent = this.playing ? String(this.fps) : "–";
      }
    }
    requestAnimationFrame((t) => this.tick(t));
  }

  setPlaying(on) {
    this.playing = on;
    $("play").textContent = on ? "pause" : "play";
    if (!on) this.frameTimes = [];
  }

  // --- input ---
  bindUi() {
    $("play").addEventListener("click", () => {
      if (!this.replay) return;
      if (!this.playing && this.playhead >= this.replay.frameCount - 1) this.playhead = 0;
      this.setPlaying(!this.playing);
    });
    $("speed").addEventListener("change", () => (this.speed = Number($("speed").value)));
    $("scrub").addEventListener("input", () => this.setFrame(Number($("scrub").value)));
    $("fit").addEventListener("click", () => this.replay && this.fit());
    $("open").addEventListener("change", async (e) => {
      const file = e.target.files[0];
      if (file) await this.guard(async () => this.loadBuffer(await file.arrayBuffer(), file.name));
    });
    window.addEventListener("keydown", (e) => {
      if (!this.replay || e.target.tagName === "INPUT" || e.target.tagName === "SELECT") return;
      if (e.key === " ") $("play").click();
      else if (e.key === "ArrowRight") this.setFrame(this.frameIndex() + 1);
      else if (e.key === "ArrowLeft") this.setFrame(this.frameIndex() - 1);
      else return;
      e.preventDefault();
    });
    const c = this.canvas;
    let drag = null;
    c.addEventListener("pointerdown", (e) => {
      drag = { x: e.offsetX, y: e.offsetY, cx: this.view.cx, cy: this.view.cy, moved: false };
      c.setPointerCapture(e.pointerId);
    });
    c.addEventListener("pointermove", (e) => {
      if (!drag || !this.replay) return;
      const dx = e.offsetX - drag.x, dy = e.offsetY - drag.y;
      if (Math.abs(dx) + Math.abs(dy) > 3) drag.moved = true;
      if (!drag.moved) return;
      this.view.cx = drag.cx - dx / this.view.scale;
      this.view.cy = drag.cy + dy / this.view.scale;
      this.dirty = true;
    });
    c.addEventListener("pointerup", (e) => {
      if (drag && !drag.moved && this.replay) this.select(e.offsetX, e.offsetY);
      drag = null;
    });
    c.addEventListener("wheel", (e) => {
      if (!this.replay) return;
      e.preventDefault();
      const [wx, wy] = this.worldAt(e.offsetX, e.offsetY);
      const f = Math.exp(-e.deltaY * 0.0015);
      this.view.scale *= f;
      // Keep the point under the cursor in place.
      this.view.cx = wx - (e.offsetX - this.width / 2) / this.view.scale;
      this.view.cy = wy - (this.height / 2 - e.offsetY) / this.view.scale;
      this.dirty = true;
    }, { passive: false });
    $("close-info").addEventListener("click", () => {
      this.selected = -1;
      this.showSelection();
      this.dirty = true;
    });
  }

  /** Selects the signalized intersection nearest the pixel (within 40 m or 14 px), or none. */
  select(px, py) {
    const [wx, wy] = this.worldAt(px, py);
    const reach = Math.max(40, 14 / this.view.scale);
    let best = -1, bestD = reach;
    this.signalXY.forEach(([x, y], s) => {
      const d = Math.hypot(x - wx, y - wy);
      if (d < bestD) {
        bestD = d;
        best = s;
      }
    });
    this.selected = best;
    this.showSelection();
    this.dirty = true;
  }

  /** The screen position (CSS pixels) of signal s: for tests and links. */
  signalScreenPosition(s) {
    const [x, y] = this.signalXY[s];
    return [this.sx(x), this.sy(y)];
  }

  status(text) {
    $("status").textContent = text;
  }

  async guard(fn) {
    try {
      $("error").hidden = true;
      await fn();
    } catch (e) {
      $("error").textContent = e.message;
      $("error").hidden = false;
      this.status("");
    }
  }
}

/** The first HEAD_LENGTH metres of a movement's path: [x0, y0, x1, y1]. */
function headOf(line) {
  const x0 = line[0], y0 = line[1];
  let x1 = line[line.length - 2], y1 = line[line.length - 1];
  let walked = 0;
  for (let i = 2; i < line.length; i += 2) {
    const d = Math.hypot(line[i] - line[i - 2], line[i + 1] - line[i - 1]);
    if (walked + d >= HEAD_LENGTH) {
      const f = (HEAD_LENGTH - walked) / d;
      x1 = line[i - 2] + f * (line[i] - line[i - 2]);
      y1 = line[i - 1] + f * (line[i + 1] - line[i - 1]);
      break;
    }
    walked += d;
  }
  return [x0, y0, x1, y1];
}

const viewer = new Viewer();
window.gwViewer = viewer;
const params = new URLSearchParams(location.search);
const url = params.get("replay") ?? (location.protocol.startsWith("http") ? "replay.gwr" : null);
if (url) {
  viewer.guard(async () => {
    await viewer.loadUrl(url);
    if (params.has("frame")) viewer.setFrame(Number(params.get("frame")));
    if (params.has("speed")) {
      $("speed").value = params.get("speed");
      viewer.speed = Number(params.get("speed"));
    }
    if (params.has("play")) viewer.setPlaying(true);
  });
} else {
  viewer.status("open a replay file (greenwave run ... --replay FILE.gwr)");
}
