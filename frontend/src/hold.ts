// The safety hold and the emergency screen on the phone (API.md, "Safety that acts").
//
// An urgent or emergency check-in pauses the exercises at once, with no signal: the
// phone evaluates the cached rules (src/safety.ts) and holds the plan itself. The
// server opens the same hold when the check-in syncs, and once online its word (the
// `safety_hold` of /me and of each plan day) wins, so a hold opened on another device,
// or released by a clinician, shows here too. A release made here is shown at once and
// queued: it is sent only after the outbox has sent the check-in that opened the hold
// (a release that reached the server first would find nothing to release).
//
// The pure rules (afterCheckin, release, fromServer, ...) take and return a state, so
// they are tested without a browser; the rest stores that state in IndexedDB.
import { ApiError, OfflineError, releaseHold } from './api'
import { listEntries, requestSync } from './outbox'
import { levelAtLeast, type SafetyOutcome } from './safety'
import { cacheGet, cacheUpdate } from './store'
import type { Call, Day, HoldLevel, LocalEntry, Me, ReleaseReason, SafetyHold, SafetyLevel, SyncResult } from './types'

export const SAFETY_KEY = 'safety'
/** The number to call when the phone knows no better (every EU country, most mobile networks). */
export const FALLBACK_NUMBER = '112'

/** The emergency screen: shown at the top of Today until "I have called / I am safe". */
export interface EmergencyNotice {
  check_in: string
  title: string
  /** The emergency level's message only. */
  message: string
  /** From the server's answer, once the check-in has synced; otherwise the profile's number. */
  call?: Call
  since: string
}

export interface LocalHold extends SafetyHold {
  /** phone: opened by a check-in made here; server: learned from the server (another device). */
  from: 'phone' | 'server'
  title?: string
  message?: string
  /** An urgent line, where the server's answer named one. */
  call?: Call
}

export interface PendingRelease {
  reason: ReleaseReason
  /** The check-in whose hold it ends (null: whatever hold is open). */
  check_in: string | null
  at: string
}

export interface SafetyState {
  hold: LocalHold | null
  emergency: EmergencyNotice | null
  /** Releases made here and not yet confirmed by the server, oldest first. */
  releases: PendingRelease[]
  /** Check-in id -> when this phone released the hold it opened (stale readings of it are ignored). */
  released: Record<string, string>
  /** Check-in id -> the level this phone already acted on, so a sync result never reopens a released hold. */
  acted: Record<string, SafetyLevel>
}

export const EMPTY: SafetyState = { hold: null, emergency: null, releases: [], released: {}, acted: {} }

/** How many check-ins the bookkeeping maps remember (a few weeks' worth). */
const REMEMBER = 40

function keepLast<T>(map: Record<string, T>): Record<string, T> {
  const keys = Object.keys(map)
  if (keys.length <= REMEMBER) return map
  return Object.fromEntries(keys.slice(keys.length - REMEMBER).map((k) => [k, map[k]]))
}

function higher(a: HoldLevel, b: HoldLevel): HoldLevel {
  return a === 'emergency' || b === 'emergency' ? 'emergency' : 'urgent'
}

function isHoldLevel(level: SafetyLevel): level is HoldLevel {
  return level === 'urgent' || level === 'emergency'
}

export interface CheckinSafety {
  check_in: string
  level: SafetyLevel
  title: string
  message: string
  call?: Call
}

/**
 * A check-in was saved (here, evaluated from the cached rules) or its server answer
 * came back; the same rules as the server's (backend/tracker/holds.py):
 * - an urgent or emergency level holds the plan, and an emergency opens the emergency
 *   screen, unless this phone already acted on that level for this check-in (saving it
 *   again, or the server's answer after a release, changes nothing);
 * - one hold at a time: a later serious check-in keeps its start, raises its level and
 *   becomes the check-in that holds it (the one a release names);
 * - the check-in that holds, corrected below urgent, ends the hold (the server does the
 *   same when it syncs, so nothing is queued); any other milder check-in changes nothing.
 */
export function afterCheckin(state: SafetyState, safety: CheckinSafety, now: string): SafetyState {
  const { check_in, level } = safety
  if (!isHoldLevel(level)) {
    if (!state.acted[check_in]) return state
    const acted = { ...state.acted }
    delete acted[check_in]
    return {
      ...state,
      hold: state.hold?.check_in === check_in ? null : state.hold,
      emergency: state.emergency?.check_in === check_in ? null : state.emergency,
      acted,
    }
  }
  const before = state.acted[check_in]
  if (before && levelAtLeast(before, level)) return state
  const hold: LocalHold = {
    ...(state.hold ?? { since: now, from: 'phone' as const }),
    level: state.hold ? higher(state.hold.level, level) : level,
    check_in,
    title: safety.title,
    message: safety.message,
    call: safety.call ?? (state.hold?.check_in === check_in ? state.hold.call : undefined),
  }
  if (hold.from === 'server') hold.from = 'phone'
  const released = { ...state.released }
  delete released[check_in]
  return {
    ...state,
    hold,
    emergency:
      level === 'emergency'
        ? { check_in, title: safety.title, message: safety.message, call: safety.call, since: now }
        : state.emergency,
    // A release queued for this check-in would end the hold it just reopened.
    releases: state.releases.filter((r) => r.check_in !== check_in),
    released,
    acted: keepLast({ ...state.acted, [check_in]: level }),
  }
}

/** The outcome of the cached rules for a check-in saved on this phone. */
export function fromOutcome(check_in: string, outcome: SafetyOutcome): CheckinSafety {
  return { check_in, level: outcome.level, title: outcome.title, message: outcome.messages[0] ?? '' }
}

/**
 * The server answered a synced check-in: its message and number refine what the phone
 * shows, and a hold the phone missed (no rules cached yet) opens now.
 */
export function afterServerAnswer(state: SafetyState, result: SyncResult, now: string): SafetyState {
  const safety = result.safety
  const check_in = result.client_id
  if (!safety || !check_in) return state
  const answer: CheckinSafety = { check_in, level: safety.level, title: safety.title, message: safety.message, call: safety.call }
  let next = afterCheckin(state, answer, now)
  if (next.emergency?.check_in === check_in && safety.level === 'emergency') {
    next = {
      ...next,
      emergency: { ...next.emergency, title: safety.title || next.emergency.title, message: safety.message || next.emergency.message, call: safety.call ?? next.emergency.call },
    }
  }
  if (next.hold?.check_in === check_in && isHoldLevel(safety.level)) {
    next = { ...next, hold: { ...next.hold, title: safety.title, message: safety.message, call: safety.call ?? next.hold.call } }
  }
  return next
}

/** "I have seen a professional" or "I answered by mistake": released here at once, sent later. */
export function release(state: SafetyState, reason: ReleaseReason, now: string): SafetyState {
  if (!state.hold) return state
  const check_in = state.hold.check_in
  const released = check_in ? keepLast({ ...state.released, [check_in]: now }) : state.released
  return {
    ...state,
    hold: null,
    // The person got help, or there was no emergency: the emergency screen has done its work.
    emergency: null,
    releases: [...state.releases.filter((r) => r.check_in !== check_in), { reason, check_in, at: now }],
    released,
  }
}

/** "I have called / I am safe": the emergency screen goes; the hold stays until released. */
export function dismissEmergency(state: SafetyState): SafetyState {
  return { ...state, emergency: null }
}

/** What the phone knew when it asked the server (a reading is only as new as its request). */
export interface Snapshot {
  startedAt: string
  /** Check-ins the server already had when the request started. */
  synced: Set<string>
}

/**
 * The server's `safety_hold` (from /me or a plan day) meets the phone's. The server wins,
 * except where the phone knows something it cannot know yet: a release queued here (or
 * made after the request left), or a hold opened by a check-in still on its way.
 * `undefined` (a server without holds) changes nothing.
 */
export function fromServer(state: SafetyState, server: SafetyHold | null | undefined, snapshot: Snapshot): SafetyState {
  if (server === undefined) return state
  if (server) {
    const c = server.check_in
    if (c && (state.releases.some((r) => r.check_in === c) || (state.released[c] ?? '') >= snapshot.startedAt)) return state
    if (!c && state.releases.length > 0) return state
    const mine = state.hold && state.hold.check_in === c ? state.hold : undefined
    const hold: LocalHold = { ...mine, level: server.level, since: server.since, check_in: c, from: mine?.from ?? 'server' }
    return { ...state, hold, acted: c ? keepLast({ ...state.acted, [c]: higherLevel(state.acted[c], server.level) }) : state.acted }
  }
  if (!state.hold) return state
  // The check-in is not on the server yet: it cannot know about this hold.
  if (state.hold.check_in && !snapshot.synced.has(state.hold.check_in)) return state
  // The server has the check-in and holds nothing: released elsewhere (another phone, a clinician).
  return { ...state, hold: null }
}

function higherLevel(a: SafetyLevel | undefined, b: HoldLevel): SafetyLevel {
  return a && levelAtLeast(a, b) ? a : b
}

/** The plan as the person sees it: pending exercises paused while held, and back when not. */
export function heldDay(day: Day, held: boolean): Day {
  const status = (s: Day['items'][number]['status']) => (held && s === 'pending' ? 'held' : !held && s === 'held' ? 'pending' : s)
  return { ...day, items: day.items.map((item) => ({ ...item, status: status(item.status) })) }
}

/** Who to call now: the server's answer, else the profile's number, else 112. */
export function emergencyCall(notice: { call?: Call } | null | undefined, me: Pick<Me, 'emergency_number'> | undefined): Call {
  if (notice?.call?.number) return notice.call
  const number = me?.emergency_number || FALLBACK_NUMBER
  return { number, label: `Call ${number}` }
}

/** A tel: address for a phone number as written ("0800 111 0 111" -> "tel:08001110111"). */
export function telHref(number: string): string {
  return `tel:${number.replace(/[^0-9+*#]/g, '')}`
}

// --- Stored on the device -------------------------------------------------------------

export async function loadSafety(): Promise<SafetyState> {
  return { ...EMPTY, ...((await cacheGet<SafetyState>(SAFETY_KEY)) ?? {}) }
}

function update(change: (state: SafetyState) => SafetyState): Promise<SafetyState> {
  return cacheUpdate<SafetyState>(SAFETY_KEY, (stored) => change({ ...EMPTY, ...(stored ?? {}) }))
}

const nowIso = () => new Date().toISOString()

/** A check-in was saved on this phone: hold and warn at once, from the cached rules. */
export function noteCheckin(check_in: string, outcome: SafetyOutcome): Promise<SafetyState> {
  return update((state) => afterCheckin(state, fromOutcome(check_in, outcome), nowIso()))
}

export function dismiss(): Promise<SafetyState> {
  return update(dismissEmergency)
}

/** Releases the hold here at once and queues the release for the server. */
export async function releaseHere(reason: ReleaseReason): Promise<SafetyState> {
  const next = await update((state) => release(state, reason, nowIso()))
  // Through the outbox first (the check-in), then the release: see afterSync.
  requestSync()
  return next
}

/** Call before a request whose answer carries `safety_hold`. */
export async function snapshot(): Promise<Snapshot> {
  const startedAt = nowIso()
  const entries = await listEntries().catch(() => [] as LocalEntry[])
  return { startedAt, synced: new Set(entries.filter((e) => e.type === 'checkin' && e.state === 'synced').map((e) => e.client_id)) }
}

export function applyServerHold(server: SafetyHold | null | undefined, taken: Snapshot): Promise<SafetyState> | undefined {
  if (server === undefined) return undefined
  return update((state) => fromServer(state, server, taken))
}

let sending: Promise<void> | undefined

/**
 * Sends the queued releases, oldest first, each only once the check-in it names has
 * left the outbox. Offline, or on a server without holds yet, they wait for next time.
 */
export function sendReleases(): Promise<void> {
  sending ??= (async () => {
    try {
      for (;;) {
        const state = await loadSafety()
        const next = state.releases[0]
        if (!next) return
        if (next.check_in) {
          const entry = (await listEntries()).find((e) => e.client_id === next.check_in)
          if (entry?.state === 'pending') return
        }
        let answer
        try {
          answer = await releaseHold(next.reason, next.check_in)
        } catch (error) {
          if (error instanceof OfflineError) return
          if (error instanceof ApiError && (error.status === 404 || error.status === 405 || error.status === 429 || error.status >= 500 || error.status === 401 || error.status === 403)) return
          // Refused for good (a 400): the server keeps its hold, and the next reading shows it.
          answer = undefined
        }
        const taken = await snapshot()
        await update((s) => {
          const rest = { ...s, releases: s.releases.filter((r) => !(r.at === next.at && r.check_in === next.check_in)) }
          // Another check-in's hold is open: the phone shows it.
          return answer && !answer.released && answer.safety_hold ? fromServer(rest, answer.safety_hold, taken) : rest
        })
      }
    } finally {
      sending = undefined
    }
  })()
  return sending
}

/** After each sync: the server's answers refine what is shown, then queued releases go. */
export async function afterSync(results: SyncResult[]): Promise<void> {
  const now = nowIso()
  // An answer about a copy edited again since it was sent is old news: the edit goes next.
  const waiting = new Set(
    results.some((r) => r.safety)
      ? (await listEntries()).filter((e) => e.state === 'pending').map((e) => e.client_id)
      : [],
  )
  const answered = results.filter((r) => r.safety && !waiting.has(r.client_id ?? ''))
  if (answered.length > 0) await update((state) => answered.reduce((s, r) => afterServerAnswer(s, r, now), state))
  await sendReleases()
}
