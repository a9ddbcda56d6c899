// Instants in human words, as a tired person reads them: "tomorrow 20:17", "today
// 09:12", "about 2 days left". Pure (the clock and the zone are arguments), so tests
// pin them; the screens pass nothing and get the phone's own clock and zone.
import { localDate } from './merge'

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat']
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec']

const clocks = new Map<string, Intl.DateTimeFormat>()

/** "09:12" in the zone (24-hour: the app's other times are written so too). */
export function clockTime(instant: Date, timeZone?: string): string {
  const key = timeZone ?? ''
  let format = clocks.get(key)
  if (!format) {
    format = new Intl.DateTimeFormat('en-GB', { hour: '2-digit', minute: '2-digit', hourCycle: 'h23', timeZone })
    clocks.set(key, format)
  }
  return format.format(instant)
}

function dayDiff(a: string, b: string): number {
  return Math.round((Date.parse(`${a}T12:00:00Z`) - Date.parse(`${b}T12:00:00Z`)) / 86_400_000)
}

/**
 * An instant as a day and a time from where `now` stands: "today 09:12", "tomorrow
 * 20:17", "yesterday 18:03", "Thursday 08:00" within the week around, else "Mon 7 Dec
 * 09:12". Invalid input gives "".
 */
export function dayAndTime(iso: string, now: Date = new Date(), timeZone?: string): string {
  const instant = new Date(iso)
  if (Number.isNaN(instant.getTime())) return ''
  const day = localDate(timeZone, instant)
  const diff = dayDiff(day, localDate(timeZone, now))
  const time = clockTime(instant, timeZone)
  if (diff === 0) return `today ${time}`
  if (diff === 1) return `tomorrow ${time}`
  if (diff === -1) return `yesterday ${time}`
  const [y, m, d] = day.split('-').map(Number)
  const weekday = new Date(Date.UTC(y, m - 1, d)).getUTCDay()
  if (diff > 1 && diff < 7) return `${LONG_WEEKDAYS[weekday]} ${time}`
  return `${WEEKDAYS[weekday]} ${d} ${MONTHS[m - 1]} ${time}`
}

const LONG_WEEKDAYS = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday']

/** A share code's expiry: "valid until tomorrow 20:17", or "no longer valid". */
export function validUntil(iso: string, now: Date = new Date(), timeZone?: string): string {
  const end = Date.parse(iso)
  if (Number.isNaN(end)) return ''
  if (end <= now.getTime()) return 'no longer valid'
  return `valid until ${dayAndTime(iso, now, timeZone)}`
}

/** How long is left, roughly: "about 2 days left", "about 5 hours left", "less than an hour left". */
export function timeLeft(iso: string, now: Date = new Date()): string {
  const ms = Date.parse(iso) - now.getTime()
  if (Number.isNaN(ms) || ms <= 0) return 'ending now'
  const hours = ms / 3_600_000
  if (hours < 1) {
    const minutes = Math.max(1, Math.round(ms / 60_000))
    return minutes >= 45 ? 'about an hour left' : `${minutes} ${minutes === 1 ? 'minute' : 'minutes'} left`
  }
  if (hours < 1.5) return 'about an hour left'
  if (hours < 36) return `about ${Math.round(hours)} hours left`
  const days = Math.round(hours / 24)
  return `about ${days} days left`
}
