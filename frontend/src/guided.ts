// The guided practices outside the plan: "Relax now" on Today and a lesson's "Try
// this" start one in the player. They come from the guided-relaxation program's
// detail, kept on the phone, so they start with no signal too.
import * as api from './api'
import { cachedDay } from './data'
import { cacheGet, cacheSet, cacheUpdate } from './store'
import type { Exercise, PlanItem, Prescription, ProgramDetail } from './types'

export const GUIDED_PROGRAM = 'guided-relaxation'
export const guidedKey = `program:${GUIDED_PROGRAM}`

export const cachedGuided = async () => (await cacheGet<ProgramDetail>(guidedKey)) ?? null

export async function refreshGuided(): Promise<ProgramDetail> {
  const detail = await api.getProgram(GUIDED_PROGRAM)
  await cacheSet(guidedKey, detail)
  return detail
}

// Every program's detail, for a lesson's "Try this" (any exercise): kept like the guided one.
const DETAILS = 'program-details'

/** All programs' details, kept for offline (a lesson may point at any exercise). */
export async function refreshDetails(): Promise<ProgramDetail[]> {
  const list = await api.getPrograms()
  const details = await Promise.allSettled(list.map((p) => api.getProgram(p.slug)))
  const kept = details.flatMap((d) => (d.status === 'fulfilled' ? [d.value] : []))
  await cacheSet(DETAILS, kept)
  return kept
}

async function allPractices(): Promise<Practice[]> {
  const details = (await cacheGet<ProgramDetail[]>(DETAILS)) ?? []
  return [...practicesOf(await cachedGuided()), ...details.flatMap((d) => practicesOf(d))]
}

export interface Practice {
  program: string
  key: string
  exercise: Exercise
  prescription: Prescription
}

/** Each exercise of the program once, in the order it first appears, with its first dose. */
export function practicesOf(detail: ProgramDetail | null): Practice[] {
  const seen = new Map<string, Practice>()
  for (const week of detail?.schedule ?? []) {
    for (const item of week.items) {
      if (seen.has(item.exercise.slug)) continue
      seen.set(item.exercise.slug, { program: detail!.slug, key: item.key, exercise: item.exercise, prescription: item.prescription })
    }
  }
  return [...seen.values()]
}

/** The practices with a spoken guide or a timer: what "Relax now" lists. */
export const guidedPractices = (detail: ProgramDetail | null) =>
  practicesOf(detail).filter((p) => (p.exercise.guide?.length ?? 0) > 0 || p.exercise.timer)

/** A practice by its exercise slug: the kept program first, then today's plan, then the server. */
export async function findPractice(slug: string, date: string): Promise<Practice | null> {
  const kept = (await allPractices()).find((p) => p.exercise.slug === slug)
  if (kept) return kept
  const day = await cachedDay(date)
  const planned = day?.items.find((i) => i.exercise.slug === slug)
  if (planned) {
    const [program, key] = planned.id.split(':')
    return { program, key, exercise: planned.exercise, prescription: planned.prescription }
  }
  try {
    return (await refreshDetails()).flatMap((d) => practicesOf(d)).find((p) => p.exercise.slug === slug) ?? null
  } catch {
    return null
  }
}

/** The name of an exercise, when this phone knows it ("Try this" links). */
export async function exerciseName(slug: string): Promise<string | undefined> {
  return (await allPractices()).find((p) => p.exercise.slug === slug)?.exercise.name
}

/**
 * A practice as a plan item of the day, so the player plays and logs it like any
 * other: its id is the program's item id for that date (the server knows it).
 */
export function practiceItem(practice: Practice, date: string): PlanItem {
  return {
    id: `${practice.program}:${practice.key}:${date}`,
    kind: 'exercise',
    program: practice.program,
    programs: [practice.program],
    week: 1,
    time_of_day: 'anytime',
    exercise: practice.exercise,
    prescription: practice.prescription,
    status: 'pending',
  }
}

// How many times today a timed practice (heat, cold) ran to its end, on this phone:
// the log keeps one entry per plan item a day, so the count is kept beside it.
const timesKey = (date: string) => `times:${date}`

export async function timesToday(slug: string, date: string): Promise<number> {
  return (await cacheGet<Record<string, number>>(timesKey(date)))?.[slug] ?? 0
}

export async function countTime(slug: string, date: string): Promise<number> {
  const next = await cacheUpdate<Record<string, number>>(timesKey(date), (v) => ({ ...(v ?? {}), [slug]: (v?.[slug] ?? 0) + 1 }))
  return next[slug]
}

/** "Up to 3 times a day · 1 done today". */
export function timesLine(max: number | null | undefined, done: number): string {
  if (!max) return ''
  const head = `Up to ${max} times a day`
  if (done >= max) return `${head} · ${done} done today, enough for today`
  return done ? `${head} · ${done} done today` : head
}
