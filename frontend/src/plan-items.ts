// A day's `items` may hold one lesson item (shapes17) beside the exercises. Everything
// on the phone that reads items (sessions, the player, holds, adherence, the
// clinician's plan) assumes exercises, so the lesson is lifted out as the days arrive.
import type { Day, LessonItem, PlanItem } from './types'

const isLesson = (item: unknown): item is LessonItem => (item as { kind?: string } | null)?.kind === 'lesson'

/** The day with its lesson item moved from `items` to `lesson`; other days unchanged. */
export function splitLessons<D extends { items: PlanItem[] }>(day: D): D & { lesson?: LessonItem | null } {
  const items = day.items as unknown[]
  if (!items.some(isLesson)) return day
  return {
    ...day,
    items: items.filter((i) => !isLesson(i)) as PlanItem[],
    lesson: (items.find(isLesson) as LessonItem | undefined) ?? null,
  }
}

export const splitDays = <D extends { items: PlanItem[] }>(days: D[]) => days.map(splitLessons)

export type { Day }
