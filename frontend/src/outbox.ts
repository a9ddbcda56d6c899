// Owns the entries and their sync (the database, cache and change bus: src/store.ts).
// Every write lands here first (the screen updates at once), then goes to
// POST /api/v1/sync/ when there is a connection: on start, on `online`, when the app
// becomes visible again, and through Background Sync where the browser has it. Nothing
// is dropped: a rejected entry stays, shown, until the person acts.
import type { IDBPDatabase } from 'idb'
import { ApiError, OfflineError, getSync, postSync } from './api'
import { applyResults, findEntry, mergeRemote, nextUpdatedAt, outgoing } from './merge'
import { CURSOR, changed, db, type Schema } from './store'
import type { CheckinData, EntryType, JournalData, LocalEntry, OutgoingEntry, SessionData, SyncEntry, SyncResult } from './types'

export const SYNC_TAG = 'backtrack-outbox'
/** The server takes at most 500 entries a batch (API.md). */
export const BATCH_SIZE = 500
const MAX_ROUNDS = 50
const DEVICE = 'device-id'
const RETRY_LATER_MS = 30_000

// --- Entries ------------------------------------------------------------------------
export async function listEntries(): Promise<LocalEntry[]> {
  return (await db()).getAll('entries')
}

export async function pendingCount(): Promise<number> {
  return (await db()).countFromIndex('entries', 'state', 'pending')
}

export async function rejectedEntries(): Promise<LocalEntry[]> {
  return (await db()).getAllFromIndex('entries', 'state', 'rejected')
}

/** Entries whose last edit here lost to another device's (the person is told). */
export async function replacedEntries(): Promise<LocalEntry[]> {
  return (await listEntries()).filter((e) => e.replaced)
}

/** The person has read that another device's version was kept. */
export async function dismissReplaced(clientId: string): Promise<void> {
  const database = await db()
  const tx = database.transaction('entries', 'readwrite')
  const entry = await tx.store.get(clientId)
  if (entry?.replaced) await tx.store.put({ ...entry, replaced: undefined })
  await tx.done
  changed()
}

/** This installation's id: lets the server tell this device's successive edits from another's. */
async function deviceId(database: IDBPDatabase<Schema>): Promise<string> {
  const known = (await database.get('cache', DEVICE)) as string | undefined
  if (known) return known
  const made = uuid()
  await database.put('cache', made, DEVICE)
  return made
}

function uuid(): string {
  return crypto.randomUUID()
}

/**
 * Stores an entry as pending. `reuse` picks an existing entry of the same type to
 * update (same client_id, newer updated_at) instead of creating a second record.
 */
export async function record(
  type: EntryType,
  data: SyncEntry['data'],
  reuse?: (data: Record<string, unknown>) => boolean,
  options: { deleted?: boolean } = {},
): Promise<LocalEntry> {
  const database = await db()
  const tx = database.transaction('entries', 'readwrite')
  const existing = reuse ? findEntry(await tx.store.getAll(), type, reuse) : undefined
  const entry: LocalEntry = {
    client_id: existing?.client_id ?? uuid(),
    type,
    updated_at: nextUpdatedAt(existing?.updated_at),
    deleted: options.deleted ?? false,
    data,
    state: 'pending',
    // The edit is made from the copy shown: its version (0 for a new entry).
    version: existing ? existing.version : 0,
  }
  await tx.store.put(entry)
  await tx.done
  changed()
  requestSync()
  return entry
}

/** Done or skipped for a plan item: one log per item, changed in place. */
export function recordSession(data: SessionData): Promise<LocalEntry> {
  return record('session', data, (d) => d.item_id === data.item_id)
}

/** Undo a done/skip: a tombstone for that item's log. */
export async function clearSession(itemId: string, date: string): Promise<void> {
  const entries = await listEntries()
  const existing = findEntry(entries, 'session', (d) => d.item_id === itemId)
  if (!existing) return
  // Always a tombstone: even an unanswered send may have reached the server.
  await record('session', { ...(existing.data as SessionData), date }, (d) => d.item_id === itemId, {
    deleted: true,
  })
}

/** One check-in a day; saving again updates it. */
export function recordCheckin(data: CheckinData): Promise<LocalEntry> {
  return record('checkin', data, (d) => d.date === data.date)
}

/** One journal page a day; saving again updates it. */
export function recordJournal(data: JournalData): Promise<LocalEntry> {
  return record('journal', data, (d) => d.date === data.date)
}

/** The person chose to drop an entry the server refused. */
export async function discard(clientId: string): Promise<void> {
  const database = await db()
  const tx = database.transaction(['entries', 'cache'], 'readwrite')
  const entry = await tx.objectStore('entries').get(clientId)
  await tx.objectStore('entries').delete(clientId)
  // An edit of an entry the server holds: its copy must come back here, and the
  // cursor may be past it.
  if (entry?.version) await tx.objectStore('cache').delete(CURSOR)
  await tx.done
  changed()
}

// --- Sync ---------------------------------------------------------------------------
export interface SyncReport {
  sent: number
  results: SyncResult[]
  offline: boolean
  /** Set when the server refused the whole batch (signed out, too large...). */
  error?: string
  /** The HTTP status of that refusal. */
  status?: number
}

async function withLock<T>(work: () => Promise<T>): Promise<T> {
  // One sync at a time across tabs and the service worker (replays would be harmless,
  // but a second batch of the same entries is wasted work).
  const locks = (globalThis.navigator as Navigator | undefined)?.locks
  if (locks?.request) return locks.request('backtrack-sync', work) as Promise<T>
  return work()
}

/** Sends pending entries, applies each result, then pulls changes from other devices. */
export function flush(): Promise<SyncReport> {
  return withLock(async () => {
    const report: SyncReport = { sent: 0, results: [], offline: false }
    const database = await db()
    let rounds = 0
    for (;;) {
      const pending = (await database.getAllFromIndex('entries', 'state', 'pending')).slice(0, BATCH_SIZE)
      if (pending.length === 0) break
      const device = await deviceId(database)
      const batch: OutgoingEntry[] = pending.map((entry) => outgoing(entry, device))
      const cursor = (await database.get('cache', CURSOR)) as string | undefined
      let answer: { results: SyncResult[]; cursor?: string }
      try {
        answer = await postSync(batch, cursor)
      } catch (error) {
        report.offline = error instanceof OfflineError
        if (!report.offline) report.error = (error as Error).message
        if (error instanceof ApiError) report.status = error.status
        changed()
        return report
      }
      const tx = database.transaction(['entries', 'cache'], 'readwrite')
      const store = tx.objectStore('entries')
      const current = new Map((await store.getAll()).map((e) => [e.client_id, e]))
      const updates = applyResults(batch, answer.results ?? [], current)
      for (const update of updates) await store.put(update)
      // The server moves the cursor past our own batch only when ours was current.
      if (typeof answer.cursor === 'string' && answer.cursor !== cursor) {
        await tx.objectStore('cache').put(answer.cursor, CURSOR)
      }
      await tx.done
      report.sent += batch.length
      report.results.push(...(answer.results ?? []))
      if (updates.length === 0) {
        // Nothing settled: go on only if entries were edited meanwhile (send the edits);
        // an answer that settles nothing at all must not make us loop.
        const sentAt = new Map(batch.map((e) => [e.client_id, e.updated_at]))
        const still = await database.getAllFromIndex('entries', 'state', 'pending')
        if (still.every((e) => sentAt.get(e.client_id) === e.updated_at)) break
      }
      if (++rounds >= MAX_ROUNDS) break
    }
    const merged = await pull().catch(() => 0)
    // Screens re-read the outbox only when something in it changed.
    if (report.sent > 0 || merged > 0) changed()
    return report
  })
}

/** Brings in entries changed on the server (other devices) since the last pull. */
export async function pull(): Promise<number> {
  const database = await db()
  let merged = 0
  for (let page = 0; page < MAX_ROUNDS; page++) {
    const cursor = ((await database.get('cache', CURSOR)) as string | undefined) ?? ''
    let answer: { entries: SyncEntry[]; cursor: string; has_more?: boolean }
    try {
      answer = await getSync(cursor)
    } catch (error) {
      if (error instanceof ApiError && error.status === 404) return merged
      throw error
    }
    const tx = database.transaction(['entries', 'cache'], 'readwrite')
    const store = tx.objectStore('entries')
    for (const remote of answer.entries ?? []) {
      const next = mergeRemote(await store.get(remote.client_id), remote)
      if (next) {
        await store.put(next)
        merged++
      }
    }
    if (typeof answer.cursor === 'string') await tx.objectStore('cache').put(answer.cursor, CURSOR)
    await tx.done
    if (!answer.has_more || answer.cursor === cursor) break
  }
  return merged
}

let scheduled: ReturnType<typeof setTimeout> | undefined
let inFlight: Promise<SyncReport> | undefined
const reportListeners = new Set<(report: SyncReport) => void>()

export function onSyncReport(listener: (report: SyncReport) => void): () => void {
  reportListeners.add(listener)
  return () => reportListeners.delete(listener)
}

/** Sync soon: now if online, and ask for Background Sync so the browser retries later. */
export function requestSync(): void {
  const nav = globalThis.navigator as Navigator | undefined
  if (nav?.serviceWorker && typeof window !== 'undefined') {
    nav.serviceWorker.ready
      .then((registration) => (registration as ServiceWorkerRegistration & { sync?: { register(tag: string): Promise<void> } }).sync?.register(SYNC_TAG))
      .catch(() => undefined)
  }
  if (nav && nav.onLine === false) return
  if (scheduled) clearTimeout(scheduled)
  scheduled = setTimeout(() => {
    scheduled = undefined
    void syncNow()
  }, 300)
}

export async function syncNow(): Promise<SyncReport> {
  if (inFlight) return inFlight
  inFlight = flush()
  try {
    const report = await inFlight
    reportListeners.forEach((l) => l(report))
    // Too many syncs in a minute (the server throttles): try again a little later.
    if (report.status === 429 || (report.status ?? 0) >= 500) {
      if (scheduled) clearTimeout(scheduled)
      scheduled = setTimeout(() => {
        scheduled = undefined
        void syncNow()
      }, RETRY_LATER_MS)
    }
    return report
  } finally {
    inFlight = undefined
  }
}

/** In the page: sync on start, when back online and when the app is shown again. */
export function startAutoSync(): void {
  void syncNow()
  window.addEventListener('online', () => void syncNow())
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') void syncNow()
  })
}

/** Signing out: forget this person's cached data; refuses while entries are unsent. */
export async function clearAll(options: { force?: boolean } = {}): Promise<void> {
  const database = await db()
  if (!options.force && (await pendingCount()) > 0) {
    throw new Error('Some entries have not been sent yet.')
  }
  const tx = database.transaction(['entries', 'cache'], 'readwrite')
  await tx.objectStore('entries').clear()
  await tx.objectStore('cache').clear()
  await tx.done
  changed('*')
}
