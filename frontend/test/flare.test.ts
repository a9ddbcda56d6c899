import { describe, expect, it } from 'vitest'
import {
  EMPTY_FLARE,
  answer,
  dayShown,
  end,
  flareDates,
  flareDay,
  fromServer,
  knownFlareDays,
  owedCheckIn,
  running,
  sent,
  start,
  withFlareDays,
  type FlareState,
} from '../src/flare'
import type { Day, FlarePlan, Summary } from '../src/types'

const at = (iso: string) => new Date(iso)
const T0 = at('2026-12-02T08:00:00Z')
const hours = (n: number) => new Date(T0.getTime() + n * 3_600_000)

const PLAN: FlarePlan = {
  hours: 48,
  items: [
    { key: 'breathing-morning', time_of_day: 'morning', exercise: { slug: 'long-exhale-breathing', name: 'Long out-breath', steps: [], cautions: [] }, prescription: { duration_seconds: 180 } },
    { key: 'heat', time_of_day: 'midday', exercise: { slug: 'heat-therapy', name: 'Heat', kind: 'timed', steps: [], cautions: [] }, prescription: { duration_seconds: 900, note: 'Warmth for 15 to 20 minutes.' } },
  ],
  advice: [{ kind: 'keep_moving', text: 'Not in bed for more than a day or two.' }],
}

const usualDay: Day = {
  date: '2026-12-02',
  mode: 'usual',
  items: [{ id: 'core:cat-cow:2026-12-02', program: 'core', week: 2, time_of_day: 'morning', exercise: { slug: 'cat-cow', name: 'Cat-cow', steps: [], cautions: [] }, prescription: { reps: 8 }, status: 'pending' }],
}

describe('starting a flare on the phone', () => {
  it('runs for 48 hours from the tap and queues the start with that instant', () => {
    const state = start(EMPTY_FLARE, T0)
    expect(state.flare).toEqual({ started_at: T0.toISOString(), ends_at: hours(48).toISOString() })
    expect(state.queue).toEqual([{ kind: 'start', started_at: T0.toISOString(), at: T0.toISOString() }])
    expect(running(state, hours(47.9))).not.toBeNull()
    expect(running(state, hours(48))).toBeNull()
  })

  it('is one flare however often it is tapped', () => {
    const once = start(EMPTY_FLARE, T0)
    expect(start(once, hours(1))).toBe(once)
  })

  it('shows the flare plan kept on the phone instead of the usual day, with the same item ids as the server', () => {
    const state = start(EMPTY_FLARE, T0)
    const day = dayShown(usualDay, state, PLAN, '2026-12-02', hours(1))!
    expect(day.mode).toBe('flare')
    expect(day.items.map((i) => i.id)).toEqual(['flare:breathing-morning:2026-12-02', 'flare:heat:2026-12-02'])
    expect(day.items.some((i) => i.exercise.slug === 'cat-cow')).toBe(false)
    expect(day.flare?.advice[0].text).toContain('day or two')
    // Without a flare the usual day is shown as it is.
    expect(dayShown(usualDay, EMPTY_FLARE, PLAN, '2026-12-02', hours(1))).toBe(usualDay)
    // After the 48 hours, the usual plan is back on its own.
    expect(dayShown(usualDay, state, PLAN, '2026-12-04', hours(49))).toBe(usualDay)
  })

  it("once the flare is over, never shows the server's kept flare day as the usual plan", () => {
    const state = start(EMPTY_FLARE, T0)
    const server = flareDay(PLAN, '2026-12-02', state.flare!)
    const after = dayShown(server, end(state, hours(2)), PLAN, '2026-12-02', hours(2))!
    expect(after.awaiting).toBe(true)
    expect(after.items).toEqual([])
  })

  it("prefers the server's flare day (its budget and statuses) once it has one", () => {
    const state = start(EMPTY_FLARE, T0)
    const server = { ...flareDay(PLAN, '2026-12-02', state.flare!), minutes: 3 }
    expect(dayShown(server, state, PLAN, '2026-12-02', hours(1))).toBe(server)
  })

  it('still gives the advice when the phone has no flare plan yet', () => {
    const day = flareDay(null, '2026-12-02', start(EMPTY_FLARE, T0).flare!)
    expect(day.items).toEqual([])
    expect(day.flare?.advice.map((a) => a.kind)).toEqual(['keep_moving', 'seek_help'])
  })
})

describe('the server meets the phone', () => {
  const taken = hours(1).toISOString()

  it('keeps a start still queued, whatever the server says', () => {
    const state = start(EMPTY_FLARE, T0)
    expect(fromServer(state, { flare: null }, taken)).toBe(state)
  })

  it("takes the server's flare once the start has gone (another device's start wins)", () => {
    const queued = start(EMPTY_FLARE, T0)
    const server = { started_at: '2026-12-02T07:55:00Z', ends_at: '2026-12-04T07:55:00Z' }
    const after = sent(queued, queued.queue[0], { flare: server })
    expect(after.queue).toEqual([])
    expect(after.flare).toEqual(server)
    expect(fromServer(after, { flare: server, flare_check_in: null }, hours(2).toISOString()).flare).toEqual(server)
  })

  it('ignores a reading that left before the last change made here', () => {
    const state = { ...start(EMPTY_FLARE, T0), queue: [] }
    expect(fromServer(state, { flare: null }, at('2026-12-02T07:59:00Z').toISOString())).toBe(state)
  })

  it('shows a flare started on another device, and its end there', () => {
    const server = { started_at: T0.toISOString(), ends_at: hours(48).toISOString() }
    const on = fromServer(EMPTY_FLARE, { flare: server, flare_check_in: null }, taken)
    expect(running(on, hours(2))).toEqual(server)
    const off = fromServer(on, { flare: null, flare_check_in: { started_at: server.started_at, ended_at: hours(3).toISOString() } }, hours(3).toISOString())
    expect(running(off, hours(3))).toBeNull()
    expect(owedCheckIn(off, hours(3))?.started_at).toBe(server.started_at)
  })

  it('changes nothing when the server knows no flares', () => {
    const state = start(EMPTY_FLARE, T0)
    expect(fromServer({ ...state, queue: [] }, {}, hours(5).toISOString()).flare).toEqual(state.flare)
  })
})

describe('the end and the check-in', () => {
  it('ends early: the usual plan is back, the end is queued and the check-in is asked', () => {
    const ended = end(start(EMPTY_FLARE, T0), hours(5))
    expect(running(ended, hours(5))).toBeNull()
    expect(ended.queue.map((a) => a.kind)).toEqual(['start', 'end'])
    expect(owedCheckIn(ended, hours(5))).toEqual({ started_at: T0.toISOString(), ended_at: hours(5).toISOString() })
  })

  it('asks once the 48 hours have run out, with no write at all', () => {
    const state = { ...start(EMPTY_FLARE, T0), queue: [] }
    expect(owedCheckIn(state, hours(47))).toBeNull()
    expect(owedCheckIn(state, hours(48))?.ended_at).toBe(hours(48).toISOString())
  })

  it('answered, it is not asked again (not even by a stale server reading), and says the plan steps back', () => {
    const ended: FlareState = { ...end(start(EMPTY_FLARE, T0), hours(5)), queue: [] }
    const done = answer(ended, 'worse', hours(6))
    expect(owedCheckIn(done, hours(6))).toBeNull()
    expect(done.queue).toEqual([{ kind: 'check_in', feeling: 'worse', at: hours(6).toISOString() }])
    expect(done.resumed).toMatchObject({ feeling: 'worse', step_back: true })
    const sentOff = sent(done, done.queue[0], { resumed: { step_back: true, message: 'Please get your back checked.' } })
    expect(sentOff.resumed?.message).toBe('Please get your back checked.')
    expect(sentOff.queue).toEqual([])
    const stale = fromServer(sentOff, { flare: null, flare_check_in: { started_at: T0.toISOString(), ended_at: hours(5).toISOString() } }, hours(7).toISOString())
    expect(owedCheckIn(stale, hours(7))).toBeNull()
  })

  it('a new bad day before the check-in drops the old question', () => {
    const ended = end(start(EMPTY_FLARE, T0), hours(5))
    const again = start(ended, hours(6))
    expect(owedCheckIn(again, hours(6))).toBeNull()
    expect(running(again, hours(6))?.started_at).toBe(hours(6).toISOString())
  })
})

describe('flare days in Progress, offline', () => {
  const series = (rows: [string, number, number][]) => rows.map(([date, done, due]) => ({ date, pain: null, stress: null, sleep_hours: null, done, due }))
  const summary = (rows: [string, number, number][], streak: number) =>
    ({ days: rows.length, start: rows[0][0], end: rows.at(-1)![0], adherence: 0.5, done: 0, due: 0, streak: { current: streak, best: streak }, series: series(rows), weekly: [], insights: [] }) as unknown as Summary

  it('covers the local dates the flare touches, in the person zone', () => {
    expect(flareDates({ started_at: '2026-12-02T23:30:00Z', ends_at: '2026-12-04T23:30:00Z' }, 'Europe/Paris')).toEqual(['2026-12-03', '2026-12-04', '2026-12-05'])
    expect(flareDates({ started_at: '2026-12-02T08:00:00Z', ends_at: '2026-12-02T10:00:00Z' }, 'UTC')).toEqual(['2026-12-02'])
  })

  it('keeps the streak unbroken and leaves flare days out of adherence', () => {
    // Practised on the 1st and 2nd, nothing on the 3rd and 4th (a flare), today the 5th.
    const s = summary([['2026-12-01', 2, 2], ['2026-12-02', 2, 2], ['2026-12-03', 0, 2], ['2026-12-04', 0, 2], ['2026-12-05', 0, 2]], 0)
    const shown = withFlareDays(s, new Set(['2026-12-03', '2026-12-04']))
    expect(shown.streak.current).toBe(2)
    expect(shown.adherence).toBe(1)
    expect(shown.series.filter((p) => p.due === 0).map((p) => p.date)).toEqual(['2026-12-03', '2026-12-04'])
    // The same days without a flare do break it.
    const broken = withFlareDays(s, new Set(['2026-12-04']))
    expect(broken.streak.current).toBe(0)
  })

  it('keeps what the server counted when nothing on a flare day was due anyway', () => {
    const s = summary([['2026-12-01', 1, 1], ['2026-12-02', 0, 0]], 9)
    expect(withFlareDays(s, new Set(['2026-12-02']))).toBe(s)
  })

  it('keeps a longer streak the server counted beyond the window', () => {
    const s = summary([['2026-12-01', 1, 1], ['2026-12-02', 0, 2], ['2026-12-03', 1, 1]], 30)
    expect(withFlareDays(s, new Set(['2026-12-02'])).streak.current).toBe(30)
  })

  it('knows the days of a flare started here and of one that ended, after its check-in too', () => {
    const ended = end(start(EMPTY_FLARE, T0), hours(30))
    expect([...knownFlareDays(ended, 'UTC')]).toEqual(['2026-12-02', '2026-12-03'])
    const answered = answer(ended, 'better', hours(31))
    expect(answered.ended).toBeNull()
    expect([...knownFlareDays(answered, 'UTC')]).toEqual(['2026-12-02', '2026-12-03'])
  })
})
