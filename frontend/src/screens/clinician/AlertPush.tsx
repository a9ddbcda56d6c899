// A clinician chooses to be told on this device when a patient's urgent or emergency
// alert opens (the server sends one Web Push per alert and an email; backend/care/notify.py).
import { useEffect, useState } from 'preact/hooks'
import { currentSubscription, disablePush, enablePush, pushSupported } from '../../push'

export function AlertPush() {
  const [on, setOn] = useState<boolean>()
  const [busy, setBusy] = useState(false)
  const [message, setMessage] = useState('')
  useEffect(() => {
    currentSubscription().then((s) => setOn(Boolean(s)), () => setOn(false))
  }, [])
  if (!pushSupported()) return null
  const flip = async () => {
    setBusy(true)
    setMessage('')
    try {
      if (on) {
        await disablePush()
        setOn(false)
        setMessage('Alerts are off on this device. You still get an email for each one.')
      } else {
        await enablePush()
        setOn(true)
        setMessage('Alerts are on for this device.')
      }
    } catch (e) {
      setMessage(e instanceof Error ? e.message : 'Notifications are not available on this device.')
    } finally {
      setBusy(false)
    }
  }
  return (
    <section class="card" aria-labelledby="alert-push-title">
      <h2 id="alert-push-title">Safety alerts on this device</h2>
      <p class="small muted">
        When a patient reports an urgent or emergency sign, you get an email. You can also be notified here. The
        notice names the patient and the level, never the details.
      </p>
      <button type="button" class={on ? 'quiet' : 'primary'} aria-pressed={Boolean(on)} disabled={busy || on === undefined} onClick={() => void flip()}>
        {on ? 'Turn alerts off on this device' : 'Notify me on this device'}
      </button>
      <p role="status" class="small">
        {message}
      </p>
    </section>
  )
}
