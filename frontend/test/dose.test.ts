import { describe, expect, it } from 'vitest'
import { exercisesOf, searchExercises } from '../src/screens/clinician/catalog'
import {
  doseFields,
  doseText,
  formFromPrescription,
  hasSides,
  prescriptionFromForm,
  serverErrors,
  weekdaysText,
  weekdaysValue,
} from '../src/screens/clinician/dose'
import type { Exercise, ProgramDetail } from '../src/types'

const keys = (kind: string | undefined) => doseFields(kind).map((f) => f.key)
const required = (kind: string) =>
  doseFields(kind)
    .filter((f) => f.required)
    .map((f) => f.key)

describe('the dose fields fit the exercise', () => {
  it.each([
    ['reps', ['sets', 'reps', 'hold_seconds'], ['reps'], true],
    ['hold', ['sets', 'reps', 'hold_seconds'], ['hold_seconds'], true],
    ['breathing', ['breaths', 'duration_seconds'], [], false],
    ['timed', ['duration_seconds'], ['duration_seconds'], false],
    ['habit', ['duration_seconds'], [], false],
  ])('%s: boxes %j, needed %j, each side %s', (kind, boxes, needed, sides) => {
    expect(keys(kind)).toEqual(boxes)
    expect(required(kind)).toEqual(needed)
    expect(hasSides(kind)).toBe(sides)
  })

  it('a walk is counted in minutes, a hold in seconds', () => {
    expect(doseFields('timed')[0]).toMatchObject({ label: 'Duration (minutes)', minutes: true })
    expect(doseFields('hold').find((f) => f.key === 'hold_seconds')).toMatchObject({ label: 'Hold (seconds)' })
  })
})

describe('the form and the prescription', () => {
  it('a program dose fills the form, minutes for durations', () => {
    expect(formFromPrescription('reps', { sets: 2, reps: 8, per_side: true })).toEqual({
      values: { sets: '2', reps: '8' },
      per_side: true,
    })
    expect(formFromPrescription('timed', { duration_seconds: 900 }).values).toEqual({ duration_seconds: '15' })
    expect(formFromPrescription('breathing', { duration_seconds: 90 }).values).toEqual({ duration_seconds: '1.5' })
    // A walk has no sides, whatever the dose said.
    expect(formFromPrescription('timed', { duration_seconds: 600, per_side: true }).per_side).toBe(false)
  })

  it('a lowered dose becomes the prescription, empty boxes left out', () => {
    const result = prescriptionFromForm('reps', { values: { sets: '2', reps: ' 6 ', hold_seconds: '' }, per_side: false })
    expect(result).toEqual({ ok: true, prescription: { sets: 2, reps: 6 } })
  })

  it('minutes become whole seconds, a comma works as a decimal point', () => {
    expect(prescriptionFromForm('timed', { values: { duration_seconds: '7,5' }, per_side: false })).toEqual({
      ok: true,
      prescription: { duration_seconds: 450 },
    })
  })

  it('each side is sent only for a movement', () => {
    expect(prescriptionFromForm('hold', { values: { hold_seconds: '20' }, per_side: true })).toEqual({
      ok: true,
      prescription: { hold_seconds: 20, per_side: true },
    })
    expect(prescriptionFromForm('timed', { values: { duration_seconds: '5' }, per_side: true })).toEqual({
      ok: true,
      prescription: { duration_seconds: 300 },
    })
  })

  it.each([
    ['reps', { reps: '' }, 'reps', 'Repetitions is needed'],
    ['reps', { reps: 'six' }, 'reps', 'A whole number from 1 to 50'],
    ['reps', { reps: '2.5' }, 'reps', 'A whole number'],
    ['reps', { reps: '0' }, 'reps', 'from 1 to 50'],
    ['reps', { reps: '6', sets: '11' }, 'sets', 'from 1 to 10'],
    ['hold', { reps: '3' }, 'hold_seconds', 'Hold is needed'],
    ['hold', { hold_seconds: '301' }, 'hold_seconds', 'from 1 to 300'],
    ['timed', { duration_seconds: '0.2' }, 'duration_seconds', 'in half minutes'],
    ['timed', { duration_seconds: '121' }, 'duration_seconds', 'Between 0.5 and 120 minutes'],
    ['breathing', {}, 'dose', 'breaths or a duration'],
  ])('%s %j: %s says "%s"', (kind, values, field, message) => {
    const result = prescriptionFromForm(kind, { values, per_side: false })
    expect(result.ok).toBe(false)
    if (!result.ok) expect(result.errors[field as keyof typeof result.errors]).toContain(message)
  })

  it('a habit may have no dose at all', () => {
    expect(prescriptionFromForm('habit', { values: {}, per_side: false })).toEqual({ ok: true, prescription: {} })
  })

  it('a dose read back from the form is the same dose', () => {
    const dose = { sets: 3, reps: 10, hold_seconds: 5, per_side: true }
    expect(prescriptionFromForm('reps', formFromPrescription('reps', dose))).toEqual({ ok: true, prescription: dose })
  })
})

describe('the dose and the days in words', () => {
  it.each([
    [{ sets: 2, reps: 6 }, '2 sets of 6 reps'],
    [{ reps: 3, hold_seconds: 30, per_side: true }, '3 reps, hold 30 s, each side'],
    [{ sets: 1, reps: 1 }, '1 set of 1 rep'],
    [{ sets: 3, hold_seconds: 20 }, '3 sets, hold 20 s'],
    [{ duration_seconds: 600 }, '10 min'],
    [{ duration_seconds: 90 }, '1.5 min'],
    [{ breaths: 4 }, '4 breaths'],
    [{}, ''],
  ])('%j is "%s"', (dose, words) => {
    expect(doseText(dose)).toBe(words)
  })

  it('all seven days are kept as "every day"', () => {
    expect(weekdaysValue([6, 0, 1, 2, 3, 4, 5])).toBeNull()
    expect(weekdaysValue([4, 0, 2, 2])).toEqual([0, 2, 4])
    expect(weekdaysText(null)).toBe('Every day')
    expect(weekdaysText([0, 1, 2, 3, 4])).toBe('Weekdays')
    expect(weekdaysText([6, 5])).toBe('Weekends')
    expect(weekdaysText([4, 0, 2])).toBe('Mon, Wed, Fri')
  })
})

describe("the server's 400s go next to their field", () => {
  it('names the dose box, the time of day and the rest', () => {
    expect(
      serverErrors({
        prescription: { reps: ['Ensure this value is less than or equal to 7200.'] },
        time_of_day: ['"noon" is not a valid choice.'],
        replaces: ['No such program item.'],
      }),
    ).toEqual({
      reps: 'Ensure this value is less than or equal to 7200.',
      time_of_day: '"noon" is not a valid choice.',
      replaces: 'No such program item.',
    })
  })

  it('a message about the whole dose goes under the dose, anything else under the form', () => {
    expect(serverErrors({ prescription: ['A dose for this exercise needs reps.'] })).toEqual({
      dose: 'A dose for this exercise needs reps.',
    })
    expect(serverErrors({ detail: 'Not allowed.' })).toEqual({ other: 'Not allowed.' })
    expect(serverErrors({ colour: ['Unknown field.'] })).toEqual({ other: 'colour: Unknown field.' })
    expect(serverErrors(null)).toEqual({})
  })
})

function exercise(slug: string, name: string, kind: string, summary = ''): Exercise {
  return { slug, name, kind, summary, steps: [], cautions: [] }
}

function program(slug: string, title: string, items: [string, Exercise, Record<string, number>][]): ProgramDetail {
  return {
    slug,
    title,
    category: 'core',
    weeks: 2,
    summary: '',
    description: '',
    schedule: [1, 2].map((week) => ({
      week,
      items: items.map(([key, ex, dose]) => ({ key, time_of_day: 'morning', exercise: ex, prescription: { ...dose, reps: (dose.reps ?? 0) + week } })),
    })),
  }
}

describe('the exercise picker', () => {
  const knee = exercise('knee-to-chest', 'Knee-to-chest', 'hold', 'Eases the lower back.')
  const cat = exercise('cat-cow', 'Cat-cow', 'reps', 'Warms up the spine.')
  const walk = exercise('easy-walk', 'Easy walk', 'timed')
  const catalog = exercisesOf([
    program('back-stretches', 'Back stretches', [
      ['cat-cow', cat, { reps: 5 }],
      ['knee', knee, { reps: 2, hold_seconds: 20 }],
    ]),
    undefined,
    program('core-strength', 'Core strength', [['walk', walk, { reps: 0 }], ['cat', cat, { reps: 9 }]]),
  ])

  it('lists each exercise once, by name, with the first week of the first program as its dose', () => {
    expect(catalog.map((e) => e.exercise.slug)).toEqual(['cat-cow', 'easy-walk', 'knee-to-chest'])
    expect(catalog[0].dose).toEqual({ reps: 6 })
    expect(catalog[0].programs).toEqual(['Back stretches', 'Core strength'])
  })

  it('finds by any words of the name, kind, summary or program, in any case', () => {
    const found = (q: string) => searchExercises(catalog, q).map((e) => e.exercise.slug)
    expect(found('')).toEqual(['cat-cow', 'easy-walk', 'knee-to-chest'])
    expect(found('KNEE chest')).toEqual(['knee-to-chest'])
    expect(found('timed')).toEqual(['easy-walk'])
    expect(found('spine')).toEqual(['cat-cow'])
    expect(found('core')).toEqual(['cat-cow', 'easy-walk'])
    expect(found('cat cow')).toEqual(['cat-cow'])
    expect(found('swim')).toEqual([])
  })
})
