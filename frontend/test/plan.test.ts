import { describe, expect, it } from 'vitest'
import { flareSince, scopeWords } from '../src/screens/clinician/patients'
import { flareDays, itemKey, planRows, rowDays, rxFor, weekday } from '../src/screens/clinician/plan'
import type { AdaptedDay, AdaptedPlanItem, RxRow } from '../src/types'

function item(id: string, name: string, prescription: Record<string, number>, extra: Partial<AdaptedPlanItem> = {}): AdaptedPlanItem {
  return {
    id,
    program: id.split(':')[0],
    week: 1,
    time_of_day: 'morning',
    exercise: { slug: name.toLowerCase(), name, kind: 'reps', steps: [], cautions: [] },
    prescription,
    status: 'pending',
    ...extra,
  }
}

function rx(id: number, replaces: string | null): RxRow {
  return {
    id,
    exercise: 'cat-cow',
    exercise_title: 'Cat-cow',
    time_of_day: 'morning',
    weekdays: null,
    prescription: { reps: 4 },
    replaces,
    note: '',
    set_by: { id: 9, name: 'Dr Rao' },
    created_at: '2026-11-20T09:00:00+00:00',
    updated_at: '2026-11-20T09:00:00+00:00',
  }
}

// 2026-11-23 is a Monday.
const dates = ['2026-11-23', '2026-11-24', '2026-11-25', '2026-11-26', '2026-11-27', '2026-11-28', '2026-11-29']

describe("the week's plan, one row per item", () => {
  it('knows the weekday and the item behind an id', () => {
    expect(dates.map(weekday)).toEqual([0, 1, 2, 3, 4, 5, 6])
    expect(itemKey('back-stretches:cat-cow:2026-11-23')).toBe('back-stretches:cat-cow')
    expect(itemKey('rx:12:2026-11-23')).toBe('rx:12')
    expect(rxFor('rx:12', [rx(12, null)])?.id).toBe(12)
    expect(rxFor('back-stretches:cat-cow', [rx(3, 'back-stretches:cat-cow')])?.id).toBe(3)
    expect(rxFor('back-stretches:knee', [rx(3, 'back-stretches:cat-cow')])).toBeUndefined()
  })

  it('groups the days, says which days, the later dose, and what a change replaces', () => {
    const days: AdaptedDay[] = dates.map((date, n) => ({
      date,
      items: [
        item(`back-stretches:cat-cow:${date}`, 'Cat-cow', { reps: n < 3 ? 5 : 6 }),
        ...(n % 2 === 0 ? [item(`rx:12:${date}`, 'Plank', { hold_seconds: 20 }, { prescribed_by: { name: 'Dr Rao' } })] : []),
      ],
    }))
    const rows = planRows(days, [rx(12, null)])
    expect(rows.map((r) => r.key)).toEqual(['back-stretches:cat-cow', 'rx:12'])
    expect(rowDays(rows[0])).toBe('Every day')
    expect(rows[0].later).toEqual({ date: '2026-11-26', prescription: { reps: 6 } })
    expect(rows[0].replaces).toBe('back-stretches:cat-cow')
    expect(rowDays(rows[1])).toBe('Mon, Wed, Fri, Sun')
    expect(rows[1].rx?.id).toBe(12)
    expect(rows[1].replaces).toBeUndefined()
  })

  it('leaves the flare days out and names them', () => {
    const days: AdaptedDay[] = dates.slice(0, 3).map((date, n) => ({
      date,
      mode: n < 2 ? 'flare' : 'usual',
      items: [item(`${n < 2 ? 'flare' : 'core'}:walk:${date}`, 'Walk', { duration_seconds: 300 })],
    }))
    expect(planRows(days, []).map((r) => r.key)).toEqual(['core:walk'])
    expect(flareDays(days)).toEqual(['2026-11-23', '2026-11-24'])
  })
})

describe('the list says what a link shares and since when a flare runs', () => {
  it('reads the permissions out in words', () => {
    expect(scopeWords(['logs', 'checkins'])).toBe('Shares logs and check-ins, not the journal; you cannot prescribe.')
    expect(scopeWords(['logs', 'checkins', 'journal', 'prescribe'])).toBe('Shares logs, check-ins and journal; you may prescribe.')
  })

  it('says a flare start as short as is clear', () => {
    const now = new Date(2026, 10, 26, 18, 0) // Thursday 26 November, local
    expect(flareSince(new Date(2026, 10, 26, 9, 5).toISOString(), now)).toBe('09:05')
    expect(flareSince(new Date(2026, 10, 25, 22, 0).toISOString(), now)).toBe('yesterday')
    expect(flareSince(new Date(2026, 10, 24, 8, 0).toISOString(), now)).toBe('Tue')
    expect(flareSince(new Date(2026, 10, 3, 8, 0).toISOString(), now)).toBe('3 Nov')
  })
})
