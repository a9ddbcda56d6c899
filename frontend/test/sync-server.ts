// A small in-memory stand-in for POST/GET /api/v1/sync/ (API.md), used as the far end
// of the network in unit tests: it applies the same per-entry rules the contract states.
import type { SyncEntry, SyncResult } from '../src/types'

export class SyncServer {
  stored = new Map<string, SyncEntry & { seq: number }>()
  posts: SyncEntry[][] = []
  offline = false
  seq = 0
  pageSize = 500
  /** Called with each batch before it is answered (to simulate edits in flight). */
  beforeAnswer?: () => Promise<void>
  reject?: (entry: SyncEntry) => unknown

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (this.offline) throw new TypeError('Failed to fetch')
    const url = new URL(String(input), 'http://localhost')
    if (url.pathname === '/_allauth/browser/v1/config') return json({ status: 200, data: {} })
    if (url.pathname !== '/api/v1/sync/') return json({ detail: 'Not found.' }, 404)
    if (init?.method === 'POST') {
      const { entries, cursor } = JSON.parse(String(init.body)) as { entries: SyncEntry[]; cursor?: string }
      this.posts.push(entries)
      const before = this.seq
      const results = entries.map((entry) => this.apply(entry))
      await this.beforeAnswer?.()
      // As the real server: the cursor moves past this batch only if it was current.
      return json({ results, cursor: Number(cursor || 0) === before ? String(this.seq) : (cursor ?? '') })
    }
    const cursor = Number(url.searchParams.get('cursor') || 0)
    const newer = [...this.stored.values()].filter((e) => e.seq > cursor).sort((a, b) => a.seq - b.seq)
    const page = newer.slice(0, this.pageSize)
    const next = page.length ? page[page.length - 1].seq : cursor
    return json({
      entries: page.map(({ seq: _seq, ...e }) => e),
      cursor: String(next),
      has_more: newer.length > page.length,
    })
  }

  apply(entry: SyncEntry): SyncResult {
    const errors = this.reject?.(entry)
    if (errors) return { client_id: entry.client_id, status: 'rejected', errors }
    const existing = this.stored.get(entry.client_id)
    if (!existing) {
      this.stored.set(entry.client_id, { ...entry, seq: ++this.seq })
      return { client_id: entry.client_id, status: 'created' }
    }
    const diff = Date.parse(entry.updated_at) - Date.parse(existing.updated_at)
    if (diff < 0) return { client_id: entry.client_id, status: 'stale' }
    if (diff === 0) return { client_id: entry.client_id, status: 'unchanged' }
    this.stored.set(entry.client_id, { ...entry, seq: ++this.seq })
    return { client_id: entry.client_id, status: 'updated' }
  }
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}
