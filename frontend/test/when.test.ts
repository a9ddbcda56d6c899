import { describe, expect, it } from 'vitest'
import { dayAndTime, timeLeft, validUntil } from '../src/when'

const now = new Date('2026-12-02T08:30:00Z')

describe('instants in human words', () => {
  it('says a share code is valid until tomorrow 20:17, in the zone of the phone', () => {
    expect(validUntil('2026-12-03T19:17:00Z', now, 'Europe/Paris')).toBe('valid until tomorrow 20:17')
    expect(validUntil('2026-12-03T19:17:00Z', now, 'UTC')).toBe('valid until tomorrow 19:17')
    expect(validUntil('2026-12-02T08:00:00Z', now, 'UTC')).toBe('no longer valid')
  })

  it('names today, yesterday, a weekday in the coming days and a date further away', () => {
    expect(dayAndTime('2026-12-02T09:12:00Z', now, 'UTC')).toBe('today 09:12')
    expect(dayAndTime('2026-12-01T18:03:00Z', now, 'UTC')).toBe('yesterday 18:03')
    expect(dayAndTime('2026-12-04T08:00:00Z', now, 'UTC')).toBe('Friday 08:00')
    expect(dayAndTime('2026-11-20T08:00:00Z', now, 'UTC')).toBe('Fri 20 Nov 08:00')
    expect(dayAndTime('not a date', now, 'UTC')).toBe('')
  })

  it('turns the date at midnight in the zone, not in UTC', () => {
    // 23:30 UTC on the 2nd is already the 3rd in Paris.
    expect(dayAndTime('2026-12-02T23:30:00Z', now, 'Europe/Paris')).toBe('tomorrow 00:30')
  })

  it('says how long is left, roughly', () => {
    expect(timeLeft('2026-12-04T08:30:00Z', now)).toBe('about 2 days left')
    expect(timeLeft('2026-12-02T13:30:00Z', now)).toBe('about 5 hours left')
    expect(timeLeft('2026-12-03T14:30:00Z', now)).toBe('about 30 hours left')
    expect(timeLeft('2026-12-02T09:00:00Z', now)).toBe('30 minutes left')
    expect(timeLeft('2026-12-02T09:20:00Z', now)).toBe('about an hour left')
    expect(timeLeft('2026-12-02T08:00:00Z', now)).toBe('ending now')
  })
})
