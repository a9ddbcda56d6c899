// Red-flag questions are evaluated on the device, from the rules the server publishes
// (GET /api/v1/safety-rules/, cached), so the emergency message shows with no signal.
import type { SafetyLevel, SafetyRule } from './types'

const ORDER: SafetyLevel[] = ['none', 'see_doctor', 'urgent', 'emergency']

/** What we say when a rule carries no message of its own. Plain, calm, and direct. */
export const DEFAULT_MESSAGES: Record<SafetyLevel, string> = {
  none: '',
  see_doctor:
    'Please see a doctor or physical therapist soon about this. Keep moving gently in the meantime.',
  urgent: 'Please get medical advice today: call your doctor or an urgent care line now.',
  emergency:
    'Call emergency services now. This can be a sign of something serious that needs help straight away. Do not drive yourself.',
}

export const DEFAULT_TITLES: Record<SafetyLevel, string> = {
  none: '',
  see_doctor: 'Please see a doctor or physiotherapist',
  urgent: 'Get medical help today',
  emergency: 'Call emergency services now',
}

function isLevel(value: unknown): value is SafetyLevel {
  return typeof value === 'string' && (ORDER as string[]).includes(value)
}

function text(raw: Record<string, unknown>, ...keys: string[]): string | undefined {
  for (const key of keys) {
    if (typeof raw[key] === 'string' && raw[key]) return raw[key] as string
  }
  return undefined
}

/**
 * The daily rules from the server's answer (`{"levels": [{level, title, message}],
 * "rules": [{id, level, question, asked}]}`; a bare list of rules is accepted too). A
 * rule without an id, a question or a known level is left out rather than guessed at.
 * History questions (`asked: "once"`) are answered in the screening (PUT
 * /api/v1/me/screening/), never in a check-in (which the server refuses): see
 * parseScreeningRules.
 */
export function parseRules(payload: unknown): SafetyRule[] {
  return parseAll(payload).filter((rule) => rule.asked !== 'once')
}

/** The history questions, asked once at onboarding and editable in Settings. */
export function parseScreeningRules(payload: unknown): SafetyRule[] {
  return parseAll(payload).filter((rule) => rule.asked === 'once')
}

function parseAll(payload: unknown): SafetyRule[] {
  const body = payload && typeof payload === 'object' && !Array.isArray(payload) ? (payload as Record<string, unknown>) : {}
  const list = Array.isArray(payload) ? payload : Array.isArray(body.rules) ? body.rules : []
  const levels = new Map<string, { title?: string; message?: string }>()
  if (Array.isArray(body.levels)) {
    for (const item of body.levels as Record<string, unknown>[]) {
      if (item && isLevel(item.level)) levels.set(item.level, { title: text(item, 'title'), message: text(item, 'message') })
    }
  }
  const rules: SafetyRule[] = []
  for (const item of list) {
    if (!item || typeof item !== 'object') continue
    const raw = item as Record<string, unknown>
    const id = raw.id ?? raw.key ?? raw.slug
    const question = text(raw, 'question', 'text', 'label', 'prompt')
    const level = raw.level
    if ((typeof id !== 'string' && typeof id !== 'number') || !question || !isLevel(level)) continue
    rules.push({
      id: String(id),
      question,
      level,
      asked: raw.asked === 'once' ? 'once' : 'daily',
      title: levels.get(level)?.title ?? DEFAULT_TITLES[level],
      message: text(raw, 'message', 'advice') ?? levels.get(level)?.message ?? DEFAULT_MESSAGES[level],
      // "Why this, from where" (issue 17); objects, or bare ids from an older server.
      ...(text(raw, 'why') ? { why: text(raw, 'why') } : {}),
      ...(Array.isArray(raw.sources) ? { sources: raw.sources as SafetyRule['sources'] } : {}),
    })
  }
  return rules
}

export interface SafetyOutcome {
  level: SafetyLevel
  /** The headline for the most serious level, e.g. "Call emergency services now". */
  title: string
  /**
   * The messages of the most serious level only (one, when the rules carry their
   * level's message): a person told to call for help now is not also told to book a
   * visit in a few days.
   */
  messages: string[]
}

/** The most serious level among the rules the person answered "yes" to. */
export function evaluate(rules: SafetyRule[], answeredYes: Iterable<string>): SafetyOutcome {
  const yes = new Set(answeredYes)
  const hits = rules
    .filter((rule) => yes.has(rule.id))
    .sort((a, b) => ORDER.indexOf(b.level) - ORDER.indexOf(a.level))
  if (hits.length === 0) return { level: 'none', title: '', messages: [] }
  const messages: string[] = []
  for (const hit of hits) {
    if (hit.level === hits[0].level && hit.level !== 'none' && !messages.includes(hit.message)) messages.push(hit.message)
  }
  return { level: hits[0].level, title: hits[0].title ?? DEFAULT_TITLES[hits[0].level], messages }
}

export function levelAtLeast(level: SafetyLevel, floor: SafetyLevel): boolean {
  return ORDER.indexOf(level) >= ORDER.indexOf(floor)
}
