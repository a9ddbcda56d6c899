// What a push message carries (API.md: {"title", "body", "url", "kind"}) and where a
// tap on it leads. Shared by the service worker and its tests.

export interface PushPayload {
  title: string
  body: string
  url: string
  kind: string
  /** A clinician's safety alert notice: the alert's id (one notification per alert). */
  alert?: number
}

/** The kind of a clinician's notice that a patient's urgent or emergency alert opened. */
export const ALERT_KIND = 'safety_alert'

const SCREEN_FOR_KIND: Record<string, string> = {
  session: '/#/today',
  breathing: '/#/today',
  desk_break: '/#/today',
  bedtime: '/#/today',
  checkin: '/#/checkin',
}

/** Only a path on our own origin: a payload can never send the person elsewhere. */
function sameOriginPath(url: unknown): string | undefined {
  if (typeof url !== 'string') return undefined
  if (!url.startsWith('/') || url.startsWith('//') || url.startsWith('/\\')) return undefined
  return url
}

export function parsePushPayload(raw: unknown): PushPayload {
  const data = raw && typeof raw === 'object' ? (raw as Record<string, unknown>) : {}
  const kind = typeof data.kind === 'string' && data.kind ? data.kind : 'session'
  return {
    title: typeof data.title === 'string' && data.title ? data.title : 'Backtrack',
    body: typeof data.body === 'string' ? data.body : 'A few calm minutes for your back.',
    url: sameOriginPath(data.url) ?? SCREEN_FOR_KIND[kind] ?? '/#/today',
    kind,
    ...(kind === ALERT_KIND && typeof data.alert === 'number' ? { alert: data.alert } : {}),
  }
}

/**
 * Which shown notification this one replaces: a reminder replaces the last of its kind;
 * a safety alert replaces only an earlier notice of the same alert, so two patients'
 * alerts never hide each other.
 */
export function notificationTag(payload: PushPayload): string {
  if (payload.kind === ALERT_KIND) return `backtrack-alert-${payload.alert ?? payload.url}`
  return `backtrack-${payload.kind}`
}

export function notificationTarget(payload: PushPayload): string {
  return sameOriginPath(payload.url) ?? SCREEN_FOR_KIND[payload.kind] ?? '/#/today'
}
