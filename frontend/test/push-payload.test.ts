import { describe, expect, it } from 'vitest'
import { notificationTarget, parsePushPayload, notificationTag } from '../src/push-payload'

describe('a push message', () => {
  it('keeps the title, body, url and kind the server sent', () => {
    const payload = parsePushPayload({ title: 'Time to breathe', body: '4-7-8, four rounds', url: '/#/today', kind: 'breathing' })
    expect(payload).toEqual({ title: 'Time to breathe', body: '4-7-8, four rounds', url: '/#/today', kind: 'breathing' })
  })

  it('opens the check-in for a check-in reminder without a url', () => {
    expect(notificationTarget(parsePushPayload({ title: 'How are you?', kind: 'checkin' }))).toBe('/#/checkin')
  })

  it.each(['https://evil.example/', '//evil.example/x', '/\\evil.example', 'javascript:alert(1)'])(
    'never leads off the site (%s)',
    (url) => {
      expect(notificationTarget(parsePushPayload({ title: 'x', url, kind: 'session' }))).toBe('/#/today')
    },
  )

  it('still shows something kind when the payload is not JSON', () => {
    expect(parsePushPayload(null).title).toBe('Backtrack')
  })
})

describe("a clinician's safety alert notice", () => {
  it('keeps its alert id, so each alert is its own notification', () => {
    const one = parsePushPayload({ title: 'Backtrack', body: 'a', url: '/#/patients/4', kind: 'safety_alert', alert: 7 })
    const other = parsePushPayload({ title: 'Backtrack', body: 'b', url: '/#/patients/5', kind: 'safety_alert', alert: 8 })

    expect(one.alert).toBe(7)
    expect(notificationTag(one)).not.toBe(notificationTag(other))
    expect(notificationTarget(one)).toBe('/#/patients/4')
  })

  it('leaves reminders replacing the last of their kind', () => {
    const first = parsePushPayload({ kind: 'session', alert: 3 })

    expect(first.alert).toBeUndefined()
    expect(notificationTag(first)).toBe('backtrack-session')
  })
})
