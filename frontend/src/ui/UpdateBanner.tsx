import { useEffect, useState } from 'preact/hooks'

/** A new version waits in the service worker: offer it, never force it mid-exercise. */
export function UpdateBanner() {
  const [waiting, setWaiting] = useState<ServiceWorker | null>(null)
  useEffect(() => {
    if (!('serviceWorker' in navigator)) return
    let reloading = false
    const onController = () => {
      if (!reloading) {
        reloading = true
        location.reload()
      }
    }
    void navigator.serviceWorker.getRegistration().then((registration) => {
      if (!registration) return
      if (registration.waiting && navigator.serviceWorker.controller) setWaiting(registration.waiting)
      registration.addEventListener('updatefound', () => {
        const worker = registration.installing
        worker?.addEventListener('statechange', () => {
          if (worker.state === 'installed' && navigator.serviceWorker.controller) setWaiting(worker)
        })
      })
    })
    return () => navigator.serviceWorker.removeEventListener('controllerchange', onController)
  }, [])
  if (!waiting) return null
  return (
    <p class="notice ok row" role="status">
      A new version of Backtrack is ready.
      <button
        type="button"
        class="primary"
        onClick={() => {
          navigator.serviceWorker.addEventListener('controllerchange', () => location.reload(), { once: true })
          waiting.postMessage('SKIP_WAITING')
        }}
      >
        Update now
      </button>
    </p>
  )
}
