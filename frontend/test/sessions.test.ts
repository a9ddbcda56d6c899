import { describe, expect, it } from 'vitest'
import { budgetLabel, budgetLine, dayMinutes, daySessions, formatMinutes, holdsLine, ordered, progressionLine } from '../src/sessions'
import type { Day, PlanItem } from '../src/types'

function item(id: string, name: string, time: string, extra: Partial<PlanItem> = {}): PlanItem {
  return {
    id,
    program: 'p',
    week: 1,
    time_of_day: time,
    exercise: { slug: name.toLowerCase().replace(/ /g, '-'), name, steps: [], cautions: [] },
    prescription: { reps: 10 },
    status: 'pending',
    ...extra,
  }
}

const day: Day = {
  date: '2026-12-02',
  minutes: 14,
  items: [
    item('a', 'Cat-cow', 'morning'),
    item('b', 'Glute bridge', 'morning'),
    item('c', 'Dead bug', 'morning', { optional: true }),
    item('d', 'Box breathing', 'evening'),
  ],
  sessions: [
    { time_of_day: 'evening', minutes: 4, optional_minutes: 0, items: ['d'] },
    { time_of_day: 'morning', minutes: 10, optional_minutes: 2, items: ['a', 'b', 'c'] },
  ],
}

describe('daySessions', () => {
  it('groups the day by time of day, morning first, with the server minutes and extras last', () => {
    const sessions = daySessions(day)
    expect(sessions.map((s) => [s.title, s.minutes])).toEqual([
      ['Morning', 10],
      ['Evening', 4],
    ])
    expect(sessions[0].extras.map((i) => i.id)).toEqual(['c'])
    expect(holdsLine(sessions[0])).toBe('Cat-cow, glute bridge')
  })

  it('a session is done when every item that counts is done or skipped; extras do not block it', () => {
    const done = { ...day, items: day.items.map((i) => (i.id === 'a' ? { ...i, status: 'done' as const } : i.id === 'b' ? { ...i, status: 'skipped' as const } : i)) }
    const sessions = daySessions(done)
    expect(sessions[0].done).toBe(true)
    expect(ordered(sessions).map((s) => s.title)).toEqual(['Evening', 'Morning'])
  })

  it('a held session is never done and never next', () => {
    const held = { ...day, items: day.items.map((i) => ({ ...i, status: 'held' as const })) }
    const sessions = daySessions(held)
    expect(sessions.every((s) => s.held && !s.done)).toBe(true)
  })

  it('groups an older server day on the phone, each exercise once per time of day', () => {
    const old: Day = { date: day.date, items: [...day.items, item('e', 'Cat-cow', 'morning')] }
    const sessions = daySessions(old)
    expect(sessions[0].items.map((i) => i.id)).toEqual(['a', 'b', 'c'])
    expect(dayMinutes(old, sessions)).toBe(sessions.reduce((n, s) => n + s.minutes, 0))
  })

  it('shortens a long line', () => {
    const many = { required: ['A', 'B', 'C', 'D', 'E'].map((n) => item(n, n, 'morning')), extras: [] }
    expect(holdsLine(many)).toBe('A, b, c and 2 more')
  })
})

describe('budget display', () => {
  it('says the budget and the total in plain words', () => {
    expect(budgetLabel(20)).toBe('20 minutes a day')
    expect(budgetLabel(null)).toBe('No limit')
    expect(formatMinutes(75)).toBe('1 h 15 min')
    expect(budgetLine(14, 20)).toBe('About 14 min today, within your 20 minutes')
    expect(budgetLine(14, null)).toBe('About 14 min today')
    expect(dayMinutes(day)).toBe(14)
  })
})

describe("the dose's step in one line", () => {
  it("leads with the server's own words, else the state's", () => {
    expect(progressionLine({ state: 'hold', reason: "Staying at this level: yesterday's session left your back sorer this morning." })).toEqual({
      sign: '=',
      head: 'Staying at this level',
      rest: ": yesterday's session left your back sorer this morning.",
    })
    expect(progressionLine({ state: 'regress', reason: 'One step easier after your flare-up, to ease back in.' })).toEqual({
      sign: '↓',
      head: 'One step easier',
      rest: ' after your flare-up, to ease back in.',
    })
    expect(progressionLine({ state: 'progress', reason: 'More this week.' })).toEqual({ sign: '↑', head: 'Next step up', rest: ': More this week.' })
  })

  it('says nothing in the first week or without a progression', () => {
    expect(progressionLine({ state: 'start', reason: "Starting gently: this is the program's first week." })).toBeNull()
    expect(progressionLine(undefined)).toBeNull()
  })
})
