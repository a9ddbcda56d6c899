// Issue 17 on the phone: the check-in's factor chips, lessons kept for offline and
// marked read through the outbox, the guided player's timeline, and the "Why this,
// from where" disclosure with sources as objects or as ids cached from before.
import { IDBFactory } from 'fake-indexeddb'
import type { VNode } from 'preact'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { addOwn, BUILT_IN, chipsFor, MAX_FACTORS, toggle, withFactors } from '../src/factors'
import { cachedLesson, cachedLessons, isRead, loadLesson, markRead, markUnread, refreshLessons } from '../src/lessons'
import { flush, listEntries, pendingCount } from '../src/outbox'
import { cueAt, exerciseSteps, itemProgress, start, tick, current } from '../src/player/timeline'
import { splitLessons } from '../src/plan-items'
import { closeDb } from '../src/store'
import type { Lesson, LessonSummary, PlanItem } from '../src/types'
import { Sources, sourceList } from '../src/ui/Sources'
import { SyncServer } from './sync-server'

// --- Factors ------------------------------------------------------------------------
describe('factor chips', () => {
  it('toggles a chip on with one tap and off with the next', () => {
    const on = toggle([], 'work')
    expect(on).toEqual(['work'])
    expect(toggle(on, 'work')).toEqual([])
    expect(toggle(['work'], 'poor_sleep')).toEqual(['work', 'poor_sleep'])
  })

  it('never chooses more than twelve', () => {
    const full = Array.from({ length: MAX_FACTORS }, (_, n) => `label ${n}`)
    expect(toggle(full, 'work')).toEqual(full)
    expect(addOwn(full, 'one more', BUILT_IN).error).toMatch(/At most 12/)
  })

  it.each([
    ['', 'Type a few words first.'],
    ['   ', 'Type a few words first.'],
    ['x'.repeat(41), 'At most 40 characters.'],
  ])('refuses an own label %j', (typed, error) => {
    expect(addOwn([], typed, BUILT_IN)).toEqual({ chosen: [], error })
  })

  it('keeps an own label trimmed, and a typed built-in one as its chip', () => {
    expect(addOwn([], '  the   school run ', BUILT_IN).chosen).toEqual(['the school run'])
    expect(addOwn([], 'poor sleep', BUILT_IN).chosen).toEqual(['poor_sleep'])
    expect(addOwn(['Gardening'], 'gardening', BUILT_IN).chosen).toEqual(['Gardening'])
  })

  it('shows a chosen own label as a chip even before the server lists it', () => {
    const chips = chipsFor(BUILT_IN, ['work', 'Gardening'])
    expect(chips.map((c) => c.label)).toContain('Gardening')
    expect(chips.filter((c) => c.slug === 'work')).toHaveLength(1)
  })

  it('sends factors only when some are chosen', () => {
    expect(withFactors({ date: '2026-12-01' }, [])).toEqual({ date: '2026-12-01' })
    expect(withFactors({ date: '2026-12-01' }, ['work', 'caffeine'])).toEqual({ date: '2026-12-01', factors: ['work', 'caffeine'] })
  })
})

// --- Lessons ------------------------------------------------------------------------
const summary = (slug: string, order: number, status: 'read' | 'unread' = 'unread'): LessonSummary => ({
  slug,
  title: `Lesson ${slug}`,
  minutes: 3,
  summary: 'A short read.',
  sources: [{ id: 'S1', title: 'Stress and back pain' }],
  status,
  read_on: null,
  order,
})
const detail = (s: LessonSummary): Lesson => ({ ...s, sections: [{ heading: 'Why', paragraphs: ['Because.'] }], try: ['body-scan'] })

describe('lessons on the phone', () => {
  let server: SyncServer
  let lessonCalls: string[]
  const lessons = [summary('stress-back', 1), summary('sleep', 2)]

  beforeEach(() => {
    globalThis.indexedDB = new IDBFactory()
    server = new SyncServer()
    lessonCalls = []
    vi.stubGlobal('fetch', async (input: string | URL | Request, init?: RequestInit) => {
      const path = new URL(String(input), 'http://localhost').pathname
      if (path === '/api/v1/lessons/') {
        lessonCalls.push(path)
        return new Response(JSON.stringify(lessons), { status: 200 })
      }
      const match = path.match(/^\/api\/v1\/lessons\/([^/]+)\/$/)
      if (match) {
        lessonCalls.push(path)
        const found = lessons.find((l) => l.slug === match[1])
        return found ? new Response(JSON.stringify(detail(found)), { status: 200 }) : new Response('{"detail":"Not found."}', { status: 404 })
      }
      return server.fetch(input, init)
    })
  })

  afterEach(async () => {
    await closeDb()
    vi.unstubAllGlobals()
  })

  it('keeps the list and every lesson, so one opens with no signal', async () => {
    await refreshLessons()
    expect(lessonCalls).toHaveLength(3)
    server.offline = true
    vi.stubGlobal('fetch', async () => {
      throw new TypeError('Failed to fetch')
    })
    expect((await cachedLessons())?.map((l) => l.slug)).toEqual(['stress-back', 'sleep'])
    const opened = await loadLesson('sleep')
    expect(opened?.sections[0].heading).toBe('Why')
    expect(await cachedLesson('stress-back')).not.toBeNull()
    // Never fetched, no signal: nothing to show, and no error thrown at the reader.
    expect(await loadLesson('unknown')).toBeNull()
  })

  it('marks a lesson read at once offline, as one lesson entry sent once', async () => {
    server.offline = true
    await markRead('sleep', '2026-12-02')
    await markRead('sleep', '2026-12-02')
    const entries = await listEntries()
    expect(entries).toHaveLength(1)
    expect(entries[0]).toMatchObject({ type: 'lesson', state: 'pending', deleted: false, data: { date: '2026-12-02', lesson: 'sleep', status: 'read' } })
    expect(isRead(summary('sleep', 2), entries)).toBe(true)
    expect(isRead(summary('stress-back', 1), entries)).toBe(false)

    server.offline = false
    await flush()
    expect(await pendingCount()).toBe(0)
    expect([...server.stored.values()].map((e) => [e.type, (e.data as { lesson: string }).lesson])).toEqual([['lesson', 'sleep']])
  })

  it('reads as unread again after "Mark as unread", whatever the server said', async () => {
    await markUnread('sleep', '2026-12-02')
    const entries = await listEntries()
    expect(entries[0].deleted).toBe(true)
    expect(isRead(summary('sleep', 2, 'read'), entries)).toBe(false)
    expect(isRead(summary('stress-back', 1, 'read'), entries)).toBe(true)
  })

  it('lifts the lesson item out of a day, so the exercise code never sees it', () => {
    const exercise = { id: 'core:bridge:2026-12-02', kind: 'exercise', program: 'core' } as unknown as PlanItem
    const lesson = { id: 'lesson:sleep', kind: 'lesson', program: null, programs: [], week: 1, time_of_day: 'anytime', lesson: { slug: 'sleep', title: 'Sleep', minutes: 3, summary: '' }, status: 'pending' }
    const day = splitLessons({ date: '2026-12-02', items: [exercise, lesson as unknown as PlanItem] })
    expect(day.items).toEqual([exercise])
    expect(day.lesson?.lesson.slug).toBe('sleep')
    const plain = { date: '2026-12-02', items: [exercise] }
    expect(splitLessons(plain)).toBe(plain)
  })
})

// --- The guide's timeline ---------------------------------------------------------------
describe('a guided practice in the player', () => {
  const guide = [
    { text: 'Sit comfortably.', seconds: 10 },
    { text: 'Breathe out slowly.', seconds: 20 },
    { text: 'Picture a calm place.', seconds: 30 },
  ]

  it.each([
    [0, 0],
    [9.9, 0],
    [10, 1],
    [29, 1],
    [30, 2],
    [59, 2],
    [600, 2],
  ])('shows the cue at %s s: number %s', (t, cue) => {
    expect(cueAt(guide, t)).toBe(cue)
  })

  it('plays the cues in order, each for its seconds, after a moment to get ready', () => {
    const steps = exerciseSteps({ kind: 'timed', pattern: null, guide }, { duration_seconds: 60 })
    expect(steps.map((s) => [s.kind, s.seconds, s.label])).toEqual([
      ['ready', 5, 'Get ready'],
      ['cue', 10, 'Sit comfortably.'],
      ['cue', 20, 'Breathe out slowly.'],
      ['cue', 30, 'Picture a calm place.'],
    ])
    let state = start(steps)
    state = tick(state, 5_000 + 12_000)
    expect(current(state)?.label).toBe('Breathe out slowly.')
    expect(itemProgress(state)).toEqual({ done: 17, total: 65, left: 48 })
    state = tick(state, 48_000)
    expect(state.completed).toEqual([0])
    expect(current(state)).toBeUndefined()
  })

  it('plays an exercise without a guide as before', () => {
    const steps = exerciseSteps({ kind: 'timed', pattern: null, guide: [] }, { duration_seconds: 60 })
    expect(steps.map((s) => s.kind)).toEqual(['ready', 'timed'])
  })
})

// --- Why this, from where ---------------------------------------------------------------
function text(node: unknown): string {
  if (node === null || node === undefined || typeof node === 'boolean') return ''
  if (typeof node === 'string' || typeof node === 'number') return String(node)
  if (Array.isArray(node)) return node.map(text).join('')
  const vnode = node as VNode<{ children?: unknown }>
  if (typeof vnode.type === 'function') return text((vnode.type as (p: unknown) => unknown)(vnode.props))
  return text(vnode.props?.children)
}

function links(node: unknown): string[] {
  if (!node || typeof node !== 'object') return []
  if (Array.isArray(node)) return node.flatMap(links)
  const vnode = node as VNode<{ children?: unknown; href?: string }>
  const own = vnode.type === 'a' && vnode.props.href ? [vnode.props.href] : []
  return [...own, ...links(vnode.props?.children)]
}

describe('why this, from where', () => {
  it('shows the why, each source by title and author, and a link only where there is an address', () => {
    const tree = Sources({
      why: 'Slow breathing calms the body.',
      sources: [
        { id: 'S2', title: '5 proven strategies', author: 'Randy Withers, LCMHC' },
        { id: 'AASM_2021', title: 'Insomnia guideline', url: 'https://doi.org/10.5664/jcsm.8986' },
      ],
    })
    const shown = text(tree)
    expect(shown).toContain('Why this, from where')
    expect(shown).toContain('Slow breathing calms the body.')
    expect(shown).toContain('5 proven strategies · Randy Withers, LCMHC')
    expect(shown).toContain('Insomnia guideline')
    expect(links(tree)).toEqual(['https://doi.org/10.5664/jcsm.8986'])
  })

  it('shows ids cached from an older server as they are, once each, and nothing when empty', () => {
    expect(sourceList(['S1', 'S1', { id: 'S2', title: 'Two' }, '']).map((s) => s.title)).toEqual(['S1', 'Two'])
    expect(text(Sources({ sources: ['S1'] }))).toContain('S1')
    expect(Sources({ sources: [] })).toBeNull()
    expect(Sources({})).toBeNull()
  })

  it('never links an address that is not a web address', () => {
    expect(links(Sources({ sources: [{ id: 'X', title: 'X', url: 'javascript:alert(1)' }] }))).toEqual([])
  })
})
