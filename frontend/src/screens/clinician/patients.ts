// The patient list's pure parts: column order, sorting and the words screen readers
// hear for trends and alerts. No DOM, no network: unit-tested in test/patients.test.ts.
import type { AdaptedPatientRow as PatientRow, OpenAlert, SafetyLevel, Trend } from '../../types'

export type SortKey =
  | 'attention'
  | 'email'
  | 'alerts'
  | 'adherence_7'
  | 'adherence_28'
  | 'last_checkin'
  | 'latest_pain'
  | 'latest_stress'

export type SortDirection = 'ascending' | 'descending'

export interface Sort {
  key: SortKey
  direction: SortDirection
}

/** The server's order: open safety alerts first, then rising pain or stress, then fewer sessions. */
export const ATTENTION_FIRST: Sort = { key: 'attention', direction: 'ascending' }

/**
 * The first click on a column puts whoever may need attention on top: most alerts,
 * highest pain or stress, least of the plan done, longest since a check-in. A second
 * click reverses it. Names sort A to Z first.
 */
const FIRST_DIRECTION: Record<SortKey, SortDirection> = {
  attention: 'ascending',
  email: 'ascending',
  alerts: 'descending',
  adherence_7: 'ascending',
  adherence_28: 'ascending',
  last_checkin: 'ascending',
  latest_pain: 'descending',
  latest_stress: 'descending',
}

export function nextSort(current: Sort, key: SortKey): Sort {
  if (current.key === key && key !== 'attention') {
    return { key, direction: current.direction === 'ascending' ? 'descending' : 'ascending' }
  }
  return { key, direction: FIRST_DIRECTION[key] }
}

const LEVEL_RANK: Record<SafetyLevel, number> = { none: 0, see_doctor: 1, urgent: 2, emergency: 3 }

/** The most serious open alert, or undefined. */
export function worstAlert(alerts: OpenAlert[]): OpenAlert | undefined {
  return alerts.reduce<OpenAlert | undefined>(
    (worst, alert) => (!worst || LEVEL_RANK[alert.level] > LEVEL_RANK[worst.level] ? alert : worst),
    undefined,
  )
}

/** A comparable value for a column; null when the row has nothing there. */
function value(row: PatientRow, key: SortKey, index: number): number | string | null {
  switch (key) {
    case 'attention':
      return index
    case 'email':
      return row.email.toLowerCase()
    case 'alerts': {
      // Seriousness first, then how many.
      const worst = worstAlert(row.open_alerts)
      return worst ? LEVEL_RANK[worst.level] * 1000 + row.open_alerts.length : 0
    }
    default:
      return row[key]
  }
}

/**
 * The rows in the asked order. Rows with no value in the column (no check-in yet,
 * nothing planned) always come last, in either direction; ties keep the server's
 * "who needs attention" order.
 */
export function sortPatients(rows: readonly PatientRow[], sort: Sort): PatientRow[] {
  const sign = sort.direction === 'ascending' ? 1 : -1
  return rows
    .map((row, index) => ({ row, index, value: value(row, sort.key, index) }))
    .sort((a, b) => {
      if (a.value === null || b.value === null) {
        if (a.value === b.value) return a.index - b.index
        return a.value === null ? 1 : -1
      }
      const order =
        typeof a.value === 'string' && typeof b.value === 'string'
          ? a.value.localeCompare(b.value)
          : (a.value as number) - (b.value as number)
      return order === 0 ? a.index - b.index : order * sign
    })
    .map(({ row }) => row)
}

/** The arrow shown beside a latest score (hidden from screen readers: they hear trendWords). */
export function trendArrow(trend: Trend | null): string {
  return trend === 'up' ? '↑' : trend === 'down' ? '↓' : trend === 'flat' ? '→' : ''
}

/** What the arrow means, in words: the last 7 days of check-ins against the 7 before. */
export function trendWords(trend: Trend | null): string {
  switch (trend) {
    case 'up':
      return 'rising compared with the week before'
    case 'down':
      return 'easing compared with the week before'
    case 'flat':
      return 'about the same as the week before'
    default:
      return 'not enough check-ins to compare weeks'
  }
}

export const ALERT_LABEL: Record<OpenAlert['level'], string> = {
  emergency: 'Emergency',
  urgent: 'Urgent',
  see_doctor: 'See a doctor',
}

/** "1 open safety alert: urgent", read out instead of the badge. */
export function alertWords(alerts: OpenAlert[]): string {
  const worst = worstAlert(alerts)
  if (!worst) return 'No open safety alerts'
  const count = alerts.length === 1 ? '1 open safety alert' : `${alerts.length} open safety alerts`
  return `${count}: ${alerts.length > 1 ? 'the most serious is ' : ''}${ALERT_LABEL[worst.level].toLowerCase()}`
}

/** A share of the plan as a whole percentage; "–" when nothing was planned. */
export function percent(share: number | null): string {
  return share === null ? '–' : `${Math.round(share * 100)}%`
}

/** Whole days from `date` to `today`, both local calendar dates (YYYY-MM-DD). */
export function daysBetween(date: string, today: string): number {
  return Math.round((Date.parse(`${today}T00:00:00Z`) - Date.parse(`${date}T00:00:00Z`)) / 86_400_000)
}

/** "Today", "Yesterday", "5 days ago", or "Never" for no check-in at all. */
export function lastSeen(date: string | null, today: string): string {
  if (!date) return 'Never'
  const days = daysBetween(date, today)
  if (days <= 0) return 'Today'
  if (days === 1) return 'Yesterday'
  return `${days} days ago`
}

/** A plan item id ("core-strength:dead-bug:2026-11-20") as a person reads it: "Dead bug (core strength)". */
export function itemName(itemId: string): string {
  const [program, key] = itemId.split(':')
  if (!key) return itemId
  const words = (slug: string) => slug.replace(/[-_]+/g, ' ').trim()
  const name = words(key)
  return `${name.charAt(0).toUpperCase()}${name.slice(1)} (${words(program)})`
}

/** A local calendar date moved by whole days ("2026-03-01", -1 -> "2026-02-28"). */
export function shiftDate(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10)
}

/** The permissions a link can carry, in the order the patient's Settings lists them. */
export const SCOPES: [string, string][] = [
  ['logs', 'Logs'],
  ['checkins', 'Check-ins'],
  ['journal', 'Journal'],
  ['prescribe', 'Prescribe'],
]

/** What a screen reader hears instead of the badges: "Shares logs and check-ins; does not share the journal; you cannot prescribe." */
export function scopeWords(scopes: readonly string[]): string {
  const shared = SCOPES.filter(([s]) => s !== 'prescribe' && scopes.includes(s)).map(([, label]) => label.toLowerCase())
  const kept = SCOPES.filter(([s]) => s !== 'prescribe' && !scopes.includes(s)).map(([, label]) => label.toLowerCase())
  const list = (names: string[]) => (names.length > 1 ? `${names.slice(0, -1).join(', ')} and ${names.at(-1)}` : names[0])
  const parts = [
    shared.length ? `Shares ${list(shared)}` : 'Shares nothing to read',
    kept.length ? `not the ${list(kept)}` : '',
  ].filter(Boolean)
  return `${parts.join(', ')}; ${scopes.includes('prescribe') ? 'you may prescribe' : 'you cannot prescribe'}.`
}

const WEEKDAY = new Intl.DateTimeFormat('en-GB', { weekday: 'short' })
const TIME = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit' })
const DAY_MONTH = new Intl.DateTimeFormat('en-GB', { day: 'numeric', month: 'short' })

/** When a flare began, as short as is clear: "14:05" today, "yesterday", "Tue" this week, else "3 Nov". */
export function flareSince(startedAt: string, now: Date): string {
  const start = new Date(startedAt)
  const midnight = (d: Date) => new Date(d.getFullYear(), d.getMonth(), d.getDate()).getTime()
  const days = Math.round((midnight(now) - midnight(start)) / 86_400_000)
  if (days <= 0) return TIME.format(start)
  if (days === 1) return 'yesterday'
  if (days < 7) return WEEKDAY.format(start)
  return DAY_MONTH.format(start)
}
