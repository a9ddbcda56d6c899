// The start-position picture of a logged exercise, for the clinician's log table. A
// log names its item ("back-stretches:cat-cow:2026-11-20"), so the picture comes from
// the public program catalog: each program read once per page load, however many
// rows or patients name it (public content, not patient data).
import * as api from '../../api'
import type { Illustration, ProgramDetail } from '../../types'

const programs = new Map<string, Promise<ProgramDetail | undefined>>()

/** A program's detail, read once; a failed read is tried again next time (no picture meanwhile). */
export function programDetail(slug: string): Promise<ProgramDetail | undefined> {
  let detail = programs.get(slug)
  if (!detail) {
    detail = api.getProgram(slug).catch(() => {
      programs.delete(slug)
      return undefined
    })
    programs.set(slug, detail)
  }
  return detail
}

/** The programs named by these item ids, without repeats. */
export function programsOf(itemIds: readonly string[]): string[] {
  return [...new Set(itemIds.map((id) => id.split(':')[0]).filter((slug) => slug))].sort()
}

/** The first picture (the start position) of the exercise an item id names, if the catalog has it. */
export function startPicture(details: readonly (ProgramDetail | undefined)[], itemId: string): Illustration | undefined {
  const [program, key] = itemId.split(':')
  const detail = details.find((d) => d?.slug === program)
  for (const week of detail?.schedule ?? []) {
    const item = week.items.find((i) => i.key === key)
    if (item?.exercise.illustrations?.length) return item.exercise.illustrations[0]
  }
  return undefined
}
