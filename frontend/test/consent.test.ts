import { describe, expect, it } from 'vitest'
import { accessSentence, flipScope, partyName, whatWords } from '../src/consent'
import { change, EMPTY_EXCLUSIONS, hiddenSlugs, shownList, withoutHidden } from '../src/exclusions'
import type { Day } from '../src/types'

const now = new Date('2026-12-02T10:00:00Z')

describe('the access log in plain words', () => {
  it('says who read what, and when', () => {
    expect(accessSentence({ clinician: { name: 'Dr Rao', email: 'rao@example.com' }, what: 'checkins', at: '2026-12-02T09:12:00Z' }, now, 'UTC')).toBe(
      'Dr Rao looked at your check-ins, today 09:12',
    )
    expect(accessSentence({ clinician: 'rao@example.com', what: 'journal', at: '2026-12-01T18:03:00Z' }, now, 'UTC')).toBe(
      'rao@example.com read your journal, yesterday 18:03',
    )
  })

  it("uses the server's sentence when it sends one", () => {
    expect(accessSentence({ clinician: { name: 'Dr Rao', email: 'r@example.com' }, what: 'plan', text: 'Dr Rao looked at your plan', at: '2026-12-02T09:12:00Z' }, now, 'UTC')).toBe(
      'Dr Rao looked at your plan, today 09:12',
    )
  })

  it('falls back to the email without a name, and to the server words for an unknown read', () => {
    expect(partyName({ email: 'rao@example.com', name: '  ' })).toBe('rao@example.com')
    expect(whatWords('export (fhir)')).toBe('downloaded your data (for their clinic system)')
    expect(whatWords('something new')).toBe('read: something new')
  })

  it('flips one scope and keeps the order the server lists them in', () => {
    expect(flipScope(['logs', 'checkins'], 'prescribe')).toEqual(['logs', 'checkins', 'prescribe'])
    expect(flipScope(['prescribe', 'logs', 'checkins', 'journal'], 'journal')).toEqual(['logs', 'checkins', 'prescribe'])
  })
})

describe('exercises set aside, on the phone', () => {
  const day: Day = {
    date: '2026-12-02',
    minutes: 9,
    sessions: [{ time_of_day: 'morning', minutes: 9, optional_minutes: 0, items: ['a', 'b'] }],
    items: [
      { id: 'a', program: 'p', week: 1, time_of_day: 'morning', exercise: { slug: 'side-plank', name: 'Side plank', steps: [], cautions: [] }, prescription: {}, status: 'pending' },
      { id: 'b', program: 'p', week: 1, time_of_day: 'morning', exercise: { slug: 'cat-cow', name: 'Cat-cow', steps: [], cautions: [] }, prescription: {}, status: 'pending' },
    ],
  } as Day

  it('leaves the plan at once, and comes back with "Bring back"', () => {
    const aside = change(EMPTY_EXCLUSIONS, { kind: 'add', exercise: 'side-plank', title: 'Side plank', at: '2026-12-02T09:00:00Z' })
    const shown = withoutHidden(day, hiddenSlugs(aside))
    expect(shown.items.map((i) => i.id)).toEqual(['b'])
    expect(shown.sessions?.[0].items).toEqual(['b'])
    expect(shown.minutes).toBeUndefined()
    expect(shownList(aside)).toMatchObject([{ exercise: 'side-plank', by: 'patient' }])
    const back = change(aside, { kind: 'remove', exercise: 'side-plank', at: '2026-12-02T09:05:00Z' })
    expect(back.pending).toHaveLength(1)
    expect(withoutHidden(day, hiddenSlugs(back))).toBe(day)
  })

  it("shows the clinician's choice from the server, and a bring-back made here over it", () => {
    const state = { list: [{ exercise: 'cat-cow', exercise_title: 'Cat-cow', by: 'clinician' as const, by_name: 'Dr Rao' }], pending: [] }
    expect(withoutHidden(day, hiddenSlugs(state)).items.map((i) => i.id)).toEqual(['a'])
    const back = change(state, { kind: 'remove', exercise: 'cat-cow', at: '2026-12-02T09:05:00Z' })
    expect(shownList(back)).toEqual([])
  })
})
