/** The person's time zone: what the phone says, and a picker of every IANA zone. */

export function detectedTimezone(): string {
  try {
    return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC'
  } catch {
    return 'UTC'
  }
}

export function timezones(): string[] {
  const intl = Intl as unknown as { supportedValuesOf?: (key: string) => string[] }
  try {
    return intl.supportedValuesOf?.('timeZone') ?? []
  } catch {
    return []
  }
}

export function TimezoneSelect({ value, onChange }: { value: string; onChange: (zone: string) => void }) {
  const zones = timezones()
  const options = zones.includes(value) ? zones : [value, ...zones]
  return (
    <div class="field">
      <label for="timezone">Time zone</label>
      <select id="timezone" value={value} onChange={(e) => onChange((e.currentTarget as HTMLSelectElement).value)}>
        {options.map((zone) => (
          <option key={zone} value={zone}>
            {zone.replace(/_/g, ' ')}
          </option>
        ))}
      </select>
      <p class="hint">Your day starts and ends in this time zone.</p>
    </div>
  )
}
