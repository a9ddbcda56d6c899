import { IDBFactory } from 'fake-indexeddb'
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { parseScreeningRules } from '../src/safety'
import { loadScreening, saveScreening, screeningAdvice, screeningFromServer, sendScreening } from '../src/screening'
import { closeDb } from '../src/store'

const RULES = parseScreeningRules({
  levels: [{ level: 'see_doctor', title: 'Book a visit with your doctor or physiotherapist', message: 'This is worth having checked.' }],
  rules: [
    { id: 'cancer_history', level: 'see_doctor', question: 'Have you ever had cancer?', asked: 'once' },
    { id: 'fall_or_injury', level: 'see_doctor', question: 'Did it start after a fall?', asked: 'once' },
  ],
})

let offline: boolean
let puts: unknown[]

beforeEach(() => {
  globalThis.indexedDB = new IDBFactory()
  offline = false
  puts = []
  vi.stubGlobal('fetch', async (input: string, init?: RequestInit) => {
    if (offline) throw new TypeError('Failed to fetch')
    const path = new URL(String(input), 'http://localhost').pathname
    if (path === '/api/v1/me/screening/' && init?.method === 'PUT') {
      puts.push(JSON.parse(String(init.body)))
      return new Response(JSON.stringify({ level: 'see_doctor', title: 'Book a visit', message: 'From the server.' }), { status: 200 })
    }
    return new Response('{}', { status: 200 })
  })
})

afterEach(async () => {
  await closeDb()
  vi.unstubAllGlobals()
})

describe('the history questions', () => {
  it('say what a yes means at once, from the cached rules', () => {
    expect(screeningAdvice(RULES, { cancer_history: true, fall_or_injury: false })).toEqual({
      level: 'see_doctor',
      title: 'Book a visit with your doctor or physiotherapist',
      message: 'This is worth having checked.',
    })
    expect(screeningAdvice(RULES, { cancer_history: false, fall_or_injury: false }).level).toBe('none')
  })

  it('answered offline, are kept on the phone and sent when back online', async () => {
    offline = true
    await saveScreening({ cancer_history: true, fall_or_injury: false })
    await sendScreening()
    await closeDb() // the app is closed
    expect(await loadScreening()).toMatchObject({ pending: true, answers: { cancer_history: true } })

    offline = false
    const answer = await sendScreening()

    expect(puts).toEqual([{ answers: { cancer_history: true, fall_or_injury: false } }])
    expect(answer?.message).toBe('From the server.')
    expect(await loadScreening()).toMatchObject({ pending: false, answer: { message: 'From the server.' } })
  })

  it('answers still to send are not replaced by the profile\u2019s older ones', async () => {
    offline = true
    await saveScreening({ cancer_history: true, fall_or_injury: false })
    await screeningFromServer({ cancer_history: false, fall_or_injury: false })
    expect((await loadScreening())?.answers.cancer_history).toBe(true)
  })

  it('answers changed on another device arrive with the profile', async () => {
    await screeningFromServer({ cancer_history: false, fall_or_injury: true })
    expect(await loadScreening()).toMatchObject({ pending: false, answers: { fall_or_injury: true } })
  })
})
