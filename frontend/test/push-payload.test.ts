import { describe, expect, it } from 'vitest'
import { notificationTarget, parsePushPayload } from '../src/push-payload'

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
