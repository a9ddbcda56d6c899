// The exercises a clinician can prescribe: every exercise of the public program
// catalog, once, with the dose and time of day a program starts it at (a sensible
// first value for the form). Read through pictures.programDetail, so each program is
// fetched once per page load. The search is pure: unit-tested in test/dose.test.ts.
import * as api from '../../api'
import type { Exercise, Prescription, ProgramDetail } from '../../types'
import { programDetail } from './pictures'

export interface CatalogExercise {
  exercise: Exercise
  /** The first week's dose in the first program that has it. */
  dose: Prescription
  time_of_day: string
  /** The programs that use it, by title. */
  programs: string[]
}

export const KIND_NAMES: Record<string, string> = {
  reps: 'Repetitions',
  hold: 'Held position',
  breathing: 'Breathing',
  timed: 'Timed',
  habit: 'Daily habit',
}

/** Every exercise in these programs, once, sorted by name. */
export function exercisesOf(details: readonly (ProgramDetail | undefined)[]): CatalogExercise[] {
  const bySlug = new Map<string, CatalogExercise>()
  for (const detail of details) {
    if (!detail) continue
    for (const week of detail.schedule) {
      for (const item of week.items) {
        const known = bySlug.get(item.exercise.slug)
        if (!known) {
          const { note: _note, ...dose } = item.prescription
          bySlug.set(item.exercise.slug, {
            exercise: item.exercise,
            dose,
            time_of_day: item.time_of_day,
            programs: [detail.title],
          })
        } else if (!known.programs.includes(detail.title)) {
          known.programs.push(detail.title)
        }
      }
    }
  }
  return [...bySlug.values()].sort((a, b) => a.exercise.name.localeCompare(b.exercise.name))
}

const fold = (text: string) =>
  text
    .toLowerCase()
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[-_]+/g, ' ')

/** The exercises whose name, kind, summary or program has every word typed ("knee chest"). */
export function searchExercises(list: readonly CatalogExercise[], query: string): CatalogExercise[] {
  const words = fold(query).split(/\s+/).filter(Boolean)
  if (words.length === 0) return [...list]
  return list.filter((entry) => {
    const text = fold(
      [
        entry.exercise.name,
        entry.exercise.slug,
        KIND_NAMES[entry.exercise.kind ?? ''] ?? '',
        entry.exercise.summary ?? '',
        ...entry.programs,
      ].join(' '),
    )
    return words.every((word) => text.includes(word))
  })
}

let loaded: Promise<CatalogExercise[]> | undefined

/** The whole catalog, read once per page load (public content, not patient data). */
export function loadCatalog(): Promise<CatalogExercise[]> {
  if (!loaded) {
    loaded = api
      .getPrograms()
      .then((programs) => Promise.all(programs.map((p) => programDetail(p.slug))))
      .then(exercisesOf)
      .catch((error: unknown) => {
        loaded = undefined
        throw error
      })
  }
  return loaded
}
