// What a push message carries (API.md: {"title", "body", "url", "kind"}) and where a
// tap on it leads. Shared by the service worker and its tests.

export interface PushPayload {
  title: string
  body: string
  url: string
  kind: string
}

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
  }
}

export function notificationTarget(payload: PushPayload): string {
  return sameOriginPath(payload.url) ?? SCREEN_FOR_KIND[payload.kind] ?? '/#/today'
}
