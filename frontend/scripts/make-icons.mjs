// Draws the app icons (a calm stack of vertebrae on the theme colour) as PNG files.
// Run by hand when the design changes: `node scripts/make-icons.mjs`; the PNGs are committed.
import { deflateSync } from 'node:zlib'
import { writeFileSync, mkdirSync } from 'node:fs'

const BG = [0x2f, 0x6b, 0x5f]
const FG = [0xf7, 0xf5, 0xf0]

function crc32(buf) {
  let c, crc = 0xffffffff
  for (let n = 0; n < buf.length; n++) {
    c = (crc ^ buf[n]) & 0xff
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1
    crc = (crc >>> 8) ^ c
  }
  return (crc ^ 0xffffffff) >>> 0
}

function chunk(type, data) {
  const len = Buffer.alloc(4)
  len.writeUInt32BE(data.length)
  const body = Buffer.concat([Buffer.from(type), data])
  const crc = Buffer.alloc(4)
  crc.writeUInt32BE(crc32(body))
  return Buffer.concat([len, body, crc])
}

function png(size, pixel) {
  const raw = Buffer.alloc((size * 4 + 1) * size)
  for (let y = 0; y < size; y++) {
    raw[y * (size * 4 + 1)] = 0
    for (let x = 0; x < size; x++) {
      const [r, g, b, a] = pixel(x, y)
      const o = y * (size * 4 + 1) + 1 + x * 4
      raw[o] = r; raw[o + 1] = g; raw[o + 2] = b; raw[o + 3] = a
    }
  }
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(size, 0)
  ihdr.writeUInt32BE(size, 4)
  ihdr[8] = 8; ihdr[9] = 6; ihdr[10] = 0; ihdr[11] = 0; ihdr[12] = 0
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw, { level: 9 })),
    chunk('IEND', Buffer.alloc(0)),
  ])
}

// Shapes in unit coordinates (0..1). `scale` shrinks the drawing for the maskable safe zone.
function inRoundRect(x, y, cx, cy, w, h, r) {
  const dx = Math.max(Math.abs(x - cx) - (w / 2 - r), 0)
  const dy = Math.max(Math.abs(y - cy) - (h / 2 - r), 0)
  return dx * dx + dy * dy <= r * r
}

function shape(x, y, scale) {
  const u = (x - 0.5) / scale + 0.5
  const v = (y - 0.5) / scale + 0.5
  // Five vertebrae along a gentle S-curve, widest at the bottom.
  for (let i = 0; i < 5; i++) {
    const cy = 0.24 + i * 0.13
    const cx = 0.5 + 0.045 * Math.sin((i / 4) * Math.PI * 1.5)
    const w = 0.3 + i * 0.035
    if (inRoundRect(u, v, cx, cy, w, 0.085, 0.04)) return true
  }
  return false
}

function icon(size, { maskable }) {
  const S = 4 // supersampling for smooth edges
  return png(size, (px, py) => {
    let fg = 0, inside = 0
    for (let sy = 0; sy < S; sy++) {
      for (let sx = 0; sx < S; sx++) {
        const x = (px + (sx + 0.5) / S) / size
        const y = (py + (sy + 0.5) / S) / size
        const bg = maskable || inRoundRect(x, y, 0.5, 0.5, 1, 1, 0.22)
        if (!bg) continue
        inside++
        if (shape(x, y, maskable ? 0.72 : 0.9)) fg++
      }
    }
    const n = S * S
    if (inside === 0) return [0, 0, 0, 0]
    const t = fg / inside
    const mix = (i) => Math.round(BG[i] * (1 - t) + FG[i] * t)
    return [mix(0), mix(1), mix(2), Math.round((255 * inside) / n)]
  })
}

mkdirSync('public/icons', { recursive: true })
writeFileSync('public/icons/icon-192.png', icon(192, { maskable: false }))
writeFileSync('public/icons/icon-512.png', icon(512, { maskable: false }))
writeFileSync('public/icons/maskable-512.png', icon(512, { maskable: true }))
// iOS draws its own rounded corners over a full square.
writeFileSync('public/icons/apple-touch-icon.png', icon(180, { maskable: true }))
console.log('icons written to public/icons/')
