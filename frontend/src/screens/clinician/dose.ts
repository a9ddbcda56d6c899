// The prescription editor's pure parts: which dose fields fit an exercise, the form's
// text values to a prescription and back, the dose and the days in words, and the
// server's 400s sorted to the field they name. No DOM, no network: unit-tested in
// test/dose.test.ts.
import type { Prescription } from '../../types'

export type DoseKey = 'sets' | 'reps' | 'hold_seconds' | 'duration_seconds' | 'breaths'

export interface DoseField {
  key: DoseKey
  label: string
  /** The unit shown after the box (the label says it in full). */
  unit: string
  min: number
  max: number
  /** Needed for this kind; the others may be left empty. */
  required: boolean
  /** The box holds minutes; the server keeps seconds. */
  minutes?: boolean
}

/** The form as typed: text per number box (empty: not part of the dose), and per side. */
export interface DoseForm {
  values: Partial<Record<DoseKey, string>>
  per_side: boolean
}

const SETS: DoseField = { key: 'sets', label: 'Sets', unit: '', min: 1, max: 10, required: false }
const REPS: DoseField = { key: 'reps', label: 'Repetitions', unit: '', min: 1, max: 50, required: false }
const HOLD: DoseField = { key: 'hold_seconds', label: 'Hold (seconds)', unit: '', min: 1, max: 300, required: false }
const MINUTES: DoseField = {
  key: 'duration_seconds',
  label: 'Duration (minutes)',
  unit: '',
  min: 0.5,
  max: 120,
  required: false,
  minutes: true,
}
const BREATHS: DoseField = { key: 'breaths', label: 'Breaths', unit: '', min: 1, max: 100, required: false }

const need = (field: DoseField): DoseField => ({ ...field, required: true })

/**
 * The number boxes for an exercise's kind, in the order a physiotherapist writes a
 * dose. Reps: how many, in sets, maybe held at the top. A held position: how long,
 * how many times. Breathing: a count of breaths or a time (one of them). Timed and
 * habits: minutes (a habit may have none).
 */
export function doseFields(kind: string | undefined): DoseField[] {
  switch (kind) {
    case 'reps':
      return [SETS, need(REPS), { ...HOLD, label: 'Hold at the end (seconds)' }]
    case 'hold':
      return [SETS, { ...REPS, label: 'Times' }, need(HOLD)]
    case 'breathing':
      return [BREATHS, MINUTES]
    case 'timed':
      return [need(MINUTES)]
    case 'habit':
      return [MINUTES]
    default:
      return [SETS, REPS, HOLD, MINUTES, BREATHS]
  }
}

/** Whether "each side" applies (movements; not breathing, walks or habits). */
export function hasSides(kind: string | undefined): boolean {
  return kind === 'reps' || kind === 'hold' || kind === undefined
}

/** The form for a dose (a program's, or a prescription being edited). */
export function formFromPrescription(kind: string | undefined, prescription: Prescription | undefined): DoseForm {
  const values: DoseForm['values'] = {}
  for (const field of doseFields(kind)) {
    const amount = prescription?.[field.key]
    if (typeof amount === 'number') {
      values[field.key] = field.minutes ? String(Math.round((amount / 60) * 10) / 10) : String(amount)
    }
  }
  return { values, per_side: hasSides(kind) && Boolean(prescription?.per_side) }
}

export type DoseResult =
  | { ok: true; prescription: Prescription }
  | { ok: false; errors: Partial<Record<DoseKey | 'dose', string>> }

function parse(text: string): number | undefined {
  const cleaned = text.trim().replace(',', '.')
  if (cleaned === '') return undefined
  const number = Number(cleaned)
  return Number.isFinite(number) ? number : NaN
}

/**
 * The prescription the form says, or what to fix, per box. Empty boxes are left out;
 * a box that is not a number, or out of its range, names its range. Minutes become
 * whole seconds. Breathing needs breaths or minutes; an empty dose is refused for
 * anything but a habit.
 */
export function prescriptionFromForm(kind: string | undefined, form: DoseForm): DoseResult {
  const prescription: Prescription = {}
  const errors: Partial<Record<DoseKey | 'dose', string>> = {}
  for (const field of doseFields(kind)) {
    const number = parse(form.values[field.key] ?? '')
    if (number === undefined) {
      if (field.required) errors[field.key] = `${field.label.replace(/ \(.*\)$/, '')} is needed for this exercise.`
      continue
    }
    const whole = field.minutes ? Number.isInteger(number * 2) : Number.isInteger(number)
    if (Number.isNaN(number) || !whole || number < field.min || number > field.max) {
      errors[field.key] = field.minutes
        ? `Between ${field.min} and ${field.max} minutes, in half minutes.`
        : `A whole number from ${field.min} to ${field.max}.`
      continue
    }
    prescription[field.key] = field.minutes ? Math.round(number * 60) : number
  }
  if (kind === 'breathing' && prescription.breaths === undefined && prescription.duration_seconds === undefined) {
    if (!errors.breaths && !errors.duration_seconds) errors.dose = 'Give a number of breaths or a duration.'
  }
  if (hasSides(kind) && form.per_side) prescription.per_side = true
  if (Object.keys(errors).length > 0) return { ok: false, errors }
  return { ok: true, prescription }
}

function seconds(total: number): string {
  if (total < 60) return `${total} s`
  const minutes = total / 60
  return Number.isInteger(minutes) ? `${minutes} min` : `${Math.round(minutes * 10) / 10} min`
}

/** A dose in plain words: "2 sets of 6 reps, hold 5 s, each side"; "" for none. */
export function doseText(p: Prescription | undefined | null): string {
  if (!p) return ''
  const parts: string[] = []
  const { sets, reps, hold_seconds: hold, duration_seconds: duration, breaths } = p
  if (sets && reps) parts.push(`${sets} ${sets === 1 ? 'set' : 'sets'} of ${reps} ${reps === 1 ? 'rep' : 'reps'}`)
  else if (reps) parts.push(`${reps} ${reps === 1 ? 'rep' : 'reps'}`)
  else if (sets) parts.push(`${sets} ${sets === 1 ? 'set' : 'sets'}`)
  if (hold) parts.push(`hold ${seconds(hold)}`)
  if (breaths) parts.push(`${breaths} breaths`)
  if (duration) parts.push(seconds(duration))
  if (p.per_side) parts.push('each side')
  return parts.join(', ')
}

export const DAY_SHORT = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
export const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
export const EVERY_DAY = [0, 1, 2, 3, 4, 5, 6]

/** The days as the server keeps them: null for every day, else sorted without repeats. */
export function weekdaysValue(days: readonly number[]): number[] | null {
  const sorted = [...new Set(days)].filter((d) => d >= 0 && d <= 6).sort((a, b) => a - b)
  return sorted.length === 7 ? null : sorted
}

/** "Every day", "Weekdays", "Weekends", or "Mon, Wed, Fri". */
export function weekdaysText(days: readonly number[] | null | undefined): string {
  if (!days || days.length === 0 || days.length === 7) return 'Every day'
  const sorted = [...days].sort((a, b) => a - b)
  if (sorted.join() === '0,1,2,3,4') return 'Weekdays'
  if (sorted.join() === '5,6') return 'Weekends'
  return sorted.map((d) => DAY_SHORT[d]).join(', ')
}

export const TIMES_OF_DAY: [string, string][] = [
  ['morning', 'Morning'],
  ['midday', 'Midday'],
  ['afternoon', 'Afternoon'],
  ['evening', 'Evening'],
  ['bedtime', 'Bedtime'],
]

export function timeOfDayName(value: string): string {
  return TIMES_OF_DAY.find(([v]) => v === value)?.[1] ?? value
}

export type FormField = 'exercise' | 'time_of_day' | 'weekdays' | 'note' | 'replaces' | DoseKey | 'dose' | 'other'

function first(value: unknown): string | undefined {
  if (typeof value === 'string') return value
  if (Array.isArray(value)) return first(value[0])
  return undefined
}

/**
 * A 400's messages by the form's field: DRF's `{"field": [...]}`, a dose's own
 * `{"prescription": {"reps": [...]}}` or `{"prescription": ["..."]}` (the dose as a
 * whole), and anything else (`detail`, `non_field_errors`, a field the form has not)
 * under `other`.
 */
export function serverErrors(body: unknown): Partial<Record<FormField, string>> {
  const errors: Partial<Record<FormField, string>> = {}
  if (!body || typeof body !== 'object') return errors
  const known: FormField[] = ['exercise', 'time_of_day', 'weekdays', 'note', 'replaces']
  const doseKeys: DoseKey[] = ['sets', 'reps', 'hold_seconds', 'duration_seconds', 'breaths']
  for (const [name, value] of Object.entries(body as Record<string, unknown>)) {
    if (name === 'prescription') {
      if (value && typeof value === 'object' && !Array.isArray(value)) {
        for (const [key, message] of Object.entries(value as Record<string, unknown>)) {
          const text = first(message)
          if (!text) continue
          if ((doseKeys as string[]).includes(key)) errors[key as DoseKey] = text
          else errors.dose = errors.dose ?? text
        }
      } else {
        const text = first(value)
        if (text) errors.dose = text
      }
      continue
    }
    const text = first(value)
    if (!text) continue
    if ((known as string[]).includes(name)) errors[name as FormField] = text
    else errors.other = errors.other ?? (name === 'detail' || name === 'non_field_errors' ? text : `${name}: ${text}`)
  }
  return errors
}
