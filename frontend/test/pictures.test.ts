import { describe, expect, it } from 'vitest'
import { programsOf, startPicture } from '../src/screens/clinician/pictures'
import type { ProgramDetail } from '../src/types'

const start = { url: '/illustrations/cat-cow-start.svg', alt: 'On hands and knees (cow).' }
const end = { url: '/illustrations/cat-cow-end.svg', alt: 'On hands and knees (cat).' }
const stretches = {
  slug: 'back-stretches',
  title: 'Back stretches',
  category: 'stretch',
  weeks: 2,
  summary: '',
  description: '',
  schedule: [
    { week: 1, items: [{ key: 'knee-hug', time_of_day: 'evening', exercise: { slug: 'knee-hug', name: 'Knee hug', steps: [], cautions: [] }, prescription: {} }] },
    {
      week: 2,
      items: [
        {
          key: 'cat-cow',
          time_of_day: 'morning',
          exercise: { slug: 'cat-cow', name: 'Cat-cow', steps: [], cautions: [], illustrations: [start, end] },
          prescription: {},
        },
      ],
    },
  ],
} satisfies ProgramDetail

describe('a logged exercise picture', () => {
  it('reads each program once, whatever the rows', () => {
    expect(programsOf(['b:x:2026-01-01', 'a:y:2026-01-01', 'b:z:2026-01-02', 'odd'])).toEqual(['a', 'b', 'odd'])
  })
  it('is the start position of the item the log names, in any week', () => {
    expect(startPicture([undefined, stretches], 'back-stretches:cat-cow:2026-11-20')).toEqual(start)
  })
  it('is absent when the catalog has no picture, no such item or no such program', () => {
    expect(startPicture([stretches], 'back-stretches:knee-hug:2026-11-20')).toBeUndefined()
    expect(startPicture([stretches], 'back-stretches:plank:2026-11-20')).toBeUndefined()
    expect(startPicture([stretches], 'core-strength:cat-cow:2026-11-20')).toBeUndefined()
    expect(startPicture([], 'back-stretches:cat-cow:2026-11-20')).toBeUndefined()
  })
})
