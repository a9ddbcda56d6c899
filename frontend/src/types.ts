import type { components } from './api-schema'

// Shapes from ../shared/API.md (the contract); field names are fixed there.

type Profile = Schemas['PlanProfile']

/**
 * GET /api/v1/me/ as cached on the device. The fields after `device_date` are optional
 * because a profile cached from an older server may lack them.
 */
export interface Me {
  id: number
  email: string
  role: 'patient' | 'clinician'
  timezone: string
  today?: string
  /** The device's date when `today` was read from the server (see merge.userToday). */
  device_date?: string
  /** ISO 3166-1 alpha-2, or null where the time zone says nothing. */
  country?: Profile['country']
  /** Who to call in an emergency where the person lives ("112" where unknown). */
  emergency_number?: Profile['emergency_number']
  crisis_lines?: Profile['crisis_lines']
  /** The history questions answered: rule id -> yes (true) or no. */
  screening?: Profile['screening']
  /** The country's line for medical help today, where it has one (an urgent answer offline). */
  urgent_call?: Profile['urgent_call']
  /** Absent from a server that has no holds yet; null when nothing is held. */
  safety_hold?: Profile['safety_hold']
  /** Minutes a day to practise (10-90); null: no limit. */
  daily_minutes?: Profile['daily_minutes']
  /** The running flare (absent from a server without flares). */
  flare?: Flare | null
  /** A flare that ended and whose "How is your back now?" is not answered yet. */
  flare_check_in?: { started_at: string; ended_at: string } | null
  /** The name a clinician shows patients ("Dr Rao"); blank: the email is shown. */
  display_name?: string
}

/** A running flare (POST /api/v1/flare/, /me `flare`). */
export type Flare = Schemas['Flare']

export interface FlareAdvice {
  kind: string
  text: string
  sources?: SourceRef[]
}

/**
 * A source as the API renders it (shapes17): an object; a plan cached from an older
 * server may still hold bare ids ("S1"), which the phone shows as they are.
 */
export interface Source {
  id: string
  title: string
  author?: string
  url?: string
  kind?: string
}
export type SourceRef = Source | string

/** One spoken cue of a guided practice: shown and said, then `seconds` before the next. */
export interface GuideCue {
  text: string
  seconds: number
}

/** GET /api/v1/flare/plan/: the flare plan, kept on the phone so a flare starts with no signal. */
export interface FlarePlan {
  hours: number
  items: { key: string; time_of_day: string; exercise: Exercise; prescription: Prescription }[]
  advice: FlareAdvice[]
}

export type FlareFeeling = 'better' | 'same' | 'worse'

export type CrisisLine = Schemas['CrisisLine']

/** What to call for an answer: `{"number": "112", "label": "Call 112"}`. */
export type Call = Schemas['Call']

/** A check-in's (or the screening's) answer: the highest level only, and who to call. */
export type SafetyAnswer = Schemas['Safety']

// The safety hold (API.md, "Safety that acts").
export type HoldLevel = Schemas['SafetyHoldLevelEnum']

/** GET /api/v1/me/ `safety_hold`, and each held plan day's. */
export type SafetyHold = Schemas['SafetyHold']

export type ReleaseReason = Schemas['ReasonEnum']

/** POST /api/v1/me/safety-hold/release/ */
export type ReleaseAnswer = Schemas['SafetyHoldReleased']

/**
 * One past or current hold as a linked clinician sees it (recent first). The patient
 * page is an untyped object in the schema, so this is written by hand.
 */
export interface HoldRecord extends SafetyHold {
  released_at: string | null
  release_reason: ReleaseReason | 'cleared_by_clinician' | 'check_in_changed' | null
  /** Who released it; `self` when the patient did. */
  released_by: { name: string; self?: boolean } | null
}

export interface Program {
  slug: string
  title: string
  category: string
  weeks: number
  summary: string
}

export type Illustration = Schemas['Illustration']

export interface Exercise {
  slug: string
  name: string
  kind?: 'hold' | 'reps' | 'breathing' | 'timed' | 'habit' | string
  summary?: string
  steps: string[]
  cautions: string[]
  pattern?: { inhale: number; hold?: number; exhale: number; hold_after?: number } | null
  /** Start and end position (one for a habit); absent from a plan cached before pictures existed. */
  illustrations?: Illustration[]
  /** Why this helps a stressed back, in a sentence or two (absent from older servers). */
  why?: string
  /** Spoken cues of a guided practice, in order; empty for the others. */
  guide?: GuideCue[]
  /** At most this many times a day (heat, cold); null: no daily limit. */
  max_per_day?: number | null
  /** A countdown with an end chime (heat, cold). */
  timer?: boolean
  sources?: SourceRef[]
}

export interface Prescription {
  sets?: number
  reps?: number
  hold_seconds?: number
  duration_seconds?: number
  breaths?: number
  per_side?: boolean
  note?: string
}

export interface ProgramDetail extends Program {
  description: string
  schedule: { week: number; items: { key: string; time_of_day: string; weekdays?: number[]; exercise: Exercise; prescription: Prescription }[] }[]
}

export type Enrollment = Schemas['Enrollment']

/** `held`: the server pauses pending exercises while a safety hold is open. */
export type ItemStatus = Schemas['PlanItemStatusEnum']

export interface PlanItem {
  id: string
  /** Absent from older servers: an exercise. Lesson items are LessonItem (see Day). */
  kind?: 'exercise'
  program: string
  week: number
  time_of_day: string
  exercise: Exercise
  prescription: Prescription
  status: ItemStatus
  /** Beyond the daily budget: shown as an extra, not due. */
  optional?: boolean
  /** Every program that planned this exercise at this time of day. */
  programs?: string[]
  /** Set by a clinician the person lets prescribe (absent from older servers). */
  prescribed_by?: { name: string } | null
  /** What that clinician wrote for the person. */
  note?: string | null
  /** What the person's pain reports did to this week's dose. */
  progression?: { state: 'start' | 'progress' | 'hold' | 'regress'; reason: string } | null
}

/** One time of day's practice, its items in the order to do them. */
export type Session = Schemas['Session']

/** The day's lesson (shapes17): inside `items`, never in sessions, minutes or adherence. */
export interface LessonItem {
  id: string
  kind: 'lesson'
  program: null
  programs: string[]
  week: number
  time_of_day: string
  lesson: { slug: string; title: string; minutes: number; summary: string }
  status: 'pending' | 'read'
}

export interface LessonSummary {
  slug: string
  title: string
  minutes: number
  summary: string
  sources: SourceRef[]
  status: 'unread' | 'read'
  read_on: string | null
  order: number
}

export interface Lesson extends LessonSummary {
  sections: { heading: string; paragraphs: string[] }[]
  /** Exercise slugs of the practices that go with it. */
  try: string[]
}

export interface LessonData {
  date: string
  lesson: string
  status: 'read'
}

/** GET /api/v1/factors/: built-in first, then the person's own labels. */
export interface Factor {
  slug: string
  label: string
  custom: boolean
}

/** One of /summary/'s insights (shapes17): patients see `text` only. */
export interface Insight {
  kind: string
  text: string
  n: number
  effect: number
  ci: [number, number]
  /** The interval's coverage: 0.99 for correlations, 0.975 for differences. */
  ci_level?: number | null
  lag_days: number
  method: string
  factor?: { slug: string; label: string }
  chance: boolean
}

export interface Day {
  date: string
  /** The server's items; lesson items are taken out by `splitLessons` before the exercise code reads them. */
  items: PlanItem[]
  /** The day's lesson, taken out of `items` on the phone (see lessons.ts). */
  lesson?: LessonItem | null
  /** Due questionnaires, taken out of `items` on the phone (plan-items.ts). */
  questionnaires?: QuestionnairePlanItem[]
  /** Absent from a server from before guided practice: grouped on the phone then. */
  sessions?: Session[]
  minutes?: number
  /** Absent from a server that has no holds yet. */
  safety_hold?: SafetyHold | null
  /** flare: a day of flare-up mode (its items are the flare plan, nothing due). */
  mode?: 'usual' | 'flare'
  flare?: (Flare & { advice: FlareAdvice[] }) | null
  /** On the phone only: a flare ended here and the usual plan for this day is not read yet. */
  awaiting?: boolean
}

export type EntryType = 'session' | 'checkin' | 'journal' | 'lesson' | 'questionnaire'

/** GET /api/v1/questionnaires/ (issue 18): an instrument, with my due state. */
export type Questionnaire = Schemas['Questionnaire']
/** A due questionnaire in a day's items (taken out into `Day.questionnaires` on the phone). */
export type QuestionnairePlanItem = Schemas['QuestionnaireItem']
/** Sync type `questionnaire`: what the phone sends (the server adds score, band, subscores). */
export type QuestionnaireData = Schemas['QuestionnaireDataRequest'] & { answers: Record<string, number> }

/** Summary `outcomes` (contract, issue 18): one score on one date. */
export interface OutcomePoint {
  questionnaire: string
  date: string
  score: number
  band?: string | null
}

/** A score as the contract's summaries and rows may carry it: a number, or {date, score}. */
export type ScoreValue = number | { date?: string; score: number } | null

/** Summary `outcome_changes`: the change since the baseline, in words. */
export interface OutcomeChange {
  questionnaire: string
  baseline: ScoreValue
  latest: ScoreValue
  change: number | null
  percent: number | null
  meaningful: boolean
  words: string
}

/** Clinician list row `outcomes`. */
export interface OutcomeRow {
  questionnaire: string
  latest: ScoreValue
  baseline: ScoreValue
  change: number | null
  meaningful: boolean
}

type Schemas = components['schemas']

// The contract's shapes come from the server's OpenAPI schema (src/api-schema.ts,
// generated by `make api-types`; CI fails when it is not current). What follows
// only names them, or adds what lives on the device alone.

export type SessionData = Schemas['SessionData']

export type PainArea = 'neck_shoulders' | 'upper_back' | 'lower_back' | 'legs'

// Written by hand over the schema until the factors branch's schema names them (shapes17).
export type CheckinData = Omit<Schemas['CheckInData'], 'factors'> & { factors?: string[] }

export type JournalData = Schemas['JournalData'] & { in_control?: string; anxious_thought?: string; kinder_view?: string }

/** An entry as sent to and received from POST/GET /api/v1/sync/. */
export interface SyncEntry {
  client_id: string
  type: EntryType
  updated_at: string
  deleted: boolean
  data: SessionData | CheckinData | JournalData | Record<string, unknown>
  /** From the server (pulls, `server` copies): the entry's version, growing with each stored change. */
  version?: number
}

/** An entry as posted: the version the edit was made from, and which installation made it. */
export interface OutgoingEntry extends SyncEntry {
  /** 0 for an entry this device created; absent for copies from before versions. */
  base_version?: number
  device?: string
}

export type SyncStatus = 'created' | 'updated' | 'unchanged' | 'stale' | 'conflict' | 'rejected'

export type SafetyLevel = 'none' | 'see_doctor' | 'urgent' | 'emergency'

/** An entry as the server sends it: pulls, and `server` copies in results. */
export type ServerEntry = Schemas['SyncEntry']

export type SyncResult = Schemas['EntryResult']

/** What this device knows about an entry: the entry plus where it is in the outbox. */
export interface LocalEntry extends SyncEntry {
  /** pending: not yet accepted by the server; synced: the server holds it; rejected: refused. */
  state: 'pending' | 'synced' | 'rejected'
  /** The server's last word on it (created, updated, unchanged, stale, conflict, rejected). */
  status?: SyncStatus
  errors?: unknown
  /**
   * synced: the server's version of this copy. pending or rejected: the version the
   * edit was made from (sent as base_version), 0 for an entry made here.
   */
  version?: number
  /** The person's edit lost to another device's: shown until they have read it. */
  replaced?: boolean
}

export interface SafetyRule {
  id: string
  question: string
  level: SafetyLevel
  /** daily: in the check-in ("since yesterday"); once: the history, in the screening. */
  asked?: 'daily' | 'once'
  title?: string
  message: string
  why?: string
  sources?: SourceRef[]
}

export type SeriesPoint = Schemas['SeriesPoint']

export type Summary = Schemas['Summary']

/** A reminder rule as the server renders it; ``next_fire_at`` is the server's. */
export type Reminder = Schemas['ReminderRule']

/** What the app sends to create or change a rule. */
export type ReminderFields = Schemas['ReminderRuleRequest']

// --- Clinician side (GET /api/v1/care/...) ----------------------------------------

export type Trend = 'up' | 'down' | 'flat'

export type OpenAlert = Schemas['OpenAlert']

/** One row of GET /api/v1/care/patients/ (the server sorts who needs attention first). */
export type PatientRow = Schemas['PatientRow']

export interface SafetyAlert extends OpenAlert {
  acknowledged_at: string | null
  acknowledged_by: string | null
  withdrawn_at: string | null
}

/** GET /api/v1/care/patients/{id}/ */
export interface PatientProfile {
  id: number
  email: string
  timezone: string
  /** The patient's local date. */
  today: string
  linked_since: string
  scopes: string[]
  open_alerts: SafetyAlert[]
  /** The hold open now (absent from a server without holds). */
  safety_hold?: SafetyHold | null
  safety_holds?: HoldRecord[]
  /** The patient's history answers: rule id -> yes (true) or no. */
  screening?: Record<string, boolean>
}

/** Link scopes: logs and check-ins always; journal and prescribe when the patient says so. */
export type Scope = Schemas['ScopesEnum']

export type CareLink = Schemas['CareLink']

interface RecordMeta {
  client_id: string
  updated_at: string
}

export type SessionRecord = SessionData & RecordMeta
export type CheckinRecord = CheckinData & RecordMeta & { safety_level?: SafetyLevel }
export type JournalRecord = JournalData & RecordMeta

/** GET /api/v1/care/patients/{id}/logs/: each list only when the link shares it. */
export interface ClinicianLogs {
  session_logs?: SessionRecord[]
  checkins?: CheckinRecord[]
}

export interface ClinicianNote {
  id: number
  text: string
  created_at: string
  updated_at: string
}

// --- The plan adapts (issue 16): written by hand from the agreed shapes until the
// server's schema names them; every field a server from before may lack is optional.

/** Who set a plan item: the clinician's name as patients see it. */
export interface SetBy {
  name: string
}

export type ProgressionState = 'start' | 'progress' | 'hold' | 'regress'

export interface Progression {
  state: ProgressionState
  reason: string
}

/** A plan item as the adapting plan sends it. */
export interface AdaptedPlanItem extends PlanItem {
  prescribed_by?: SetBy | null
  note?: string | null
  progression?: Progression
}

export interface AdaptedDay extends Omit<Day, 'items' | 'flare'> {
  items: AdaptedPlanItem[]
  mode?: 'usual' | 'flare'
  flare?: Flare | null
}

/** One flare in the record a clinician reads, latest first. */
export interface FlareRecord extends Flare {
  ended_at: string | null
  ended_by: string | null
}

/** The dose a clinician writes for one patient (GET/POST .../prescriptions/). */
export interface RxFields {
  exercise: string
  time_of_day: string
  /** 0 = Monday; null: every day. */
  weekdays: number[] | null
  prescription: Prescription
  /** "<program slug>:<item key>": the program item this changes for the patient. */
  replaces: string | null
  note: string
}

export interface RxRow extends RxFields {
  id: number
  exercise_title: string
  set_by: { id: number; name: string }
  created_at: string
  updated_at: string
}

export interface PainRule {
  during_max: number
  morning_rise_max: number
  regress_after: number
  set_by: SetBy | null
  updated_at: string | null
  is_default: boolean
}

export type PainRuleFields = Pick<PainRule, 'during_max' | 'morning_rise_max' | 'regress_after'>

// --- The person's care team, as the patient sees it -------------------------------

/** GET /api/v1/me/access-log/: one read of my data (older servers send the email alone). */
export interface AccessRow {
  clinician: string | { name?: string; email: string }
  what: string
  /** The row as a sentence, from the server ("Dr Rao looked at your plan"). */
  text?: string
  at: string
}

/** GET /api/v1/me/not-for-me/: an exercise set aside (it leaves every day of the plan). */
export interface Exclusion {
  exercise: string
  exercise_title?: string
  by: 'patient' | 'clinician'
  by_name?: string
  reason?: string
  created_at?: string
}

/** GET /api/v1/me/plan-changes/: newest first, in plain words. */
export interface PlanChange {
  at: string
  by: { name: string; role: 'patient' | 'clinician' }
  kind: string
  text: string
}

/** GET /api/v1/care/patients/{id}/ with what the plan-adapts round adds. */
export interface AdaptedPatientProfile extends PatientProfile {
  name?: string
  flare?: Flare | null
  flares?: FlareRecord[]
  prescriptions?: RxRow[]
  exclusions?: Exclusion[]
  pain_rule?: PainRule
  plan_changes?: PlanChange[]
}

/** A patient list row: `flare` was a yes/no before it carried the flare. */
export type AdaptedPatientRow = Omit<PatientRow, 'flare' | 'name' | 'on_hold' | 'outcomes'> & {
  name?: string
  flare?: boolean | Flare | null
  /** A safety hold pauses their exercises now (the list's "Plan on hold"). */
  on_hold?: boolean
  /** The page's open hold, read the same way. */
  safety_hold?: SafetyHold | null
  /** Issue 18: each questionnaire's latest score and change since the baseline. */
  outcomes?: OutcomeRow[]
}
