// Reading greenwave replay files (docs/replay.md, version 1) in the browser: the raw header, the
// zlib body (DecompressionStream), the metadata, an index of the frames and each frame's arrays.

/** The format version this viewer reads. */
export const REPLAY_VERSION = 1;

/** Rounds `n` up to a multiple of 4 (every section and frame starts at one). */
const align4 = (n) => (n + 3) & ~3;

/** Decompresses a zlib stream (RFC 1950) into an ArrayBuffer. */
async function inflate(bytes) {
  if (typeof DecompressionStream === "undefined") {
    throw new Error("this browser has no DecompressionStream('deflate'); use a current Chromium, Firefox or Safari");
  }
  // The whole input at once and a reader loop: several times faster than Response.arrayBuffer().
  const ds = new DecompressionStream("deflate");
  const writer = ds.writable.getWriter();
  writer.write(bytes).catch(() => {});
  writer.close().catch(() => {});
  const reader = ds.readable.getReader();
  const chunks = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      chunks.push(value);
      total += value.length;
    }
  } catch (e) {
    throw new Error(`the compressed body is damaged (${e.message})`);
  }
  const out = new Uint8Array(total);
  let offset = 0;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out.buffer;
}

/** One decoded frame: typed-array views into the replay body, plus the decoded vehicle ids. */
export class Frame {
  constructor(replay, k) {
    const view = replay.view;
    const off = replay.offsets[k];
    const S = replay.signalCount;
    const M = replay.meta.metrics.length;
    this.index = k;
    this.n = view.getUint32(off + 4, true);
    this.time = view.getFloat64(off + 8, true);
    const n = this.n;
    const buf = replay.body;
    let p = off + 16;
    this.metrics = new Float32Array(buf, p, M);
    p = align4(p + 4 * M);
    this.signal = new Uint16Array(buf, p, S);
    p = align4(p + 2 * S);
    this.queue = new Uint16Array(buf, p, S);
    p = align4(p + 2 * S);
    this.served = new Uint16Array(buf, p, S);
    p = align4(p + 2 * S);
    const deltas = new Uint32Array(buf, p, n);
    p = align4(p + 4 * n);
    this.qx = new Uint16Array(buf, p, n);
    p = align4(p + 2 * n);
    this.qy = new Uint16Array(buf, p, n);
    p = align4(p + 2 * n);
    this.heading = new Uint8Array(buf, p, n);
    this.ids = new Uint32Array(n);
    let id = 0;
    for (let i = 0; i < n; ++i) this.ids[i] = id += deltas[i];
  }
}

/** A replay file in memory: metadata, frame offsets, metric series and per-signal served totals. */
export class Replay {
  /** Parses a whole replay file (an ArrayBuffer); throws an Error that says what is wrong. */
  static async fromBuffer(buffer, name = "replay") {
    const raw = new Uint8Array(buffer);
    const magic = new TextDecoder().decode(raw.subarray(0, 8));
    if (raw.length < 12 || magic !== "GWREPLAY") {
      throw new Error(`${name}: not a greenwave replay (no GWREPLAY header)`);
    }
    const version = new DataView(buffer, 8, 4).getUint32(0, true);
    if (version !== REPLAY_VERSION) {
      throw new Error(`${name}: replay format version ${version}, this viewer reads version ${REPLAY_VERSION}`);
    }
    let body;
    try {
      body = await inflate(raw.subarray(12));
    } catch (e) {
      throw new Error(`${name}: ${e.message}`);
    }
    return new Replay(body, name);
  }

  constructor(body, name) {
    this.name = name;
    this.body = body;
    this.view = new DataView(body);
    const metaLen = this.view.getUint32(0, true);
    if (4 + metaLen > body.byteLength) throw new Error(`${name}: metadata length ${metaLen} exceeds the body`);
    const text = new TextDecoder().decode(new Uint8Array(body, 4, metaLen)).replace(/\0+$/, "");
    this.meta = JSON.parse(text);
    if (this.meta.format !== "greenwave-replay") throw new Error(`${name}: metadata format is not greenwave-replay`);
    this.signalCount = this.meta.signals.intersection.length;
    this.bounds = this.meta.bounds;
    const M = this.meta.metrics.length;
    // Index the frames: offsets, times, metric values, and each signal's served count so far.
    const offsets = [];
    let off = align4(4 + metaLen);
    while (off < body.byteLength) {
      const size = this.view.getUint32(off, true);
      if (size < 16 || off + size > body.byteLength) throw new Error(`${name}: frame ${offsets.length} is truncated`);
      offsets.push(off);
      off += size;
    }
    if (offsets.length === 0) throw new Error(`${name}: the replay has no frames`);
    this.offsets = Uint32Array.from(offsets);
    this.frameCount = offsets.length;
    this.times = new Float64Array(this.frameCount);
    this.counts = new Uint32Array(this.frameCount);
    this.metricSeries = this.meta.metrics.map(() => new Float32Array(this.frameCount));
    const S = this.signalCount;
    this.servedTotals = new Uint32Array(this.frameCount * S);
    const running = new Uint32Array(S);
    for (let k = 0; k < this.frameCount; ++k) {
      const o = this.offsets[k];
      this.counts[k] = this.view.getUint32(o + 4, true);
      this.times[k] = this.view.getFloat64(o + 8, true);
      for (let m = 0; m < M; ++m) this.metricSeries[m][k] = this.view.getFloat32(o + 16 + 4 * m, true);
      let p = align4(o + 16 + 4 * M);
      p = align4(p + 2 * S);
      p = align4(p + 2 * S);
      for (let s = 0; s < S; ++s) {
        running[s] += this.view.getUint16(p + 2 * s, true);
        this.servedTotals[k * S + s] = running[s];
      }
    }
  }

  /** The decoded frame k (0 = the state at reset). */
  frame(k) {
    return new Frame(this, k);
  }

  /** The series of one metric by name (a Float32Array over frames). */
  series(name) {
    const i = this.meta.metrics.indexOf(name);
    if (i < 0) throw new Error(`${this.name}: no metric ${name}`);
    return this.metricSeries[i];
  }

  /** World x, y (metres) of quantised coordinates. */
  worldX(q) {
    return this.bounds[0] + (q * (this.bounds[2] - this.bounds[0])) / 65535;
  }
  worldY(q) {
    return this.bounds[1] + (q * (this.bounds[3] - this.bounds[1])) / 65535;
  }
}
