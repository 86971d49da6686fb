import { afterAll, beforeAll, expect, it } from 'vitest'
import { createApiKey } from '../src/modules/organizations/api-keys.service.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('import-recovery')

describeInBrowser('fixing rejected lines in place, then undoing an import', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let key: string

  const call = async (method: 'GET' | 'PUT' | 'POST', url: string, payload?: object) => {
    const res = await roster.app.inject({
      method,
      url: `/api/v1${url}`,
      headers: { authorization: `Bearer ${key}` },
      ...(payload ? { payload: payload as Record<string, unknown> } : {}),
    })
    if (res.statusCode >= 300) throw new Error(`${method} ${url}: ${res.statusCode} ${res.body}`)
    return res.json()
  }

  /** Imports a CSV through the API with its suggested mapping, and waits for its end. */
  async function imported(name: string, content: string): Promise<string> {
    const boundary = 'rosterRecoveryBoundary'
    const res = await roster.app.inject({
      method: 'POST',
      url: '/api/v1/imports',
      headers: {
        authorization: `Bearer ${key}`,
        'content-type': `multipart/form-data; boundary=${boundary}`,
      },
      payload: Buffer.from(
        `--${boundary}\r\nContent-Disposition: form-data; name="file"; filename="${name}"\r\n\r\n${content}\r\n--${boundary}--\r\n`,
      ),
    })
    const preview = res.json()
    await call('PUT', `/imports/${preview.id}/mapping`, { mapping: preview.suggestedMapping })
    await call('POST', `/imports/${preview.id}/start`)
    await expect
      .poll(async () => (await call('GET', `/imports/${preview.id}`)).finishedAt, {
        timeout: 60_000,
      })
      .not.toBeNull()
    return preview.id
  }

  const customerNames = async (): Promise<string[]> =>
    ((await call('GET', '/customers?limit=100')).data as { name: string }[])
      .map((c) => c.name)
      .sort()

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store, { name: 'Acme Finance' })
    ;({ key } = await createApiKey(roster.store.db, ann.organizationId, { name: 'e2e seed' }))
  })
  afterAll(async () => {
    await browser.close()
    await roster.close()
  })

  it('fixes a rejected line in the grid, imports it, then undoes that import', async () => {
    const { page } = browser
    const first = await imported(
      'people.csv',
      [
        'Customer name;Contact email;First name',
        'Alpha;not an email;Ann',
        'Beta;bob@beta.fr;Bob',
      ].join('\r\n'),
    )
    expect(await customerNames()).toEqual(['Beta'])

    await signIn(page, ann)
    await page.goto(`/imports/${first}`)
    const grid = page.getByRole('table', { name: 'Lines to fix' })
    const email = grid.getByRole('textbox', { name: 'Contact email, line 2' })
    await email.waitFor()
    expect(await email.inputValue()).toBe('not an email')
    await grid.getByText(/not a valid email|valid email address/).waitFor()
    const submit = page.getByRole('button', { name: 'Import the fixed lines' })
    expect(await submit.isDisabled()).toBe(true)

    // Checked again as it is typed.
    await email.fill('ann@alpha')
    await grid.getByText('Enter a valid email address, like name@company.com.').waitFor()
    expect(await submit.isDisabled()).toBe(true)
    await email.fill('ann@alpha.fr')
    await expect
      .poll(() => grid.getByText('Enter a valid email address, like name@company.com.').count())
      .toBe(0)
    await shot(page, 'fixed-line')
    await submit.click()

    // The follow-up import, linked to the first one.
    await page.getByRole('link', { name: 'the earlier import' }).waitFor()
    const follow = new URL(page.url()).pathname.split('/').pop() ?? ''
    expect(follow).not.toBe(first)
    await page.getByText('Completed').first().waitFor({ timeout: 60_000 })
    expect(await customerNames()).toEqual(['Alpha', 'Beta'])
    expect((await call('GET', `/imports/${first}`)).retries).toEqual([follow])
    await shot(page, 'follow-up')

    // Undone, after a confirmation.
    await page.getByRole('button', { name: 'Undo this import' }).click()
    const dialog = page.getByRole('dialog', { name: 'Undo this import?' })
    await dialog.getByRole('button', { name: 'Undo the import' }).click()
    await page.getByText(/^Undone on .* by /).waitFor()
    await page
      .getByText('Customers: 1 removed, 0 put back. Contacts: 1 removed, 0 put back.')
      .waitFor()
    expect(await page.getByRole('button', { name: 'Undo this import' }).count()).toBe(0)
    expect(await customerNames()).toEqual(['Beta'])
    await shot(page, 'undone')

    await page.goto('/imports')
    const row = page.getByRole('table', { name: 'Import history' }).getByRole('row', {
      name: /people - fixed lines\.csv/,
    })
    await row.getByText('Undone').waitFor()
  })
})
