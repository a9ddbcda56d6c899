import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { flush, listEntries, pendingCount } from '../src/outbox'
import { splitLessons } from '../src/plan-items'
import {
  answerOn,
  changeNumbers,
  changeWords,
  complete,
  dueToday,
  localPoints,
  meaningful,
  meaningfulLine,
  needsSupport,
  outcomeViews,
  recordAnswers,
  scoreAnswers,
  scoreWords,
} from '../src/questionnaires'
import { closeDb } from '../src/store'
import type { Day, Questionnaire } from '../src/types'
import catalogueJson from './fixtures/questionnaires.json'
import { SyncServer } from './sync-server'

// The catalogue exactly as GET /api/v1/questionnaires/ renders it (instruments().render()).
const catalogue = catalogueJson as unknown as Questionnaire[]
const q = (slug: string) => catalogue.find((c) => c.slug === slug)!

let server: SyncServer

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  server = new SyncServer()
  vi.stubGlobal('fetch', server.fetch)
})

afterEach(async () => {
  await closeDb()
  vi.unstubAllGlobals()
})

describe('scoring on the phone, as the authors publish it', () => {
  it('PEG is the mean of its three answers, one decimal', () => {
    const result = scoreAnswers(q('peg'), { '1': 4, '2': 5, '3': 4 })
    expect(result.score).toBe(4.3)
    expect(scoreWords(q('peg'), result.score)).toBe('Your score: 4.3 of 10')
    expect(result.band).toBeNull() // Krebs publishes no bands
  })

  it('PHQ-4 sums to 0-12 with its published band and subscales', () => {
    const result = scoreAnswers(q('phq4'), { '1': 2, '2': 1, '3': 1, '4': 1 })
    expect(result).toMatchObject({ score: 5, band: 'mild', subscores: { anxiety: 3, depression: 2 }, support: false })
  })

  it.each([
    ['a total of 6', { '1': 2, '2': 2, '3': 1, '4': 1 }, true],
    ['mood items 3 and 4 at 3', { '1': 0, '2': 0, '3': 2, '4': 1 }, true],
    ['worry alone at 3 (anxiety)', { '1': 2, '2': 1, '3': 0, '4': 1 }, false],
    ['a total of 5', { '1': 1, '2': 1, '3': 1, '4': 2 }, true],
  ])('PHQ-4 opens the support offer for %s: %s', (_name, answers, support) => {
    expect(needsSupport(q('phq4'), answers)).toBe(support)
  })

  it('the server saying support counts even when the phone would not', () => {
    expect(needsSupport(q('phq4'), { '1': 0, '2': 0, '3': 0, '4': 0 }, { support: true })).toBe(true)
  })

  it('PSS-4 reverse-scores items 2 and 3', () => {
    // Never unable to control (0), very often confident (4 -> 0), very often going my way (4 -> 0), never piling up (0).
    expect(scoreAnswers(q('pss4'), { '1': 0, '2': 4, '3': 4, '4': 0 }).score).toBe(0)
    expect(scoreAnswers(q('pss4'), { '1': 4, '2': 0, '3': 0, '4': 4 }).score).toBe(16)
  })

  it('STarT Back: low, medium and high risk as Hill et al. group them', () => {
    const agree = (ids: string[], bother: number) => Object.fromEntries([...Array.from({ length: 8 }, (_, i) => [String(i + 1), ids.includes(String(i + 1)) ? 1 : 0]), ['9', bother]])
    expect(scoreAnswers(q('startback'), agree(['1', '2'], 2)).band).toBe('low')
    expect(scoreAnswers(q('startback'), agree(['1', '2', '3', '4'], 2)).band).toBe('medium')
    // Item 9: "Very much" counts 1; psychosocial 5-9 reach 4.
    const high = scoreAnswers(q('startback'), agree(['5', '6', '7'], 3))
    expect(high).toMatchObject({ band: 'high', subscores: { psychosocial: 4 } })
  })

  it('an answer is complete only when every item has a known value', () => {
    expect(complete(q('peg'), { '1': 3, '2': 3 })).toBe(false)
    expect(complete(q('peg'), { '1': 3, '2': 3, '3': 11 })).toBe(false)
    expect(complete(q('peg'), { '1': 3, '2': 3, '3': 10 })).toBe(true)
  })
})

describe('answers through the outbox', () => {
  it('answered offline: kept as pending, shown at once, sent once when back online', async () => {
    server.offline = true
    await recordAnswers('peg', '2026-12-03', { '1': 6, '2': 6, '3': 6 })
    expect(await pendingCount()).toBe(1)
    expect(answerOn(await listEntries(), 'peg', '2026-12-03')).toBeDefined()

    server.offline = false
    await flush()
    await flush() // a second sync (a retry) sends nothing more

    expect(server.posts.flat()).toHaveLength(1)
    const [stored] = [...server.stored.values()]
    expect(stored.type).toBe('questionnaire')
    expect(stored.data).toEqual({ date: '2026-12-03', questionnaire: 'peg', answers: { '1': 6, '2': 6, '3': 6 } })
  })

  it('changing an answer the same day updates the one entry', async () => {
    const first = await recordAnswers('phq4', '2026-12-03', { '1': 1, '2': 1, '3': 1, '4': 1 })
    const second = await recordAnswers('phq4', '2026-12-03', { '1': 0, '2': 1, '3': 1, '4': 1 })
    expect(second.client_id).toBe(first.client_id)
    await flush()
    expect(server.stored.size).toBe(1)
  })

  it('another day is another answer', async () => {
    const first = await recordAnswers('peg', '2026-12-03', { '1': 6, '2': 6, '3': 6 })
    const second = await recordAnswers('peg', '2026-12-10', { '1': 4, '2': 4, '3': 4 })
    expect(second.client_id).not.toBe(first.client_id)
  })

  it("keeps the server's score with the answer once it is accepted", async () => {
    server.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const response = await new SyncServer().fetch(input, init)
      if (init?.method !== 'POST') return response
      const body = (await response.json()) as { results: Record<string, unknown>[] }
      body.results = body.results.map((r) => ({ ...r, score: 5.7, band: null, support: false }))
      return new Response(JSON.stringify(body), { status: 200, headers: { 'Content-Type': 'application/json' } })
    }) as typeof server.fetch
    vi.stubGlobal('fetch', server.fetch)
    await recordAnswers('peg', '2026-12-03', { '1': 6, '2': 6, '3': 6 })
    await flush()
    const points = localPoints(await listEntries(), catalogue)
    expect(points).toEqual([{ questionnaire: 'peg', date: '2026-12-03', score: 5.7, band: null, pending: false }])
  })
})

describe('the day and Today', () => {
  const item = (slug: string, status: 'pending' | 'done' = 'pending') => ({
    id: `questionnaire:${slug}`,
    kind: 'questionnaire' as const,
    program: null,
    programs: [],
    week: 1,
    time_of_day: 'anytime' as const,
    questionnaire: { slug, title: slug, short_title: slug, minutes: 1, purpose: 'p' },
    status,
  })

  it("lifts questionnaire items out of the exercises' items", () => {
    const day = splitLessons({ date: '2026-12-03', items: [{ id: 'core:bridge' }, item('peg')] } as unknown as Day)
    expect(day.items.map((i) => i.id)).toEqual(['core:bridge'])
    expect(day.questionnaires?.map((i) => i.questionnaire.slug)).toEqual(['peg'])
  })

  it('a questionnaire answered here is done at once, before any sync', async () => {
    server.offline = true
    await recordAnswers('peg', '2026-12-03', { '1': 6, '2': 6, '3': 6 })
    const cards = dueToday([item('peg'), item('phq4')], catalogue, await listEntries(), '2026-12-03')
    expect(cards.map((c) => [c.slug, c.done])).toEqual([
      ['peg', true],
      ['phq4', false],
    ])
  })

  it('with no plan, the kept catalogue says what is due today', () => {
    const kept = catalogue.map((c) => ({ ...c, due_date: c.slug === 'peg' ? '2026-12-01' : '2026-12-20' }))
    expect(dueToday(undefined, kept, [], '2026-12-03').map((c) => c.slug)).toEqual(['peg'])
  })
})

describe('progress against the baseline', () => {
  it('a 30% fall of the PEG is a meaningful change, said in plain words', () => {
    expect(meaningful(q('peg'), 6, 4.2)).toBe(true)
    expect(meaningful(q('peg'), 6, 4.3)).toBe(false)
    expect(meaningfulLine(q('peg'), 6)).toBe(4.2)
    expect(changeWords(q('peg'), 6, 4, true)).toBe(
      'Pain and daily life (PEG): 6.0 when you started, 4.0 now (33% lower). That is a meaningful change: a fall of 30% or more is what the research counts as real.',
    )
    expect(changeWords(q('peg'), 6, 5.5, false)).toBe(
      'Pain and daily life (PEG): 6.0 when you started, 5.5 now (8% lower), a little better. A meaningful change starts at a fall of 30%.',
    )
    expect(changeWords(q('pss4'), 6, 9, false)).toBe(
      'Stress (PSS-4): 6 when you started, 9 now (50% higher). Scores go up and down; if yours stays higher, tell your physiotherapist or doctor.',
    )
  })

  it('an instrument with no published threshold never says meaningful', () => {
    expect(meaningful(q('pss4'), 12, 2)).toBe(false)
    expect(meaningfulLine(q('pss4'), 12)).toBeNull()
  })

  it("uses the server's words while it knows the latest answer", () => {
    const summary = {
      start: '2026-11-06',
      outcomes: [
        { questionnaire: 'peg', date: '2026-11-26', score: 6, band: null },
        { questionnaire: 'peg', date: '2026-12-03', score: 4, band: null },
      ],
      outcome_changes: [{ questionnaire: 'peg', baseline: 6, latest: 4, change: -2, percent: -33, meaningful: true, words: 'PEG: a meaningful change since you started.' }],
    }
    const [view] = outcomeViews(summary, catalogue)
    expect(view).toMatchObject({ baseline: 6, latest: 4, meaningful: true, words: 'PEG: a meaningful change since you started.' })
    expect(view.points.map((p) => p.score)).toEqual([6, 4])
  })

  it('an answer made offline shows at once, and the change is worked out here', () => {
    const summary = { start: '2026-11-06', outcomes: [{ questionnaire: 'peg', date: '2026-11-26', score: 6, band: null }], outcome_changes: [] }
    const local = [{ questionnaire: 'peg', date: '2026-12-03', score: 4, pending: true }]
    const [view] = outcomeViews(summary, catalogue, local)
    expect(view.meaningful).toBe(true)
    expect(view.words).toContain('meaningful change')
    expect(view.points.map((p) => [p.date, p.score])).toEqual([
      ['2026-11-26', 6],
      ['2026-12-03', 4],
    ])
  })

  it('the baseline is drawn even when it falls before the window', () => {
    const kept = catalogue.map((c) => (c.slug === 'peg' ? { ...c, baseline: { date: '2026-11-01', score: 7 } } : c))
    const summary = { start: '2026-11-27', outcomes: [{ questionnaire: 'peg', date: '2026-12-03', score: 5, band: null }] }
    const [view] = outcomeViews(summary, kept)
    expect(view.points.map((p) => p.date)).toEqual(['2026-11-01', '2026-12-03'])
    expect(view.baseline).toBe(7)
  })

  it('one answer is a starting point, not a change', () => {
    const [view] = outcomeViews({ outcomes: [{ questionnaire: 'phq4', date: '2026-12-03', score: 3 }] }, catalogue)
    expect(view.change).toBeNull()
    expect(view.meaningful).toBe(false)
    expect(view.words).toBe('Worry and mood (PHQ-4): 3 when you started. Your next answer will show the change.')
  })

  it('for a clinician: the numbers of the change', () => {
    expect(changeNumbers(q('peg'), 6, 4)).toBe('6.0 → 4.0 (−2.0, −33%)')
    expect(changeNumbers(q('peg'), null, 4)).toBe('4.0')
  })
})
