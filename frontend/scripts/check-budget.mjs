// The first-screen JavaScript budget: the scripts dist/index.html loads before the
// app can show anything (its module script and every modulepreload), gzipped.
// Chunks loaded on demand (the uPlot chart) are not counted. Fails the build when over,
// and when the clinician screens would reach a patient's phone (preloaded or precached).
import { readdirSync, readFileSync } from 'node:fs'
import { gzipSync } from 'node:zlib'
import { join } from 'node:path'

const BUDGET_KB = 60
const dist = new URL('../dist/', import.meta.url).pathname
const html = readFileSync(join(dist, 'index.html'), 'utf8')
const scripts = [
  ...html.matchAll(/<script[^>]+type="module"[^>]+src="([^"]+)"/g),
  ...html.matchAll(/<link[^>]+rel="modulepreload"[^>]+href="([^"]+)"/g),
].map((m) => m[1])
if (scripts.length === 0) {
  console.error('budget: no module script found in dist/index.html')
  process.exit(1)
}
let total = 0
for (const src of new Set(scripts)) {
  const bytes = gzipSync(readFileSync(join(dist, src.replace(/^\//, ''))), { level: 9 }).length
  total += bytes
  console.log(`budget: ${src} ${(bytes / 1024).toFixed(1)} KB gzip`)
}
const kb = total / 1024
console.log(`budget: first-screen JavaScript ${kb.toFixed(1)} KB gzip (budget ${BUDGET_KB} KB)`)
if (kb > BUDGET_KB) {
  console.error(`budget: over by ${(kb - BUDGET_KB).toFixed(1)} KB`)
  process.exit(1)
}

const clinician = readdirSync(join(dist, 'assets')).filter((name) => /^Clinician-.*\.js$/.test(name))
if (clinician.length !== 1) {
  console.error(`budget: expected one clinician chunk in dist/assets, found ${clinician.length}`)
  process.exit(1)
}
const worker = readFileSync(join(dist, 'sw.js'), 'utf8')
if (scripts.some((src) => src.includes('Clinician-')) || worker.includes('Clinician-')) {
  console.error('budget: the clinician chunk is preloaded or precached: patients would download it')
  process.exit(1)
}
const clinicianKb = gzipSync(readFileSync(join(dist, 'assets', clinician[0])), { level: 9 }).length / 1024
console.log(`budget: clinician screens ${clinicianKb.toFixed(1)} KB gzip, loaded on demand, not precached`)

// The session player loads on demand but must work with no signal: it is precached.
const player = readdirSync(join(dist, 'assets')).filter((name) => /^Player-.*\.(js|css)$/.test(name))
if (player.length === 0 || player.some((name) => !worker.includes(name))) {
  console.error(`budget: the player chunk is missing or not precached (${player.join(', ') || 'none'})`)
  process.exit(1)
}
if (scripts.some((src) => src.includes('Player-'))) {
  console.error('budget: the player chunk is on the first screen; it should load on demand')
  process.exit(1)
}
console.log('budget: the player loads on demand and is precached for offline')

// The care team's settings (consent centre, set aside, plan changes): on demand, precached.
const care = readdirSync(join(dist, 'assets')).filter((name) => /^Care-.*\.js$/.test(name))
if (care.length === 0 || care.some((name) => !worker.includes(name)) || scripts.some((src) => src.includes('Care-'))) {
  console.error(`budget: the care settings chunk is missing, not precached, or on the first screen (${care.join(', ') || 'none'})`)
  process.exit(1)
}
const careKb = gzipSync(readFileSync(join(dist, 'assets', care[0])), { level: 9 }).length / 1024
console.log(`budget: care team settings ${careKb.toFixed(1)} KB gzip, on demand and precached for offline`)

// A questionnaire (issue 18) opens with no signal: its screen loads on demand, precached.
const questionnaire = readdirSync(join(dist, 'assets')).filter((name) => /^Questionnaire-.*\.(js|css)$/.test(name))
if (
  !questionnaire.some((name) => name.endsWith('.js')) ||
  questionnaire.some((name) => !worker.includes(name)) ||
  scripts.some((src) => src.includes('Questionnaire-'))
) {
  console.error(`budget: the questionnaire chunk is missing, not precached, or on the first screen (${questionnaire.join(', ') || 'none'})`)
  process.exit(1)
}
const questionnaireJs = questionnaire.find((name) => name.endsWith('.js'))
const questionnaireKb = gzipSync(readFileSync(join(dist, 'assets', questionnaireJs)), { level: 9 }).length / 1024
console.log(`budget: questionnaire screen ${questionnaireKb.toFixed(1)} KB gzip, on demand and precached for offline`)
