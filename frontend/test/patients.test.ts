import { describe, expect, it } from 'vitest'
import {
  ATTENTION_FIRST,
  alertWords,
  itemName,
  lastSeen,
  nextSort,
  percent,
  shiftDate,
  sortPatients,
  trendArrow,
  trendWords,
} from '../src/screens/clinician/patients'
import type { AdaptedPatientRow as PatientRow, OpenAlert } from '../src/types'

function alert(level: OpenAlert['level'], id = 1): OpenAlert {
  return { id, level, date: '2026-11-20', red_flags: ['fever'], created_at: '2026-11-20T09:00:00+00:00' }
}

function row(email: string, fields: Partial<PatientRow> = {}): PatientRow {
  return {
    id: email.length,
    email,
    linked_since: '2026-11-01T09:00:00+00:00',
    scopes: ['logs', 'checkins'],
    adherence_7: null,
    adherence_28: null,
    today: '2026-11-21',
    last_checkin: null,
    latest_pain: null,
    latest_stress: null,
    pain_trend: null,
    stress_trend: null,
    open_alerts: [],
    attention: [],
    ...fields,
  }
}

// In the server's order: who needs attention first.
const ROWS = [
  row('urgent@example.com', { open_alerts: [alert('urgent')], latest_pain: 3, adherence_7: 0.9, last_checkin: '2026-11-20' }),
  row('flagged@example.com', { open_alerts: [alert('see_doctor'), alert('see_doctor', 2)], latest_pain: 7, adherence_7: 0.2, last_checkin: '2026-11-21' }),
  row('rising@example.com', { latest_pain: 6, pain_trend: 'up', adherence_7: 0.5, last_checkin: '2026-11-15' }),
  row('new@example.com'),
  row('Calm@example.com', { latest_pain: 2, adherence_7: 1, last_checkin: '2026-11-21' }),
]
const emails = (rows: PatientRow[]) => rows.map((r) => r.email)

describe('sortPatients', () => {
  it('keeps the server order for "who needs attention first"', () => {
    expect(emails(sortPatients(ROWS, ATTENTION_FIRST))).toEqual(emails(ROWS))
  })

  it('puts the highest pain first, then reverses, with no check-in last both ways', () => {
    const first = nextSort(ATTENTION_FIRST, 'latest_pain')
    expect(first).toEqual({ key: 'latest_pain', direction: 'descending' })
    expect(emails(sortPatients(ROWS, first))).toEqual([
      'flagged@example.com',
      'rising@example.com',
      'urgent@example.com',
      'Calm@example.com',
      'new@example.com',
    ])
    const second = nextSort(first, 'latest_pain')
    expect(second.direction).toBe('ascending')
    expect(emails(sortPatients(ROWS, second))).toEqual([
      'Calm@example.com',
      'urgent@example.com',
      'rising@example.com',
      'flagged@example.com',
      'new@example.com',
    ])
  })

  it('sorts alerts by seriousness before count', () => {
    const sorted = sortPatients(ROWS, nextSort(ATTENTION_FIRST, 'alerts'))
    expect(emails(sorted).slice(0, 2)).toEqual(['urgent@example.com', 'flagged@example.com'])
  })

  it('shows the least of the plan done first and the longest since a check-in first', () => {
    expect(emails(sortPatients(ROWS, nextSort(ATTENTION_FIRST, 'adherence_7')))[0]).toBe('flagged@example.com')
    expect(emails(sortPatients(ROWS, nextSort(ATTENTION_FIRST, 'last_checkin')))[0]).toBe('rising@example.com')
  })

  it('sorts names A to Z ignoring case, and never changes the rows it is given', () => {
    const copy = [...ROWS]
    expect(emails(sortPatients(ROWS, nextSort(ATTENTION_FIRST, 'email')))).toEqual([
      'Calm@example.com',
      'flagged@example.com',
      'new@example.com',
      'rising@example.com',
      'urgent@example.com',
    ])
    expect(ROWS).toEqual(copy)
  })

  it('goes back to the attention order from any column', () => {
    expect(nextSort({ key: 'latest_stress', direction: 'ascending' }, 'attention')).toEqual(ATTENTION_FIRST)
  })
})

describe('words for screen readers', () => {
  it('says what each trend arrow means', () => {
    expect([trendArrow('up'), trendArrow('down'), trendArrow('flat'), trendArrow(null)]).toEqual(['↑', '↓', '→', ''])
    expect(trendWords('up')).toBe('rising compared with the week before')
    expect(trendWords('down')).toBe('easing compared with the week before')
    expect(trendWords('flat')).toBe('about the same as the week before')
    expect(trendWords(null)).toBe('not enough check-ins to compare weeks')
  })

  it('names the count and the most serious alert', () => {
    expect(alertWords([])).toBe('No open safety alerts')
    expect(alertWords([alert('urgent')])).toBe('1 open safety alert: urgent')
    expect(alertWords([alert('see_doctor'), alert('emergency', 2)])).toBe(
      '2 open safety alerts: the most serious is emergency',
    )
  })
})

describe('formatting', () => {
  it('shows shares as whole percentages and nothing planned as a dash', () => {
    expect([percent(0.456), percent(1), percent(0), percent(null)]).toEqual(['46%', '100%', '0%', '–'])
  })

  it('says how long ago the last check-in was, across a month end', () => {
    expect(lastSeen('2026-12-01', '2026-12-01')).toBe('Today')
    expect(lastSeen('2026-11-30', '2026-12-01')).toBe('Yesterday')
    expect(lastSeen('2026-11-26', '2026-12-01')).toBe('5 days ago')
    expect(lastSeen(null, '2026-12-01')).toBe('Never')
  })

  it('moves calendar dates across month and leap-year ends', () => {
    expect(shiftDate('2026-03-01', -1)).toBe('2026-02-28')
    expect(shiftDate('2028-03-01', -1)).toBe('2028-02-29')
    expect(shiftDate('2026-11-21', -27)).toBe('2026-10-25')
  })

  it('turns a plan item id into an exercise name', () => {
    expect(itemName('back-stretches:cat-cow:2026-11-20')).toBe('Cat cow (back stretches)')
    expect(itemName('odd')).toBe('odd')
  })
})
