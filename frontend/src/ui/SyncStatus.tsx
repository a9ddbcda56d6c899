import { useEffect, useState } from 'preact/hooks'
import { onSyncReport, pendingCount, syncNow, type SyncReport } from '../outbox'
import { useLive, useOnline } from './hooks'

/** Always visible: how many entries wait to be sent, and whether we are online. */
export function SyncStatus() {
  const pending = useLive(pendingCount, ['entries']) ?? 0
  const online = useOnline()
  const [last, setLast] = useState<SyncReport>()
  useEffect(() => onSyncReport(setLast), [])
  const text =
    pending === 0
      ? online
        ? 'All saved'
        : 'Offline · all saved here'
      : `${pending} waiting to send${online ? '' : ' · offline'}`
  return (
    <div class="row">
      <span
        class={`pending-badge${pending === 0 ? ' synced' : ''}`}
        role="status"
        data-testid="pending-count"
        data-pending={pending}
      >
        {text}
      </span>
      {pending > 0 && online && (
        <button class="quiet small" type="button" onClick={() => void syncNow()}>
          Send now
        </button>
      )}
      {last?.error && pending > 0 && (
        <span class="small muted" title={last.error}>
          {last.status === 401 || last.status === 403
            ? 'Log in again to send them.'
            : 'Could not send yet: trying again shortly.'}
        </span>
      )}
    </div>
  )
}
