// The device's IndexedDB: the outbox's entries and the cache (plan, profile, rules,
// drafts), and the change bus that tells screens, other tabs and the service worker
// what changed. src/outbox.ts owns the entries and their sync.
import { openDB, type DBSchema, type IDBPDatabase } from 'idb'
import type { LocalEntry } from './types'

export const DB_NAME = 'backtrack'
/** Where the outbox keeps its pull cursor (in the cache store). */
export const CURSOR = 'sync-cursor'

export interface Schema extends DBSchema {
  entries: { key: string; value: LocalEntry; indexes: { state: string } }
  cache: { key: string; value: unknown }
}

let dbPromise: Promise<IDBPDatabase<Schema>> | undefined

export function db(): Promise<IDBPDatabase<Schema>> {
  dbPromise ??= openDB<Schema>(DB_NAME, 2, {
    upgrade(database, oldVersion, _newVersion, tx) {
      if (oldVersion < 1) {
        const entries = database.createObjectStore('entries', { keyPath: 'client_id' })
        entries.createIndex('state', 'state')
        database.createObjectStore('cache')
      }
      // Entries stored before the server had versions: pull everything again, so each
      // copy learns its version and the next edit of it says what it was made from.
      if (oldVersion === 1) void tx.objectStore('cache').delete(CURSOR)
    },
  })
  return dbPromise
}

/** Closes the connection (tests open a fresh database each time). */
export async function closeDb(): Promise<void> {
  if (dbPromise) (await dbPromise).close()
  dbPromise = undefined
}

// --- Change notification: this tab, other tabs and the service worker ------------
// Topics: "entries" when the outbox changes, "cache:<key>" when a cached value does,
// so a screen re-reads only what it shows.
type Listener = (topic: string) => void
const listeners = new Set<Listener>()
const channel: BroadcastChannel | undefined =
  typeof BroadcastChannel !== 'undefined' ? new BroadcastChannel('backtrack-outbox') : undefined
channel?.addEventListener('message', (event: MessageEvent) => listeners.forEach((l) => l(String(event.data))))

export function subscribe(listener: () => void, topics?: string[]): () => void {
  const filtered: Listener = (topic) => {
    if (!topics || topic === '*' || topics.includes(topic)) listener()
  }
  listeners.add(filtered)
  return () => listeners.delete(filtered)
}

export function changed(topic = 'entries'): void {
  listeners.forEach((l) => l(topic))
  channel?.postMessage(topic)
}

// --- Cache (plan, profile, rules...) ----------------------------------------------
export async function cacheGet<T>(key: string): Promise<T | undefined> {
  return (await (await db()).get('cache', key)) as T | undefined
}

/** Stores a value; screens reading the cache are told unless `silent` (drafts, per keystroke). */
export async function cacheSet(key: string, value: unknown, options: { silent?: boolean } = {}): Promise<void> {
  await (await db()).put('cache', value, key)
  if (!options.silent) changed(`cache:${key}`)
}

/** Several values in one transaction (the week's plan). */
export async function cacheSetMany(pairs: [string, unknown][]): Promise<void> {
  const tx = (await db()).transaction('cache', 'readwrite')
  for (const [key, value] of pairs) await tx.store.put(value, key)
  await tx.done
  for (const [key] of pairs) changed(`cache:${key}`)
}

/**
 * Reads and rewrites one value in a single transaction, so two writers (a tab and the
 * sync, two tabs) never lose each other's change. `change` must not await.
 */
export async function cacheUpdate<T>(key: string, change: (value: T | undefined) => T): Promise<T> {
  const tx = (await db()).transaction('cache', 'readwrite')
  const next = change((await tx.store.get(key)) as T | undefined)
  await tx.store.put(next, key)
  await tx.done
  changed(`cache:${key}`)
  return next
}
