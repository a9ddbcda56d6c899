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
}

export type SyncStatus = 'created' | 'updated' | 'unchanged' | 'stale' | 'rejected'

export type SafetyLevel = 'none' | 'see_doctor' | 'urgent' | 'emergency'

export interface SyncResult {
  client_id: string
  status: SyncStatus
  errors?: unknown
  safety?: { level: SafetyLevel; message: string }
}

/** What this device knows about an entry: the entry plus where it is in the outbox. */
export interface LocalEntry extends SyncEntry {
  /** pending: not yet accepted by the server; synced: the server holds it; rejected: refused. */
  state: 'pending' | 'synced' | 'rejected'
  /** The server's last word on it (created, updated, unchanged, stale, rejected). */
  status?: SyncStatus
  errors?: unknown
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
