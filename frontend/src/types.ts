// Shapes from ../shared/API.md (the contract); field names are fixed there.

export interface Me {
  id: number
  email: string
  role: 'patient' | 'clinician'
  timezone: string
  today?: string
  /** The device's date when `today` was read from the server (see merge.userToday). */
  device_date?: string
}

export interface Program {
  slug: string
  title: string
  category: string
  weeks: number
  summary: string
}

export interface Exercise {
  slug: string
  name: string
  kind?: 'hold' | 'reps' | 'breathing' | 'timed' | 'habit' | string
  summary?: string
  steps: string[]
  cautions: string[]
  pattern?: { inhale: number; hold?: number; exhale: number; hold_after?: number } | null
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
  schedule: { week: number; items: { key: string; time_of_day: string; exercise: Exercise; prescription: Prescription }[] }[]
}

export interface Enrollment {
  id: number
  program: string
  start_date: string
  end_date?: string
  status: 'active' | 'paused' | 'completed' | 'left'
  week?: number | null
}

export type ItemStatus = 'pending' | 'done' | 'skipped'

export interface PlanItem {
  id: string
  program: string
  week: number
  time_of_day: string
  exercise: Exercise
  prescription: Prescription
  status: ItemStatus
}

export interface Day {
  date: string
  items: PlanItem[]
}

export type EntryType = 'session' | 'checkin' | 'journal'

export interface SessionData {
  date: string
  item_id: string
  status: 'done' | 'skipped'
  sets?: number
  reps?: number
  hold_seconds?: number
  duration_seconds?: number
  effort?: number
  note?: string
}

export type PainArea = 'neck_shoulders' | 'upper_back' | 'lower_back' | 'legs'

export interface CheckinData {
  date: string
  pain: number
  pain_areas?: PainArea[]
  stress: number
  sleep_hours?: number
  sleep_quality?: number
  mood?: number
  red_flags?: string[]
  note?: string
}

export interface JournalData {
  date: string
  feeling?: string
  want_to_feel?: string
  gratitude?: string[]
  text?: string
}

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

export interface SyncResult {
  client_id: string
  status: SyncStatus
  /** created, updated, unchanged: the stored version. */
  version?: number
  /** stale, conflict: the server's copy, kept instead of the one sent. */
  server?: SyncEntry
  errors?: unknown
  safety?: { level: SafetyLevel; message: string }
}

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
  title?: string
  message: string
}

export interface SeriesPoint {
  date: string
  pain: number | null
  stress: number | null
  sleep_hours: number | null
  done: number
  due: number
}

export interface Summary {
  /** null when nothing was planned in the window. */
  adherence: number | null
  streak: { current: number; best: number }
  series: SeriesPoint[]
  insights: (string | { text?: string; message?: string })[]
}

export interface Reminder {
  id: number
  kind: 'session' | 'checkin' | 'breathing' | 'bedtime' | 'desk_break'
  times?: string[]
  every_minutes?: number | null
  window?: string[] | null
  weekdays: number[]
  enabled: boolean
}

// --- Clinician side (GET /api/v1/care/...) ----------------------------------------

export type Trend = 'up' | 'down' | 'flat'

/** An open red-flag alert as the patient list carries it. */
export interface OpenAlert {
  id: number
  level: Exclude<SafetyLevel, 'none'>
  date: string
  red_flags: string[]
  created_at: string
}

/** One row of GET /api/v1/care/patients/ (the server sorts who needs attention first). */
export interface PatientRow {
  id: number
  email: string
  linked_since: string
  scopes: string[]
  /** 0..1 over the last 7 / 28 complete days; null when nothing was planned. */
  adherence_7: number | null
  adherence_28: number | null
  /** The patient's local date (YYYY-MM-DD): "last check-in" is counted from it. */
  today: string
  last_checkin: string | null
  latest_pain: number | null
  latest_stress: number | null
  pain_trend: Trend | null
  stress_trend: Trend | null
  open_alerts: OpenAlert[]
  /** Why this patient is near the top, e.g. "urgent red flag", "pain rising". */
  attention: string[]
}

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
}

export interface CareLink {
  id: number
  patient: { id: number; email: string }
  clinician: { id: number; email: string }
  created_at: string
  scopes: string[]
}

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
