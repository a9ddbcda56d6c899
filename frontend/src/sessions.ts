// A day's plan as sessions: one per time of day, what each holds in one line, which
// is next, and which are done. Pure, so Today and the player agree and tests can pin it.
import type { Day, PlanItem } from './types'

export const TIMES: [string, string][] = [
  ['morning', 'Morning'],
  ['midday', 'Midday'],
  ['afternoon', 'Afternoon'],
  ['evening', 'Evening'],
  ['bedtime', 'Bedtime'],
]

export const timeName = (key: string): string => TIMES.find(([k]) => k === key)?.[1] ?? key

export interface DaySession {
  time_of_day: string
  title: string
  /** About how long the items that are not optional take. */
  minutes: number
  /** The items in the order to do them (optional ones last). */
  items: PlanItem[]
  required: PlanItem[]
  extras: PlanItem[]
  /** Every item that counts is done or skipped (and there is at least one). */
  done: boolean
  /** Items still to do that count; the extras after them. */
  todo: PlanItem[]
  held: boolean
}

/** Rough seconds of one item, as the server counts them (backend/programs/schedule.py). */
export function itemSeconds(item: PlanItem): number {
  const p = item.prescription
  if (p.duration_seconds) return p.duration_seconds
  if (p.breaths) {
    const pattern = item.exercise.pattern
    const cycle = pattern ? pattern.inhale + (pattern.hold ?? 0) + pattern.exhale + (pattern.hold_after ?? 0) : 10
    return Math.ceil(p.breaths * cycle)
  }
  if (!p.reps && !p.hold_seconds) return 60
  const perRep = p.hold_seconds ? p.hold_seconds + 2 : 4
  const sets = Math.max(p.sets ?? 1, 1)
  return sets * (p.reps ?? 1) * (p.per_side ? 2 : 1) * perRep + (sets - 1) * 30
}

export const minutesOf = (seconds: number): number => Math.ceil(seconds / 60)

/**
 * The day's sessions, morning first. Uses the server's `sessions` (their order and
 * minutes) when it sends them; an older server's day is grouped here, each exercise
 * once per time of day.
 */
export function daySessions(day: Day): DaySession[] {
  const byId = new Map(day.items.map((item) => [item.id, item]))
  const groups: { time_of_day: string; minutes?: number; items: PlanItem[] }[] = day.sessions
    ? day.sessions.map((s) => ({
        time_of_day: s.time_of_day,
        minutes: s.minutes,
        items: s.items.map((id) => byId.get(id)).filter((i): i is PlanItem => Boolean(i)),
      }))
    : TIMES.map(([key]) => {
        const seen = new Set<string>()
        const items = day.items.filter((i) => {
          if (i.time_of_day !== key || seen.has(i.exercise.slug)) return false
          seen.add(i.exercise.slug)
          return true
        })
        return { time_of_day: key, items }
      })
  const order = (key: string) => {
    const index = TIMES.findIndex(([k]) => k === key)
    return index === -1 ? TIMES.length : index
  }
  return groups
    .filter((g) => g.items.length > 0)
    .sort((a, b) => order(a.time_of_day) - order(b.time_of_day))
    .map((g) => {
      // The server already puts optional items last; keep its order otherwise.
      const required = g.items.filter((i) => !i.optional)
      const extras = g.items.filter((i) => i.optional)
      const items = [...required, ...extras]
      const held = items.some((i) => i.status === 'held')
      const counted = required.length > 0 ? required : extras
      const done = !held && counted.every((i) => i.status === 'done' || i.status === 'skipped')
      const todo = items.filter((i) => i.status === 'pending')
      const minutes = g.minutes ?? minutesOf(required.reduce((sum, i) => sum + itemSeconds(i), 0))
      return { time_of_day: g.time_of_day, title: timeName(g.time_of_day), minutes, items, required, extras, done, todo, held }
    })
}

/** The session to do next: the first one not done (by time of day). */
export function nextSession(sessions: DaySession[]): DaySession | undefined {
  return sessions.find((s) => !s.done && !s.held)
}

/** Sessions in the order shown: next up first, then the rest in time order. */
export function ordered(sessions: DaySession[]): DaySession[] {
  const next = nextSession(sessions)
  return next ? [next, ...sessions.filter((s) => s !== next)] : sessions
}

/** "Cat-cow, glute bridge, dead bug": what a session holds, in one line. */
export function holdsLine(session: Pick<DaySession, 'required' | 'extras'>, max = 4): string {
  const names = (session.required.length ? session.required : session.extras).map((i, n) =>
    n === 0 ? i.exercise.name : i.exercise.name.charAt(0).toLowerCase() + i.exercise.name.slice(1),
  )
  if (names.length <= max) return names.join(', ')
  return `${names.slice(0, max - 1).join(', ')} and ${names.length - (max - 1)} more`
}

/** "20 min" / "1 h 5 min": the day's total time. */
export function formatMinutes(minutes: number): string {
  if (minutes < 60) return `${minutes} min`
  const h = Math.floor(minutes / 60)
  const m = minutes % 60
  return m ? `${h} h ${m} min` : `${h} h`
}

/** The day's total minutes: the server's, or the sum of its sessions'. */
export function dayMinutes(day: Day, sessions: DaySession[] = daySessions(day)): number {
  return day.minutes ?? sessions.reduce((sum, s) => sum + s.minutes, 0)
}

export const BUDGETS = [10, 20, 30, 45, 60] as const

/** The daily budget in plain words: "20 minutes a day", or "No limit". */
export function budgetLabel(minutes: number | null | undefined): string {
  return minutes ? `${minutes} minutes a day` : 'No limit'
}

/** The line under the day's total: how it sits with the budget. */
export function budgetLine(total: number, budget: number | null | undefined): string {
  if (!budget) return `About ${formatMinutes(total)} today`
  return total <= budget ? `About ${formatMinutes(total)} today, within your ${budget} minutes` : `About ${formatMinutes(total)} today`
}

type Step = NonNullable<PlanItem['progression']>

/** The dose's step as a small sign and a word; the first week says nothing. */
const STEP_WORDS: Partial<Record<Step['state'], [string, string]>> = {
  progress: ['↑', 'Next step up'],
  hold: ['=', 'Staying at this level'],
  regress: ['↓', 'One step easier'],
}

/**
 * An item's progression as one quiet line: a sign, the step in bold, the reason. The
 * server's reason leads with its own words ("Staying at this level: yesterday's
 * session..."), which are then the step; otherwise the state's word leads.
 */
export function progressionLine(progression: PlanItem['progression']): { sign: string; head: string; rest: string } | null {
  const words = progression ? STEP_WORDS[progression.state] : undefined
  if (!progression || !words) return null
  const [sign, label] = words
  const reason = progression.reason.trim()
  const colon = reason.indexOf(': ')
  if (colon > 0 && colon < 40) return { sign, head: reason.slice(0, colon), rest: reason.slice(colon) }
  if (reason.toLowerCase().startsWith(label.toLowerCase())) return { sign, head: reason.slice(0, label.length), rest: reason.slice(label.length) }
  return { sign, head: label, rest: reason ? `: ${reason}` : '' }
}
