import { afterEach, describe, expect, it, vi } from 'vitest'
import { ApiError, fetchReport, OfflineError, patientReportUrl, reportUrl } from '../src/api'

afterEach(() => vi.unstubAllGlobals())

const pdf = () => new Response(new Blob(['%PDF-1.4 ...'], { type: 'application/pdf' }), { status: 200, headers: { 'Content-Type': 'application/pdf' } })
const json = (body: unknown, status: number) => new Response(JSON.stringify(body), { status, headers: { 'Content-Type': 'application/json' } })

describe('the visit report download', () => {
  it('names the span in the address, for the patient and for a clinician', () => {
    expect(reportUrl(90)).toBe('/api/v1/me/report/?days=90')
    expect(patientReportUrl(7, 28)).toBe('/api/v1/care/patients/7/report/?days=28')
  })

  it('takes the PDF when the server answers it at once', async () => {
    const fetch = vi.fn(async () => pdf())
    vi.stubGlobal('fetch', fetch)
    const { blob } = await fetchReport(reportUrl(28))
    expect(await blob.text()).toMatch(/^%PDF-/)
    expect(fetch).toHaveBeenCalledTimes(1)
  })

  it('while the server draws it (202), asks the poll address until the PDF is ready', async () => {
    const answers = [json({ status: 'pending', poll: '/api/v1/me/report/jobs/abc/' }, 202), json({ status: 'pending', poll: '/api/v1/me/report/jobs/abc/' }, 202), pdf()]
    const fetch = vi.fn(async () => answers.shift()!)
    vi.stubGlobal('fetch', fetch)
    const { blob } = await fetchReport(reportUrl(90), { every: 1 })
    expect(await blob.text()).toMatch(/^%PDF-/)
    expect(fetch.mock.calls.map((c) => (c as unknown[])[0])).toEqual(['/api/v1/me/report/?days=90', '/api/v1/me/report/jobs/abc/', '/api/v1/me/report/jobs/abc/'])
  })

  it('a poll that answers 200 "pending" is asked again; the server\'s file name is kept', async () => {
    const named = new Response(new Blob(['%PDF-1.4']), { status: 200, headers: { 'Content-Type': 'application/pdf', 'Content-Disposition': 'attachment; filename="visit-report-2026-12-03.pdf"' } })
    const answers = [json({ status: 'pending', poll: '/p/' }, 202), json({ status: 'pending' }, 200), named]
    vi.stubGlobal('fetch', vi.fn(async () => answers.shift()!))
    const { blob, filename } = await fetchReport(reportUrl(90), { every: 1 })
    expect(await blob.text()).toMatch(/^%PDF-/)
    expect(filename).toBe('visit-report-2026-12-03.pdf')
  })

  it('with no signal it says so (an OfflineError the screen words calmly)', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => Promise.reject(new TypeError('Failed to fetch'))))
    await expect(fetchReport(reportUrl(28))).rejects.toBeInstanceOf(OfflineError)
  })

  it('a refusal names the field, as the server said it', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ days: ['Choose 28 or 90.'] }, 400)))
    const error = await fetchReport('/api/v1/me/report/?days=5').catch((e: unknown) => e)
    expect(error).toBeInstanceOf(ApiError)
    expect((error as ApiError).message).toBe('days: Choose 28 or 90.')
  })

  it('gives up after its tries with a calm word, never polling forever', async () => {
    vi.stubGlobal('fetch', vi.fn(async () => json({ status: 'pending', poll: '/x/' }, 202)))
    const error = await fetchReport(reportUrl(90), { every: 1, tries: 3 }).catch((e: unknown) => e)
    expect((error as ApiError).message).toMatch(/taking longer than usual/)
  })
})
