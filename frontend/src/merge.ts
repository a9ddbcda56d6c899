// Pure rules for merging the device's entries with the server's: no I/O here, so
// they are easy to test. src/outbox.ts applies them to IndexedDB.
import type { Day, ItemStatus, LocalEntry, OutgoingEntry, SessionData, SyncEntry, SyncResult } from './types'

function time(iso: string): number {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? 0 : t
}

/** The server's copy of an entry, as this device keeps it. */
function fromServer(remote: SyncEntry): LocalEntry {
  const { client_id, type, updated_at, deleted, data, version } = remote
  return { client_id, type, updated_at, deleted, data, version, state: 'synced' }
}

/** An entry as posted: `version` is the version the edit was made from. */
export function outgoing(entry: LocalEntry, device?: string): OutgoingEntry {
  const { client_id, type, updated_at, deleted, data, version } = entry
  const sent: OutgoingEntry = { client_id, type, updated_at, deleted, data }
  if (version !== undefined) sent.base_version = version
  if (device) sent.device = device
  return sent
}

/**
 * What becomes of each sent entry once the server has answered.
 * `current` is the device's copy *now*: an entry edited while the batch was in
 * flight stays pending so the newer edit is sent next time.
 *
 * The server decides by versions (API.md, "Sync that converges"), so the device only
 * records what it was told: the version of what it stored, or, when its edit was
 * not stored (stale, conflict), the server's copy in place of its own.
 */
export function applyResults(
  sent: SyncEntry[],
  results: SyncResult[],
  current: Map<string, LocalEntry>,
): LocalEntry[] {
  const byId = new Map(results.map((r) => [r.client_id, r]))
  const updates: LocalEntry[] = []
  for (const entry of sent) {
    const result = byId.get(entry.client_id)
    const now = current.get(entry.client_id)
    if (!result || !now) continue
    const stored = result.status === 'created' || result.status === 'updated' || result.status === 'unchanged'
    if (now.updated_at !== entry.updated_at) {
      // Edited meanwhile: the newer edit was made on top of what was just stored, so
      // it is sent from that version (a pending edit from an older one would conflict
      // with this device's own). An edit on top of one that lost stays as it is: it
      // was not made from the server's copy either.
      if (stored && typeof result.version === 'number' && now.state === 'pending') {
        updates.push({ ...now, version: result.version })
      }
      continue
    }
    switch (result.status) {
      case 'created':
      case 'updated':
      case 'unchanged':
        updates.push({
          ...now,
          // A questionnaire's score is the server's (issue 18): kept with the answer.
          data: typeof result.score === 'number' ? { ...now.data, score: result.score, band: result.band ?? null } : now.data,
          state: 'synced',
          status: result.status,
          errors: undefined,
          version: typeof result.version === 'number' ? result.version : now.version,
        })
        break
      case 'stale':
      case 'conflict':
        if (result.server) {
          // The server kept another copy: show it now, without waiting for a pull
          // (the cursor may already be past it). A conflict means the person's edit
          // lost to another device's: they are told.
          updates.push({
            ...fromServer(result.server),
            status: result.status,
            replaced: result.status === 'conflict' || now.replaced || undefined,
          })
        } else {
          // A server from before versions: the next pull brings its copy.
          updates.push({ ...now, state: 'synced', status: result.status, errors: undefined })
        }
        break
      case 'rejected':
        updates.push({ ...now, state: 'rejected', status: 'rejected', errors: result.errors ?? null })
        break
      default:
        // An unknown status: keep it pending rather than guess it was stored.
        break
    }
  }
  return updates
}

/**
 * The server's copy of an entry meets the device's. What the person typed and the
 * server has not settled (pending, or refused and waiting for them) is never
 * overwritten: the server decides when it is sent. A synced copy takes a newer
 * version; copies from before versions compare `updated_at`.
 * Returns the entry to store, or null when the device's copy stays as it is.
 */
export function mergeRemote(local: LocalEntry | undefined, remote: SyncEntry): LocalEntry | null {
  const incoming = fromServer(remote)
  if (!local) return incoming
  if (local.state !== 'synced') return null
  if (local.replaced) incoming.replaced = true
  if (typeof remote.version === 'number') {
    return local.version === undefined || remote.version > local.version ? incoming : null
  }
  return time(remote.updated_at) > time(local.updated_at) ? incoming : null
}

export interface LocalItemStatus {
  status: ItemStatus
  /** True while the server has not confirmed it yet. */
  pending: boolean
  rejected: boolean
}

/** The latest session entry per plan item, as the status the Today screen shows. */
export function sessionStatuses(entries: LocalEntry[]): Map<string, LocalItemStatus> {
  const latest = new Map<string, LocalEntry>()
  for (const entry of entries) {
    if (entry.type !== 'session') continue
    const itemId = (entry.data as SessionData).item_id
    const seen = latest.get(itemId)
    if (!seen || time(entry.updated_at) >= time(seen.updated_at)) latest.set(itemId, entry)
  }
  const statuses = new Map<string, LocalItemStatus>()
  for (const [itemId, entry] of latest) {
    statuses.set(itemId, {
      status: entry.deleted ? 'pending' : (entry.data as SessionData).status,
      pending: entry.state === 'pending',
      rejected: entry.state === 'rejected',
    })
  }
  return statuses
}

/** A plan day with the device's own logs laid over the server's statuses. */
export function overlayDay(day: Day, entries: LocalEntry[]): Day {
  const statuses = sessionStatuses(entries)
  return {
    ...day,
    items: day.items.map((item) => {
      const local = statuses.get(item.id)
      return local ? { ...item, status: local.status } : item
    }),
  }
}

/** The entry a new edit should reuse, so changing "done" to "skipped" updates one log. */
export function findEntry(
  entries: LocalEntry[],
  type: SyncEntry['type'],
  match: (data: Record<string, unknown>) => boolean,
): LocalEntry | undefined {
  return entries
    .filter((e) => e.type === type && match(e.data as Record<string, unknown>))
    .sort((a, b) => time(b.updated_at) - time(a.updated_at))[0]
}

/** A timestamp strictly after `previous`, so an edit always wins over the copy it replaces. */
export function nextUpdatedAt(previous?: string, now: Date = new Date()): string {
  let t = now.getTime()
  if (previous && time(previous) >= t) t = time(previous) + 1
  return new Date(t).toISOString()
}

// Building a formatter with a time zone is slow (ICU loads zone data): one per zone.
const formatters = new Map<string, Intl.DateTimeFormat>()

/** The calendar date it is now in an IANA time zone, as YYYY-MM-DD. */
export function localDate(timezone: string | undefined, now: Date = new Date()): string {
  try {
    const zone = timezone || ''
    let format = formatters.get(zone)
    if (!format) {
      format = new Intl.DateTimeFormat('en-CA', {
        timeZone: zone || undefined,
        year: 'numeric',
        month: '2-digit',
        day: '2-digit',
      })
      formatters.set(zone, format)
    }
    const parts = format.formatToParts(now)
    const get = (type: string) => parts.find((p) => p.type === type)?.value ?? ''
    return `${get('year')}-${get('month')}-${get('day')}`
  } catch {
    return now.toISOString().slice(0, 10)
  }
}

/** The device's own calendar date (no Intl: cheap enough for the first paint). */
export function deviceDate(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0')
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`
}

/**
 * The person's "today". The server tells it with the profile (`today`, in their zone);
 * while the device's own date has not changed since then, that answer still holds for
 * the usual case of a phone in the person's own zone, and it costs no Intl time-zone
 * lookup (slow on a phone's first paint). Otherwise it is computed from the zone.
 */
export function userToday(
  me: { timezone?: string; today?: string; device_date?: string } | undefined,
  now: Date = new Date(),
): string {
  if (me?.today && me.device_date === deviceDate(now)) return me.today
  return localDate(me?.timezone, now)
}

const WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']
const MONTHS = ['January', 'February', 'March', 'April', 'May', 'June', 'July', 'August', 'September', 'October', 'November', 'December']

/** "Saturday 21 November" for a YYYY-MM-DD date (the app speaks English). */
export function longDate(iso: string): string {
  const [y, m, d] = iso.split('-').map(Number)
  const date = new Date(Date.UTC(y, m - 1, d))
  return `${WEEKDAYS[date.getUTCDay()]} ${d} ${MONTHS[m - 1]}`
}
