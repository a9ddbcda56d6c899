import { describe, expect, it } from 'vitest'
import { applyResults, deviceDate, localDate, longDate, mergeRemote, nextUpdatedAt, outgoing, overlayDay, userToday } from '../src/merge'
import type { Day, LocalEntry, ServerEntry, SyncEntry } from '../src/types'

const entry = (overrides: Partial<LocalEntry> = {}): LocalEntry => ({
  client_id: 'c1',
  type: 'session',
  updated_at: '2026-11-20T08:00:00.000Z',
  deleted: false,
  data: { date: '2026-11-20', item_id: 'core:bridge:2026-11-20', status: 'done' },
  state: 'pending',
  ...overrides,
})

const sent = (e: LocalEntry): SyncEntry => ({
  client_id: e.client_id,
  type: e.type,
  updated_at: e.updated_at,
  deleted: e.deleted,
  data: e.data,
})

describe('applying the server\u2019s answers', () => {
  it.each([
    ['created', 'synced'],
    ['updated', 'synced'],
    ['unchanged', 'synced'],
    ['stale', 'synced'],
    ['rejected', 'rejected'],
  ] as const)('%s leaves the entry %s', (status, state) => {
    const local = entry()
    const [update] = applyResults([sent(local)], [{ client_id: 'c1', status }], new Map([['c1', local]]))
    expect(update.state).toBe(state)
    expect(update.status).toBe(status)
  })

  it('keeps an entry pending when the server did not answer for it', () => {
    const local = entry()
    expect(applyResults([sent(local)], [], new Map([['c1', local]]))).toEqual([])
  })

  it('keeps an entry pending when it changed after it was sent', () => {
    const before = entry()
    const after = entry({ updated_at: '2026-11-20T08:00:01.000Z' })
    expect(applyResults([sent(before)], [{ client_id: 'c1', status: 'created' }], new Map([['c1', after]]))).toEqual([])
  })

  it('does not take an unknown status as stored', () => {
    const local = entry()
    const answer = [{ client_id: 'c1', status: 'mystery' as never }]
    expect(applyResults([sent(local)], answer, new Map([['c1', local]]))).toEqual([])
  })
})

describe('versions in the server\u2019s answers', () => {
  const server = (overrides: Partial<SyncEntry> = {}): ServerEntry =>
    ({
      ...sent(entry({ updated_at: '2026-11-20T07:00:00.000Z', data: { date: '2026-11-20', item_id: 'core:bridge:2026-11-20', status: 'skipped' } })),
      version: 9,
      ...overrides,
    }) as ServerEntry

  it.each(['created', 'updated', 'unchanged'] as const)('%s records the stored version', (status) => {
    const local = entry({ version: 3 })
    const [update] = applyResults([sent(local)], [{ client_id: 'c1', status, version: 7 }], new Map([['c1', local]]))
    expect(update).toMatchObject({ state: 'synced', version: 7 })
  })

  it('a conflict puts the other device\u2019s copy in place of ours and says so', () => {
    const local = entry({ version: 3 })
    const answer = [{ client_id: 'c1', status: 'conflict' as const, server: server() }]
    const [update] = applyResults([sent(local)], answer, new Map([['c1', local]]))
    expect(update).toMatchObject({ state: 'synced', status: 'conflict', version: 9, replaced: true, data: { status: 'skipped' } })
    expect(update.updated_at).toBe('2026-11-20T07:00:00.000Z')
  })

  it('a stale answer puts the server\u2019s copy in place of ours without a notice', () => {
    const local = entry({ version: 3 })
    const [update] = applyResults([sent(local)], [{ client_id: 'c1', status: 'stale', server: server() }], new Map([['c1', local]]))
    expect(update).toMatchObject({ state: 'synced', version: 9, data: { status: 'skipped' } })
    expect(update.replaced).toBeUndefined()
  })

  it('an edit made while the batch was in flight is sent next from the version just stored', () => {
    const before = entry({ version: 3 })
    const after = entry({ updated_at: '2026-11-20T08:00:01.000Z', version: 3, data: { status: 'skipped' } })
    const [update] = applyResults([sent(before)], [{ client_id: 'c1', status: 'updated', version: 8 }], new Map([['c1', after]]))
    expect(update).toMatchObject({ state: 'pending', version: 8, data: { status: 'skipped' } })
  })

  it('an edit made on top of one that lost keeps its own base, to be settled when sent', () => {
    const before = entry({ version: 3 })
    const after = entry({ updated_at: '2026-11-20T08:00:01.000Z', version: 3 })
    const answer = [{ client_id: 'c1', status: 'conflict' as const, server: server() }]
    expect(applyResults([sent(before)], answer, new Map([['c1', after]]))).toEqual([])
  })

  it('an edit is sent with the version it was made from and the device id', () => {
    expect(outgoing(entry({ version: 4 }), 'phone')).toMatchObject({ base_version: 4, device: 'phone' })
    expect(outgoing(entry({ version: 0 }), 'phone').base_version).toBe(0)
    expect('base_version' in outgoing(entry(), 'phone')).toBe(false) // from before versions: v1 rules
  })
})

describe('merging the server\u2019s copy', () => {
  it('never overwrites an unsent edit, even with a newer server copy', () => {
    const local = entry({ version: 2 })
    const remote = { ...sent(entry({ updated_at: '2026-11-20T09:00:00Z', data: { status: 'skipped' } })), version: 5 }
    expect(mergeRemote(local, remote)).toBeNull()
  })

  it('takes a higher version whatever the clocks say', () => {
    const local = entry({ state: 'synced', version: 2, updated_at: '2026-11-20T09:00:00Z' })
    const remote = { ...sent(entry({ updated_at: '2026-11-20T08:58:30Z', data: { status: 'skipped' } })), version: 5 }
    expect(mergeRemote(local, remote)).toMatchObject({ version: 5, data: { status: 'skipped' } })
  })

  it('keeps its copy when the server\u2019s is the same version', () => {
    const local = entry({ state: 'synced', version: 5 })
    expect(mergeRemote(local, { ...sent(entry({ updated_at: '2026-11-20T09:00:00Z' })), version: 5 })).toBeNull()
  })

  it('a copy from before versions takes the server\u2019s versioned copy', () => {
    const local = entry({ state: 'synced', updated_at: '2026-11-20T09:00:00Z' })
    expect(mergeRemote(local, { ...sent(entry()), version: 1 })?.version).toBe(1)
  })

  it('takes an entry the device has never seen', () => {
    expect(mergeRemote(undefined, sent(entry()))?.state).toBe('synced')
  })

  it('never overwrites a newer pending edit with an older server copy (no versions)', () => {
    const local = entry({ updated_at: '2026-11-20T09:00:00Z' })
    expect(mergeRemote(local, sent(entry({ updated_at: '2026-11-20T08:00:00Z' })))).toBeNull()
  })

  it('takes a newer server copy over an older local one (no versions)', () => {
    const local = entry({ state: 'synced', status: 'stale' })
    const remote = sent(entry({ updated_at: '2026-11-20T08:05:00Z', data: { status: 'skipped' } }))
    expect(mergeRemote(local, remote)?.data).toEqual({ status: 'skipped' })
  })

  it('compares instants, not strings, across offsets', () => {
    const local = entry({ state: 'synced', updated_at: '2026-11-20T08:30:00Z' })
    const older = sent(entry({ updated_at: '2026-11-20T09:00:00+01:00' })) // 08:00Z: older, though '09' > '08'
    const newer = sent(entry({ updated_at: '2026-11-20T10:00:00+01:00' })) // 09:00Z: newer
    expect(mergeRemote(local, older)).toBeNull()
    expect(mergeRemote(local, newer)?.updated_at).toBe('2026-11-20T10:00:00+01:00')
  })
})

describe('the day as shown', () => {
  const day: Day = {
    date: '2026-11-20',
    items: [
      { id: 'core:bridge:2026-11-20', program: 'core', week: 1, time_of_day: 'morning', exercise: { slug: 'b', name: 'Bridge', steps: [], cautions: [] }, prescription: {}, status: 'pending' },
      { id: 'core:plank:2026-11-20', program: 'core', week: 1, time_of_day: 'morning', exercise: { slug: 'p', name: 'Plank', steps: [], cautions: [] }, prescription: {}, status: 'done' },
    ],
  }

  it('shows the device\u2019s logs over the server\u2019s statuses', () => {
    const shown = overlayDay(day, [entry()])
    expect(shown.items.map((i) => i.status)).toEqual(['done', 'done'])
  })

  it('an undone item (tombstone) is pending again', () => {
    const shown = overlayDay(day, [entry({ client_id: 'c2', deleted: true, data: { date: '2026-11-20', item_id: 'core:plank:2026-11-20', status: 'done' } })])
    expect(shown.items.map((i) => i.status)).toEqual(['pending', 'pending'])
  })
})

describe('time', () => {
  it('a new edit is always later than the one it replaces, even within the same millisecond', () => {
    const now = new Date('2026-11-20T08:00:00.000Z')
    expect(nextUpdatedAt('2026-11-20T08:00:00.000Z', now)).toBe('2026-11-20T08:00:00.001Z')
    expect(nextUpdatedAt(undefined, now)).toBe('2026-11-20T08:00:00.000Z')
  })

  it('today is the date where the person lives, not in UTC', () => {
    const now = new Date('2026-11-20T23:30:00Z')
    expect(localDate('Pacific/Auckland', now)).toBe('2026-11-21')
    expect(localDate('America/Los_Angeles', now)).toBe('2026-11-20')
  })
})

describe('the person\u2019s today', () => {
  const now = new Date(2026, 10, 20, 23, 30) // device-local 20 November, 23:30

  it('trusts the server\u2019s date while the device\u2019s date has not changed since', () => {
    const me = { timezone: 'Pacific/Auckland', today: '2026-11-21', device_date: deviceDate(now) }
    expect(userToday(me, now)).toBe('2026-11-21')
  })

  it('works it out from the time zone once the device\u2019s date has moved on', () => {
    const me = { timezone: 'UTC', today: '2026-11-19', device_date: '2026-11-19' }
    expect(userToday(me, new Date('2026-11-20T12:00:00Z'))).toBe('2026-11-20')
  })

  it('names the day in plain words', () => {
    expect(longDate('2026-11-21')).toBe('Saturday 21 November')
  })
})
