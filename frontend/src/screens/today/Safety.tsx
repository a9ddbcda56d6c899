import { useEffect, useRef, useState } from 'preact/hooks'
import { cachedRules } from '../../data'
import { useLive } from '../../ui/hooks'
import { Sources } from '../../ui/Sources'
import { dismiss, emergencyCall, releaseHere, type EmergencyNotice, type LocalHold } from '../../hold'
import type { Me, ReleaseReason } from '../../types'
import { CallButton, NOBODY_WATCHES } from '../../ui/Call'

/** Brings a panel that just opened into view and gives it focus (the check-in is far below). */
function useFocusWhenNew(key: string | undefined) {
  const ref = useRef<HTMLElement>(null)
  const seen = useRef<string | undefined>(undefined)
  useEffect(() => {
    if (!key || key === seen.current) return
    seen.current = key
    ref.current?.scrollIntoView({ block: 'start' })
    ref.current?.focus({ preventScroll: true })
  }, [key])
  return ref
}

/**
 * The emergency screen: the emergency message only, one large call button, and what
 * the app cannot do. It stays at the top of Today until the person says they are safe.
 */
export function EmergencyPanel({ notice, me }: { notice: EmergencyNotice; me: Me | undefined }) {
  const ref = useFocusWhenNew(`${notice.check_in}:${notice.since}`)
  const call = emergencyCall(notice, me)
  return (
    <section
      ref={ref}
      id="emergency"
      class="emergency-screen"
      tabIndex={-1}
      aria-labelledby="emergency-title"
      data-testid="emergency-screen"
    >
      <h2 id="emergency-title">{notice.title || 'Call your emergency number now'}</h2>
      <p class="emergency-message">{notice.message}</p>
      <CallButton call={call} />
      <p class="small">{NOBODY_WATCHES}</p>
      <button type="button" class="quiet wide" onClick={() => void dismiss()}>
        I have called / I am safe
      </button>
    </section>
  )
}

const PAUSED_WHY: Record<LocalHold['level'], string> = {
  emergency: 'You told us about signs that need help straight away.',
  urgent: 'You told us about signs that need a doctor today.',
}

/**
 * The safety hold: why the exercises are paused, in plain words, and the two ways it
 * ends. Releasing works offline: it shows at once and is sent after the check-in.
 */
/** Where the advice for this level of answer comes from (the cached check-in rules). */
function HoldSources({ level }: { level: string }) {
  const rules = useLive(cachedRules, ['cache:rules']) ?? []
  const atLevel = rules.filter((r) => r.level === level)
  return <Sources why={atLevel.map((r) => r.why).find(Boolean)} sources={atLevel.flatMap((r) => r.sources ?? [])} />
}

export function HoldPanel({ hold, showAdvice, me }: { hold: LocalHold; showAdvice: boolean; me: Me | undefined }) {
  const ref = useFocusWhenNew(hold.from === 'phone' && hold.level === 'urgent' ? `${hold.check_in}:${hold.since}` : undefined)
  const [busy, setBusy] = useState(false)
  const end = async (reason: ReleaseReason) => {
    setBusy(true)
    try {
      await releaseHere(reason)
    } finally {
      setBusy(false)
    }
  }
  const since = new Date(hold.since)
  const sinceText = Number.isNaN(since.getTime())
    ? ''
    : since.toLocaleString(undefined, { weekday: 'long', hour: '2-digit', minute: '2-digit' })
  return (
    <section ref={ref} id="hold" class="card hold" tabIndex={-1} aria-labelledby="hold-title" data-testid="safety-hold">
      <h2 id="hold-title">Your exercises are paused</h2>
      <p>
        {PAUSED_WHY[hold.level]} {hold.from === 'server' && 'This was saved from another device or earlier. '}
        Exercises can wait until you have been checked{sinceText && <> (paused since {sinceText})</>}.
      </p>
      {showAdvice && hold.message && <p>{hold.message}</p>}
      <HoldSources level={hold.level} />
      {/* Before the server has answered (offline), the profile's urgent line for the country. */}
      {showAdvice && (hold.call ?? me?.urgent_call) && <CallButton call={(hold.call ?? me?.urgent_call)!} />}
      <p class="small">Your daily check-in stays open below.</p>
      <p class="small">
        <b>When can you start again?</b> When a doctor or another health professional has seen you, or if you
        answered by mistake:
      </p>
      <div class="stack">
        <button type="button" class="primary wide" disabled={busy} onClick={() => void end('seen_professional')}>
          I have seen a professional
        </button>
        <button type="button" class="quiet wide" disabled={busy} onClick={() => void end('answered_by_mistake')}>
          I answered by mistake
        </button>
      </div>
    </section>
  )
}
