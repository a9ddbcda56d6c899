import { discard, record, rejectedEntries } from '../outbox'
import type { LocalEntry } from '../types'
import { useLive } from './hooks'

const TYPE_NAMES: Record<string, string> = {
  session: 'An exercise log',
  checkin: 'A check-in',
  journal: 'A journal page',
  lesson: 'A lesson read',
  questionnaire: 'A questionnaire answer',
}

function describe(errors: unknown): string {
  if (!errors) return 'The server could not store it.'
  if (typeof errors === 'string') return errors
  if (Array.isArray(errors)) return errors.map(describe).join(' ')
  if (typeof errors === 'object') {
    return Object.entries(errors as Record<string, unknown>)
      .map(([field, value]) => `${field}: ${Array.isArray(value) ? value.join(' ') : String(value)}`)
      .join('; ')
  }
  return String(errors)
}

/** Entries the server refused: shown, never dropped silently; the person decides. */
export function Rejected() {
  const rejected = useLive(rejectedEntries, ['entries']) ?? []
  if (rejected.length === 0) return null
  const retry = (entry: LocalEntry) =>
    record(entry.type, entry.data, (d) => JSON.stringify(d) === JSON.stringify(entry.data))
  return (
    <section class="notice warn" aria-labelledby="rejected-title" data-testid="rejected">
      <h2 id="rejected-title">Not saved on the server</h2>
      <p>These entries are still on this device. You can send them again or remove them.</p>
      <ul>
        {rejected.map((entry) => (
          <li key={entry.client_id} class="stack">
            <p>
              <b>{TYPE_NAMES[entry.type] ?? 'An entry'}</b> for {(entry.data as { date?: string }).date ?? 'a day'}:{' '}
              {describe(entry.errors)}
            </p>
            <div class="row">
              <button type="button" class="quiet" onClick={() => void retry(entry)}>
                Send again
              </button>
              <button type="button" class="danger" onClick={() => void discard(entry.client_id)}>
                Remove
              </button>
            </div>
          </li>
        ))}
      </ul>
    </section>
  )
}
