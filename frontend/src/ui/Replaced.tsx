import { dismissReplaced, replacedEntries } from '../outbox'
import { useLive } from './hooks'

const TYPE_NAMES: Record<string, string> = {
  session: 'This exercise log',
  checkin: 'This check-in',
  journal: 'This journal page',
}

/**
 * An edit made here lost to one made on another device (the server keeps the first
 * edit made from a version). Nothing is dropped without a word: the person is told
 * which entry now shows the other device's version.
 */
export function Replaced() {
  const replaced = useLive(replacedEntries, ['entries']) ?? []
  if (replaced.length === 0) return null
  return (
    <section class="notice" aria-label="Changed on another device" data-testid="replaced">
      <ul>
        {replaced.map((entry) => (
          <li key={entry.client_id} class="row">
            <span>
              {TYPE_NAMES[entry.type] ?? 'This entry'} for {(entry.data as { date?: string }).date ?? 'a day'} was
              changed on another device, so we kept that version.
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
