// The check-in and the journal as their own short screens (#/checkin, #/journal):
// offered after the first session of the day and at check-in time, not appended below
// the plan. The safety panels stay on top, as on Today.
import { cachedMe } from '../../data'
import { loadSafety, type SafetyState } from '../../hold'
import { userToday } from '../../merge'
import { listEntries } from '../../outbox'
import type { Me } from '../../types'
import { useLive } from '../../ui/hooks'
import { Rejected } from '../../ui/Rejected'
import { Replaced } from '../../ui/Replaced'
import { CheckIn } from './CheckIn'
import { Journal } from './Journal'
import { SafetyTop } from './Today'

export function StepScreen({ step }: { step: 'checkin' | 'journal' }) {
  const me = useLive<Me | undefined>(cachedMe, ['cache:me'])
  const entries = useLive(listEntries, ['entries'])
  const safety = useLive<SafetyState>(loadSafety, ['cache:safety'])
  if (!me || !entries || !safety) return <main id="main" aria-busy="true" />
  const today = userToday(me)
  return (
    <main id="main">
      <SafetyTop safety={safety} me={me} />
      <p>
        <a href="#/today" class="back-link">
          ← Back to today
        </a>
      </p>
      <Rejected />
      <Replaced />
      <h1 class="visually-hidden">{step === 'checkin' ? 'Check-in' : 'Journal'}</h1>
      {step === 'checkin' ? <CheckIn date={today} entries={entries} /> : <Journal date={today} entries={entries} />}
      {step === 'checkin' && (
        <p class="small">
          <a href="#/journal">Write in your journal too</a>
        </p>
      )}
    </main>
  )
}
