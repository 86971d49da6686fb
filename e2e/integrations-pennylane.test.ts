import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { PennylaneFake } from '../test/fakes/pennylane/fake-server.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'
import { openConnectForm } from './support/integrations.ts'

const shot = screenshots('integrations-pennylane')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations → Pennylane', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let pennylane: PennylaneFake

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    pennylane = await PennylaneFake.start()
    pennylane.createCustomer({
      name: 'Wayne Enterprises',
      emails: ['ap@wayne.example', 'cfo@wayne.example', 'accounts at wayne'],
    })
    pennylane.createCustomer({
      customer_type: 'individual',
      first_name: 'Jeanne',
      last_name: 'Roux',
      emails: ['jeanne@roux.example'],
    })
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
    // Starting Roster, its own database and Chromium: slow on a busy machine.
  }, 240_000)
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await pennylane.stop()
  })

  it('shows a token Pennylane refuses, then connects with the right one and runs the first sync', async () => {
    const { page } = browser
    const form = await openConnectForm(page)
    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Pennylane' }).click()

    await form.getByLabel('Pennylane API token').fill('not-the-token')
    await form.getByRole('button', { name: 'Advanced: base URL' }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(pennylane.url)
    await form.getByRole('button', { name: 'Connect Pennylane' }).click()
    await form.getByText('Refused by Pennylane.').waitFor()
    expect(await form.getByRole('alert').textContent()).toContain(
      'Pennylane refused these credentials (Unauthorized)',
    )

    await form.getByLabel('Pennylane API token').fill(pennylane.apiToken)
    await form.getByRole('button', { name: 'Connect Pennylane' }).click()
    await card(page, 'Pennylane').waitFor()
    const facts = card(page, 'Pennylane').getByText(/\d+ created, \d+ updated/)
    await expect
      .poll(async () => ((await facts.count()) ? facts.first().textContent() : null), {
        timeout: 20_000,
      })
      .toBe('2 created, 0 updated, 0 archived, 1 skipped')
    await shot(page, 'connected')
  })

  it('brings each address of the email list as a contact, the first main, locked by Pennylane', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'Jeanne Roux' }).waitFor()
    await page.getByRole('link', { name: 'Wayne Enterprises' }).click()
    await page.getByRole('heading', { name: 'Wayne Enterprises', level: 1 }).waitFor()
    await page.getByText('cfo@wayne.example').first().waitFor()
    const main = page.getByRole('row').filter({ hasText: 'ap@wayne.example' })
    expect(await main.textContent()).toMatch(/main/i)
    expect(await page.getByText('accounts at wayne').count()).toBe(0)
    await page
      .getByRole('note')
      .filter({ hasText: 'The contacts of this customer are read-only' })
      .waitFor()
    expect(await page.getByRole('note').first().textContent()).toContain('Change them in Pennylane')
    expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
    await shot(page, 'customer-synced')
  })
})
