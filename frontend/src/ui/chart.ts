// Loaded on demand (dynamic import) so uPlot stays out of the first screen's JavaScript.
import uPlot from 'uplot'
import 'uplot/dist/uPlot.min.css'
import type { SeriesPoint } from '../types'

function cssVar(name: string, fallback: string): string {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim() || fallback
}

export function drawChart(target: HTMLElement, series: SeriesPoint[]): () => void {
  const xs = series.map((p) => Date.parse(`${p.date}T12:00:00Z`) / 1000)
  const text = cssVar('--text', '#1d2624')
  const grid = cssVar('--line', '#cfd6d1')
  const axis = { stroke: text, grid: { stroke: grid, width: 1 }, ticks: { stroke: grid } }
  const width = () => Math.max(260, target.clientWidth)
  const plot = new uPlot(
    {
      width: width(),
      height: 220,
      scales: { x: { time: true }, y: { range: [0, 10] }, h: { range: [0, 12] } },
      axes: [axis, { ...axis, scale: 'y', label: '0-10' }, { ...axis, scale: 'h', side: 1, label: 'hours', grid: { show: false } }],
      series: [
        {},
        { label: 'Pain', stroke: '#c0392b', width: 2, scale: 'y', spanGaps: true },
        { label: 'Stress', stroke: '#2f6bc0', width: 2, dash: [6, 4], scale: 'y', spanGaps: true },
        { label: 'Sleep', stroke: '#2f8f5f', width: 2, dash: [2, 3], scale: 'h', spanGaps: true },
      ],
    },
    [xs, series.map((p) => p.pain), series.map((p) => p.stress), series.map((p) => p.sleep_hours)],
    target,
  )
  const onResize = () => plot.setSize({ width: width(), height: 220 })
  window.addEventListener('resize', onResize)
  return () => {
    window.removeEventListener('resize', onResize)
    plot.destroy()
  }
}
