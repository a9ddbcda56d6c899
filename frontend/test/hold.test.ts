import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import {
  EMPTY,
  afterCheckin,
  afterServerAnswer,
  afterSync,
  dismissEmergency,
  emergencyCall,
  fromServer,
  heldDay,
  loadSafety,
  noteCheckin,
  release,
  releaseHere,
  sendReleases,
  telHref,
  type CheckinSafety,
  type SafetyState,
  type Snapshot,
} from '../src/hold'
import { flush, recordCheckin } from '../src/outbox'
import { evaluate, parseRules } from '../src/safety'
import { closeDb } from '../src/store'
import type { Day, SafetyHold } from '../src/types'
import { SyncServer } from './sync-server'

const NOW = '2026-11-20T08:00:00.000Z'
const LATER = '2026-11-20T09:00:00.000Z'

const emergency = (check_in = 'c1'): CheckinSafety => ({
  check_in,
  level: 'emergency',
  title: 'Call your emergency number now',
  message: 'These signs can mean a problem with your heart or lungs.',
})
const urgent = (check_in = 'c1'): CheckinSafety => ({
  check_in,
  level: 'urgent',
  title: 'Get medical help today',
  message: 'These signs need to be checked by a doctor today.',
})
const see = (check_in = 'c1'): CheckinSafety => ({ check_in, level: 'see_doctor', title: 'Book a visit', message: 'Worth having checked.' })

const snap = (synced: string[] = [], startedAt = NOW): Snapshot => ({ startedAt, synced: new Set(synced) })
const serverHold = (check_in: string | null = 'c1', level: SafetyHold['level'] = 'emergency'): SafetyHold => ({
  level,
  since: NOW,
  check_in,
})

describe('a check-in saved on the phone', () => {
  it('an emergency holds the plan and opens the emergency screen with its message alone', () => {
    const state = afterCheckin(EMPTY, emergency(), NOW)
    expect(state.hold).toMatchObject({ level: 'emergency', check_in: 'c1', since: NOW, from: 'phone' })
    expect(state.emergency).toMatchObject({ check_in: 'c1', title: 'Call your emergency number now' })
    expect(state.emergency?.message).toBe('These signs can mean a problem with your heart or lungs.')
  })

  it('an urgent answer holds the plan without the emergency screen', () => {
    const state = afterCheckin(EMPTY, urgent(), NOW)
    expect(state.hold?.level).toBe('urgent')
    expect(state.emergency).toBeNull()
  })

  it('a see-a-doctor answer does not hold, and a milder check-in never ends a hold', () => {
    expect(afterCheckin(EMPTY, see(), NOW)).toBe(EMPTY)
    const held = afterCheckin(EMPTY, urgent('c1'), NOW)
    expect(afterCheckin(held, see('c2'), LATER).hold?.level).toBe('urgent')
  })

  it('a second serious check-in keeps the one hold open, raises its level and holds it', () => {
    const state = afterCheckin(afterCheckin(EMPTY, emergency('c1'), NOW), urgent('c2'), LATER)
    // As on the server: the newest serious check-in is the one a release names.
    expect(state.hold).toMatchObject({ level: 'emergency', check_in: 'c2', since: NOW })
    expect(state.emergency?.check_in).toBe('c1')
  })

  it('correcting the check-in that holds ends the hold and its emergency screen, with nothing to send', () => {
    const held = afterCheckin(EMPTY, emergency('c1'), NOW)
    const corrected = afterCheckin(held, { ...see('c1'), level: 'none' }, LATER)
    expect(corrected.hold).toBeNull()
    expect(corrected.emergency).toBeNull()
    expect(corrected.releases).toEqual([])
    // Answered again, it holds again.
    expect(afterCheckin(corrected, urgent('c1'), LATER).hold?.level).toBe('urgent')
  })

  it('correcting an older check-in leaves the hold a newer one opened', () => {
    const state = afterCheckin(afterCheckin(EMPTY, urgent('c1'), NOW), urgent('c2'), LATER)
    expect(afterCheckin(state, see('c1'), LATER).hold?.check_in).toBe('c2')
  })

  it('evaluates the cached rules with no signal: chest pain with breathlessness is an emergency', () => {
    const rules = parseRules({
      levels: [
        { level: 'emergency', title: 'Call your emergency number now', message: 'Call now.' },
        { level: 'see_doctor', title: 'Book a visit', message: 'In the next few days.' },
      ],
      rules: [
        { id: 'chest_breathless', level: 'emergency', question: 'Chest pain and short of breath?', asked: 'daily' },
        { id: 'tingling', level: 'see_doctor', question: 'Tingling?', asked: 'daily' },
      ],
    })
    const outcome = evaluate(rules, ['tingling', 'chest_breathless'])
    const state = afterCheckin(EMPTY, { check_in: 'c1', level: outcome.level, title: outcome.title, message: outcome.messages[0] }, NOW)
    expect(state.emergency?.message).toBe('Call now.')
    expect(outcome.messages).toEqual(['Call now.'])
  })
})

describe('ending it', () => {
  const held = afterCheckin(EMPTY, emergency(), NOW)

  it('"I have called / I am safe" clears the emergency screen but the plan stays held', () => {
    const state = dismissEmergency(held)
    expect(state.emergency).toBeNull()
    expect(state.hold?.level).toBe('emergency')
  })

  it('a release shows at once and is queued with the check-in that opened the hold', () => {
    const state = release(dismissEmergency(held), 'seen_professional', LATER)
    expect(state.hold).toBeNull()
    expect(state.releases).toEqual([{ reason: 'seen_professional', check_in: 'c1', at: LATER }])
  })

  it('"I answered by mistake" also takes the emergency screen away', () => {
    expect(release(held, 'answered_by_mistake', LATER).emergency).toBeNull()
  })

  it('saving the same check-in again does not hold again; a more serious answer does', () => {
    const released = release(afterCheckin(EMPTY, urgent(), NOW), 'answered_by_mistake', LATER)
    expect(afterCheckin(released, urgent(), LATER).hold).toBeNull()
    const worse = afterCheckin(released, emergency(), LATER)
    expect(worse.hold?.level).toBe('emergency')
    // The queued release would end the hold just reopened: it goes.
    expect(worse.releases).toEqual([])
  })

  it('the server answering the synced check-in does not reopen a hold released here', () => {
    const released = release(held, 'seen_professional', LATER)
    const state = afterServerAnswer(released, { client_id: 'c1', status: 'created', safety: { level: 'emergency', title: 'x', message: 'y' } }, LATER)
    expect(state.hold).toBeNull()
    expect(state.emergency).toBeNull()
  })
})

describe('the server answers', () => {
  it('its number refines the emergency screen', () => {
    const state = afterServerAnswer(
      afterCheckin(EMPTY, emergency(), NOW),
      { client_id: 'c1', status: 'created', safety: { level: 'emergency', title: 'Call your emergency number now', message: 'm', call: { number: '15', label: 'Call 15 (SAMU)' } } },
      LATER,
    )
    expect(state.emergency?.call).toEqual({ number: '15', label: 'Call 15 (SAMU)' })
  })

  it('a hold the phone missed (no rules cached) opens from the server answer', () => {
    const state = afterServerAnswer(EMPTY, { client_id: 'c9', status: 'created', safety: { level: 'urgent', title: 't', message: 'm', call: { number: '111', label: 'Call 111' } } }, NOW)
    expect(state.hold).toMatchObject({ level: 'urgent', check_in: 'c9', call: { number: '111' } })
  })
})

describe('the server\u2019s hold meets the phone\u2019s', () => {
  it('a server without holds changes nothing', () => {
    const held = afterCheckin(EMPTY, urgent(), NOW)
    expect(fromServer(held, undefined, snap(['c1']))).toBe(held)
  })

  it('a hold opened on another device shows here', () => {
    const state = fromServer(EMPTY, serverHold('other-device'), snap())
    expect(state.hold).toMatchObject({ level: 'emergency', check_in: 'other-device', from: 'server' })
  })

  it('the server wins on the level of the same hold', () => {
    const state = fromServer(afterCheckin(EMPTY, urgent(), NOW), serverHold('c1', 'emergency'), snap(['c1']))
    expect(state.hold).toMatchObject({ level: 'emergency', from: 'phone', message: urgent().message })
  })

  it('no hold on the server leaves a hold whose check-in has not been sent yet', () => {
    const held = afterCheckin(EMPTY, urgent(), NOW)
    expect(fromServer(held, null, snap([])).hold?.level).toBe('urgent')
  })

  it('no hold on the server, once it has the check-in, ends the hold (released elsewhere)', () => {
    const held = afterCheckin(EMPTY, urgent(), NOW)
    expect(fromServer(held, null, snap(['c1'])).hold).toBeNull()
  })

  it('a hold being released here is not brought back by the server before it has the release', () => {
    const released = release(afterCheckin(EMPTY, urgent(), NOW), 'seen_professional', LATER)
    expect(fromServer(released, serverHold('c1'), snap(['c1'])).hold).toBeNull()
    // Sent, but the reading left before it: still an old reading.
    const sent: SafetyState = { ...released, releases: [] }
    expect(fromServer(sent, serverHold('c1'), snap(['c1'], NOW)).hold).toBeNull()
    // A reading made after the release that still holds: the server knows better.
    expect(fromServer(sent, serverHold('c1'), snap(['c1'], '2026-11-20T10:00:00.000Z')).hold).not.toBeNull()
  })
})

describe('what Today shows', () => {
  const day: Day = {
    date: '2026-11-20',
    items: [
      { id: 'a', program: 'core', week: 1, time_of_day: 'morning', exercise: { slug: 'a', name: 'A', steps: [], cautions: [] }, prescription: {}, status: 'pending' },
      { id: 'b', program: 'core', week: 1, time_of_day: 'morning', exercise: { slug: 'b', name: 'B', steps: [], cautions: [] }, prescription: {}, status: 'done' },
    ],
  }

  it('held: pending exercises are paused, done ones stay done', () => {
    expect(heldDay(day, true).items.map((i) => i.status)).toEqual(['held', 'done'])
  })

  it('released here: the server\u2019s held items come back to pending at once', () => {
    const fromServerDay = heldDay(day, true)
    expect(heldDay(fromServerDay, false).items.map((i) => i.status)).toEqual(['pending', 'done'])
  })

  it('calls the server\u2019s number, else the profile\u2019s, else 112', () => {
    expect(emergencyCall({ call: { number: '15', label: 'Call 15 (SAMU)' } }, { emergency_number: '112' }).label).toBe('Call 15 (SAMU)')
    expect(emergencyCall(null, { emergency_number: '999' })).toEqual({ number: '999', label: 'Call 999' })
    expect(emergencyCall(undefined, undefined)).toEqual({ number: '112', label: 'Call 112' })
    expect(telHref('0800 111 0 111')).toBe('tel:08001110111')
  })
})

describe('on the device', () => {
  let server: SyncServer
  let calls: string[]
  let releaseAnswer: () => Response

  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory()
    server = new SyncServer()
    calls = []
    releaseAnswer = () => new Response(JSON.stringify({ released: true, safety_hold: null }), { status: 200 })
    vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
      const path = new URL(String(input), 'http://localhost').pathname
      if (path === '/api/v1/me/safety-hold/release/') {
        if (server.offline) throw new TypeError('Failed to fetch')
        calls.push(`release ${init?.body}`)
        return releaseAnswer()
      }
      if (path === '/api/v1/sync/' && init?.method === 'POST') calls.push('sync')
      return server.fetch(input, init)
    })
  })

  afterEach(async () => {
    await closeDb()
    vi.unstubAllGlobals()
  })

  const checkinWithEmergency = async () => {
    const entry = await recordCheckin({ date: '2026-11-20', pain: null, stress: null, red_flags: ['chest_breathless'] })
    await noteCheckin(entry.client_id, { level: 'emergency', title: 'Call your emergency number now', messages: ['Call now.'] })
    return entry
  }

  it('keeps the emergency screen and the hold across a restart of the app', async () => {
    server.offline = true
    const entry = await checkinWithEmergency()
    await closeDb()
    const state = await loadSafety()
    expect(state.emergency?.check_in).toBe(entry.client_id)
    expect(state.hold?.check_in).toBe(entry.client_id)
  })

  it('a release made offline waits for the check-in, then follows it to the server', async () => {
    server.offline = true
    const entry = await checkinWithEmergency()
    await releaseHere('seen_professional')
    expect((await loadSafety()).hold).toBeNull()

    await sendReleases()
    expect(calls).toEqual([])
    expect((await loadSafety()).releases).toHaveLength(1)

    server.offline = false
    // The check-in is still in the outbox: the release must not overtake it.
    await sendReleases()
    expect(calls).toEqual([])
    const report = await flush()
    await afterSync(report.results)

    expect(calls).toEqual(['sync', `release ${JSON.stringify({ reason: 'seen_professional', check_in: entry.client_id })}`])
    expect((await loadSafety()).releases).toEqual([])
  })

  it('when the server holds for another check-in, the phone shows that hold', async () => {
    const entry = await checkinWithEmergency()
    await flush()
    await releaseHere('answered_by_mistake')
    releaseAnswer = () =>
      new Response(JSON.stringify({ released: false, safety_hold: { level: 'urgent', since: NOW, check_in: 'from-the-other-phone' } }), { status: 200 })

    await sendReleases()

    const state = await loadSafety()
    expect(calls.at(-1)).toContain(entry.client_id)
    expect(state.releases).toEqual([])
    expect(state.hold).toMatchObject({ level: 'urgent', check_in: 'from-the-other-phone', from: 'server' })
  })

  it('the answer about a check-in corrected while it was on its way does not hold again', async () => {
    const entry = await checkinWithEmergency()
    server.beforeAnswer = async () => {
      // Corrected while the first copy is on its way; then the signal goes.
      server.beforeAnswer = undefined
      await recordCheckin({ date: '2026-11-20', pain: null, stress: null, red_flags: [] })
      await noteCheckin(entry.client_id, { level: 'none', title: '', messages: [] })
      server.offline = true
    }
    const report = await flush()
    await afterSync(report.results.map((r) => ({ ...r, safety: { level: 'emergency', title: 't', message: 'm' } })))
    expect((await loadSafety()).hold).toBeNull()
  })

  it('a server without holds yet keeps the release for later', async () => {
    await checkinWithEmergency()
    await flush()
    await releaseHere('seen_professional')
    releaseAnswer = () => new Response(JSON.stringify({ detail: 'Not found.' }), { status: 404 })

    await sendReleases()

    expect((await loadSafety()).releases).toHaveLength(1)
  })
})
