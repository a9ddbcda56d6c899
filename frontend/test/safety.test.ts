import { describe, expect, it } from 'vitest'
import { DEFAULT_MESSAGES, evaluate, parseRules, parseScreeningRules } from '../src/safety'

const RULES = [
  { id: 'chest_arm_jaw', question: 'Chest, left-arm or jaw pain with sweating or nausea?', level: 'emergency', message: 'Call emergency services now: this can be a heart attack.' },
  { id: 'bladder_bowel', question: 'Loss of bladder or bowel control?', level: 'urgent' },
  { id: 'night_pain', question: 'Pain that wakes you at night?', level: 'see_doctor' },
]

// The shape GET /api/v1/safety-rules/ answers with (backend/tracker/api.py).
const SERVED = {
  levels: [
    { level: 'emergency', title: 'Call emergency services now', message: 'Chest, left-arm or jaw pain with sweating can be a heart attack. Call your local emergency number now.' },
    { level: 'urgent', title: 'Get medical help today', message: 'These signs need to be checked by a doctor today.' },
    { level: 'see_doctor', title: 'Book a visit', message: 'This is worth having checked.' },
    { level: 'none', title: 'No warning signs today', message: 'Thank you for checking in.' },
  ],
  rules: [
    { id: 'chest_arm_jaw_pain', level: 'emergency', question: 'Do you have pain in your chest, left arm or jaw?' },
    { id: 'leg_weakness', level: 'urgent', question: 'Do you have new weakness in one or both legs?' },
  ],
}

describe('reading the rules', () => {
  it('takes each level\u2019s title and message from the server', () => {
    const [chest, legs] = parseRules(SERVED)
    expect(chest).toMatchObject({ id: 'chest_arm_jaw_pain', level: 'emergency', title: 'Call emergency services now' })
    expect(chest.message).toMatch(/call your local emergency number now/i)
    expect(legs.message).toBe('These signs need to be checked by a doctor today.')
  })

  it('shows the emergency headline for the served rules, with no server needed', () => {
    const outcome = evaluate(parseRules(SERVED), ['leg_weakness', 'chest_arm_jaw_pain'])
    expect(outcome.level).toBe('emergency')
    expect(outcome.title).toBe('Call emergency services now')
  })

  it('accepts a list or {"rules": [...]}', () => {
    expect(parseRules(RULES).map((r) => r.id)).toEqual(['chest_arm_jaw', 'bladder_bowel', 'night_pain'])
    expect(parseRules({ rules: RULES })).toHaveLength(3)
  })

  it('gives a rule without a message the calm default for its level', () => {
    expect(parseRules(RULES)[1].message).toBe(DEFAULT_MESSAGES.urgent)
  })

  it('keeps history questions out of the check-in and gives them to the screening', () => {
    const served = {
      ...SERVED,
      rules: [...SERVED.rules, { id: 'cancer_history', level: 'see_doctor', question: 'Have you ever had cancer?', asked: 'once' }],
    }
    expect(parseRules(served).map((r) => r.id)).toEqual(['chest_arm_jaw_pain', 'leg_weakness'])
    expect(parseScreeningRules(served)).toMatchObject([{ id: 'cancer_history', asked: 'once', title: 'Book a visit' }])
  })

  it('leaves out a rule it cannot understand rather than guessing its level', () => {
    expect(parseRules([{ id: 'x', question: 'Odd?', level: 'maybe' }, { question: 'No id?', level: 'urgent' }, null])).toEqual([])
    expect(parseRules({ detail: 'Not found.' })).toEqual([])
  })
})

describe('evaluating the answers on the device', () => {
  const rules = parseRules(RULES)

  it('says nothing when no red flag is ticked', () => {
    expect(evaluate(rules, [])).toEqual({ level: 'none', title: '', messages: [] })
  })

  it('tells the person to call emergency services for chest, arm or jaw pain', () => {
    const outcome = evaluate(rules, ['chest_arm_jaw'])
    expect(outcome.level).toBe('emergency')
    expect(outcome.messages[0]).toMatch(/call emergency services now/i)
  })

  it('the most serious answer decides the level, and only its message is said', () => {
    const outcome = evaluate(rules, ['night_pain', 'bladder_bowel', 'chest_arm_jaw'])
    expect(outcome.level).toBe('emergency')
    expect(outcome.messages).toEqual([RULES[0].message])
  })

  it('says a shared level message once, however many of its rules are ticked', () => {
    const outcome = evaluate(parseRules(SERVED), ['leg_weakness'])
    expect(outcome.messages).toEqual(['These signs need to be checked by a doctor today.'])
  })

  it('ignores answers to rules it does not know', () => {
    expect(evaluate(rules, ['retired_rule']).level).toBe('none')
  })
})
