// A small in-memory stand-in for POST/GET /api/v1/sync/ (API.md), used as the far end
// of the network in unit tests: it applies the same per-entry rules the contract states
// (backend/tracker/services.py, _decide).
import type { OutgoingEntry, ServerEntry, SyncEntry, SyncResult } from '../src/types'

interface Stored extends SyncEntry {
  seq: number
  latest: number
  writer?: string
  from?: number
}

/** JSON with sorted keys: the server compares content, not key order. */
function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`
  if (value && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).filter(([, v]) => v !== undefined)
    return `{${entries.sort(([a], [b]) => (a < b ? -1 : 1)).map(([k, v]) => `${JSON.stringify(k)}:${canonical(v)}`).join(',')}}`
  }
  return JSON.stringify(value)
}

export class SyncServer {
  stored = new Map<string, Stored>()
  posts: OutgoingEntry[][] = []
  offline = false
  seq = 0
  pageSize = 500
  /** Called with each batch before it is answered (to simulate edits in flight). */
  beforeAnswer?: () => Promise<void>
  reject?: (entry: SyncEntry) => Record<string, string[]> | undefined

  fetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    if (this.offline) throw new TypeError('Failed to fetch')
    const url = new URL(String(input), 'http://localhost')
    if (url.pathname === '/_allauth/browser/v1/config') return json({ status: 200, data: {} })
    if (url.pathname !== '/api/v1/sync/') return json({ detail: 'Not found.' }, 404)
    if (init?.method === 'POST') {
      const { entries, cursor } = JSON.parse(String(init.body)) as { entries: OutgoingEntry[]; cursor?: string }
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
    return json({ entries: page.map(copy), cursor: String(next), has_more: newer.length > page.length })
  }

  /** The server's copy of an entry, as pulled. */
  copy(clientId: string): SyncEntry | undefined {
    const stored = this.stored.get(clientId)
    return stored && copy(stored)
  }

  apply(entry: OutgoingEntry): SyncResult {
    const errors = this.reject?.(entry)
    const id = entry.client_id
    if (errors) return { client_id: id, status: 'rejected', errors }
    const at = Date.parse(entry.updated_at)
    const row = this.stored.get(id)
    const write = (): Stored => {
      const { client_id, type, updated_at, deleted, data } = entry
      const stored = { client_id, type, updated_at, deleted, data, seq: ++this.seq, latest: Math.max(at, row?.latest ?? at), writer: entry.device, from: entry.base_version }
      this.stored.set(id, stored)
      return stored
    }
    if (!row) return { client_id: id, status: 'created', version: write().seq }
    if (row.deleted === entry.deleted && canonical(row.data) === canonical(entry.data)) {
      row.latest = Math.max(row.latest, at)
      return { client_id: id, status: 'unchanged', version: row.seq }
    }
    const base = entry.base_version
    let status: 'updated' | 'stale' | 'conflict'
    if (base === undefined) status = at > row.latest ? 'updated' : 'stale'
    else if (base > row.seq) return { client_id: id, status: 'rejected', errors: { base_version: ['Not given by the server.'] } }
    else if (base === row.seq) status = 'updated'
    else if (entry.device && row.writer === entry.device) {
      status = row.from === base && at > Date.parse(row.updated_at) ? 'updated' : 'stale'
    } else status = 'conflict'
    if (status === 'updated') return { client_id: id, status, version: write().seq }
    row.latest = Math.max(row.latest, at)
    return { client_id: id, status, server: copy(row) }
  }
}

function copy({ client_id, type, updated_at, deleted, data, seq }: Stored): ServerEntry {
  return { client_id, type, updated_at, deleted, data, version: seq } as ServerEntry
}

function json(body: unknown, status = 200): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })
}
