// The consent centre's words: who a clinician is, what each scope lets them see or
// do, and the access log as sentences ("Dr Rao looked at your check-ins, today
// 09:12"). Pure, so tests pin the words.
import type { AccessRow, Scope } from './types'
import { dayAndTime } from './when'

export interface Party {
  email: string
  name?: string
}

/** A person's name where they gave one, else their email. */
export const partyName = (party: Party | string | undefined | null): string =>
  !party ? 'A clinician' : typeof party === 'string' ? party : party.name?.trim() || party.email

/** Each scope, said plainly: its switch's label and one line on what it means. */
export const SCOPE_WORDS: [Scope, string, string][] = [
  ['logs', 'Exercise logs', 'What you practised and when, with the pain you noted.'],
  ['checkins', 'Check-ins', 'Your daily pain, stress, sleep and mood, and any warning signs you reported.'],
  ['journal', 'Journal', 'What you write in your journal.'],
  ['prescribe', 'Change my plan', 'Can change your exercises and doses, and end a safety hold once you have been seen.'],
]

/**
 * What every link shares while it lasts (the server refuses a link without them:
 * backend/care/services.py); shown as always on, with ending sharing as the way out.
 */
export const ALWAYS_SHARED: Scope[] = ['logs', 'checkins']

// The access log's `what`, as the rest of a sentence that starts with a name.
const WHAT: Record<string, string> = {
  profile: 'opened your page',
  summary: 'looked at your progress',
  logs: 'looked at your sessions and check-ins',
  checkins: 'looked at your check-ins',
  journal: 'read your journal',
  alerts: 'looked at your safety alerts',
  'alert acknowledged': 'acknowledged a safety alert',
  'safety hold released': 'ended your safety hold',
  'safety hold (none open)': 'tried to end a safety hold (none was open)',
  'patient list': 'saw you in their list of patients',
  'export (csv)': 'downloaded your data (spreadsheet)',
  'export (fhir)': 'downloaded your data (for their clinic system)',
  'export (json)': 'downloaded your data',
  plan: 'looked at your plan',
  prescriptions: 'looked at the exercises they set',
  'prescription added': 'added an exercise to your plan',
  'prescription changed': 'changed an exercise in your plan',
  'prescription removed': 'removed an exercise they had set',
  'pain rule': 'looked at your pain limits',
  'pain rule changed': 'changed your pain limits',
  exclusions: 'looked at the exercises set aside',
  'exclusion added': 'set an exercise aside for you',
  'exclusion removed': 'brought back an exercise',
  report: 'made a visit report',
}

/** "looked at your check-ins"; an unknown kind of read is said as the server names it. */
export function whatWords(what: string): string {
  const key = what.trim().toLowerCase()
  if (WHAT[key]) return WHAT[key]
  if (key.startsWith('export')) return 'downloaded your data'
  return `read: ${what}`
}

/** "Dr Rao looked at your check-ins, today 09:12". */
export function accessSentence(row: AccessRow, now: Date = new Date(), timeZone?: string): string {
  const when = dayAndTime(row.at, now, timeZone)
  // The server's own sentence where it sends one: one set of words for every screen.
  const said = row.text?.trim() || `${partyName(row.clinician)} ${whatWords(row.what)}`
  return `${said}${when ? `, ${when}` : ''}`
}

/** The scopes after flipping one, in the order the server lists them. */
export function flipScope(scopes: Scope[], scope: Scope): Scope[] {
  const on = new Set(scopes)
  if (on.has(scope)) on.delete(scope)
  else on.add(scope)
  return SCOPE_WORDS.map(([s]) => s).filter((s) => on.has(s))
}
