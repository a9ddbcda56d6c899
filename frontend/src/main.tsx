import { render } from 'preact'
import { App } from './app'
import { fetchMe, fetchPlan } from './data'
import { sendExclusions } from './exclusions'
import { sendFlare } from './flare'
import { afterSync } from './hold'
import { onSyncReport, startAutoSync } from './outbox'
import { sendScreening } from './screening'
import './styles.css'

render(<App />, document.getElementById('app')!)
// After each sync: the server's safety answers, then what waits behind the check-ins
// (a hold's release must reach the server after the check-in that opened it).
onSyncReport((report) => {
  void afterSync(report.results).catch(() => undefined)
  void sendScreening().catch(() => undefined)
  // A flare started or ended, or an exercise set aside, with no signal: sent now, and
  // the server's plan (which knows it) read again.
  void Promise.all([sendFlare(), sendExclusions()])
    .then(async ([flare, excluded]) => {
      if (flare) await fetchMe()
      if (flare || excluded) await fetchPlan()
    })
    .catch(() => undefined)
})
startAutoSync()

if ('serviceWorker' in navigator) {
  // After the first paint, so installing the worker never slows the first screen.
  window.addEventListener('load', () => {
    navigator.serviceWorker.register('/sw.js', { scope: '/' }).catch(() => undefined)
  })
  // A tap on a notification can ask an open window to show a screen.
  navigator.serviceWorker.addEventListener('message', (event) => {
    const data = event.data as { type?: string; url?: string } | null
    if (data?.type === 'open' && data.url?.startsWith('/')) location.assign(data.url)
  })
}
