// Every field of a reminder rule, with plain labels that say which reminder they set:
// at set times (practice, check-in, bedtime) or every so often within a window
// (breathing and desk breaks), on chosen days, with quiet hours.
import { cacheSet } from '../store'
import type { Reminder, ReminderFields } from '../types'

export type Kind = Reminder['kind']

export const KIND_NAMES: Record<Kind, string> = {
  session: 'Practice',
  checkin: 'Check-in',
  breathing: 'Breathing breaks',
  bedtime: 'Wind down for bed',
  desk_break: 'Desk breaks',
}

export const KIND_HINTS: Record<Kind, string> = {
  session: 'A nudge to do your exercises.',
  checkin: 'A minute to note pain, stress and mood.',
  breathing: 'A few calm breaths, every so often during the day.',
  bedtime: 'Time to put the screens away.',
  desk_break: 'Stand up and move, every so often while you sit.',
}

/** New rules start from these; nothing is created until the person chooses it. */
export const DEFAULTS: Record<Kind, ReminderFields> = {
  session: { kind: 'session', times: ['08:00'], weekdays: [0, 1, 2, 3, 4, 5, 6], enabled: true },
  checkin: { kind: 'checkin', times: ['20:00'], weekdays: [0, 1, 2, 3, 4, 5, 6], enabled: true },
  breathing: { kind: 'breathing', every_minutes: 120, window: ['09:00', '18:00'], weekdays: [0, 1, 2, 3, 4, 5, 6], enabled: true },
  bedtime: { kind: 'bedtime', times: ['22:00'], weekdays: [0, 1, 2, 3, 4, 5, 6], enabled: true },
  desk_break: { kind: 'desk_break', every_minutes: 60, window: ['09:00', '17:00'], weekdays: [0, 1, 2, 3, 4], enabled: true },
}

const DAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']
const DAY_NAMES = ['Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday', 'Sunday']
const INTERVALS = [15, 30, 45, 60, 90, 120, 180, 240]

/** Whether a rule fires at set times or every so often. */
export const byInterval = (r: Pick<ReminderFields, 'every_minutes'>) => Boolean(r.every_minutes)

const value = (e: Event) => (e.currentTarget as HTMLInputElement).value

/**
 * The fields of one reminder. `id` makes the labels' targets unique; every label
 * names the reminder ("Check-in time", "Desk breaks: every").
 */
export function ReminderEditor({ id, rule, onChange }: { id: string; rule: ReminderFields; onChange: (r: ReminderFields) => void }) {
  const name = KIND_NAMES[rule.kind] ?? rule.kind
  const set = (changes: Partial<ReminderFields>) => onChange({ ...rule, ...changes })
  const times = rule.times ?? []
  const weekdays = rule.weekdays ?? [0, 1, 2, 3, 4, 5, 6]
  const interval = byInterval(rule)
  const quiet = rule.quiet_hours ?? null
  return (
    <div class="reminder-fields">
      <fieldset class="compact">
        <legend>{name}: when</legend>
        <div class="row">
          <label class="choice inline">
            <input type="radio" name={`${id}-mode`} checked={!interval} onChange={() => set({ every_minutes: null, window: null, times: times.length ? times : ['09:00'] })} />
            At set times
          </label>
          <label class="choice inline">
            <input
              type="radio"
              name={`${id}-mode`}
              checked={interval}
              onChange={() => set({ every_minutes: 60, window: rule.window ?? ['09:00', '17:00'], times: [] })}
            />
            Every so often
          </label>
        </div>
        {!interval &&
          times.map((time, i) => (
            <div class="row" key={i}>
              <div class="field">
                <label for={`${id}-time-${i}`}>{times.length > 1 ? `${name} time ${i + 1}` : `${name} time`}</label>
                <input
                  id={`${id}-time-${i}`}
                  type="time"
                  value={time}
                  onChange={(e) => set({ times: times.map((t, n) => (n === i ? value(e) : t)) })}
                />
              </div>
              {times.length > 1 && (
                <button type="button" class="quiet" onClick={() => set({ times: times.filter((_, n) => n !== i) })}>
                  Remove<span class="visually-hidden"> {`${name} time ${i + 1}`}</span>
                </button>
              )}
            </div>
          ))}
        {!interval && times.length < 12 && (
          <button type="button" class="linklike small" onClick={() => set({ times: [...times, times.at(-1) ?? '12:00'] })}>
            Add another time<span class="visually-hidden"> for {name.toLowerCase()}</span>
          </button>
        )}
        {interval && (
          <>
            <div class="field">
              <label for={`${id}-every`}>{`${name}: every`}</label>
              <select id={`${id}-every`} value={String(rule.every_minutes)} onChange={(e) => set({ every_minutes: Number(value(e)) })}>
                {INTERVALS.map((m) => (
                  <option key={m} value={m}>
                    {m < 60 ? `${m} minutes` : m === 60 ? '1 hour' : `${m / 60} hours`}
                  </option>
                ))}
              </select>
            </div>
            <div class="row">
              <div class="field">
                <label for={`${id}-from`}>{`${name}: from`}</label>
                <input id={`${id}-from`} type="time" value={rule.window?.[0] ?? '09:00'} onChange={(e) => set({ window: [value(e), rule.window?.[1] ?? '17:00'] })} />
              </div>
              <div class="field">
                <label for={`${id}-until`}>{`${name}: until`}</label>
                <input id={`${id}-until`} type="time" value={rule.window?.[1] ?? '17:00'} onChange={(e) => set({ window: [rule.window?.[0] ?? '09:00', value(e)] })} />
              </div>
            </div>
          </>
        )}
      </fieldset>
      <fieldset class="compact">
        <legend>{name}: on these days</legend>
        <div class="days">
          {DAYS.map((d, n) => (
            <label class="day" key={d}>
              <input
                type="checkbox"
                checked={weekdays.includes(n)}
                disabled={weekdays.length === 1 && weekdays.includes(n)}
                onChange={() => set({ weekdays: weekdays.includes(n) ? weekdays.filter((w) => w !== n) : [...weekdays, n].sort() })}
              />
              <span aria-hidden="true">{d}</span>
              <span class="visually-hidden">{DAY_NAMES[n]}</span>
            </label>
          ))}
        </div>
      </fieldset>
      <fieldset class="compact">
        <legend>{name}: quiet hours</legend>
        <label class="choice">
          <input type="checkbox" checked={Boolean(quiet)} onChange={() => set({ quiet_hours: quiet ? null : ['22:00', '07:00'] })} />
          Nothing between two times
        </label>
        {quiet && (
          <div class="row">
            <div class="field">
              <label for={`${id}-quiet-from`}>{`${name}: quiet from`}</label>
              <input id={`${id}-quiet-from`} type="time" value={quiet[0]} onChange={(e) => set({ quiet_hours: [value(e), quiet[1]] })} />
            </div>
            <div class="field">
              <label for={`${id}-quiet-until`}>{`${name}: quiet until`}</label>
              <input id={`${id}-quiet-until`} type="time" value={quiet[1]} onChange={(e) => set({ quiet_hours: [quiet[0], value(e)] })} />
            </div>
          </div>
        )}
      </fieldset>
    </div>
  )
}

/** The fields to send for a rule: times or an interval, never both. */
export function fieldsOf(rule: ReminderFields): ReminderFields {
  const base = { kind: rule.kind, weekdays: rule.weekdays, quiet_hours: rule.quiet_hours ?? null, enabled: rule.enabled ?? true }
  return byInterval(rule)
    ? { ...base, times: [], every_minutes: rule.every_minutes, window: rule.window }
    : { ...base, times: rule.times, every_minutes: null, window: null }
}

/** Where Today reads when to offer the check-in: the time of the check-in reminder chosen. */
export const CHECKIN_TIME_KEY = 'checkin-time'

/** Remembers on the phone when the person wants to check in (offline, Today offers it then). */
export function rememberCheckinTime(rule: Pick<ReminderFields, 'kind' | 'times' | 'enabled'>): Promise<void> | undefined {
  if (rule.kind !== 'checkin') return undefined
  const time = rule.enabled === false ? null : (rule.times?.[0] ?? null)
  return cacheSet(CHECKIN_TIME_KEY, time)
}
