// The check-in's "What weighed on today?": the server's chips (built-in, then the
// person's own labels), kept for offline, and the pure rules of choosing them.
import * as api from './api'
import { cacheGet, cacheSet } from './store'
import type { Factor } from './types'

export const FACTORS_KEY = 'factors'
export const MAX_FACTORS = 12
export const MAX_LABEL = 40

/** Shown before the phone has ever fetched the list (the slugs are fixed, shapes17). */
export const BUILT_IN: Factor[] = [
  ['work', 'Work'],
  ['conflict', 'Conflict'],
  ['money', 'Money worries'],
  ['caring', 'Caring for someone'],
  ['poor_sleep', 'Poor sleep'],
  ['long_sitting', 'Long sitting'],
  ['caffeine', 'Caffeine'],
  ['alcohol', 'Alcohol'],
  ['screens', 'Late screens'],
  ['travel', 'Travel'],
].map(([slug, label]) => ({ slug, label, custom: false }))

export async function cachedFactors(): Promise<Factor[]> {
  return (await cacheGet<Factor[]>(FACTORS_KEY)) ?? BUILT_IN
}

export async function refreshFactors(): Promise<Factor[]> {
  const list = await api.getFactors()
  await cacheSet(FACTORS_KEY, list)
  return list
}

/** A label as the server keeps it: trimmed, inner spaces folded. */
export const cleanLabel = (label: string) => label.trim().replace(/\s+/g, ' ')

const same = (a: string, b: string) => a.toLowerCase() === b.toLowerCase()

/** One tap: on if off, off if on; never more than MAX_FACTORS. */
export function toggle(chosen: string[], value: string): string[] {
  if (chosen.some((c) => same(c, value))) return chosen.filter((c) => !same(c, value))
  if (chosen.length >= MAX_FACTORS) return chosen
  return [...chosen, value]
}

export type AddResult = { chosen: string[]; error?: undefined } | { chosen: string[]; error: string }

/**
 * "+ Add your own": a label the person types. One matching a chip (by its label or
 * slug) chooses that chip instead of making a twin.
 */
export function addOwn(chosen: string[], typed: string, chips: Factor[]): AddResult {
  const label = cleanLabel(typed)
  if (!label) return { chosen, error: 'Type a few words first.' }
  if (label.length > MAX_LABEL) return { chosen, error: `At most ${MAX_LABEL} characters.` }
  const chip = chips.find((c) => same(c.label, label) || same(c.slug, label))
  const value = chip ? chip.slug : label
  if (chosen.some((c) => same(c, value))) return { chosen }
  if (chosen.length >= MAX_FACTORS) return { chosen, error: `At most ${MAX_FACTORS} at a time.` }
  return { chosen: [...chosen, value] }
}

/**
 * The chips to show: the server's, then any chosen label not among them (added just
 * now, or on another day), so what is chosen is always visible and can be undone.
 */
export function chipsFor(chips: Factor[], chosen: string[]): Factor[] {
  const extra = chosen
    .filter((c) => !chips.some((chip) => same(chip.slug, c)))
    .map((c) => ({ slug: c, label: c, custom: true }))
  return [...chips, ...extra]
}

/** What the check-in sends: the key only when something is chosen. */
export function withFactors<T extends object>(data: T, chosen: string[]): T & { factors?: string[] } {
  return chosen.length ? { ...data, factors: chosen } : data
}
