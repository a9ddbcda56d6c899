// Flare-up mode on the phone (API.md, "The plan adapts"): "My back is bad today".
//
// One tap starts 48 hours of the short flare plan with no signal: the phone keeps the
// flare plan (GET /api/v1/flare/plan/), shows it at once, and queues the start
// (POST /api/v1/flare/ with the phone's `started_at`), sent when a connection returns.
// Ending early (DELETE /api/v1/flare/) and the check-in at the end ("How is your back
// now?", POST /api/v1/flare/check-in/) are queued the same way, in order. Once
// online the server's word wins (/me `flare` and `flare_check_in`, a day's
// `mode: "flare"`), except where the phone knows something it cannot know yet: an
// action still queued, or a reading that left before the last action here.
//
// The pure rules take and return a state, so they are tested without a browser; the
// rest stores that state in IndexedDB and sends the queue.
import { ApiError, OfflineError, endFlare, flareCheckIn, startFlare } from './api'
import { localDate } from './merge'
import { cacheGet, cacheUpdate } from './store'
import type { Day, Flare, FlareAdvice, FlareFeeling, FlarePlan, Me, PlanItem, SeriesPoint, SourceRef } from './types'

export const FLARE_KEY = 'flare'
export const FLARE_PLAN_KEY = 'flare-plan'
/** The pseudo-program of the flare plan's items (their ids: flare:<key>:<date>). */
export const FLARE_PROGRAM = 'flare'
export const FLARE_HOURS = 48
const HOUR = 3_600_000

export type FlareAction =
  | { kind: 'start'; started_at: string; at: string }
  | { kind: 'end'; at: string }
  | { kind: 'check_in'; feeling: FlareFeeling; at: string }

export interface FlareState {
  /** The flare the phone shows (it may have run out: see `running`). */
  flare: Flare | null
  /** A flare that ended and whose check-in is owed (the server's, or ended here). */
  ended: { started_at: string; ended_at: string } | null
  /** Flares (by start) whose check-in was answered here: a stale reading never asks again. */
  answered: string[]
  /** What waits to be sent, oldest first. */
  queue: FlareAction[]
  /** When this phone last changed the flare: server readings taken before it are old news. */
  changed_at: string
  /** Flares that ended here, recent last: Progress still names their days. */
  past?: Flare[]
  /** The server's answer to the last check-in sent (the plan resumes one step easier). */
  resumed?: { step_back: boolean; feeling: FlareFeeling; at: string; message?: string } | null
}

export const EMPTY_FLARE: FlareState = { flare: null, ended: null, answered: [], queue: [], changed_at: '' }

const REMEMBER = 20

/** The last few flares, one per start (ending and answering both record it). */
function remember(past: Flare[] | undefined, flare: Flare): Flare[] {
  return [...(past ?? []).filter((f) => f.started_at !== flare.started_at), flare].slice(-5)
}
const iso = (ms: number) => new Date(ms).toISOString()

/** The flare running at `now`, or null (a flare runs out on the clock, with or without a write). */
export function running(state: FlareState, now: Date = new Date()): Flare | null {
  const flare = state.flare
  if (!flare) return null
  const t = now.getTime()
  return Date.parse(flare.started_at) <= t + 5 * 60_000 && t < Date.parse(flare.ends_at) ? flare : null
}

/** The check-in to ask now: a flare ended here or by the server, or run out on the clock. */
export function owedCheckIn(state: FlareState, now: Date = new Date()): { started_at: string; ended_at: string } | null {
  const owed =
    state.ended ??
    (state.flare && !running(state, now) ? { started_at: state.flare.started_at, ended_at: state.flare.ends_at } : null)
  if (!owed || state.answered.includes(owed.started_at)) return null
  return owed
}

/** "My back is bad today": 48 hours from now, the start queued. A second tap changes nothing. */
export function start(state: FlareState, now: Date, hours = FLARE_HOURS): FlareState {
  if (running(state, now)) return state
  const started_at = now.toISOString()
  const flare = { started_at, ends_at: iso(now.getTime() + hours * HOUR) }
  return {
    ...state,
    flare,
    // A new bad day before the last one's check-in: that question is moot now.
    ended: null,
    resumed: null,
    queue: [...state.queue.filter((a) => a.kind !== 'check_in'), { kind: 'start', started_at, at: started_at }],
    changed_at: started_at,
  }
}

/** "I feel better, end it now": the usual plan comes back, the check-in is asked. */
export function end(state: FlareState, now: Date): FlareState {
  const flare = running(state, now)
  if (!flare) return state
  const at = now.toISOString()
  // A start that never left the phone: there is nothing for the server to end, only to record.
  return {
    ...state,
    flare: null,
    ended: { started_at: flare.started_at, ended_at: at },
    past: remember(state.past, { started_at: flare.started_at, ends_at: at }),
    queue: [...state.queue, { kind: 'end', at }],
    changed_at: at,
  }
}

/** The answer to "How is your back now?": the check-in goes, the answer is queued. */
export function answer(state: FlareState, feeling: FlareFeeling, now: Date): FlareState {
  const owed = owedCheckIn(state, now)
  if (!owed) return state
  const at = now.toISOString()
  return {
    ...state,
    flare: state.flare && running(state, now) ? state.flare : null,
    ended: null,
    answered: [...state.answered, owed.started_at].slice(-REMEMBER),
    past: remember(state.past, { started_at: owed.started_at, ends_at: owed.ended_at }),
    queue: [...state.queue, { kind: 'check_in', feeling, at }],
    changed_at: at,
    // Every flare's end steps the plan back one week (the server's rule): said at once.
    resumed: { step_back: true, feeling, at },
  }
}

/**
 * The server's profile (`flare`, `flare_check_in`) meets the phone's state. `takenAt`:
 * when the request left. A server without flares (the fields absent) changes nothing.
 */
export function fromServer(state: FlareState, me: Pick<Me, 'flare' | 'flare_check_in'>, takenAt: string): FlareState {
  if (me.flare === undefined) return state
  // Something here is still on its way, or happened after the request left.
  if (state.queue.length > 0 || (state.changed_at && takenAt < state.changed_at)) return state
  const server = me.flare ?? null
  let ended = state.ended
  if (me.flare_check_in !== undefined) {
    const owed = me.flare_check_in
    ended = owed && !state.answered.includes(owed.started_at) ? owed : null
  } else if (state.flare && !server && !ended) {
    // An older server ends a flare without asking; the phone still asks once.
    ended = { started_at: state.flare.started_at, ended_at: new Date(Math.min(Date.parse(state.flare.ends_at), Date.parse(takenAt))).toISOString() }
  }
  if (server && ended?.started_at === server.started_at) ended = null
  return { ...state, flare: server, ended }
}

/** The server took the first queued action; `flare`: its answer to a start. */
export function sent(state: FlareState, action: FlareAction, reply?: { flare?: Flare; resumed?: { step_back?: boolean; message?: string } }): FlareState {
  const queue = state.queue.filter((a) => !(a.kind === action.kind && a.at === action.at))
  let next: FlareState = { ...state, queue }
  // The server's flare wins over the phone's start (another device may have started it first).
  if (action.kind === 'start' && reply?.flare && next.flare?.started_at === action.started_at) {
    next = { ...next, flare: reply.flare }
  }
  if (action.kind === 'check_in') {
    // The server's words for the answer (what to do next) replace the phone's once it has them.
    const server = reply?.resumed
    next = { ...next, resumed: next.resumed && { ...next.resumed, step_back: server?.step_back ?? next.resumed.step_back, message: server?.message || next.resumed.message } }
  }
  return next
}

// --- The flare plan as a day -------------------------------------------------------

/** The local dates a flare covers, in part or whole, in the person's zone. */
export function flareDates(flare: Flare, timeZone?: string): string[] {
  const first = localDate(timeZone, new Date(flare.started_at))
  const last = localDate(timeZone, new Date(Date.parse(flare.ends_at) - 1))
  const dates: string[] = []
  for (let t = Date.parse(`${first}T12:00:00Z`); dates.length < 10; t += 86_400_000) {
    const day = new Date(t).toISOString().slice(0, 10)
    dates.push(day)
    if (day >= last) break
  }
  return dates
}

/** A day of the flare plan, shaped as the server's flare day (the same item ids, so logs match). */
export function flareDay(plan: FlarePlan | null | undefined, date: string, flare: Flare): Day {
  const items: PlanItem[] = (plan?.items ?? []).map((item) => ({
    id: `${FLARE_PROGRAM}:${item.key}:${date}`,
    program: FLARE_PROGRAM,
    programs: [FLARE_PROGRAM],
    week: 1,
    time_of_day: item.time_of_day,
    exercise: item.exercise,
    prescription: item.prescription,
    status: 'pending',
  }))
  return { date, items, mode: 'flare', flare: { ...flare, advice: plan?.advice ?? FALLBACK_ADVICE } }
}

/**
 * The day Today and the player show: during a flare, the server's flare day when it
 * has one, else the flare plan kept here; otherwise the cached day as it is.
 */
export function dayShown(cached: Day | null, state: FlareState, plan: FlarePlan | null | undefined, date: string, now: Date = new Date()): Day | null {
  const flare = running(state, now)
  // The flare is over but the day kept here is the server's flare day: the usual plan
  // is not on the phone yet (it comes with the next reading).
  if (!flare) return cached?.mode === 'flare' ? { ...cached, items: [], sessions: [], minutes: 0, mode: 'usual', flare: null, awaiting: true } : cached
  if (cached?.mode === 'flare') return cached
  return { ...flareDay(plan, date, flare), safety_hold: cached?.safety_hold }
}

/** The sources the fallback advice names, as backend/programs/content/sources.yaml gives them. */
const SOURCE: Record<string, SourceRef> = {
  S1: { id: 'S1', title: 'Stress and back pain: why stress causes it and how to relieve it' },
  S2: { id: 'S2', title: '5 proven strategies to relieve stress-induced back pain', author: 'Randy Withers, LCMHC' },
  S3: { id: 'S3', title: '5 tips to help with stress-related back pain', author: 'Chris, fitness expert' },
  S4: { id: 'S4', title: 'The connection between stress and back pain' },
  NICE_NG59: {
    id: 'NICE_NG59',
    title: 'Low back pain and sciatica in over 16s: assessment and management (NICE guideline NG59, 2016)',
    author: 'National Institute for Health and Care Excellence (NICE)',
    url: 'https://www.nice.org.uk/guidance/ng59',
  },
  SPINAL_RED_FLAGS: {
    id: 'SPINAL_RED_FLAGS',
    title:
      'The standard spinal red flags: International framework for red flags for potential serious spinal pathologies. Journal of Orthopaedic & Sports Physical Therapy 50(7), 2020.',
    author: 'Finucane LM, Downie A, Mercer C et al.',
  },
}

/** The advice when the phone has no flare plan yet (it always has once online once): from flare.yaml. */
export const FALLBACK_ADVICE: FlareAdvice[] = [
  {
    kind: 'keep_moving',
    text: 'Rest when you need to, but not in bed for more than a day or two: lying still stiffens the back and slows recovery. Short, gentle movement helps more.',
    sources: [SOURCE.S3, SOURCE.S1, SOURCE.NICE_NG59],
  },
  {
    kind: 'seek_help',
    text: 'See a doctor or physiotherapist if the pain keeps getting worse, has not eased after a few days of care, wakes you at night, or comes with numbness, tingling, weakness in a leg, fever or feeling unwell. Trouble passing or holding urine, numbness between the legs, or chest, arm or jaw pain with sweating or nausea need emergency help now.',
    sources: [SOURCE.S1, SOURCE.S2, SOURCE.S4, SOURCE.NICE_NG59, SOURCE.SPINAL_RED_FLAGS],
  },
]

// --- Progress offline: flare days are not due ---------------------------------------

/**
 * A cached summary with the flare days this phone knows laid over it: nothing is due
 * on them, so adherence leaves them out and they never break the streak. The server
 * does the same (backend/tracker/adherence.py); this keeps the phone's picture true
 * while offline, for a flare started here and not yet sent.
 */
export function withFlareDays<S extends { series: SeriesPoint[]; adherence: number | null; streak: { current: number; best: number }; end: string; due?: number; done?: number }>(
  summary: S,
  flareDays: Set<string>,
): S {
  if (!summary.series.some((p) => flareDays.has(p.date) && p.due > 0)) return summary
  const series = summary.series.map((p) => (flareDays.has(p.date) ? { ...p, due: 0 } : p))
  const today = summary.end
  let done = 0
  let due = 0
  for (const p of series) {
    // Today, still under way, counts only what is already logged (the server's rule).
    const counted = p.date === today ? Math.min(p.done, p.due) : p.due
    due += counted
    done += Math.min(p.done, counted)
  }
  // The streak: walk back from today; a day with nothing due neither breaks nor extends it.
  let current = 0
  let broke = false
  for (let i = series.length - 1; i >= 0; i--) {
    const p = series[i]
    if (p.done > 0) current++
    else if (p.due > 0 && p.date !== today) {
      broke = true
      break
    }
  }
  // Unbroken back to the window's start: the server's count may reach further back.
  const streak = broke ? current : Math.max(current, summary.streak.current)
  return {
    ...summary,
    series,
    adherence: due ? Math.round((done / due) * 1000) / 1000 : null,
    done,
    due,
    streak: { current: streak, best: Math.max(summary.streak.best, streak) },
  }
}

/** The flare days this phone knows of, running or owed a check-in, in the person's zone. */
export function knownFlareDays(state: FlareState, timeZone?: string): Set<string> {
  const days = new Set<string>()
  if (state.flare) flareDates(state.flare, timeZone).forEach((d) => days.add(d))
  if (state.ended) flareDates({ started_at: state.ended.started_at, ends_at: state.ended.ended_at }, timeZone).forEach((d) => days.add(d))
  for (const flare of state.past ?? []) flareDates(flare, timeZone).forEach((d) => days.add(d))
  return days
}

// --- Stored on the device -------------------------------------------------------------

export async function loadFlare(): Promise<FlareState> {
  return { ...EMPTY_FLARE, ...((await cacheGet<FlareState>(FLARE_KEY)) ?? {}) }
}

export const cachedFlarePlan = async () => (await cacheGet<FlarePlan>(FLARE_PLAN_KEY)) ?? null

function update(change: (state: FlareState) => FlareState): Promise<FlareState> {
  return cacheUpdate<FlareState>(FLARE_KEY, (stored) => change({ ...EMPTY_FLARE, ...(stored ?? {}) }))
}

export async function startHere(): Promise<FlareState> {
  const next = await update((s) => start(s, new Date()))
  void sendFlare().catch(() => undefined)
  return next
}

export async function endHere(): Promise<FlareState> {
  const next = await update((s) => end(s, new Date()))
  void sendFlare().catch(() => undefined)
  return next
}

export async function answerHere(feeling: FlareFeeling): Promise<FlareState> {
  const next = await update((s) => answer(s, feeling, new Date()))
  void sendFlare().catch(() => undefined)
  return next
}

export function dismissResumed(): Promise<FlareState> {
  return update((s) => ({ ...s, resumed: null }))
}

/** Call with /me's answer; `takenAt` is when its request left. */
export function applyServerFlare(me: Pick<Me, 'flare' | 'flare_check_in'>, takenAt: string): Promise<FlareState> | undefined {
  if (me.flare === undefined) return undefined
  return update((s) => fromServer(s, me, takenAt))
}

let sending: Promise<boolean> | undefined

/**
 * Sends the queued actions, oldest first; whether anything was sent. Offline, or
 * refused for a reason that may pass (signed out, throttled, the server away), they
 * wait for next time; refused for good (a 4xx about the request itself), dropped:
 * the server's next reading shows the truth.
 */
export function sendFlare(): Promise<boolean> {
  sending ??= (async () => {
    let any = false
    try {
      for (;;) {
        const action = (await loadFlare()).queue[0]
        if (!action) return any
        let reply: Parameters<typeof sent>[2]
        try {
          if (action.kind === 'start') reply = { flare: await startFlare(action.started_at) }
          else if (action.kind === 'end') await endFlare()
          else reply = { resumed: await flareCheckIn(action.feeling) }
        } catch (error) {
          if (error instanceof OfflineError) return any
          if (error instanceof ApiError && [401, 403, 408, 429].includes(error.status)) return any
          if (error instanceof ApiError && error.status >= 500) return any
          // A flare started more than 48 hours ago, or a check-in the server does not owe.
          reply = undefined
        }
        await update((s) => sent(s, action, reply))
        any = true
      }
    } finally {
      sending = undefined
    }
  })()
  return sending
}
