import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { clearSession, discard, dismissReplaced, flush, listEntries, pendingCount, pull, recordCheckin, recordJournal, recordSession, rejectedEntries, replacedEntries } from '../src/outbox'
import { closeDb } from '../src/store'
import type { SessionData } from '../src/types'
import { SyncServer } from './sync-server'

let server: SyncServer

beforeEach(() => {
  // A fresh, empty IndexedDB for every test, as on a new phone.
  globalThis.indexedDB = new IDBFactory()
  server = new SyncServer()
  vi.stubGlobal('fetch', server.fetch)
})

afterEach(async () => {
  await closeDb()
  vi.unstubAllGlobals()
})

const session = (item_id: string, status: 'done' | 'skipped' = 'done'): SessionData => ({
  date: '2026-11-20',
  item_id,
  status,
})

describe('writing while offline', () => {
  it('keeps every entry on the device as pending until the server has it', async () => {
    server.offline = true
    await recordSession(session('core:bridge:2026-11-20'))
    await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })

    const report = await flush()

    expect(report.offline).toBe(true)
    expect(await pendingCount()).toBe(2)
    expect(server.stored.size).toBe(0)
  })

  it('loses nothing when the app is closed and opened again', async () => {
    server.offline = true
    await recordSession(session('core:bridge:2026-11-20'))
    await recordJournal({ date: '2026-11-20', gratitude: ['tea', 'sun', 'a walk'] })
    await closeDb() // the tab is closed

    const entries = await listEntries()

    expect(entries.map((e) => e.type).sort()).toEqual(['journal', 'session'])
    expect(entries.every((e) => e.state === 'pending')).toBe(true)
  })

  it('changing done to skipped updates the one log instead of adding a second', async () => {
    const first = await recordSession(session('core:bridge:2026-11-20', 'done'))
    const second = await recordSession(session('core:bridge:2026-11-20', 'skipped'))

    expect(second.client_id).toBe(first.client_id)
    expect(Date.parse(second.updated_at)).toBeGreaterThan(Date.parse(first.updated_at))
    expect(await pendingCount()).toBe(1)
  })

  it('saving the day\u2019s check-in twice keeps one check-in with the latest answers', async () => {
    await recordCheckin({ date: '2026-11-20', pain: 7, stress: 8 })
    await recordCheckin({ date: '2026-11-20', pain: 5, stress: 6 })
    await flush()

    expect(server.stored.size).toBe(1)
    expect([...server.stored.values()][0].data).toMatchObject({ pain: 5, stress: 6 })
  })
})

describe('syncing', () => {
  it('sends pending entries once and marks them synced', async () => {
    await recordSession(session('a'))
    await recordSession(session('b'))
    await recordCheckin({ date: '2026-11-20', pain: 3, stress: 2 })

    const report = await flush()
    const again = await flush()

    expect(report.sent).toBe(3)
    expect(again.sent).toBe(0)
    expect(server.posts).toHaveLength(1)
    expect(server.stored.size).toBe(3)
    expect(await pendingCount()).toBe(0)
    expect((await listEntries()).every((e) => e.state === 'synced')).toBe(true)
  })

  it('treats a replayed batch whose first answer was lost as done', async () => {
    await recordSession(session('a'))
    server.offline = false
    // The server stores the batch but the answer never arrives.
    server.beforeAnswer = async () => {
      server.beforeAnswer = undefined
      throw new TypeError('connection reset')
    }
    await flush()
    expect(await pendingCount()).toBe(1)

    const report = await flush()

    expect(report.results.map((r) => r.status)).toEqual(['unchanged'])
    expect(await pendingCount()).toBe(0)
    expect(server.stored.size).toBe(1)
  })

  it('keeps a rejected entry, with the server\u2019s reason, instead of dropping it', async () => {
    server.reject = (entry) =>
      (entry.data as { pain?: number }).pain === 11 ? { pain: ['Ensure this value is less than or equal to 10.'] } : undefined
    await recordCheckin({ date: '2026-11-20', pain: 11, stress: 2 })
    await recordSession(session('a'))

    await flush()

    const rejected = await rejectedEntries()
    expect(rejected).toHaveLength(1)
    expect(rejected[0].errors).toEqual({ pain: ['Ensure this value is less than or equal to 10.'] })
    expect(await pendingCount()).toBe(0)
    expect(server.stored.size).toBe(1) // the other entry of the batch was applied
  })

  it('an entry edited while its batch was in flight is sent again with the edit', async () => {
    await recordSession(session('a', 'done'))
    server.beforeAnswer = async () => {
      server.beforeAnswer = undefined
      await recordSession(session('a', 'skipped'))
    }

    await flush()

    expect(await pendingCount()).toBe(0)
    expect(server.posts).toHaveLength(2)
    expect([...server.stored.values()][0].data).toMatchObject({ status: 'skipped' })
  })

  it('undoing a logged item sends a tombstone so other devices learn of it', async () => {
    await recordSession(session('a'))
    await flush()

    await clearSession('a', '2026-11-20')
    await flush()

    expect(server.stored.size).toBe(1)
    expect([...server.stored.values()][0].deleted).toBe(true)
  })

  it('sends more than 500 entries in batches the server accepts', async () => {
    server.offline = true
    for (let i = 0; i < 501; i++) await recordSession(session(`item-${i}`))
    server.offline = false

    await flush()

    expect(server.posts.map((batch) => batch.length)).toEqual([500, 1])
    expect(await pendingCount()).toBe(0)
  })

  it('brings in entries made on another device', async () => {
    server.apply({
      client_id: '2b0c1f9e-0000-4000-8000-000000000001',
      type: 'session',
      updated_at: '2026-11-20T08:00:00Z',
      deleted: false,
      data: session('from-the-laptop'),
    })

    await flush()

    const entries = await listEntries()
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ state: 'synced', data: { item_id: 'from-the-laptop' } })
  })

  it('does not skip another device\u2019s entry that arrived just before our batch', async () => {
    await flush() // the cursor is current
    server.apply({ client_id: 'laptop-1', type: 'checkin', updated_at: '2026-11-20T07:00:00Z', deleted: false, data: { date: '2026-11-20', pain: 2, stress: 3 } })
    await recordSession(session('phone-1'))

    await flush()

    expect((await listEntries()).map((e) => e.client_id).sort()).toContain('laptop-1')
  })

  it('pulls changes page by page', async () => {
    server.pageSize = 2
    for (let i = 0; i < 5; i++) {
      server.apply({ client_id: `laptop-${i}`, type: 'session', updated_at: '2026-11-20T07:00:00Z', deleted: false, data: session(`l-${i}`) })
    }

    await flush()

    expect(await listEntries()).toHaveLength(5)
  })

  it('keeps everything pending when the server is busy, and says so', async () => {
    await recordSession(session('a'))
    vi.stubGlobal('fetch', async () => new Response(JSON.stringify({ detail: 'Request was throttled.' }), { status: 429 }))

    const report = await flush()

    expect(report).toMatchObject({ offline: false, status: 429, error: 'Request was throttled.' })
    expect(await pendingCount()).toBe(1)
  })
})

describe('converging with other devices', () => {
  // By default the laptop's clock is far behind the phone's.
  const laptopEdit = (clientId: string, version: number, pain: number, updatedAt = '2020-01-01T07:00:00Z') =>
    server.apply({
      client_id: clientId,
      type: 'checkin',
      updated_at: updatedAt,
      deleted: false,
      data: { date: '2026-11-20', pain, stress: 6 },
      base_version: version,
      device: 'laptop',
    })

  it('sends each edit with this installation\u2019s id and the version it was made from', async () => {
    const first = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    await recordCheckin({ date: '2026-11-20', pain: 5, stress: 6 })
    await flush()

    const [created, edited] = server.posts.map((batch) => batch[0])
    expect(created).toMatchObject({ client_id: first.client_id, base_version: 0 })
    expect(edited).toMatchObject({ client_id: first.client_id, base_version: server.stored.get(first.client_id)!.seq - 1 })
    expect(created.device).toMatch(/^[0-9a-f-]{36}$/)
    expect(edited.device).toBe(created.device)
  })

  it('an edit that lost to another device\u2019s shows that device\u2019s version, and says so once', async () => {
    const mine = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    laptopEdit(mine.client_id, server.stored.get(mine.client_id)!.seq, 2) // made from our version, sent first
    await recordCheckin({ date: '2026-11-20', pain: 8, stress: 6 })

    const report = await flush()

    expect(report.results.map((r) => r.status)).toEqual(['conflict'])
    const [local] = await listEntries()
    expect(local).toMatchObject({ state: 'synced', data: { pain: 2 }, version: server.stored.get(mine.client_id)!.seq })
    expect((await replacedEntries()).map((e) => e.client_id)).toEqual([mine.client_id])
    await flush() // a pull does not bring the notice back, nor change the copy
    await dismissReplaced(mine.client_id)
    expect(await replacedEntries()).toEqual([])
    expect((await listEntries())[0].data).toMatchObject({ pain: 2 })
  })

  it('an edit made after seeing another device\u2019s wins, however far behind that device\u2019s clock', async () => {
    const mine = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    laptopEdit(mine.client_id, server.stored.get(mine.client_id)!.seq, 2)
    await flush() // the phone pulls the laptop's edit
    await recordCheckin({ date: '2026-11-20', pain: 7, stress: 6 })

    const report = await flush()

    expect(report.results.map((r) => r.status)).toEqual(['updated'])
    expect(server.copy(mine.client_id)?.data).toMatchObject({ pain: 7 })
    expect(await replacedEntries()).toEqual([])
  })

  it('a phone whose answer was lost edits again, and its own later edit wins', async () => {
    const mine = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    await recordCheckin({ date: '2026-11-20', pain: 5, stress: 6 })
    server.beforeAnswer = async () => {
      server.beforeAnswer = undefined
      throw new TypeError('connection reset') // stored, but the phone never hears of it
    }
    await flush()
    await recordCheckin({ date: '2026-11-20', pain: 6, stress: 6 })

    const report = await flush()

    expect(report.results.map((r) => r.status)).toEqual(['updated'])
    expect(server.copy(mine.client_id)?.data).toMatchObject({ pain: 6 })
    expect((await listEntries())[0]).toMatchObject({ state: 'synced', version: server.copy(mine.client_id)?.version })
  })

  it('an edit made while its batch was in flight follows it instead of conflicting with it', async () => {
    const mine = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    await recordCheckin({ date: '2026-11-20', pain: 5, stress: 6 })
    server.beforeAnswer = async () => {
      server.beforeAnswer = undefined
      await recordCheckin({ date: '2026-11-20', pain: 6, stress: 6 })
    }

    const report = await flush()

    expect(report.results.map((r) => r.status)).toEqual(['updated', 'updated'])
    expect(server.copy(mine.client_id)?.data).toMatchObject({ pain: 6 })
  })

  it('a pull never overwrites an edit that has not been sent yet', async () => {
    const mine = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    laptopEdit(mine.client_id, server.stored.get(mine.client_id)!.seq, 2, '2099-01-01T07:00:00Z') // far ahead
    await recordCheckin({ date: '2026-11-20', pain: 9, stress: 6 })

    expect(await pull()).toBe(0)

    expect((await listEntries())[0]).toMatchObject({ state: 'pending', data: { pain: 9 } })
  })

  it('dropping a refused edit brings the server\u2019s copy back', async () => {
    const mine = await recordCheckin({ date: '2026-11-20', pain: 4, stress: 6 })
    await flush()
    server.reject = () => ({ pain: ['No.'] })
    await recordCheckin({ date: '2026-11-20', pain: 5, stress: 6 })
    await flush()
    server.reject = undefined

    await discard(mine.client_id)
    await flush()

    expect(await listEntries()).toMatchObject([{ client_id: mine.client_id, state: 'synced', data: { pain: 4 } }])
  })
})
