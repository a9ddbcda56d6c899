// The history questions (safety rules asked once): answered at onboarding and in
// Settings, kept on the phone first and sent with PUT /api/v1/me/screening/ when there
// is a connection, so an answer given with no signal is never lost.
import { ApiError, OfflineError, putScreening } from './api'
import { evaluate } from './safety'
import { cacheGet, cacheUpdate } from './store'
import type { SafetyAnswer, SafetyRule } from './types'

export const SCREENING_KEY = 'screening'

export interface ScreeningState {
  answers: Record<string, boolean>
  /** True until the server has this set of answers. */
  pending: boolean
  /** When the person last saved them here. */
  saved_at: string
  /** The server's reading of them, once sent. */
  answer?: SafetyAnswer
}

export const loadScreening = () => cacheGet<ScreeningState>(SCREENING_KEY)

/** What the answers mean, from the cached rules: shown at once, offline too. */
export function screeningAdvice(rules: SafetyRule[], answers: Record<string, boolean>): SafetyAnswer {
  const outcome = evaluate(
    rules,
    Object.entries(answers)
      .filter(([, yes]) => yes)
      .map(([id]) => id),
  )
  return { level: outcome.level, title: outcome.title, message: outcome.messages[0] ?? '' }
}

/** Saves the whole set here and queues it for the server. */
export async function saveScreening(answers: Record<string, boolean>): Promise<ScreeningState> {
  const saved = await cacheUpdate<ScreeningState>(SCREENING_KEY, () => ({
    answers: { ...answers },
    pending: true,
    saved_at: new Date().toISOString(),
  }))
  void sendScreening()
  return saved
}

/**
 * The profile's answers (another device may have changed them) replace the phone's,
 * unless the phone has answers of its own still to send.
 */
export async function screeningFromServer(answers: Record<string, boolean> | undefined): Promise<void> {
  if (!answers) return
  const local = await loadScreening()
  if (local?.pending) return
  if (local && JSON.stringify(local.answers) === JSON.stringify(answers)) return
  await cacheUpdate<ScreeningState>(SCREENING_KEY, (now) =>
    now?.pending ? now : { answers, pending: false, saved_at: now?.saved_at ?? new Date().toISOString(), answer: now?.answer },
  )
}

let sending: Promise<SafetyAnswer | undefined> | undefined

/** Sends the answers if they wait; offline (or a server away) they wait for next time. */
export function sendScreening(): Promise<SafetyAnswer | undefined> {
  sending ??= (async () => {
    try {
      const local = await loadScreening()
      if (!local?.pending) return local?.answer
      let answer: SafetyAnswer
      try {
        answer = await putScreening(local.answers)
      } catch (error) {
        if (error instanceof OfflineError) return undefined
        if (error instanceof ApiError && error.status === 400) {
          // A question retired since it was asked: the answers stay here; nothing to retry.
          await cacheUpdate<ScreeningState>(SCREENING_KEY, (now) => (now && now.saved_at === local.saved_at ? { ...now, pending: false } : now!))
        }
        return undefined
      }
      await cacheUpdate<ScreeningState>(SCREENING_KEY, (now) =>
        // Answers changed while this set was on its way: they are sent next time.
        now && now.saved_at !== local.saved_at ? now : { ...local, pending: false, answer },
      )
      return answer
    } finally {
      sending = undefined
    }
  })()
  return sending
}
