// What the screens read: fetched through src/api.ts when online, kept in IndexedDB by
// src/outbox.ts so every screen also opens with no signal.
import * as api from './api'
import { cacheGet, cacheSet, cacheSetMany } from './store'
import { applyServerHold, snapshot } from './hold'
import { refreshExclusions, hiddenSlugs, loadExclusions, withoutHidden } from './exclusions'
import { applyServerFlare, cachedFlarePlan, dayShown, FLARE_PLAN_KEY, loadFlare, sendFlare } from './flare'
import { deviceDate } from './merge'
import { parseRules, parseScreeningRules } from './safety'
import { screeningFromServer } from './screening'
import { refreshFactors } from './factors'
import { refreshGuided } from './guided'
import { refreshLessons } from './lessons'
import { refreshQuestionnaires } from './questionnaires'
import type { Day, Enrollment, Me, Program, SafetyRule } from './types'

export const PLAN_DAYS = 7

/** Caches the profile with the device's date at that moment (see merge.userToday). */
export async function saveMe(me: Me): Promise<Me> {
  const stored = { ...me, device_date: deviceDate() }
  await cacheSet('me', stored)
  return stored
}

/**
 * The profile from the server, cached (with its emergency number and crisis lines, for
 * offline), and its safety hold and history answers laid over the phone's.
 */
export async function fetchMe(): Promise<Me> {
  // What waits here goes first, so the server's answer already knows it.
  await sendFlare().catch(() => undefined)
  const taken = await snapshot()
  const me = await saveMe(await api.getMe())
  await applyServerHold(me.safety_hold, taken)
  await applyServerFlare(me, taken.startedAt)
  await screeningFromServer(me.screening)
  return me
}

/** Refreshes the profile, the next 7 days of plan, the safety rules and enrollments. */
export async function refreshAll(): Promise<void> {
  await fetchMe()
  await refreshRest({ plan: true })
}

/** Everything but the profile; the plan too unless it was just fetched. */
export async function refreshRest(options: { plan: boolean }): Promise<void> {
  const results = await Promise.allSettled([
    options.plan ? fetchPlan() : Promise.resolve(),
    api.getSafetyRules().then((rules) => cacheSetMany([['rules', parseRules(rules)], ['screening-rules', parseScreeningRules(rules)]])),
    api.getEnrollments().then((list) => cacheSet('enrollments', list)),
    api.getPrograms().then((list) => cacheSet('programs', list)),
    // Kept for a bad day with no signal.
    api.getFlarePlan().then((plan) => cacheSet(FLARE_PLAN_KEY, plan)),
    refreshExclusions(),
    // Issue 17: the check-in's chips, the guided practices and every lesson, for offline.
    refreshFactors(),
    refreshGuided(),
    refreshLessons(),
    // Issue 18: the questionnaires, answerable with no signal.
    refreshQuestionnaires(),
  ])
  const offline = results.find((r) => r.status === 'rejected' && r.reason instanceof api.OfflineError)
  if (offline) throw (offline as PromiseRejectedResult).reason
}

// Each day is cached under its own key, so the Today screen reads (and is told
// about) one day, not the whole week.
const dayKey = (date: string) => `day:${date}`
let planSavedAt = 0

/**
 * Caches the days. Held days carry the open hold: the server's word on it now (a
 * server without holds sends no `safety_hold` at all).
 */
export async function savePlan(days: Day[], taken?: Awaited<ReturnType<typeof snapshot>>): Promise<void> {
  await cacheSetMany(days.map((day) => [dayKey(day.date), day]))
  planSavedAt = Date.now()
  if (!taken || !days.some((day) => 'safety_hold' in day)) return
  await applyServerHold(days.find((day) => day.safety_hold)?.safety_hold ?? null, taken)
}

let planInFlight: Promise<void> | undefined

export function fetchPlan(): Promise<void> {
  planInFlight ??= snapshot()
    .then((taken) => api.getPlan(PLAN_DAYS).then((plan) => savePlan(plan.days, taken)))
    .finally(() => {
      planInFlight = undefined
    })
  return planInFlight
}

/** Today's plan from the server (skipped when the week is being or was just fetched). */
export async function refreshToday(): Promise<void> {
  if (planInFlight) return planInFlight
  if (Date.now() - planSavedAt < 60_000) return
  const taken = await snapshot()
  await savePlan([await api.getToday()], taken)
}

/** The cached plan for one date, or null when this phone has none. */
export const cachedDay = async (date: string) => (await cacheGet<Day>(dayKey(date))) ?? null

/** The cache keys `shownDay` reads, for screens that re-read it when one changes. */
export const shownDayTopics = (date: string) => [`cache:${dayKey(date)}`, 'cache:flare', `cache:${FLARE_PLAN_KEY}`, 'cache:not-for-me']

/**
 * The day as the person sees it: the flare plan while a flare runs (started here with
 * no signal too), without the exercises set aside. Today and the player agree on it.
 */
export async function shownDay(date: string): Promise<Day | null> {
  const [cached, flare, plan, exclusions] = await Promise.all([cachedDay(date), loadFlare(), cachedFlarePlan(), loadExclusions()])
  const day = dayShown(cached, flare, plan, date)
  return day && withoutHidden(day, hiddenSlugs(exclusions))
}

export const cachedMe = () => cacheGet<Me>('me')
export const cachedRules = async () => (await cacheGet<SafetyRule[]>('rules')) ?? []
export const cachedScreeningRules = async () => (await cacheGet<SafetyRule[]>('screening-rules')) ?? []

/** The history questions: cached, else asked of the server (onboarding on a new phone). */
export async function screeningRules(): Promise<SafetyRule[]> {
  const cached = await cachedScreeningRules()
  if (cached.length > 0) return cached
  const rules = await api.getSafetyRules()
  await cacheSetMany([['rules', parseRules(rules)], ['screening-rules', parseScreeningRules(rules)]])
  return parseScreeningRules(rules)
}
export const cachedEnrollments = async () => (await cacheGet<Enrollment[]>('enrollments')) ?? []
export const cachedPrograms = async () => (await cacheGet<Program[]>('programs')) ?? []

export async function refreshEnrollments(): Promise<Enrollment[]> {
  const list = await api.getEnrollments()
  await cacheSet('enrollments', list)
  await fetchPlan()
  return list
}
