// Validated questionnaires on the phone (issue 18): the catalogue kept in IndexedDB so
// one can be answered with no signal, a score worked out here for display only (the
// server scores every answer again and is the truth), and answers queued in the outbox
// as type `questionnaire`: one entry per instrument and day, so a second tap or a
// retried send never makes two.
import * as api from './api'
import { findEntry } from './merge'
import { record } from './outbox'
import { cacheGet, cacheSet } from './store'
import type { LocalEntry, OutcomeChange, OutcomePoint, Questionnaire, QuestionnaireData, QuestionnairePlanItem, ScoreValue } from './types'

export const QUESTIONNAIRES_KEY = 'questionnaires'

export const cachedQuestionnaires = async () => (await cacheGet<Questionnaire[]>(QUESTIONNAIRES_KEY)) ?? null

/** The catalogue from the server, kept for offline answering. */
export async function refreshQuestionnaires(): Promise<Questionnaire[]> {
  const list = await api.getQuestionnaires()
  await cacheSet(QUESTIONNAIRES_KEY, list)
  return list
}

/** The kept catalogue, else the server's (kept then); null offline with nothing kept. */
export async function loadQuestionnaires(): Promise<Questionnaire[] | null> {
  const kept = await cachedQuestionnaires()
  if (kept) return kept
  try {
    return await refreshQuestionnaires()
  } catch (error) {
    if (error instanceof api.OfflineError) return null
    throw error
  }
}

export type Answers = Record<string, number>

export interface LocalScore {
  score: number
  band: string | null
  subscores: Record<string, number>
  /** The answers call for the support offer (issue 10's crisis path). */
  support: boolean
}

function points(q: Questionnaire, answers: Answers): Record<string, number> {
  const found: Record<string, number> = {}
  for (const item of q.items) {
    const value = answers[item.id]
    const answer = item.answers.find((a) => a.value === value)
    found[item.id] = answer ? (answer.points ?? answer.value) : 0
  }
  return found
}

/** True once every item has an answer the instrument knows. */
export function complete(q: Questionnaire, answers: Answers): boolean {
  return q.items.every((item) => item.answers.some((a) => a.value === answers[item.id]))
}

/**
 * The score as the instrument's authors describe it (the catalogue says how: mean,
 * sum, or STarT Back's risk groups), for the result shown at once. Mirrors
 * backend/outcomes/instruments.py `Instrument.score`.
 */
export function scoreAnswers(q: Questionnaire, answers: Answers): LocalScore {
  const pts = points(q, answers)
  const subscores: Record<string, number> = {}
  for (const s of q.subscales ?? []) subscores[s.id] = s.items.reduce((sum, id) => sum + (pts[id] ?? 0), 0)
  const values = Object.values(pts)
  const sum = values.reduce((a, b) => a + b, 0)
  const method = q.score.method ?? 'sum'
  const factor = 10 ** (q.score.decimals ?? 0)
  const score = method === 'mean' ? Math.round((sum / Math.max(1, values.length)) * factor) / factor : sum
  let band: string | null
  if (method === 'startback') {
    const psychosocial = subscores.psychosocial ?? 0
    band = psychosocial >= 4 ? 'high' : score <= 3 ? 'low' : 'medium'
  } else {
    band = q.bands.find((b) => b.min !== null && b.max !== null && b.min <= score && score <= b.max)?.label ?? null
  }
  let support = false
  if (q.support) {
    const sub = (q.subscales ?? []).find((s) => s.id === q.support?.subscale)
    support = score >= q.support.total_at || Boolean(sub && sub.positive_at !== null && subscores[sub.id] >= sub.positive_at)
  }
  return { score, band, subscores, support }
}

/** "4.3" or "7": the score with the instrument's decimals. */
export function formatScore(q: Pick<Questionnaire, 'score'>, score: number): string {
  return score.toFixed(q.score.decimals ?? 0)
}

/** The top of the range as people say it: "10", not "10.0". */
export const ofMax = (q: Pick<Questionnaire, 'score'>) => (Number.isInteger(q.score.max) ? String(q.score.max) : formatScore(q, q.score.max))

/** "Your score: 4.3 of 10": the number and its range, never a diagnosis. */
export function scoreWords(q: Questionnaire, score: number): string {
  return `Your score: ${formatScore(q, score)} of ${ofMax(q)}`
}

/** What a band means, in the catalogue's own plain words ("" when it has no bands). */
export function bandWords(q: Questionnaire, band: string | null): string {
  return q.bands.find((b) => b.label === band)?.words ?? ''
}

const same = (slug: string, date: string) => (d: Record<string, unknown>) => d.questionnaire === slug && d.date === date

/** Saves an answer in the outbox; answering the same one again that day updates it. */
export function recordAnswers(slug: string, date: string, answers: Answers): Promise<LocalEntry> {
  const data: QuestionnaireData = { date, questionnaire: slug, answers }
  return record('questionnaire', data, same(slug, date))
}

/** This phone's answer of `slug` on `date` (sent or not), if any. */
export function answerOn(entries: LocalEntry[], slug: string, date: string): LocalEntry | undefined {
  const entry = findEntry(entries, 'questionnaire', same(slug, date))
  return entry && !entry.deleted ? entry : undefined
}

export interface ScorePoint {
  questionnaire: string
  date: string
  score: number
  band?: string | null
  /** Answered on this phone and not yet confirmed by the server. */
  pending?: boolean
}

/**
 * Every answer this phone holds, as points: the server's score where it sent one,
 * else the score worked out here (an answer made offline shows on Progress at once).
 */
export function localPoints(entries: LocalEntry[], catalogue: Questionnaire[]): ScorePoint[] {
  const bySlug = new Map(catalogue.map((q) => [q.slug, q]))
  const found: ScorePoint[] = []
  for (const entry of entries) {
    if (entry.type !== 'questionnaire' || entry.deleted || entry.state === 'rejected') continue
    const data = entry.data as QuestionnaireData & { score?: number; band?: string | null }
    const q = bySlug.get(data.questionnaire)
    if (!q) continue
    const local = typeof data.score === 'number' ? { score: data.score, band: data.band ?? null } : complete(q, data.answers) ? scoreAnswers(q, data.answers) : null
    if (!local) continue
    found.push({ questionnaire: q.slug, date: data.date, score: local.score, band: local.band, pending: entry.state === 'pending' })
  }
  return found
}

/**
 * The server's points with this phone's laid over them: one per instrument and date,
 * the phone's own answer winning (it is the newer word), oldest first.
 */
export function mergePoints(server: ScorePoint[], local: ScorePoint[]): ScorePoint[] {
  const byKey = new Map<string, ScorePoint>()
  for (const p of server) byKey.set(`${p.questionnaire}|${p.date}`, p)
  for (const p of local) byKey.set(`${p.questionnaire}|${p.date}`, p)
  return [...byKey.values()].sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0))
}

export interface Change {
  questionnaire: string
  baseline: number
  latest: number
  change: number
  percent: number | null
  meaningful: boolean
  words: string
}

/** Whether the change from baseline reaches the published minimal important change. */
export function meaningful(q: Pick<Questionnaire, 'meaningful_change'>, baseline: number, latest: number): boolean {
  const rule = q.meaningful_change
  if (!rule) return false
  if (rule.kind === 'percent') {
    if (baseline <= 0) return false
    const percent = ((latest - baseline) / baseline) * 100
    return rule.direction === 'fall' ? percent <= -rule.value : percent >= rule.value
  }
  const delta = latest - baseline
  return rule.direction === 'fall' ? delta <= -rule.value : delta >= rule.value
}

/**
 * The change since the first answer, in plain words, worked out here when the server's
 * `outcome_changes` has not said it (offline, or an answer not yet sent). Null with
 * fewer than two answers.
 */
export function localChange(q: Questionnaire, points: ScorePoint[]): Change | null {
  const mine = points.filter((p) => p.questionnaire === q.slug)
  if (mine.length < 2) return null
  const baseline = mine[0].score
  const latest = mine[mine.length - 1].score
  const change = Math.round((latest - baseline) * 10) / 10
  const percent = baseline ? Math.round((change / baseline) * 100) : null
  const isMeaningful = meaningful(q, baseline, latest)
  return { questionnaire: q.slug, baseline, latest, change, percent, meaningful: isMeaningful, words: changeWords(q, baseline, latest, isMeaningful) }
}

/**
 * One calm sentence about the change since the start, worded as the server words it
 * (backend/outcomes/selectors.py `_words`), so offline and online read the same.
 */
export function changeWords(q: Pick<Questionnaire, 'short_title' | 'score' | 'meaningful_change'>, baseline: number, latest: number, isMeaningful: boolean): string {
  const head = `${q.short_title}: ${formatScore(q, baseline)} when you started, ${formatScore(q, latest)} now`
  if (latest === baseline) return `${head}, the same.`
  const change = latest - baseline
  const percent = baseline ? Math.round((change / baseline) * 100) : 0
  const size = percent ? ` (${Math.abs(percent)}% ${latest < baseline ? 'lower' : 'higher'})` : ''
  const rule = q.meaningful_change
  const threshold = rule ? `a ${rule.direction} of ${rule.value}${rule.kind === 'percent' ? '%' : ' points'}` : ''
  if (isMeaningful) return `${head}${size}. That is a meaningful change: ${threshold} or more is what the research counts as real.`
  const better = latest < baseline === (q.score.higher_is === 'worse')
  if (better) return `${head}${size}, a little better.${threshold ? ` A meaningful change starts at ${threshold}.` : ''}`
  return `${head}${size}. Scores go up and down; if yours stays higher, tell your physiotherapist or doctor.`
}

/** A first answer alone: the starting point. */
export const startWords = (q: Pick<Questionnaire, 'short_title' | 'score'>, baseline: number) =>
  `${q.short_title}: ${formatScore(q, baseline)} when you started. Your next answer will show the change.`

/**
 * The score from which a change counts as meaningful, for the chart's marker: a 30%
 * fall from a PEG baseline of 6 is 4.2. Null when the instrument publishes none.
 */
export function meaningfulLine(q: Pick<Questionnaire, 'meaningful_change'>, baseline: number): number | null {
  const rule = q.meaningful_change
  if (!rule) return null
  const sign = rule.direction === 'fall' ? -1 : 1
  if (rule.kind === 'percent') return baseline > 0 ? Math.round(baseline * (1 + (sign * rule.value) / 100) * 100) / 100 : null
  return baseline + sign * rule.value
}

/** The support offer is due: the server said so, or the answers do here (PHQ-4 >= 6 or mood items >= 3). */
export function needsSupport(q: Questionnaire, answers: Answers, server?: { support?: boolean } | null): boolean {
  return Boolean(server?.support) || scoreAnswers(q, answers).support
}

/**
 * The questionnaires to offer today: the day's items (the server's plan), else those
 * the kept catalogue says are due (someone with no program yet). Each says whether it
 * was answered today on this phone or the server.
 */
export function dueToday(
  items: QuestionnairePlanItem[] | undefined,
  catalogue: Questionnaire[] | null,
  entries: LocalEntry[],
  today: string,
): { slug: string; title: string; short_title: string; minutes: number; purpose: string; done: boolean }[] {
  const cards = (items ?? []).map((i) => ({ ...i.questionnaire, done: i.status === 'done' }))
  if (cards.length === 0 && catalogue) {
    for (const q of catalogue) {
      // The kept copy may be days old: its due date, not its `due`, says what is due now.
      const due = q.due_date !== null && q.due_date <= today
      if (due || answerOn(entries, q.slug, today)) cards.push({ slug: q.slug, title: q.title, short_title: q.short_title, minutes: q.minutes, purpose: q.purpose, done: false })
    }
  }
  return cards.map((c) => ({ ...c, done: c.done || Boolean(answerOn(entries, c.slug, today)) }))
}

// --- Progress: each score against the baseline -----------------------------------------

/** What the outcome views need of an instrument (a clinician may lack the catalogue). */
export type InstrumentInfo = Pick<Questionnaire, 'slug' | 'short_title' | 'score' | 'meaningful_change' | 'bands'> & {
  title?: string
  baseline?: Questionnaire['baseline']
}

const valueOf = (v: ScoreValue | undefined): number | null => (v === null || v === undefined ? null : typeof v === 'number' ? v : v.score)
const dateOf = (v: ScoreValue | undefined): string | undefined => (v && typeof v === 'object' ? v.date : undefined)

export interface OutcomeView {
  q: InstrumentInfo
  points: ScorePoint[]
  baseline: number
  baselineDate?: string
  latest: number
  meaningful: boolean
  /** The published threshold as a score (the chart's dotted line), if any. */
  threshold: number | null
  words: string
  /** The change since the baseline (null with one answer). */
  change: number | null
}

/** Stands in for an instrument the phone has no catalogue entry for. */
function stub(slug: string, points: ScorePoint[]): InstrumentInfo {
  const top = Math.max(10, ...points.map((p) => p.score))
  return { slug, short_title: slug.toUpperCase(), score: { min: 0, max: top, decimals: 1, higher_is: 'worse', method: 'sum' }, meaningful_change: null, bands: [] }
}

/**
 * Per instrument answered: its points (the summary's, the baseline, and this phone's
 * answers not yet in the summary), and the change since the baseline in words: the
 * server's `outcome_changes` when it has heard of the latest answer, else worked out
 * here from the catalogue's published threshold.
 */
export function outcomeViews(
  summary: { start?: string; outcomes?: OutcomePoint[]; outcome_changes?: OutcomeChange[] } | null | undefined,
  catalogue: InstrumentInfo[] | null,
  local: ScorePoint[] = [],
): OutcomeView[] {
  const server: ScorePoint[] = (summary?.outcomes ?? []).map((p) => ({ questionnaire: p.questionnaire, date: p.date, score: p.score, band: p.band ?? null }))
  const changes = new Map((summary?.outcome_changes ?? []).map((c) => [c.questionnaire, c]))
  const slugs = [...(catalogue ?? []).map((q) => q.slug)]
  for (const p of [...server, ...local]) if (!slugs.includes(p.questionnaire)) slugs.push(p.questionnaire)
  const views: OutcomeView[] = []
  for (const slug of slugs) {
    const mineServer = server.filter((p) => p.questionnaire === slug)
    const mineLocal = local.filter((p) => p.questionnaire === slug)
    const q = catalogue?.find((c) => c.slug === slug) ?? stub(slug, [...mineServer, ...mineLocal])
    const told = changes.get(slug)
    const known = q.baseline ?? null
    let baseline = valueOf(told?.baseline) ?? known?.score ?? null
    let baselineDate = dateOf(told?.baseline) ?? known?.date
    const all = mergePoints(mineServer, mineLocal)
    if (baseline === null || (baselineDate && all[0] && all[0].date < baselineDate)) {
      // Nothing older is known: the first answer here is the baseline.
      if (!all[0]) continue
      baseline = all[0].score
      baselineDate = all[0].date
    }
    // The baseline is always drawn, even when it falls before the window.
    const points = baselineDate && !all.some((p) => p.date === baselineDate) ? mergePoints([{ questionnaire: slug, date: baselineDate, score: baseline }], all) : all
    const since = summary?.start
    const shown = since ? points.filter((p) => p.date >= since || p.date === baselineDate) : points
    const latestPoint = shown[shown.length - 1]
    const latest = latestPoint?.score ?? valueOf(told?.latest) ?? baseline
    const answered = shown.length > 1
    // The server's sentence holds while no answer here is newer than what it knew.
    const serverLatest = valueOf(told?.latest)
    const localNewer = mineLocal.some((p) => p.pending)
    const useServer = told && told.words && !localNewer && (serverLatest === null || serverLatest === latest)
    const isMeaningful = useServer ? told.meaningful : answered && meaningful(q, baseline, latest)
    const words = useServer
      ? told.words
      : answered
        ? changeWords(q, baseline, latest, isMeaningful)
        : startWords(q, baseline)
    views.push({
      q,
      points: shown,
      baseline,
      baselineDate,
      latest,
      meaningful: isMeaningful,
      threshold: meaningfulLine(q, baseline),
      words,
      change: answered ? Math.round((latest - baseline) * 10) / 10 : null,
    })
  }
  return views
}

/** For a clinician: "6.0 → 4.0 (−2.0, −33%)". */
export function changeNumbers(q: Pick<Questionnaire, 'score'>, baseline: number | null, latest: number | null): string {
  if (latest === null) return '–'
  if (baseline === null || baseline === latest) return formatScore(q, latest)
  const change = Math.round((latest - baseline) * 10) / 10
  const sign = change > 0 ? '+' : '−'
  const percent = baseline ? ` ${sign}${Math.abs(Math.round((change / baseline) * 100))}%` : ''
  return `${formatScore(q, baseline)} → ${formatScore(q, latest)} (${sign}${Math.abs(change).toFixed(q.score.decimals ?? 0)}${percent ? `,${percent}` : ''})`
}

export { valueOf as scoreOf }
