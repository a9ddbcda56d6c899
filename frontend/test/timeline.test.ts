import { describe, expect, it } from 'vitest'
import {
  back,
  current,
  exerciseSteps,
  finished,
  next,
  outcome,
  pause,
  remaining,
  resume,
  sessionLogs,
  sessionSteps,
  skip,
  start,
  tick,
  totalSeconds,
} from '../src/player/timeline'

const reps = { kind: 'reps', pattern: null }
const breathing = { kind: 'breathing', pattern: { inhale: 4, hold: 7, exhale: 8 } }

describe('exerciseSteps', () => {
  it('makes sets × reps with a hold per rep, a release after each hold and a rest between sets', () => {
    const steps = exerciseSteps(reps, { sets: 2, reps: 3, hold_seconds: 5 })
    const kinds = steps.map((s) => s.kind)
    expect(kinds[0]).toBe('ready')
    expect(kinds.filter((k) => k === 'hold')).toHaveLength(6)
    expect(kinds.filter((k) => k === 'release')).toHaveLength(6)
    expect(kinds.filter((k) => k === 'rest')).toHaveLength(1)
    expect(steps.find((s) => s.kind === 'hold')!.seconds).toBe(5)
    expect(steps[1].detail).toBe('Rep 1 of 3 · Set 1 of 2')
    // ready 5 + 6 × (5 + 2) + one rest of 30
    expect(totalSeconds(steps)).toBe(5 + 6 * 7 + 30)
  })

  it('holds each side in turn, with a moment to switch', () => {
    const steps = exerciseSteps({ kind: 'hold' }, { reps: 2, hold_seconds: 10, per_side: true })
    const holds = steps.filter((s) => s.kind === 'hold')
    expect(holds.map((s) => s.detail)).toEqual([
      'Rep 1 of 2 · Left side',
      'Rep 2 of 2 · Left side',
      'Rep 1 of 2 · Right side',
      'Rep 2 of 2 · Right side',
    ])
    expect(steps.filter((s) => s.kind === 'switch')).toHaveLength(1)
    expect(steps.filter((s) => s.kind === 'rest')).toHaveLength(0)
  })

  it('paces slow reps without a hold', () => {
    const steps = exerciseSteps(reps, { reps: 8 })
    expect(steps.filter((s) => s.kind === 'rep')).toHaveLength(8)
    expect(steps.every((s) => s.kind === 'ready' || s.seconds === 4)).toBe(true)
  })

  it("breathes the exercise's pattern for the prescribed breaths", () => {
    const steps = exerciseSteps(breathing, { breaths: 4 })
    const phases = steps.slice(1, 4).map((s) => [s.kind, s.seconds])
    expect(phases).toEqual([
      ['inhale', 4],
      ['hold-in', 7],
      ['exhale', 8],
    ])
    expect(steps).toHaveLength(1 + 4 * 3)
    expect(steps.at(-1)!.detail).toBe('Breath 4 of 4')
  })

  it('includes a hold after breathing out, and fits breaths into a duration', () => {
    const box = { kind: 'breathing', pattern: { inhale: 4, hold: 4, exhale: 4, hold_after: 4 } }
    const steps = exerciseSteps(box, { duration_seconds: 64 })
    expect(steps.filter((s) => s.kind === 'hold-out')).toHaveLength(4)
    expect(totalSeconds(steps) - 5).toBe(64)
  })

  it('times a timed activity, and waits for a tap on a habit', () => {
    expect(exerciseSteps({ kind: 'timed' }, { duration_seconds: 120 }).map((s) => [s.kind, s.seconds])).toEqual([
      ['ready', 5],
      ['timed', 120],
    ])
    expect(exerciseSteps({ kind: 'habit' }, { note: 'Screens off' }).map((s) => [s.kind, s.seconds])).toEqual([['manual', 0]])
  })
})

describe('the clock-driven player', () => {
  const steps = sessionSteps([
    { exercise: reps, prescription: { reps: 2, hold_seconds: 3 } },
    { exercise: reps, prescription: { reps: 2 } },
  ])

  it('advances by itself as time passes, across steps and exercises', () => {
    let s = start(steps)
    expect(current(s)!.kind).toBe('ready')
    s = tick(s, 5000)
    expect(current(s)!.kind).toBe('hold')
    expect(remaining(s)).toBe(3)
    s = tick(s, 1500)
    expect(remaining(s)).toBe(2)
    s = tick(s, 1500 + 2000) // end of the hold, then the release
    expect(current(s)!.detail).toBe('Rep 2 of 2')
    s = tick(s, 5000) // second hold and release: the first exercise is complete
    expect(current(s)!.item).toBe(1)
    expect(s.completed).toEqual([0])
    s = tick(s, 5000 + 8000)
    expect(finished(s)).toBe(true)
    expect(s.running).toBe(false)
    expect(outcome(s, 2)).toEqual(['done', 'done'])
  })

  it('stands still while paused and carries on where it was', () => {
    let s = tick(start(steps), 6000)
    const at = [s.index, s.elapsed]
    s = tick(pause(s), 60_000)
    expect([s.index, s.elapsed]).toEqual(at)
    s = tick(resume(s), 1000)
    expect(s.elapsed).toBe(at[1] + 1000)
  })

  it('skips the rest of an exercise and logs it as skipped', () => {
    let s = tick(start(steps), 6000)
    s = skip(s)
    expect(current(s)!.item).toBe(1)
    expect(current(s)!.kind).toBe('ready')
    s = tick(s, 60_000)
    expect(outcome(s, 2)).toEqual(['skipped', 'done'])
  })

  it('goes back to the start of the step, then to the step before', () => {
    let s = tick(start(steps), 5000 + 2500)
    expect(current(s)!.kind).toBe('hold')
    s = back(s)
    expect([current(s)!.kind, s.elapsed]).toEqual(['hold', 0])
    s = back(s)
    expect(current(s)!.kind).toBe('ready')
  })

  it('going back into a skipped exercise un-skips it', () => {
    let s = skip(start(steps))
    expect(s.skipped).toEqual([0])
    s = back(s)
    expect(current(s)!.item).toBe(0)
    expect(s.skipped).toEqual([])
  })

  it('waits on a manual step until Done', () => {
    const habit = sessionSteps([{ exercise: { kind: 'habit' }, prescription: {} }])
    let s = tick(start(habit), 600_000)
    expect(finished(s)).toBe(false)
    s = next(s)
    expect(finished(s)).toBe(true)
    expect(outcome(s, 1)).toEqual(['done'])
  })
})

describe('sessionLogs', () => {
  it('logs done and skipped exercises with the pain answers chosen, and never an unanswered one', () => {
    const logs = sessionLogs('2026-12-02', ['a', 'b', 'c'], ['done', 'skipped', 'untouched'], 4, null)
    expect(logs).toEqual([
      { date: '2026-12-02', item_id: 'a', status: 'done', pain_before: 4 },
      { date: '2026-12-02', item_id: 'b', status: 'skipped', pain_before: 4 },
    ])
    expect(sessionLogs('2026-12-02', ['a'], ['done'], null, 0)).toEqual([{ date: '2026-12-02', item_id: 'a', status: 'done', pain_after: 0 }])
  })
})
