// Pre-compresses the build so whitenoise can serve .br/.gz variants of the files
// under WHITENOISE_ROOT (it compresses collectstatic files itself, not these).
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { brotliCompressSync, constants, gzipSync } from 'node:zlib'

const dist = new URL('../dist/', import.meta.url).pathname
const COMPRESSIBLE = /\.(js|css|html|svg|webmanifest|json)$/

function* walk(dir) {
  for (const name of readdirSync(dir)) {
    const path = join(dir, name)
    if (statSync(path).isDirectory()) yield* walk(path)
    else yield path
  }
}

let count = 0
for (const path of walk(dist)) {
  if (!COMPRESSIBLE.test(path)) continue
  const data = readFileSync(path)
  if (data.length < 512) continue
  writeFileSync(`${path}.gz`, gzipSync(data, { level: 9 }))
  writeFileSync(`${path}.br`, brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }))
  count++
}
console.log(`compress: ${count} files with .gz and .br variants`)
