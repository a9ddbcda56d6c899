// Web Push, only after the person asks for it (never on first load).
import * as api from './api'

export function pushSupported(): boolean {
  return 'serviceWorker' in navigator && 'PushManager' in window && 'Notification' in window
}

export function base64UrlToBytes(value: string): Uint8Array<ArrayBuffer> {
  const padded = (value + '='.repeat((4 - (value.length % 4)) % 4)).replace(/-/g, '+').replace(/_/g, '/')
  const raw = atob(padded)
  const bytes = new Uint8Array(new ArrayBuffer(raw.length))
  for (let i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i)
  return bytes
}

export async function currentSubscription(): Promise<PushSubscription | null> {
  if (!pushSupported()) return null
  const registration = await navigator.serviceWorker.ready
  return registration.pushManager.getSubscription()
}

export const PUSH_TIMEOUT_MS = 15_000

export type PushStep = 'permission' | 'subscribe' | 'save'

/** Turning notifications on, each step said, and given up after PUSH_TIMEOUT_MS with a clear message. */
export function enablePushWithin(onStep: (step: PushStep) => void, ms = PUSH_TIMEOUT_MS): Promise<void> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () => reject(new Error('Turning notifications on is taking too long. Check your connection, then try again.')),
      ms,
    )
  })
  return Promise.race([enablePush(onStep), timeout]).finally(() => clearTimeout(timer))
}

/** Asks the browser's permission, subscribes with our VAPID key and tells the server. */
export async function enablePush(onStep: (step: PushStep) => void = () => undefined): Promise<void> {
  if (!pushSupported()) throw new Error('This browser cannot show notifications from Backtrack.')
  onStep('permission')
  const permission = await Notification.requestPermission()
  if (permission !== 'granted') {
    throw new Error('Notifications are blocked. You can allow them in your browser settings for this site.')
  }
  onStep('subscribe')
  const { public_key } = await api.getPushKey()
  const registration = await navigator.serviceWorker.ready
  const subscription =
    (await registration.pushManager.getSubscription()) ??
    (await registration.pushManager.subscribe({ userVisibleOnly: true, applicationServerKey: base64UrlToBytes(public_key) }))
  onStep('save')
  await api.savePushSubscription(subscription.toJSON())
}

export async function disablePush(): Promise<void> {
  const subscription = await currentSubscription()
  if (!subscription) return
  await api.deletePushSubscription(subscription.endpoint).catch(() => undefined)
  await subscription.unsubscribe()
}
