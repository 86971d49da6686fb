import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { NetSuiteFake } from '../test/fakes/netsuite/fake-server.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { signIn } from './support/session.ts'
import { openConnectForm } from './support/integrations.ts'

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations with NetSuite', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let netsuite: NetSuiteFake

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    netsuite = await NetSuiteFake.start()
    const acme = netsuite.createCustomer({
      companyname: 'Acme Industries SAS',
      email: 'ap@acme.example',
    })
    netsuite.createContact({ company: acme, email: 'paul@acme.example', firstname: 'Paul' })
    const other = netsuite.createContact({ company: '1', email: 'cfo@holding.example' })
    netsuite.attach(other, acme)
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
    // Its own database and a browser: slow to start on a busy machine.
  }, 300_000)
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await netsuite.stop()
  })

  it('refuses a wrong token secret, connects with the account id and tokens, and syncs a customer with its contacts', async () => {
    const { page } = browser
    const form = await openConnectForm(page)
    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'NetSuite' }).click()
    await form.getByRole('textbox', { name: 'Account ID' }).fill(netsuite.accountId)
    await form.getByLabel('Consumer key').fill(netsuite.consumerKey)
    await form.getByLabel('Consumer secret').fill(netsuite.consumerSecret)
    await form.getByLabel('Token ID').fill(netsuite.tokenId)
    await form.getByLabel('Token secret').fill('not-the-secret')
    // No webhooks: the advanced part holds the base URL only.
    await form.getByRole('button', { name: 'Advanced: base URL' }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(netsuite.url)
    await form.getByRole('button', { name: 'Connect NetSuite' }).click()
    await form.getByText('Refused by NetSuite.').first().waitFor()
    expect(await form.getByRole('alert').textContent()).toContain(
      'NetSuite refused these credentials (Invalid login attempt.',
    )

    await form.getByLabel('Token secret').fill(netsuite.tokenSecret)
    await form.getByRole('button', { name: 'Connect NetSuite' }).click()
    const connected = card(page, 'NetSuite')
    await connected.waitFor()
    await expect
      .poll(
        async () =>
          connected
            .getByText(/\d+ created, \d+ updated/)
            .first()
            .textContent(),
        {
          timeout: 30_000,
        },
      )
      .toBe('1 created, 0 updated, 0 archived, 0 skipped')
    expect(await connected.getByText('Webhook URL').count()).toBe(0)

    await page.getByRole('link', { name: 'Customers' }).click()
    await page.getByRole('link', { name: 'Acme Industries SAS' }).click()
    await page.getByRole('heading', { name: 'Acme Industries SAS', level: 1 }).waitFor()
    await page.getByText('paul@acme.example').first().waitFor()
    expect(await page.getByText('ap@acme.example').count()).toBeGreaterThan(0)
    expect(await page.getByText('cfo@holding.example').count()).toBe(0)
    expect(await page.getByRole('note').first().textContent()).toContain('Change them in NetSuite')
  }, 180_000)
})
