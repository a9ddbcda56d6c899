// "Why this, from where": one disclosure under every exercise, lesson and safety
// message, with the reason in plain words and where it comes from.
import type { Source, SourceRef } from '../types'

/** A source as shown: objects as they are; a bare id cached from an older server as its id. */
export function asSource(ref: SourceRef): Source {
  return typeof ref === 'string' ? { id: ref, title: ref } : ref
}

/** The sources worth listing: no blanks, each once. */
export function sourceList(refs: SourceRef[] | undefined | null): Source[] {
  const seen = new Set<string>()
  const out: Source[] = []
  for (const ref of refs ?? []) {
    if (!ref) continue
    const source = asSource(ref)
    if (!source.id || seen.has(source.id)) continue
    seen.add(source.id)
    out.push(source)
  }
  return out
}

/** Links only to web addresses; anything else is shown as plain text. */
const safeUrl = (url: string | undefined) => (url && /^https?:\/\//i.test(url) ? url : undefined)

export function Sources({ why, sources, label = 'Why this, from where' }: { why?: string | null; sources?: SourceRef[] | null; label?: string }) {
  const list = sourceList(sources)
  if (!why && list.length === 0) return null
  return (
    <details class="sources" data-testid="sources">
      <summary>{label}</summary>
      {why && <p class="sources-why">{why}</p>}
      {list.length > 0 && (
        <>
          <p class="small muted sources-from">From:</p>
          <ul class="sources-list small">
            {list.map((s) => {
              const url = safeUrl(s.url)
              return (
                <li key={s.id}>
                  {url ? (
                    <a href={url} target="_blank" rel="noopener noreferrer">
                      {s.title}
                    </a>
                  ) : (
                    <span class="source-title">{s.title}</span>
                  )}
                  {s.author && <span class="muted"> · {s.author}</span>}
                </li>
              )
            })}
          </ul>
        </>
      )}
    </details>
  )
}
