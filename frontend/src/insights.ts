// Insights as each reader sees them: patients the words alone (gentler where they
// could be chance), clinicians the numbers beside them (shapes17).
import type { Insight, Summary } from './types'

export type AnyInsight = Summary['insights'][number] & Partial<Omit<Insight, 'kind' | 'text' | 'n'>>

/** Whether the server says this pattern may be chance (older servers: never). */
export const isChance = (i: AnyInsight) => i.chance === true

const round = (x: number, digits = 1) => {
  const f = 10 ** digits
  return Math.round(x * f) / f
}

const signed = (x: number) => `${x > 0 ? '+' : x < 0 ? '−' : ''}${Math.abs(round(x))}`

/** The numbers of one insight in a line for a clinician: "n 24 · effect +1.5 (95% CI 0.4 to 2.6) · lag 1 day · median difference". */
export function insightNumbers(i: AnyInsight): { n: string; effect: string; ci: string; lag: string; method: string } {
  const level = typeof i.ci_level === 'number' ? ` (${Math.round(i.ci_level * 1000) / 10}%)` : ''
  const ci = Array.isArray(i.ci) && i.ci.length === 2 && i.ci.every((v) => typeof v === 'number') ? `${signed(i.ci[0])} to ${signed(i.ci[1])}${level}` : '–'
  return {
    n: String(i.n ?? '–'),
    effect: typeof i.effect === 'number' ? signed(i.effect) : typeof i.r === 'number' ? `r ${signed(i.r)}` : '–',
    ci,
    lag: typeof i.lag_days === 'number' ? (i.lag_days === 0 ? 'same day' : `${i.lag_days} day${i.lag_days === 1 ? '' : 's'}`) : '–',
    method: i.method ?? (typeof i.r === 'number' ? 'Pearson correlation' : '–'),
  }
}

/** What the insight is about, for a table row: its factor's label, else its kind in words. */
export function insightAbout(i: AnyInsight): string {
  if (i.factor?.label) return i.factor.label
  return (i.kind ?? '').replace(/_/g, ' ')
}
