// Pure rules for merging the device's entries with the server's: no I/O here, so
// they are easy to test. src/outbox.ts applies them to IndexedDB.
import type { Day, ItemStatus, LocalEntry, SessionData, SyncEntry, SyncResult } from './types'

function time(iso: string): number {
  const t = Date.parse(iso)
  return Number.isNaN(t) ? 0 : t
}

/**
 * What becomes of each sent entry once the server has answered.
 * `current` is the device's copy *now*: an entry edited while the batch was in
 * flight stays pending so the newer edit is sent next time.
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
    if (now.updated_at !== entry.updated_at) continue // edited meanwhile: send again
    switch (result.status) {
      case 'created':
      case 'updated':
      case 'unchanged':
        updates.push({ ...now, state: 'synced', status: result.status, errors: undefined })
        break
      case 'stale':
        // The server holds a newer copy; the next pull brings it here.
        updates.push({ ...now, state: 'synced', status: 'stale', errors: undefined })
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
 * The server's copy of an entry meets the device's: the newer `updated_at` wins, and a
 * pending local edit is never overwritten by an older or equal server copy.
 * Returns the entry to store, or null when the device's copy stays as it is.
 */
export function mergeRemote(local: LocalEntry | undefined, remote: SyncEntry): LocalEntry | null {
  const incoming: LocalEntry = { ...remote, state: 'synced', status: undefined }
  if (!local) return incoming
  // Pending, rejected or synced alike: only a strictly newer server copy replaces ours.
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
