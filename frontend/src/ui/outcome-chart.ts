// Loaded on demand (dynamic import) so uPlot stays out of the first screen's JavaScript.
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { dayMonth } from '../progress'

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

export interface OutcomeChartData {
  dates: string[]
  scores: number[]
  baseline: number
  /** Where a change becomes meaningful (the published threshold), if there is one. */
  threshold: number | null
  min: number
  max: number
}

/**
 * One questionnaire's scores over time: each answer a dot on a line, the baseline a
 * dashed line, the meaningful-change threshold a dotted one.
 */
export function drawOutcomeChart(target: HTMLElement, data: OutcomeChartData): () => void {
  const text = cssVar('--text', '#1d2624')
  const grid = cssVar('--line', '#cfd6d1')
  const line = cssVar('--accent', '#2f6b5f')
  const muted = cssVar('--muted', '#4d5a56')
  const done = cssVar('--done', '#25613a')
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } }
  const width = () => Math.max(240, target.clientWidth)
  let xs = data.dates.map((d) => Date.parse(`${d}T12:00:00Z`) / 1000)
  let scores = data.scores
  // A single answer still shows as a point with its baseline around it.
  if (xs.length === 1) {
    xs = [xs[0] - 3 * 86400, xs[0], xs[0] + 3 * 86400]
    scores = [null as unknown as number, scores[0], null as unknown as number]
  }
  const flat = (value: number | null) => xs.map(() => value)
  const height = 160
  const plot = new uPlot(
    {
      width: width(),
      height,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: [data.min, data.max] } },
      axes: [
        // One label a date: uPlot may split a short span into half days.
        { ...axis, space: 70, values: (_u: uPlot, splits: number[]) => splits.map((s, i) => (i > 0 && dayMonth(new Date(splits[i - 1] * 1000)) === dayMonth(new Date(s * 1000)) ? '' : dayMonth(new Date(s * 1000)))) },
        { ...axis, scale: 'y', size: 40 },
      ],
      series: [
        {},
        { label: 'Score', stroke: line, width: 3, scale: 'y', spanGaps: true, points: { show: true, size: 9, stroke: line, fill: line } },
        { label: 'Where you started', stroke: muted, width: 2, dash: [8, 5], scale: 'y', points: { show: false } },
        ...(data.threshold === null ? [] : [{ label: 'A meaningful change', stroke: done, width: 2, dash: [2, 4], scale: 'y', points: { show: false } }]),
      ],
    },
    [xs, scores, flat(data.baseline), ...(data.threshold === null ? [] : [flat(data.threshold)])] as uPlot.AlignedData,
    target,
  )
  const onResize = () => plot.setSize({ width: width(), height })
  window.addEventListener('resize', onResize)
  return () => {
    window.removeEventListener('resize', onResize)
    plot.destroy()
  }
}
