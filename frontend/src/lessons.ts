// Lessons on the phone: the list and every lesson's text kept in IndexedDB (so one
// opens with no signal), and "read" as an outbox entry of type `lesson`, shown at
// once and sent like a check-in.
import * as api from './api'
import { findEntry } from './merge'
import { record } from './outbox'
import { cacheGet, cacheSet, cacheSetMany } from './store'
import type { Lesson, LessonData, LessonSummary, LocalEntry } from './types'

export const LESSONS_KEY = 'lessons'
export const lessonKey = (slug: string) => `lesson:${slug}`

export const cachedLessons = async () => (await cacheGet<LessonSummary[]>(LESSONS_KEY)) ?? null
export const cachedLesson = async (slug: string) => (await cacheGet<Lesson>(lessonKey(slug))) ?? null

/** The list from the server, then every lesson's text, all kept for offline reading. */
export async function refreshLessons(): Promise<LessonSummary[]> {
  const list = await api.getLessons()
  await cacheSet(LESSONS_KEY, list)
  const details = await Promise.allSettled(list.map((l) => api.getLesson(l.slug)))
  const pairs: [string, unknown][] = []
  details.forEach((d) => {
    if (d.status === 'fulfilled') pairs.push([lessonKey(d.value.slug), d.value])
  })
  if (pairs.length) await cacheSetMany(pairs)
  return list
}

/** One lesson: the kept copy, else the server's (kept then). */
export async function loadLesson(slug: string): Promise<Lesson | null> {
  const kept = await cachedLesson(slug)
  if (kept) return kept
  try {
    const lesson = await api.getLesson(slug)
    await cacheSet(lessonKey(slug), lesson)
    return lesson
  } catch (error) {
    if (error instanceof api.OfflineError) return null
    throw error
  }
}

const sameLesson = (slug: string) => (d: Record<string, unknown>) => d.lesson === slug

/**
 * Whether a lesson is read, as this phone knows it: its own entry (sent or not) wins
 * over what the server said when the list was fetched.
 */
export function isRead(lesson: Pick<LessonSummary, 'slug' | 'status'>, entries: LocalEntry[]): boolean {
  const entry = findEntry(entries, 'lesson', sameLesson(lesson.slug))
  if (entry) return !entry.deleted
  return lesson.status === 'read'
}

/** Marks a lesson read: one entry per lesson, so a second tap never makes a duplicate. */
export function markRead(slug: string, date: string): Promise<LocalEntry> {
  const data: LessonData = { date, lesson: slug, status: 'read' }
  return record('lesson', data, sameLesson(slug))
}

/** Read again later: the same entry, as a tombstone (the server makes it unread). */
export function markUnread(slug: string, date: string): Promise<LocalEntry> {
  const data: LessonData = { date, lesson: slug, status: 'read' }
  return record('lesson', data, sameLesson(slug), { deleted: true })
}
