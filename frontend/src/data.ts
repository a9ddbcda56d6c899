// What the screens read: fetched through src/api.ts when online, kept in IndexedDB by
// src/outbox.ts so every screen also opens with no signal.
import * as api from './api'
import { cacheGet, cacheSet } from './outbox'
import { deviceDate } from './merge'
import { parseRules } from './safety'
import type { Day, Enrollment, Me, Program, SafetyRule } from './types'

export const PLAN_DAYS = 7

/** Refreshes the profile, the next 7 days of plan, the safety rules and enrollments. */
/** Caches the profile with the device's date at that moment (see merge.userToday). */
export async function saveMe(me: Me): Promise<Me> {
  const stored = { ...me, device_date: deviceDate() }
  await cacheSet('me', stored)
  return stored
}

export async function refreshAll(): Promise<void> {
  await saveMe(await api.getMe())
  await refreshRest({ plan: true })
}

/** Everything but the profile; the plan too unless it was just fetched. */
export async function refreshRest(options: { plan: boolean }): Promise<void> {
  const results = await Promise.allSettled([
    options.plan ? api.getPlan(PLAN_DAYS).then((plan) => cacheSet('plan', plan.days)) : Promise.resolve(),
    api.getSafetyRules().then((rules) => cacheSet('rules', parseRules(rules))),
    api.getEnrollments().then((list) => cacheSet('enrollments', list)),
    api.getPrograms().then((list) => cacheSet('programs', list)),
  ])
  const offline = results.find((r) => r.status === 'rejected' && r.reason instanceof api.OfflineError)
  if (offline) throw (offline as PromiseRejectedResult).reason
}

/** Today's plan from the server, folded into the cached week. */
export async function refreshToday(): Promise<Day> {
  const day = await api.getToday()
  const plan = ((await cacheGet<Day[]>('plan')) ?? []).filter((d) => d.date !== day.date)
  await cacheSet('plan', [day, ...plan].sort((a, b) => a.date.localeCompare(b.date)))
  return day
}

export const cachedMe = () => cacheGet<Me>('me')
export const cachedPlan = async () => (await cacheGet<Day[]>('plan')) ?? []
export const cachedRules = async () => (await cacheGet<SafetyRule[]>('rules')) ?? []
export const cachedEnrollments = async () => (await cacheGet<Enrollment[]>('enrollments')) ?? []
export const cachedPrograms = async () => (await cacheGet<Program[]>('programs')) ?? []

export async function refreshEnrollments(): Promise<Enrollment[]> {
  const list = await api.getEnrollments()
  await cacheSet('enrollments', list)
  const plan = await api.getPlan(PLAN_DAYS)
  await cacheSet('plan', plan.days)
  return list
}
