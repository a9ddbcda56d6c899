import { describe, expect, it } from 'vitest'
import { dayMonth, plainText, rollingMean, shortDate, weekWords, workedOut } from '../src/progress'

describe('progress in plain words', () => {
  it('takes the statistics out of an insight for the person', () => {
    expect(
      plainText(
        'On days when your stress was higher, your pain on the same day tended to be higher (clearly: r = +0.62 over 14 days). This is a pattern, not proof of a cause, but calming practices may ease both.',
      ),
    ).toBe(
      'On days when your stress was higher, your pain on the same day tended to be higher. This is a pattern, not proof of a cause, but calming practices may ease both.',
    )
    expect(plainText('Over 9 days, your stress and your pain the next day did not clearly move together (r = -0.12).')).toBe(
      'Over 9 days, your stress and your pain the next day did not clearly move together.',
    )
  })

  it('keeps the numbers for the disclosure', () => {
    const text = workedOut({ kind: 'stress_pain_same_day', r: 0.62, n: 14, text: '', effect: 0.62, ci: [0.2, 0.85], ci_level: 0.99, lag_days: 0, method: 'spearman_detrended_7d_bootstrap', chance: false })
    expect(text).toContain('+0.62')
    expect(text).toContain('14 days')
    expect(workedOut({ kind: 'not_enough_data', r: null, n: 3, text: '', effect: null, ci: null, ci_level: null, lag_days: 0, method: 'spearman_detrended_7d_bootstrap', chance: true })).toBeNull()
  })

  it('smooths a week around each day and leaves gaps where there is too little', () => {
    expect(rollingMean([4, null, 6, null, null], 3)).toEqual([null, 5, null, null, null])
    expect(rollingMean([2, 4, 6, 8], 3, 1)).toEqual([3, 4, 6, 7])
  })

  it("writes dates in the person's locale", () => {
    expect(shortDate('2026-11-05', 'en-GB')).toBe('Thu 5 Nov')
    expect(dayMonth('2026-11-05', 'en-GB')).toBe('5 Nov')
    expect(dayMonth('2026-11-05', 'en-US')).toBe('Nov 5')
  })

  it('says a week against the one before', () => {
    expect(weekWords('Pain', 4.2, 5.1)).toBe('Pain 4.2 on average, down from 5.1 the week before')
    expect(weekWords('Stress', 5, 5.2)).toBe('Stress 5.0 on average, about the same as the week before')
    expect(weekWords('Pain', null, 3)).toBeNull()
  })
})
