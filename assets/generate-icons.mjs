#!/usr/bin/env node
// Draws rustysignal's icons (no image tools needed): the app icon as PNG sizes, .ico and .icns, and the
// tray icons for each server state (colour for Windows/Linux, template images for macOS). Shapes differ
// per state as well as colours, so the state reads without colour vision.
// Run: node assets/generate-icons.mjs   (writes into assets/)
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { deflateSync } from 'node:zlib';

const out = path.dirname(fileURLToPath(import.meta.url));

// ---- PNG encoding (RGBA, 8 bit) -------------------------------------------------------------
const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});
function crc32(buf) {
  let c = 0xffffffff;
  for (const b of buf) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}
function chunk(type, data) {
  const len = Buffer.alloc(4);
  len.writeUInt32BE(data.length);
  const td = Buffer.concat([Buffer.from(type, 'ascii'), data]);
  const crc = Buffer.alloc(4);
  crc.writeUInt32BE(crc32(td));
  return Buffer.concat([len, td, crc]);
}
function png(size, rgba) {
  const ihdr = Buffer.alloc(13);
  ihdr.writeUInt32BE(size, 0);
  ihdr.writeUInt32BE(size, 4);
  ihdr[8] = 8; // bit depth
  ihdr[9] = 6; // RGBA
  const raw = Buffer.alloc(size * (size * 4 + 1));
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0; // filter: none
    rgba.copy(raw, y * (size * 4 + 1) + 1, y * size * 4, (y + 1) * size * 4);
  }
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ]);
}

// ---- Drawing: shapes as coverage functions on the unit square, 4x4 supersampled ------------------
// A layer is [inside(x, y) -> boolean, [r, g, b, a]]; later layers paint over earlier ones.
function render(size, layers) {
  const buf = Buffer.alloc(size * size * 4);
  const ss = 4;
  for (let py = 0; py < size; py++) {
    for (let px = 0; px < size; px++) {
      let r = 0,
        g = 0,
        b = 0,
        a = 0;
      for (let sy = 0; sy < ss; sy++) {
        for (let sx = 0; sx < ss; sx++) {
          const x = (px + (sx + 0.5) / ss) / size;
          const y = (py + (sy + 0.5) / ss) / size;
          let c = [0, 0, 0, 0];
          for (const [inside, color] of layers) if (inside(x, y)) c = typeof color === 'function' ? color(x, y) : color;
          // premultiplied accumulation
          r += c[0] * c[3];
          g += c[1] * c[3];
          b += c[2] * c[3];
          a += c[3];
        }
      }
      const n = ss * ss;
      const i = (py * size + px) * 4;
      const alpha = a / n;
      buf[i] = alpha ? Math.round(r / a) : 0;
      buf[i + 1] = alpha ? Math.round(g / a) : 0;
      buf[i + 2] = alpha ? Math.round(b / a) : 0;
      buf[i + 3] = Math.round(alpha * 255);
    }
  }
  return buf;
}

const roundedSquare = (m, rad) => (x, y) => {
  const dx = Math.max(m + rad - x, 0, x - (1 - m - rad));
  const dy = Math.max(m + rad - y, 0, y - (1 - m - rad));
  return x >= m && x <= 1 - m && y >= m && y <= 1 - m && dx * dx + dy * dy <= rad * rad;
};
const disc = (cx, cy, r) => (x, y) => (x - cx) ** 2 + (y - cy) ** 2 <= r * r;
const ring = (cx, cy, r, w) => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  return d >= r - w / 2 && d <= r + w / 2;
};
// An arc of a ring opening upwards, spanning +-`half` radians around straight up.
const arc = (cx, cy, r, w, half) => (x, y) => {
  const d = Math.hypot(x - cx, y - cy);
  const ang = Math.atan2(x - cx, cy - y);
  return d >= r - w / 2 && d <= r + w / 2 && Math.abs(ang) <= half;
};
const slash = (w) => (x, y) => Math.abs(x - (1 - y)) / Math.SQRT2 <= w / 2 && x > 0.16 && x < 0.84;

// The signal mark: a source dot with two waves above it.
const mark = (cx, cy, s) => [
  disc(cx, cy, 0.09 * s),
  arc(cx, cy, 0.22 * s, 0.075 * s, 0.8),
  arc(cx, cy, 0.36 * s, 0.075 * s, 0.8),
];

function appIcon(size) {
  const bg = (x, y) => {
    const t = (x + y) / 2; // teal to deep blue
    return [Math.round(16 + 10 * t), Math.round(150 - 70 * t), Math.round(150 + 40 * t), 1];
  };
  return render(size, [[roundedSquare(0.06, 0.2), bg], ...mark(0.5, 0.66, 1.25).map((f) => [f, [255, 255, 255, 1]])]);
}

const trayColors = { running: [34, 160, 90, 1], stopped: [128, 128, 128, 1], error: [208, 48, 48, 1] };
function trayIcon(size, state, template) {
  const c = template ? [0, 0, 0, 1] : trayColors[state];
  if (state === 'stopped') {
    // Hollow source, faint waves: not sending.
    const faint = [c[0], c[1], c[2], 0.45];
    return render(size, [
      ...mark(0.5, 0.72, 1.6)
        .slice(1)
        .map((f) => [f, faint]),
      [ring(0.5, 0.72, 0.115, 0.08), c],
    ]);
  }
  const layers = mark(0.5, 0.72, 1.6).map((f) => [f, c]);
  if (state === 'error') layers.push([slash(0.12), c]);
  return render(size, layers);
}

// ---- Containers ---------------------------------------------------------------------------------
function ico(pngs) {
  const header = Buffer.alloc(6);
  header.writeUInt16LE(0, 0);
  header.writeUInt16LE(1, 2);
  header.writeUInt16LE(pngs.length, 4);
  const dir = Buffer.alloc(16 * pngs.length);
  let offset = 6 + dir.length;
  pngs.forEach(({ size, data }, i) => {
    const e = i * 16;
    dir[e] = size >= 256 ? 0 : size;
    dir[e + 1] = size >= 256 ? 0 : size;
    dir.writeUInt16LE(1, e + 4); // planes
    dir.writeUInt16LE(32, e + 6); // bits per pixel
    dir.writeUInt32LE(data.length, e + 8);
    dir.writeUInt32LE(offset, e + 12);
    offset += data.length;
  });
  return Buffer.concat([header, dir, ...pngs.map((p) => p.data)]);
}

function icns(entries) {
  const parts = entries.map(({ type, data }) => {
    const h = Buffer.alloc(8);
    h.write(type, 0, 'ascii');
    h.writeUInt32BE(data.length + 8, 4);
    return Buffer.concat([h, data]);
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h.write('icns', 0, 'ascii');
  h.writeUInt32BE(body.length + 8, 4);
  return Buffer.concat([h, body]);
}

// ---- Output -------------------------------------------------------------------------------------
const sizes = [16, 24, 32, 48, 64, 128, 256, 512, 1024];
const app = Object.fromEntries(sizes.map((s) => [s, png(s, appIcon(s))]));
mkdirSync(path.join(out, 'icons'), { recursive: true });
for (const s of [16, 32, 48, 64, 128, 256, 512]) writeFileSync(path.join(out, 'icons', `${s}x${s}.png`), app[s]);
writeFileSync(path.join(out, 'icon.png'), app[1024]);
writeFileSync(path.join(out, 'icon.ico'), ico([16, 24, 32, 48, 64, 128, 256].map((s) => ({ size: s, data: app[s] }))));
writeFileSync(
  path.join(out, 'icon.icns'),
  icns(
    [
      ['icp4', 16],
      ['icp5', 32],
      ['icp6', 64],
      ['ic07', 128],
      ['ic08', 256],
      ['ic09', 512],
      ['ic10', 1024],
    ].map(([type, s]) => ({ type, data: app[s] })),
  ),
);

mkdirSync(path.join(out, 'tray'), { recursive: true });
for (const state of ['running', 'stopped', 'error']) {
  writeFileSync(path.join(out, 'tray', `${state}.png`), png(16, trayIcon(16, state, false)));
  writeFileSync(path.join(out, 'tray', `${state}@2x.png`), png(32, trayIcon(32, state, false)));
  writeFileSync(path.join(out, 'tray', `${state}Template.png`), png(16, trayIcon(16, state, true)));
  writeFileSync(path.join(out, 'tray', `${state}Template@2x.png`), png(32, trayIcon(32, state, true)));
}
console.log(`icons written to ${out}`);
