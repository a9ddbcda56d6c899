import { longDate } from '../merge'
import { dismissReplaced, replacedEntries } from '../outbox'
import { useLive } from './hooks'

const TYPE_NAMES: Record<string, string> = {
  session: 'Your exercise log',
  checkin: 'Your check-in',
  journal: 'Your journal page',
  lesson: 'Your lesson read',
  questionnaire: 'Your questionnaire answer',
}

/**
 * An edit made here lost to one made on another device (the server keeps the first
 * edit made from a version). Nothing is dropped without a word: the person is told
 * which entry now shows the other device's version.
 */
function dayOf(data: unknown): string {
  const date = (data as { date?: string }).date
  return date && /^\d{4}-\d{2}-\d{2}$/.test(date) ? longDate(date) : 'that day'
}

export function Replaced() {
  const replaced = useLive(replacedEntries, ['entries']) ?? []
  if (replaced.length === 0) return null
  return (
    <section class="notice" aria-label="Changed on another device" data-testid="replaced">
      <ul class="replaced">
        {replaced.map((entry) => (
          <li key={entry.client_id} class="row">
            <span>
              {TYPE_NAMES[entry.type] ?? 'Your entry'} for {dayOf(entry.data)} was changed on another device, so
              we kept that version. It is what you see now.
            </span>
            <button type="button" class="quiet small" onClick={() => void dismissReplaced(entry.client_id)}>
              OK
            </button>
          </li>
        ))}
      </ul>
    </section>
  )
}
