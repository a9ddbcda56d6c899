// Loaded on demand (dynamic import) so uPlot stays out of the first screen's JavaScript.
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import { dayMonth, rollingMean } from '../progress'
import type { SeriesPoint } from '../types'

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

/** The chart's lines, also drawn as its legend (SummaryView). */
export const LINES = {
  pain: { label: 'Pain', color: '--chart-pain', fallback: '#b03a2e' },
  stress: { label: 'Stress', color: '--chart-stress', fallback: '#2f5fa8' },
}

/**
 * Pain and stress: each day's check-in as a faint dot, and a smoothed line (the
 * average of the week around each day) that shows the trend without the daily noise.
 */
export function drawChart(target: HTMLElement, series: SeriesPoint[]): () => void {
  const xs = series.map((p) => Date.parse(`${p.date}T12:00:00Z`) / 1000)
  const text = cssVar('--text', '#1d2624')
  const grid = cssVar('--line', '#cfd6d1')
  const pain = cssVar(LINES.pain.color, LINES.pain.fallback)
  const stress = cssVar(LINES.stress.color, LINES.stress.fallback)
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } }
  const width = () => Math.max(260, target.clientWidth)
  const dots = (color: string) => ({ show: true, size: 6, stroke: color, fill: color, width: 0 })
  const plot = new uPlot(
    {
      width: width(),
      height: 220,
      legend: { show: false },
      cursor: { show: false },
      scales: { x: { time: true }, y: { range: [0, 10] } },
      axes: [
        // Dates in the person's own way of writing them.
        { ...axis, values: (_u: uPlot, splits: number[]) => splits.map((s) => dayMonth(new Date(s * 1000))) },
        // The scale (0 to 10) is in the ticks; a rotated axis title was clipped on a phone.
        { ...axis, scale: 'y' },
      ],
      series: [
        {},
        { label: 'Pain, each day', stroke: 'transparent', points: dots(pain), scale: 'y', spanGaps: false },
        { label: 'Stress, each day', stroke: 'transparent', points: dots(stress), scale: 'y', spanGaps: false },
        { label: 'Pain, the week around', stroke: pain, width: 3, scale: 'y', spanGaps: true, points: { show: false } },
        { label: 'Stress, the week around', stroke: stress, width: 3, dash: [8, 5], scale: 'y', spanGaps: true, points: { show: false } },
      ],
    },
    [
      xs,
      series.map((p) => p.pain),
      series.map((p) => p.stress),
      rollingMean(series.map((p) => p.pain)),
      rollingMean(series.map((p) => p.stress)),
    ],
    target,
  )
  const onResize = () => plot.setSize({ width: width(), height: 220 })
  window.addEventListener('resize', onResize)
  return () => {
    window.removeEventListener('resize', onResize)
    plot.destroy()
  }
}
