import { useMemo, useState } from 'preact/hooks'
import { findEntry } from '../../merge'
import { recordJournal } from '../../outbox'
import { useDraft } from '../../ui/hooks'
import type { JournalData, LocalEntry } from '../../types'

interface Draft {
  feeling: string
  wantToFeel: string
  gratitude: [string, string, string]
  // The reframing prompts (issue 17); optional in a draft kept from before them.
  inControl?: string
  anxious?: string
  kinder?: string
}

const EMPTY: Draft = { feeling: '', wantToFeel: '', gratitude: ['', '', ''], inControl: '', anxious: '', kinder: '' }

function fromEntry(entry?: LocalEntry): Draft | undefined {
  if (!entry || entry.deleted) return undefined
  const d = entry.data as JournalData
  const g = d.gratitude ?? []
  return {
    feeling: d.feeling ?? '',
    wantToFeel: d.want_to_feel ?? '',
    gratitude: [g[0] ?? '', g[1] ?? '', g[2] ?? ''],
    inControl: d.in_control ?? '',
    anxious: d.anxious_thought ?? '',
    kinder: d.kinder_view ?? '',
  }
}

/** The evening journal prompts; every keystroke is kept on the device. */
export function Journal({ date, entries }: { date: string; entries: LocalEntry[] }) {
  const saved = useMemo(() => findEntry(entries, 'journal', (d) => d.date === date), [entries, date])
  const { draft, update: keep, clear } = useDraft(`draft:journal:${date}`, fromEntry(saved), EMPTY)
  const [message, setMessage] = useState('')
  if (!draft) return null

  const update = (changes: Partial<Draft>) => {
    keep(changes)
    setMessage('')
  }
  const save = async (event: Event) => {
    event.preventDefault()
    const data: JournalData = { date }
    if (draft.feeling.trim()) data.feeling = draft.feeling.trim()
    if (draft.wantToFeel.trim()) data.want_to_feel = draft.wantToFeel.trim()
    const gratitude = draft.gratitude.map((g) => g.trim()).filter(Boolean)
    if (gratitude.length) data.gratitude = gratitude
    if (draft.inControl?.trim()) data.in_control = draft.inControl.trim()
    if (draft.anxious?.trim()) data.anxious_thought = draft.anxious.trim()
    if (draft.kinder?.trim()) data.kinder_view = draft.kinder.trim()
    await recordJournal(data)
    await clear()
    setMessage('Journal saved.')
  }
  return (
    <section aria-labelledby="journal-title" class="card">
      <h2 id="journal-title">Journal</h2>
      <p class="small muted">A few words are enough. Only you see this unless you choose to share it.</p>
      <form onSubmit={save}>
        <div class="field">
          <label for="feeling">What emotions am I feeling today?</label>
          <textarea id="feeling" value={draft.feeling} onInput={(e) => update({ feeling: (e.currentTarget as HTMLTextAreaElement).value })} />
        </div>
        <div class="field">
          <label for="want-to-feel">How do I want to feel instead?</label>
          <textarea
            id="want-to-feel"
            value={draft.wantToFeel}
            onInput={(e) => update({ wantToFeel: (e.currentTarget as HTMLTextAreaElement).value })}
          />
        </div>
        <fieldset class="reframe">
          <legend>A kinder look at worries</legend>
          <p class="hint">Optional. Worry tightens the body; naming it and looking again often loosens both.</p>
          <div class="field">
            <label for="in-control">What is in my control today?</label>
            <textarea id="in-control" value={draft.inControl ?? ''} onInput={(e) => update({ inControl: (e.currentTarget as HTMLTextAreaElement).value })} />
          </div>
          <div class="reframe-pair">
            <div class="field">
              <label for="anxious-thought">An anxious thought</label>
              <textarea id="anxious-thought" value={draft.anxious ?? ''} onInput={(e) => update({ anxious: (e.currentTarget as HTMLTextAreaElement).value })} />
            </div>
            <div class="field">
              <label for="kinder-view">A kinder way to see it</label>
              <textarea
                id="kinder-view"
                value={draft.kinder ?? ''}
                placeholder={draft.anxious?.trim() ? 'What would you say to a friend who thought this?' : undefined}
                onInput={(e) => update({ kinder: (e.currentTarget as HTMLTextAreaElement).value })}
              />
            </div>
          </div>
        </fieldset>
        <fieldset>
          <legend>Three things I'm grateful for</legend>
          {draft.gratitude.map((value, i) => (
            <div class="field" key={i}>
              <label for={`gratitude-${i}`}>{`Grateful for (${i + 1} of 3)`}</label>
              <input
                id={`gratitude-${i}`}
                type="text"
                value={value}
                onInput={(e) => {
                  const gratitude = [...draft.gratitude] as Draft['gratitude']
                  gratitude[i] = (e.currentTarget as HTMLInputElement).value
                  update({ gratitude })
                }}
              />
            </div>
          ))}
        </fieldset>
        <button type="submit" class="primary">
          Save journal
        </button>
        <p role="status" class="small">
          {message}
        </p>
      </form>
    </section>
  )
}
