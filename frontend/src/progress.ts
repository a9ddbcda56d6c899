// Progress in plain words: insights without statistics for the person (the numbers
// sit behind "How this was worked out"), a smoothed trend, and dates in their locale.
import type { Summary } from './types'

type Insight = Summary['insights'][number]

/** The insight's sentence with any statistics taken out: "(clearly: r = +0.62 over 14 days)". */
export function plainText(text: string): string {
  return text
    .replace(/\s*\((?:[a-z]+:\s*)?r\s*=\s*[+-−]?\d+(?:\.\d+)?(?:\s+over\s+\d+\s+days)?\)/gi, '')
    .replace(/\s+([.,])/g, '$1')
    .trim()
}

/** How an insight was worked out, in words a curious person can follow. */
export function workedOut(insight: Insight): string | null {
  if (insight.r === null || insight.r === undefined) return null
  const pairs = insight.kind === 'stress_pain_next_day' || insight.about === 'stress_pain_next_day' ? "one day's stress with the next day's pain" : "each day's stress with that day's pain"
  const r = insight.r
  const sign = r > 0 ? '+' : r < 0 ? '−' : ''
  return `We paired ${pairs} over ${insight.n} days and measured how closely they move together (Pearson's correlation): ${sign}${Math.abs(r).toFixed(2)}, on a scale from −1 to +1 where 0 means no link. A pattern is not proof of a cause.`
}

/**
 * A centred rolling mean over `window` days, ignoring days with no value; a day is
 * shown only when at least `min` values fall in its window (else null: a gap).
 */
export function rollingMean(values: (number | null)[], window = 7, min = 2): (number | null)[] {
  const half = Math.floor(window / 2)
  return values.map((_, i) => {
    const slice = values.slice(Math.max(0, i - half), i + half + 1).filter((v): v is number => v !== null && v !== undefined)
    if (slice.length < min) return null
    return Math.round((slice.reduce((a, b) => a + b, 0) / slice.length) * 10) / 10
  })
}

/** "Wed 5 Nov" in the person's locale (en-GB), "Wed, Nov 5" (en-US). */
export function shortDate(iso: string, locale?: string): string {
  return new Intl.DateTimeFormat(locale, { weekday: 'short', day: 'numeric', month: 'short', timeZone: 'UTC' }).format(
    new Date(`${iso}T12:00:00Z`),
  )
}

/** "5 Nov" / "Nov 5": for axes and week ranges. */
export function dayMonth(iso: string | Date, locale?: string): string {
  const date = typeof iso === 'string' ? new Date(`${iso}T12:00:00Z`) : iso
  return new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' }).format(date)
}

/** A week's change in words: "Pain 4.2 on average, down from 5.1 the week before". */
export function weekWords(label: string, now: number | null, before: number | null): string | null {
  if (now === null) return null
  const avg = `${label} ${now.toFixed(1)} on average`
  if (before === null) return avg
  const diff = Math.round((now - before) * 10) / 10
  if (Math.abs(diff) < 0.5) return `${avg}, about the same as the week before`
  return `${avg}, ${diff < 0 ? 'down' : 'up'} from ${before.toFixed(1)} the week before`
}
