// What the screens read: fetched through src/api.ts when online, kept in IndexedDB by
// src/outbox.ts so every screen also opens with no signal.
import * as api from './api'
import { cacheGet, cacheSet, cacheSetMany } from './store'
import { deviceDate } from './merge'
import { parseRules } from './safety'
import type { Day, Enrollment, Me, Program, SafetyRule } from './types'

export const PLAN_DAYS = 7

/** Caches the profile with the device's date at that moment (see merge.userToday). */
export async function saveMe(me: Me): Promise<Me> {
  const stored = { ...me, device_date: deviceDate() }
  await cacheSet('me', stored)
  return stored
}

/** Refreshes the profile, the next 7 days of plan, the safety rules and enrollments. */
export async function refreshAll(): Promise<void> {
  await saveMe(await api.getMe())
  await refreshRest({ plan: true })
}

/** Everything but the profile; the plan too unless it was just fetched. */
export async function refreshRest(options: { plan: boolean }): Promise<void> {
  const results = await Promise.allSettled([
    options.plan ? fetchPlan() : Promise.resolve(),
    api.getSafetyRules().then((rules) => cacheSet('rules', parseRules(rules))),
    api.getEnrollments().then((list) => cacheSet('enrollments', list)),
    api.getPrograms().then((list) => cacheSet('programs', list)),
  ])
  const offline = results.find((r) => r.status === 'rejected' && r.reason instanceof api.OfflineError)
  if (offline) throw (offline as PromiseRejectedResult).reason
}

// Each day is cached under its own key, so the Today screen reads (and is told
// about) one day, not the whole week.
const dayKey = (date: string) => `day:${date}`
let planSavedAt = 0

export async function savePlan(days: Day[]): Promise<void> {
  await cacheSetMany(days.map((day) => [dayKey(day.date), day]))
  planSavedAt = Date.now()
}

let planInFlight: Promise<void> | undefined

export function fetchPlan(): Promise<void> {
  planInFlight ??= api
    .getPlan(PLAN_DAYS)
    .then((plan) => savePlan(plan.days))
    .finally(() => {
      planInFlight = undefined
    })
  return planInFlight
}

/** Today's plan from the server (skipped when the week is being or was just fetched). */
export async function refreshToday(): Promise<void> {
  if (planInFlight) return planInFlight
  if (Date.now() - planSavedAt < 60_000) return
  await savePlan([await api.getToday()])
}

/** The cached plan for one date, or null when this phone has none. */
export const cachedDay = async (date: string) => (await cacheGet<Day>(dayKey(date))) ?? null

export const cachedMe = () => cacheGet<Me>('me')
export const cachedRules = async () => (await cacheGet<SafetyRule[]>('rules')) ?? []
export const cachedEnrollments = async () => (await cacheGet<Enrollment[]>('enrollments')) ?? []
export const cachedPrograms = async () => (await cacheGet<Program[]>('programs')) ?? []

export async function refreshEnrollments(): Promise<Enrollment[]> {
  const list = await api.getEnrollments()
  await cacheSet('enrollments', list)
  await fetchPlan()
  return list
}
