// The player's timing model: a prescription becomes a list of timed steps, and a
// clock-driven state machine walks them. Pure (no timers, no DOM): the player feeds it
// elapsed milliseconds, tests feed it numbers.
import type { Exercise, Prescription, SessionData } from '../types'

// The same rough pace the server plans with (backend/programs/schedule.py).
export const SECONDS_PER_REP = 4
export const RELEASE_SECONDS = 2
export const REST_BETWEEN_SETS_SECONDS = 30
export const SWITCH_SIDES_SECONDS = 5
export const READY_SECONDS = 5
const FALLBACK_PATTERN: NonNullable<Exercise['pattern']> = { inhale: 4, exhale: 6 }

export type StepKind =
  | 'ready'
  | 'rep'
  | 'hold'
  | 'release'
  | 'rest'
  | 'switch'
  | 'inhale'
  | 'hold-in'
  | 'exhale'
  | 'hold-out'
  | 'timed'
  | 'manual'
  | 'cue'

export interface Step {
  kind: StepKind
  /** 0: waits for a tap (a habit, or an item with no dose). */
  seconds: number
  /** What the big text says: "Hold", "Breathe in", "Rest". */
  label: string
  /** Where in the dose: "Rep 2 of 8 · Set 1 of 2 · Left side". */
  detail: string
  /** What the voice says as the step starts. */
  say: string
  /** Which exercise of the session (0-based). */
  item: number
}

export const BREATH_KINDS: StepKind[] = ['inhale', 'hold-in', 'exhale', 'hold-out']

type Shape = Pick<Exercise, 'kind' | 'pattern'> & Partial<Pick<Exercise, 'guide' | 'timer'>>

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

function breathSteps(pattern: NonNullable<Exercise['pattern']>, breaths: number, item: number): Step[] {
  const phases: [StepKind, number | undefined, string, string][] = [
    ['inhale', pattern.inhale, 'Breathe in', 'Breathe in'],
    ['hold-in', pattern.hold, 'Hold', 'Hold'],
    ['exhale', pattern.exhale, 'Breathe out', 'Breathe out'],
    ['hold-out', pattern.hold_after, 'Rest', 'Rest'],
  ]
  const steps: Step[] = []
  for (let b = 1; b <= breaths; b++) {
    for (const [kind, seconds, label, say] of phases) {
      if (!seconds || seconds <= 0) continue
      steps.push({ kind, seconds, label, detail: `Breath ${b} of ${breaths}`, say, item })
    }
  }
  return steps
}

/**
 * The steps of one exercise: a few seconds to get ready, then
 * - breathing work: each breath's phases from the exercise's pattern (inhale, hold,
 *   exhale, hold after), for `breaths`, or as many as fit `duration_seconds`;
 * - a timed activity: one countdown;
 * - sets × reps: each rep a hold (then a moment to release) or a slow rep, each side
 *   in turn when `per_side`, with a rest between sets;
 * - anything else (a habit): one step that waits for "Done".
 */
export function exerciseSteps(exercise: Shape, p: Prescription, item = 0): Step[] {
  const ready: Step = { kind: 'ready', seconds: READY_SECONDS, label: 'Get ready', detail: '', say: 'Get ready', item }
  // A guided practice is its spoken cues, each for its own seconds (the guide sets
  // the length; the dose was written to match it).
  // A timer practice (heat, cold) runs for its dose instead: the dose is the safe time.
  const guide = exercise.timer && p.duration_seconds ? [] : (exercise.guide ?? []).filter((c) => c.text && c.seconds > 0)
  if (guide.length > 0) {
    return [
      ready,
      ...guide.map((cue, n): Step => ({ kind: 'cue', seconds: cue.seconds, label: cue.text, detail: `${n + 1} of ${guide.length}`, say: cue.text, item })),
    ]
  }
  const pattern = exercise.pattern ?? (exercise.kind === 'breathing' ? FALLBACK_PATTERN : null)
  if (pattern && (p.breaths || p.duration_seconds)) {
    const cycle = pattern.inhale + (pattern.hold ?? 0) + pattern.exhale + (pattern.hold_after ?? 0)
    const breaths = p.breaths ?? Math.max(1, Math.round((p.duration_seconds ?? cycle) / cycle))
    return [ready, ...breathSteps(pattern, breaths, item)]
  }
  if (p.duration_seconds) {
    return [ready, { kind: 'timed', seconds: p.duration_seconds, label: 'Keep going', detail: '', say: 'Start', item }]
  }
  if (!p.reps && !p.hold_seconds) {
    return [{ kind: 'manual', seconds: 0, label: 'At your own pace', detail: '', say: '', item }]
  }
  const sets = Math.max(p.sets ?? 1, 1)
  const reps = Math.max(p.reps ?? 1, 1)
  const sides: ('Left side' | 'Right side' | '')[] = p.per_side ? ['Left side', 'Right side'] : ['']
  const steps: Step[] = [ready]
  for (let set = 1; set <= sets; set++) {
    sides.forEach((side, s) => {
      if (s > 0) {
        steps.push({ kind: 'switch', seconds: SWITCH_SIDES_SECONDS, label: 'Switch sides', detail: side, say: 'Switch sides', item })
      }
      for (let rep = 1; rep <= reps; rep++) {
        const detail = [`Rep ${rep} of ${reps}`, sets > 1 ? `Set ${set} of ${sets}` : '', side].filter(Boolean).join(' · ')
        if (p.hold_seconds) {
          steps.push({ kind: 'hold', seconds: p.hold_seconds, label: 'Hold', detail, say: 'Hold', item })
          steps.push({ kind: 'release', seconds: RELEASE_SECONDS, label: 'Release', detail, say: 'Release', item })
        } else {
          steps.push({ kind: 'rep', seconds: SECONDS_PER_REP, label: `Rep ${rep}`, detail, say: String(rep), item })
        }
      }
    })
    if (set < sets) {
      steps.push({
        kind: 'rest',
        seconds: REST_BETWEEN_SETS_SECONDS,
        label: 'Rest',
        detail: `Next: set ${set + 1} of ${sets}`,
        say: 'Rest',
        item,
      })
    }
  }
  return steps
}

/** The whole session's steps, exercise after exercise. */
export function sessionSteps(items: { exercise: Shape; prescription: Prescription }[]): Step[] {
  return items.flatMap((it, n) => exerciseSteps(it.exercise, it.prescription, n))
}

export const totalSeconds = (steps: Step[]) => steps.reduce((sum, s) => sum + s.seconds, 0)

/** Which cue of a guide is showing `t` seconds in (the last one once it is over). */
export function cueAt(guide: { seconds: number }[], t: number): number {
  let end = 0
  for (let n = 0; n < guide.length; n++) {
    end += guide[n].seconds
    if (t < end) return n
  }
  return Math.max(0, guide.length - 1)
}

/** Seconds done and in all of the current exercise (the guided player's ring and time left). */
export function itemProgress(s: PlayState): { done: number; total: number; left: number } {
  const step = current(s)
  if (!step) return { done: 0, total: 0, left: 0 }
  let total = 0
  let done = 0
  s.steps.forEach((st, n) => {
    if (st.item !== step.item) return
    total += st.seconds
    if (n < s.index) done += st.seconds
  })
  done += Math.min(step.seconds, s.elapsed / 1000)
  return { done, total, left: Math.max(0, Math.ceil(total - done)) }
}

/** A short description of a dose for the screen: "2 sets of 8 · hold 5 s · each side". */
export function describe(p: Prescription): string {
  const parts: string[] = []
  if (p.sets && p.sets > 1) parts.push(`${p.sets} sets of ${p.reps ?? 1}`)
  else if (p.reps) parts.push(plural(p.reps, 'rep'))
  if (p.hold_seconds) parts.push(`hold ${p.hold_seconds} s`)
  if (p.breaths) parts.push(plural(p.breaths, 'breath'))
  if (p.duration_seconds) parts.push(p.duration_seconds >= 60 ? `${Math.round(p.duration_seconds / 60)} min` : `${p.duration_seconds} s`)
  if (p.per_side) parts.push('each side')
  return parts.join(' · ')
}

// --- The state machine --------------------------------------------------------------

export interface PlayState {
  steps: Step[]
  /** The current step; steps.length once finished. */
  index: number
  /** Milliseconds into the current step. */
  elapsed: number
  running: boolean
  /** Exercises skipped (item numbers). */
  skipped: number[]
  /** Exercises whose last step was reached. */
  completed: number[]
}

export function start(steps: Step[]): PlayState {
  return { steps, index: 0, elapsed: 0, running: true, skipped: [], completed: [] }
}

export const finished = (s: PlayState) => s.index >= s.steps.length
export const current = (s: PlayState): Step | undefined => s.steps[s.index]

/** Whole seconds left in the current step (what the big number shows). */
export function remaining(s: PlayState): number {
  const step = current(s)
  if (!step) return 0
  return Math.max(0, Math.ceil((step.seconds * 1000 - s.elapsed) / 1000))
}

function markCompleted(s: PlayState, from: number, to: number): number[] {
  // Every exercise whose last step lies in [from, to) is now complete.
  const completed = [...s.completed]
  for (let i = from; i < to; i++) {
    const step = s.steps[i]
    const last = s.steps[i + 1]?.item !== step.item
    if (last && !completed.includes(step.item) && !s.skipped.includes(step.item)) completed.push(step.item)
  }
  return completed
}

/** Moves the clock on by `ms`, across as many steps as that covers; a manual step waits. */
export function tick(s: PlayState, ms: number): PlayState {
  if (!s.running || finished(s)) return s
  let { index, elapsed } = s
  const from = index
  elapsed += ms
  while (index < s.steps.length) {
    const step = s.steps[index]
    if (step.seconds === 0) break
    const length = step.seconds * 1000
    if (elapsed < length) break
    elapsed -= length
    index += 1
  }
  if (index >= s.steps.length) elapsed = 0
  return { ...s, index, elapsed, completed: markCompleted(s, from, index), running: index < s.steps.length }
}

export const pause = (s: PlayState): PlayState => ({ ...s, running: false })
export const resume = (s: PlayState): PlayState => (finished(s) ? s : { ...s, running: true })

/** "Done" on a step that waits (or moving on early): the next step. */
export function next(s: PlayState): PlayState {
  if (finished(s)) return s
  const index = s.index + 1
  return { ...s, index, elapsed: 0, completed: markCompleted(s, s.index, index), running: index < s.steps.length ? s.running : false }
}

/** Skips the rest of the current exercise: it is logged as skipped. */
export function skip(s: PlayState): PlayState {
  const step = current(s)
  if (!step) return s
  let index = s.index
  while (index < s.steps.length && s.steps[index].item === step.item) index += 1
  const skipped = s.skipped.includes(step.item) ? s.skipped : [...s.skipped, step.item]
  return { ...s, index, elapsed: 0, skipped, running: index < s.steps.length ? s.running : false }
}

/**
 * Back: the start of this step when more than 2 seconds in, else the step before
 * (into the exercise before, which then counts as not skipped nor completed yet).
 */
export function back(s: PlayState): PlayState {
  if (s.elapsed > 2000 && !finished(s)) return { ...s, elapsed: 0 }
  const index = Math.max(0, s.index - 1)
  const item = s.steps[index]?.item
  return {
    ...s,
    index,
    elapsed: 0,
    running: s.running || finished(s),
    skipped: s.skipped.filter((i) => i !== item),
    completed: s.completed.filter((i) => i !== item),
  }
}

/** The first step of an exercise (for "Back" to the previous exercise's start). */
export function firstStepOf(steps: Step[], item: number): number {
  return steps.findIndex((step) => step.item === item)
}

/** What each exercise was at the end: done when its steps were reached, skipped otherwise. */
export function outcome(s: PlayState, count: number): ('done' | 'skipped' | 'untouched')[] {
  return Array.from({ length: count }, (_, n) =>
    s.skipped.includes(n) ? 'skipped' : s.completed.includes(n) ? 'done' : 'untouched',
  )
}

/**
 * The logs a played session leaves: done or skipped per exercise (untouched ones are
 * left as they were), with the pain answers only when the person chose one.
 */
export function sessionLogs(
  date: string,
  itemIds: string[],
  results: ('done' | 'skipped' | 'untouched')[],
  painBefore: number | null,
  painAfter: number | null,
): SessionData[] {
  const logs: SessionData[] = []
  itemIds.forEach((item_id, n) => {
    const status = results[n]
    if (!status || status === 'untouched') return
    const data: SessionData = { date, item_id, status }
    if (painBefore !== null) data.pain_before = painBefore
    if (painAfter !== null) data.pain_after = painAfter
    logs.push(data)
  })
  return logs
}
