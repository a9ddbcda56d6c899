// A day's `items` may hold one lesson item (shapes17) and due questionnaires (issue 18)
// beside the exercises. Everything on the phone that reads items (sessions, the player,
// holds, adherence, the clinician's plan) assumes exercises, so those are lifted out as
// the days arrive.
import type { Day, LessonItem, PlanItem, QuestionnairePlanItem } from './types'

const isLesson = (item: unknown): item is LessonItem => (item as { kind?: string } | null)?.kind === 'lesson'
const isQuestionnaire = (item: unknown): item is QuestionnairePlanItem => (item as { kind?: string } | null)?.kind === 'questionnaire'

/**
 * The day with its lesson item moved from `items` to `lesson` and its questionnaire
 * items to `questionnaires`; a day with neither unchanged.
 */
export function splitLessons<D extends { items: PlanItem[] }>(day: D): D & { lesson?: LessonItem | null; questionnaires?: QuestionnairePlanItem[] } {
  const items = day.items as unknown[]
  const hasLesson = items.some(isLesson)
  const hasQuestionnaire = items.some(isQuestionnaire)
  if (!hasLesson && !hasQuestionnaire) return day
  return {
    ...day,
    items: items.filter((i) => !isLesson(i) && !isQuestionnaire(i)) as PlanItem[],
    ...(hasLesson ? { lesson: (items.find(isLesson) as LessonItem | undefined) ?? null } : {}),
    ...(hasQuestionnaire ? { questionnaires: items.filter(isQuestionnaire) } : {}),
  }
}

export const splitDays = <D extends { items: PlanItem[] }>(days: D[]) => days.map(splitLessons)

export type { Day }
