// The patient's week as the clinician reads it: one row per planned thing (not one
// per day), with the days it falls on, and what a change to it would write. Pure:
// unit-tested in test/plan.test.ts.
import type { AdaptedDay, AdaptedPlanItem, Prescription, RxRow } from '../../types'
import { doseText, weekdaysText } from './dose'

export interface PlanRow {
  /** The item's id without its date: "<program>:<key>" or "rx:<id>". */
  key: string
  item: AdaptedPlanItem
  /** Weekdays (0 = Monday) it falls on in the days read. */
  weekdays: number[]
  /** The dose on a later day, when the week changes it ("4 reps from Thu"). */
  later?: { date: string; prescription: Prescription }
  /** The clinician's prescription behind it, if any. */
  rx?: RxRow
  /** For a program item: what "Change dose" sends as `replaces`. */
  replaces?: string
}

/** Monday = 0, for a local calendar date. */
export function weekday(date: string): number {
  return (new Date(`${date}T00:00:00Z`).getUTCDay() + 6) % 7
}

/** "core-strength:plank:2026-11-20" -> "core-strength:plank"; "rx:7:2026-11-20" -> "rx:7". */
export function itemKey(id: string): string {
  return /:\d{4}-\d{2}-\d{2}$/.test(id) ? id.slice(0, id.lastIndexOf(':')) : id
}

/** The prescription behind an item: a new one (rx:<id>) or the one that changed a program item. */
export function rxFor(key: string, prescriptions: readonly RxRow[]): RxRow | undefined {
  const match = /^rx:(\d+)$/.exec(key)
  if (match) return prescriptions.find((rx) => rx.id === Number(match[1]))
  return prescriptions.find((rx) => rx.replaces === key)
}

/**
 * The usual days' items, one row per item key in the order first planned (flare days
 * hold the flare plan, not the prescribed one, and are left out: the page says so).
 */
export function planRows(days: readonly AdaptedDay[], prescriptions: readonly RxRow[]): PlanRow[] {
  const rows = new Map<string, PlanRow>()
  for (const day of days) {
    if (day.mode === 'flare') continue
    for (const item of day.items) {
      const key = itemKey(item.id)
      const known = rows.get(key)
      if (!known) {
        rows.set(key, {
          key,
          item,
          weekdays: [weekday(day.date)],
          rx: rxFor(key, prescriptions),
          replaces: key.startsWith('rx:') ? undefined : key,
        })
        continue
      }
      if (!known.weekdays.includes(weekday(day.date))) known.weekdays.push(weekday(day.date))
      if (!known.later && doseText(item.prescription) !== doseText(known.item.prescription)) {
        known.later = { date: day.date, prescription: item.prescription }
      }
    }
  }
  return [...rows.values()]
}

/** The days a row falls on in the week read, in words: "Every day", "Mon, Wed, Fri". */
export function rowDays(row: PlanRow): string {
  return weekdaysText(row.weekdays)
}

/** The dates among those read that hold the flare plan. */
export function flareDays(days: readonly AdaptedDay[]): string[] {
  return days.filter((day) => day.mode === 'flare').map((day) => day.date)
}
