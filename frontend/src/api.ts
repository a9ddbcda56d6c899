// The only module that talks to the network. Same origin as the PWA: allauth's
// headless *browser* client (session cookie) and /api/v1/* with X-CSRFToken on writes.
import type {
  AccessRow,
  AdaptedDay,
  AdaptedPatientProfile,
  AdaptedPatientRow,
  CareLink,
  Exclusion,
  Flare,
  FlareFeeling,
  FlarePlan,
  PlanChange,
  ClinicianLogs,
  ClinicianNote,
  Day,
  Enrollment,
  Factor,
  JournalRecord,
  Lesson,
  LessonSummary,
  Me,
  OutgoingEntry,
  PainRule,
  PainRuleFields,
  Program,
  ProgramDetail,
  Questionnaire,
  ReleaseAnswer,
  ReleaseReason,
  Reminder,
  ReminderFields,
  RxFields,
  RxRow,
  SafetyAlert,
  SafetyAnswer,
  Scope,
  SafetyRule,
  Summary,
  SyncEntry,
  SyncResult,
} from './types'
import { splitDays, splitLessons } from './plan-items'

/** The server answered with an error status; `body` is its JSON (DRF or allauth shape). */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
  ) {
    super(describeError(status, body))
  }
}

/** The request never reached the server: no signal, or the server is down. */
export class OfflineError extends Error {
  constructor() {
    super('You are offline. Everything you do is kept on this device and sent when you are back online.')
  }
}

function describeError(status: number, body: unknown): string {
  const b = body as Record<string, unknown> | null
  if (b && Array.isArray(b.errors)) {
    // allauth: {"errors": [{"message", "param"?}]}
    const first = b.errors[0] as { message?: string } | undefined
    if (first?.message) return first.message
  }
  if (b && typeof b.detail === 'string') return b.detail
  if (b && typeof b === 'object') {
    for (const [field, value] of Object.entries(b)) {
      if (Array.isArray(value) && typeof value[0] === 'string') {
        return field === 'non_field_errors' ? value[0] : `${field}: ${value[0]}`
      }
    }
  }
  if (status === 404) return 'This is not available yet.'
  if (status >= 500) return 'Something went wrong on our side. Please try again in a moment.'
  return `The request was refused (${status}).`
}

/** The error message for a field, from allauth's `param` or DRF's `{"field": [...]}`. */
export function fieldError(error: unknown, field: string): string | undefined {
  if (!(error instanceof ApiError)) return undefined
  const b = error.body as Record<string, unknown> | null
  if (!b) return undefined
  if (Array.isArray(b.errors)) {
    const hit = (b.errors as { param?: string; message?: string }[]).find((e) => e.param === field)
    return hit?.message
  }
  const value = b[field]
  return Array.isArray(value) && typeof value[0] === 'string' ? value[0] : undefined
}

async function csrfToken(): Promise<string | undefined> {
  if (typeof document !== 'undefined') {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/)
    return match ? decodeURIComponent(match[1]) : undefined
  }
  // In the service worker (Background Sync) there is no document.cookie.
  const store = (globalThis as { cookieStore?: { get(name: string): Promise<{ value: string } | null> } })
    .cookieStore
  return (await store?.get('csrftoken'))?.value
}

async function ensureCsrf(): Promise<string | undefined> {
  let token = await csrfToken()
  if (!token) {
    // allauth's config endpoint sets the CSRF cookie for the browser client.
    await request('GET', '/_allauth/browser/v1/config', undefined, { csrf: false })
    token = await csrfToken()
  }
  return token
}

interface Options {
  csrf?: boolean
}

async function request<T>(method: string, path: string, body?: unknown, options: Options = {}): Promise<T> {
  const headers: Record<string, string> = { Accept: 'application/json' }
  if (body !== undefined) headers['Content-Type'] = 'application/json'
  if (method !== 'GET' && options.csrf !== false) {
    const token = await ensureCsrf()
    if (token) headers['X-CSRFToken'] = token
  }
  let response: Response
  try {
    response = await fetch(path, {
      method,
      headers,
      credentials: 'same-origin',
      body: body === undefined ? undefined : JSON.stringify(body),
    })
  } catch {
    throw new OfflineError()
  }
  const text = await response.text()
  let data: unknown = null
  if (text) {
    try {
      data = JSON.parse(text)
    } catch {
      data = { detail: text.slice(0, 200) }
    }
  }
  if (!response.ok) throw new ApiError(response.status, data)
  return data as T
}

// --- Accounts (allauth headless, browser client) ---------------------------------
const AUTH = '/_allauth/browser/v1'

export interface AuthAnswer {
  status: number
  data?: { user?: { email: string } }
  meta?: { is_authenticated?: boolean }
}

/** Whether the browser session is signed in (allauth answers 401 when it is not). */
export async function session(): Promise<boolean> {
  try {
    await request<AuthAnswer>('GET', `${AUTH}/auth/session`)
    return true
  } catch (error) {
    if (error instanceof ApiError && (error.status === 401 || error.status === 410)) return false
    throw error
  }
}

/** Sign up; `authenticated` is false when the server wants the address verified first. */
export async function signup(email: string, password: string, timezone: string): Promise<boolean> {
  try {
    await request<AuthAnswer>('POST', `${AUTH}/auth/signup`, { email, password, timezone })
    return true
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) return false
    throw error
  }
}

/**
 * What a password login led to: signed in, a second factor to enter (allauth's
 * pending `mfa_authenticate` flow), or an address to confirm first.
 */
export type LoginResult = 'signed-in' | 'mfa' | 'verify-email'

interface Flow {
  id: string
  is_pending?: boolean
}

/** The pending allauth flow named in a 401 answer, if any. */
function pendingFlow(error: ApiError): string | undefined {
  const flows = (error.body as { data?: { flows?: Flow[] } } | null)?.data?.flows ?? []
  return flows.find((flow) => flow.is_pending)?.id
}

export async function login(email: string, password: string): Promise<LoginResult> {
  try {
    await request<AuthAnswer>('POST', `${AUTH}/auth/login`, { email, password })
    return 'signed-in'
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      return pendingFlow(error) === 'mfa_authenticate' ? 'mfa' : 'verify-email'
    }
    throw error
  }
}

/** The second step of a login: a code from the authenticator app (or a recovery code). */
export const authenticateCode = (code: string) =>
  request<AuthAnswer>('POST', `${AUTH}/auth/2fa/authenticate`, { code })

/** Confirms the password again; allauth asks for it before changing authenticators. */
export const reauthenticate = (password: string) =>
  request<AuthAnswer>('POST', `${AUTH}/auth/reauthenticate`, { password })

/** Whether a TOTP authenticator is active (the list has no side effects, unlike GET totp). */
export async function hasTotp(): Promise<boolean> {
  const answer = await request<{ data: { type: string }[] }>('GET', `${AUTH}/account/authenticators`)
  return answer.data.some((authenticator) => authenticator.type === 'totp')
}

export type TotpOffer = { active: true } | { active: false; secret: string; url: string }

/**
 * A new TOTP secret to show (allauth answers 404 with it while none is active). Each
 * call makes a new secret, and activation checks the code against the latest one.
 */
export async function offerTotp(): Promise<TotpOffer> {
  try {
    await request('GET', `${AUTH}/account/authenticators/totp`)
    return { active: true }
  } catch (error) {
    const body = error instanceof ApiError && error.status === 404 ? error.body : null
    const meta = (body as { meta?: { secret?: string; totp_url?: string } } | null)?.meta
    if (meta?.secret && meta.totp_url) return { active: false, secret: meta.secret, url: meta.totp_url }
    throw error
  }
}

/** Activates TOTP with a first code; a 401 means the password must be confirmed first. */
export const activateTotp = (code: string) => request('POST', `${AUTH}/account/authenticators/totp`, { code })

/** The unused recovery codes, or an empty list when allauth made none or shows them no more. */
export async function recoveryCodes(): Promise<string[]> {
  try {
    const answer = await request<{ data: { unused_codes?: string[] } }>(
      'GET',
      `${AUTH}/account/authenticators/recovery-codes`,
    )
    return answer.data.unused_codes ?? []
  } catch (error) {
    if (error instanceof ApiError && error.status === 404) return []
    throw error
  }
}

export async function logout(): Promise<void> {
  try {
    await request('DELETE', `${AUTH}/auth/session`)
  } catch (error) {
    // allauth answers 401 once the session is gone: that is success.
    if (!(error instanceof ApiError && error.status === 401)) throw error
  }
}

export const requestPasswordReset = (email: string) =>
  request('POST', `${AUTH}/auth/password/request`, { email })

export async function resetPassword(key: string, password: string): Promise<void> {
  try {
    await request('POST', `${AUTH}/auth/password/reset`, { key, password })
  } catch (error) {
    // 401 means the password changed and the user must now log in.
    if (!(error instanceof ApiError && error.status === 401)) throw error
  }
}

export async function verifyEmail(key: string): Promise<void> {
  try {
    await request('POST', `${AUTH}/auth/email/verify`, { key })
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 401)) throw error
  }
}

// --- Profile ---------------------------------------------------------------------
export const getMe = () => request<Me>('GET', '/api/v1/me/')
export const updateMe = (changes: Partial<Pick<Me, 'timezone' | 'country' | 'daily_minutes' | 'display_name'>>) => request<Me>('PATCH', '/api/v1/me/', changes)
/** The history answers (replaces the whole set); the answer says what they mean. */
export const putScreening = (answers: Record<string, boolean>) =>
  request<SafetyAnswer>('PUT', '/api/v1/me/screening/', { answers })
/** Ends the safety hold; with `check_in`, only the hold that check-in opened. */
export const releaseHold = (reason: ReleaseReason, checkIn?: string | null) =>
  request<ReleaseAnswer>('POST', '/api/v1/me/safety-hold/release/', checkIn ? { reason, check_in: checkIn } : { reason })
export const deleteAccount = (password: string) => request<null>('DELETE', '/api/v1/me/', { password })
export const exportUrl = (format: 'json' | 'csv' | 'fhir') => `/api/v1/me/export/?format=${format}`

// --- Programs and plan -----------------------------------------------------------
export const getPrograms = () => request<Program[]>('GET', '/api/v1/programs/')
export const getProgram = (slug: string) => request<ProgramDetail>('GET', `/api/v1/programs/${slug}/`)
export const getEnrollments = () => request<Enrollment[]>('GET', '/api/v1/enrollments/')
export const enroll = (program: string) => request<Enrollment>('POST', '/api/v1/enrollments/', { program })
export const setEnrollmentStatus = (id: number, status: 'active' | 'paused') =>
  request<Enrollment>('PATCH', `/api/v1/enrollments/${id}/`, { status })
export const leaveEnrollment = (id: number) => request<null>('DELETE', `/api/v1/enrollments/${id}/`)
// A day's lesson item is lifted out of `items` here, before any screen reads them.
export const getToday = async () => splitLessons(await request<Day>('GET', '/api/v1/today/'))
export const getPlan = async (days: number) => {
  const plan = await request<{ days: Day[] }>('GET', `/api/v1/plan/?days=${days}`)
  return { ...plan, days: splitDays(plan.days) }
}

// --- Lessons and the check-in's factors (issue 17) ------------------------------------
export const getLessons = () => request<LessonSummary[]>('GET', '/api/v1/lessons/')
export const getLesson = (slug: string) => request<Lesson>('GET', `/api/v1/lessons/${encodeURIComponent(slug)}/`)
export const getFactors = () => request<Factor[]>('GET', '/api/v1/factors/')

// --- Questionnaires and the visit report (issue 18) ----------------------------------
export const getQuestionnaires = () => request<Questionnaire[]>('GET', '/api/v1/questionnaires/')

export const reportUrl = (days: 28 | 90) => `/api/v1/me/report/?days=${days}`
export const patientReportUrl = (patientId: number, days: 28 | 90) => `${CARE}/patients/${patientId}/report/?days=${days}`

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

/**
 * A visit report as a PDF. The server answers the PDF at once, or 202 {"status":
 * "pending", "poll": url} while it is drawn in the background: then the poll URL is
 * asked again every `every` ms until it answers the PDF (at most `tries` times).
 */
export async function fetchReport(url: string, options: { every?: number; tries?: number } = {}): Promise<{ blob: Blob; filename?: string }> {
  const every = options.every ?? 1500
  let next = url
  for (let attempt = 0; attempt < (options.tries ?? 80); attempt++) {
    let response: Response
    try {
      response = await fetch(next, { headers: { Accept: 'application/pdf, application/json' }, credentials: 'same-origin' })
    } catch {
      throw new OfflineError()
    }
    const json = (response.headers.get('Content-Type') ?? '').includes('application/json')
    if (response.status === 202 || (response.ok && json)) {
      // Still being drawn (a poll may say so with 200 too): ask again in a moment.
      const body = (await response.json().catch(() => null)) as { status?: string; poll?: string } | null
      if (response.status !== 202 && body?.status !== 'pending') throw new ApiError(502, { detail: 'The report could not be made. Please try again in a moment.' })
      if (body?.poll) next = body.poll
      await sleep(every)
      continue
    }
    if (!response.ok) {
      const text = await response.text()
      let data: unknown = null
      try {
        data = text ? JSON.parse(text) : null
      } catch {
        data = { detail: text.slice(0, 200) }
      }
      throw new ApiError(response.status, data)
    }
    const named = /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(response.headers.get('Content-Disposition') ?? '')
    return { blob: await response.blob(), filename: named ? decodeURIComponent(named[1]) : undefined }
  }
  throw new ApiError(504, { detail: 'The report is taking longer than usual. Please try again in a minute.' })
}

// --- Flare-up mode -----------------------------------------------------------------
/** `started_at`: when the phone started it (offline, it shows the flare from then). */
export const startFlare = (startedAt?: string) => request<Flare>('POST', '/api/v1/flare/', startedAt ? { started_at: startedAt } : {})
export const endFlare = () => request<null>('DELETE', '/api/v1/flare/')
export const getFlarePlan = () => request<FlarePlan>('GET', '/api/v1/flare/plan/')
export const flareCheckIn = (feeling: FlareFeeling) =>
  request<{ resumed?: boolean; step_back?: boolean; message?: string }>('POST', '/api/v1/flare/check-in/', { feeling })

// --- Less is more: exercises set aside, and the plan's history -----------------------
export const getNotForMe = () => request<Exclusion[]>('GET', '/api/v1/me/not-for-me/')
export const setNotForMe = (exercise: string) => request<Exclusion>('POST', '/api/v1/me/not-for-me/', { exercise })
export const bringBack = (exercise: string) => request<null>('DELETE', `/api/v1/me/not-for-me/${encodeURIComponent(exercise)}/`)
export const getPlanChanges = () => request<PlanChange[]>('GET', '/api/v1/me/plan-changes/')
export const getAccessLog = () => request<AccessRow[]>('GET', '/api/v1/me/access-log/')

// --- Tracker ---------------------------------------------------------------------
/** `cursor` is this device's pull position; the answer's cursor moves past our own batch. */
export const postSync = (entries: OutgoingEntry[], cursor?: string) =>
  request<{ results: SyncResult[]; cursor?: string }>('POST', '/api/v1/sync/', cursor === undefined ? { entries } : { entries, cursor })
export const getSync = (cursor: string) =>
  request<{ entries: SyncEntry[]; cursor: string; has_more?: boolean }>(
    'GET',
    `/api/v1/sync/?cursor=${encodeURIComponent(cursor)}`,
  )
export const getSafetyRules = () => request<unknown>('GET', '/api/v1/safety-rules/')
export const getSummary = (days: number) => request<Summary>('GET', `/api/v1/summary/?days=${days}`)

// --- Reminders and push ----------------------------------------------------------
export const getReminders = () => request<Reminder[]>('GET', '/api/v1/reminders/')
export const createReminder = (reminder: ReminderFields) =>
  request<Reminder>('POST', '/api/v1/reminders/', reminder)
export const updateReminder = (id: number, changes: Partial<ReminderFields>) =>
  request<Reminder>('PATCH', `/api/v1/reminders/${id}/`, changes)
export const getPushKey = () => request<{ public_key: string }>('GET', '/api/v1/push/public-key/')
export const savePushSubscription = (subscription: PushSubscriptionJSON) =>
  request('POST', '/api/v1/push/subscriptions/', subscription)
export const deletePushSubscription = (endpoint: string) =>
  request('DELETE', '/api/v1/push/subscriptions/', { endpoint })
export const sendTestPush = () => request('POST', '/api/v1/reminders/test/', {})

// --- Clinician sharing -----------------------------------------------------------
export const createShareCode = () =>
  request<{ code: string; expires_at: string }>('POST', '/api/v1/care/share-codes/', {})

// --- Clinician side (needs TOTP; a 403 says why) -----------------------------------
const CARE = '/api/v1/care'
export const getPatients = () => request<AdaptedPatientRow[]>('GET', `${CARE}/patients/`)
export const redeemShareCode = (code: string) => request<CareLink>('POST', `${CARE}/links/`, { code })
export const getLinks = () => request<CareLink[]>('GET', `${CARE}/links/`)
export const endLink = (id: number) => request<null>('DELETE', `${CARE}/links/${id}/`)
/** The patient chooses what a link shares (logs and check-ins always). */
export const setLinkScopes = (id: number, scopes: Scope[]) =>
  request<CareLink>('PATCH', `${CARE}/links/${id}/`, { scopes })
/** A clinician the patient lets prescribe ends the patient's safety hold. */
export const releasePatientHold = (patientId: number) =>
  request<ReleaseAnswer>('POST', `${CARE}/patients/${patientId}/safety-hold/release/`, {})
export const getPatient = (id: number) => request<AdaptedPatientProfile>('GET', `${CARE}/patients/${id}/`)
/** The patient's plan as they see it on their phone, from their today. */
export const getPatientPlan = async (id: number, days: number) => {
  const plan = await request<{ days: AdaptedDay[] }>('GET', `${CARE}/patients/${id}/plan/?days=${days}`)
  return { ...plan, days: splitDays(plan.days) }
}
// Writes below need the patient's `prescribe` permission (else 403); an ended link is a 404.
export const getPrescriptions = (id: number) => request<RxRow[]>('GET', `${CARE}/patients/${id}/prescriptions/`)
export const addPrescription = (id: number, fields: RxFields) =>
  request<RxRow>('POST', `${CARE}/patients/${id}/prescriptions/`, fields)
export const updatePrescription = (id: number, rxId: number, fields: Partial<RxFields>) =>
  request<RxRow>('PATCH', `${CARE}/patients/${id}/prescriptions/${rxId}/`, fields)
export const endPrescription = (id: number, rxId: number) =>
  request<null>('DELETE', `${CARE}/patients/${id}/prescriptions/${rxId}/`)
export const getPainRule = (id: number) => request<PainRule>('GET', `${CARE}/patients/${id}/pain-rule/`)
export const setPainRule = (id: number, rule: PainRuleFields) =>
  request<PainRule>('PUT', `${CARE}/patients/${id}/pain-rule/`, rule)
export const excludeExercise = (id: number, exercise: string, reason: string) =>
  request<Exclusion>('POST', `${CARE}/patients/${id}/exclusions/`, { exercise, reason })
export const includeExercise = (id: number, exercise: string) =>
  request<null>('DELETE', `${CARE}/patients/${id}/exclusions/${encodeURIComponent(exercise)}/`)
export const getPatientSummary = (id: number, days: number) =>
  request<Summary>('GET', `${CARE}/patients/${id}/summary/?days=${days}`)
export const getPatientLogs = (id: number, from: string, to: string) =>
  request<ClinicianLogs>('GET', `${CARE}/patients/${id}/logs/?from=${from}&to=${to}`)
export const getPatientJournal = (id: number, from: string, to: string) =>
  request<JournalRecord[]>('GET', `${CARE}/patients/${id}/journal/?from=${from}&to=${to}`)
export const acknowledgeAlert = (patientId: number, alertId: number) =>
  request<SafetyAlert>('POST', `${CARE}/patients/${patientId}/alerts/${alertId}/acknowledge/`, {})
export const getNotes = (patientId: number) => request<ClinicianNote[]>('GET', `${CARE}/patients/${patientId}/notes/`)
export const addNote = (patientId: number, text: string) =>
  request<ClinicianNote>('POST', `${CARE}/patients/${patientId}/notes/`, { text })
export const patientExportUrl = (patientId: number, format: 'csv' | 'fhir') =>
  `${CARE}/patients/${patientId}/export/?format=${format}`

export type { SafetyRule }
