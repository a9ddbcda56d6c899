// "Not for me": exercises the person (or their clinician) set aside. They leave every
// day of the plan on the server (POST/DELETE /api/v1/me/not-for-me/); on the phone an
// item set aside goes at once, with no signal too, and the change is queued.
// Pure rules first (tested without a browser), then storage and sending.
import { ApiError, OfflineError, bringBack, getNotForMe, setNotForMe } from './api'
import { cacheGet, cacheUpdate } from './store'
import type { Day, Exclusion } from './types'

export const EXCLUSIONS_KEY = 'not-for-me'

export interface ExclusionChange {
  kind: 'add' | 'remove'
  exercise: string
  title?: string
  at: string
}

export interface ExclusionState {
  /** The server's list as last read. */
  list: Exclusion[]
  /** Changes made here and not yet sent, oldest first. */
  pending: ExclusionChange[]
}

export const EMPTY_EXCLUSIONS: ExclusionState = { list: [], pending: [] }

/** The list as the person sees it now: the server's with the changes made here laid over. */
export function shownList(state: ExclusionState): Exclusion[] {
  let list = [...state.list]
  for (const change of state.pending) {
    list = list.filter((e) => e.exercise !== change.exercise)
    if (change.kind === 'add') {
      list.unshift({ exercise: change.exercise, exercise_title: change.title, by: 'patient', by_name: 'You', created_at: change.at })
    }
  }
  return list
}

export function hiddenSlugs(state: ExclusionState): Set<string> {
  return new Set(shownList(state).map((e) => e.exercise))
}

export function change(state: ExclusionState, next: ExclusionChange): ExclusionState {
  // The latest word on an exercise is the only one worth sending.
  return { ...state, pending: [...state.pending.filter((c) => c.exercise !== next.exercise), next] }
}

/** The day without the exercises set aside (the server re-fits the rest to the budget). */
export function withoutHidden(day: Day, hidden: Set<string>): Day {
  if (hidden.size === 0 || !day.items.some((i) => hidden.has(i.exercise.slug))) return day
  const items = day.items.filter((i) => !hidden.has(i.exercise.slug))
  const kept = new Set(items.map((i) => i.id))
  return {
    ...day,
    items,
    sessions: day.sessions?.map((s) => ({ ...s, items: s.items.filter((id) => kept.has(id)) })).filter((s) => s.items.length > 0),
    // The server's minutes counted what went: the phone's sum of the sessions is truer now.
    minutes: undefined,
  }
}

// --- Stored on the device -------------------------------------------------------------

export async function loadExclusions(): Promise<ExclusionState> {
  return { ...EMPTY_EXCLUSIONS, ...((await cacheGet<ExclusionState>(EXCLUSIONS_KEY)) ?? {}) }
}

function update(fn: (state: ExclusionState) => ExclusionState): Promise<ExclusionState> {
  return cacheUpdate<ExclusionState>(EXCLUSIONS_KEY, (stored) => fn({ ...EMPTY_EXCLUSIONS, ...(stored ?? {}) }))
}

/** Sets it aside here at once; resolves once the server has it (true) or it waits for a connection (false). */
export async function setAside(exercise: string, title?: string): Promise<boolean> {
  await update((s) => change(s, { kind: 'add', exercise, title, at: new Date().toISOString() }))
  return sendExclusions().catch(() => false)
}

/** Brings it back here at once; resolves like `setAside`. */
export async function bringBackHere(exercise: string): Promise<boolean> {
  await update((s) => change(s, { kind: 'remove', exercise, at: new Date().toISOString() }))
  return sendExclusions().catch(() => false)
}

/** The server's list, unless changes made here still wait (they are sent first). */
export async function refreshExclusions(): Promise<ExclusionState> {
  await sendExclusions()
  const list = await getNotForMe()
  return update((s) => (s.pending.length > 0 ? s : { ...s, list }))
}

let sending: Promise<boolean> | undefined

/** Sends the queued changes; whether any went. Offline or refused for now, they wait. */
export function sendExclusions(): Promise<boolean> {
  sending ??= (async () => {
    let any = false
    try {
      for (;;) {
        const next = (await loadExclusions()).pending[0]
        if (!next) return any
        let stored: Exclusion | null = null
        try {
          if (next.kind === 'add') stored = await setNotForMe(next.exercise)
          else await bringBack(next.exercise)
        } catch (error) {
          if (error instanceof OfflineError) return any
          if (error instanceof ApiError && ([401, 403, 405, 408, 429].includes(error.status) || error.status >= 500)) return any
          // Already set aside, already back, or no such exercise: the server's list says which.
        }
        await update((s) => {
          const pending = s.pending.filter((c) => !(c.exercise === next.exercise && c.at === next.at))
          let list = s.list.filter((e) => e.exercise !== next.exercise)
          if (next.kind === 'add') list = [stored ?? { exercise: next.exercise, exercise_title: next.title, by: 'patient', by_name: 'You', created_at: next.at }, ...list]
          return { list, pending }
        })
        any = true
      }
    } finally {
      sending = undefined
    }
  })()
  return sending
}
