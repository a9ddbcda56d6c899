/// <reference lib="webworker" />
// The service worker: precached app shell (Workbox), the outbox's Background Sync,
// and reminders through Web Push ("Start" and "Snooze 15 min").
import { cleanupOutdatedCaches, createHandlerBoundToURL, precacheAndRoute, type PrecacheEntry } from 'workbox-precaching'
import { NavigationRoute, registerRoute } from 'workbox-routing'
import { flush, SYNC_TAG } from './outbox'
import { cacheGet, cacheSet } from './store'
import { ALERT_KIND, notificationTag, notificationTarget, parsePushPayload, type PushPayload } from './push-payload'

declare const self: ServiceWorkerGlobalScope & { __WB_MANIFEST: (PrecacheEntry | string)[] }

precacheAndRoute(self.__WB_MANIFEST)
cleanupOutdatedCaches()

// Every navigation gets the app shell (hash routing): the app opens with no signal.
// The API, allauth and the admin are never answered from the cache.
registerRoute(
  new NavigationRoute(createHandlerBoundToURL('/'), {
    denylist: [/^\/api\//, /^\/_allauth\//, /^\/admin/, /^\/healthz/, /^\/static\//],
  }),
)

self.addEventListener('install', () => {
  // The first install takes over at once; updates wait for the page's go-ahead so a
  // running page never loses the chunks it was built with.
  if (!self.registration.active) void self.skipWaiting()
})

self.addEventListener('activate', (event) => {
  event.waitUntil(self.clients.claim())
})

self.addEventListener('message', (event) => {
  if (event.data === 'SKIP_WAITING') void self.skipWaiting()
})

// --- Background Sync: send the outbox even after the tab is closed ----------------
interface SyncEvent extends ExtendableEvent {
  readonly tag: string
}

self.addEventListener('sync', ((event: SyncEvent) => {
  if (event.tag !== SYNC_TAG) return
  event.waitUntil(
    flush().then((report) => {
      // Rejecting asks the browser to try again later.
      if (report.offline) throw new Error('Still offline')
    }),
  )
}) as EventListener)

// --- Push ---------------------------------------------------------------------------
const SNOOZE_MS = 15 * 60 * 1000

function show(payload: PushPayload): Promise<void> {
  return self.registration.showNotification(payload.title, {
    body: payload.body,
    icon: '/icons/icon-192.png',
    badge: '/icons/icon-192.png',
    tag: notificationTag(payload),
    data: payload,
    // A safety alert is not snoozed away: it stays until the clinician opens it.
    ...(payload.kind === ALERT_KIND
      ? { requireInteraction: true }
      : // `actions` is not in every lib.dom version yet.
        ({
          actions: [
            { action: 'start', title: 'Start' },
            { action: 'snooze', title: 'Snooze 15 min' },
          ],
        } as NotificationOptions)),
  })
}

self.addEventListener('push', (event) => {
  let raw: unknown = null
  try {
    raw = event.data?.json()
  } catch {
    raw = { body: event.data?.text() }
  }
  event.waitUntil(show(parsePushPayload(raw)))
})

async function openScreen(url: string): Promise<void> {
  const target = new URL(url, self.location.origin).href
  const windows = await self.clients.matchAll({ type: 'window', includeUncontrolled: true })
  for (const client of windows) {
    if (new URL(client.url).origin === self.location.origin) {
      const focused = await client.focus()
      await focused.navigate(target).catch(() => focused.postMessage({ type: 'open', url }))
      return
    }
  }
  await self.clients.openWindow(target)
}

async function snooze(payload: PushPayload): Promise<void> {
  // A record survives the worker being stopped; `showDueSnoozes` re-shows it when
  // the worker next wakes (any push, sync or page load), and the timer covers the
  // case where the browser keeps the worker alive for the whole 15 minutes.
  const due = Date.now() + SNOOZE_MS
  const snoozed = ((await cacheGet<{ due: number; payload: PushPayload }[]>('snoozed')) ?? []).filter(
    (s) => s.payload.kind !== payload.kind,
  )
  await cacheSet('snoozed', [...snoozed, { due, payload }])
  await new Promise((resolve) => setTimeout(resolve, SNOOZE_MS))
  await showDueSnoozes()
}

async function showDueSnoozes(): Promise<void> {
  const snoozed = (await cacheGet<{ due: number; payload: PushPayload }[]>('snoozed')) ?? []
  const now = Date.now()
  const due = snoozed.filter((s) => s.due <= now)
  if (due.length === 0) return
  await cacheSet(
    'snoozed',
    snoozed.filter((s) => s.due > now),
  )
  await Promise.all(due.map((s) => show(s.payload)))
}

self.addEventListener('notificationclick', (event) => {
  const payload = parsePushPayload(event.notification.data)
  event.notification.close()
  if (event.action === 'snooze') {
    event.waitUntil(snooze(payload))
    return
  }
  // "Start" and a tap on the notification itself both open the right screen.
  event.waitUntil(openScreen(notificationTarget(payload)))
})

self.addEventListener('fetch', (event) => {
  // Opening the app wakes the worker: a good moment to show a reminder that is due.
  if (event.request.mode === 'navigate') void showDueSnoozes().catch(() => undefined)
})
