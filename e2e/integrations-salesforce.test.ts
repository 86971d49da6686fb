import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { SalesforceFake } from '../test/fakes/salesforce/fake-server.ts'
import { StripeFake } from '../test/fakes/stripe/fake-server.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'
import { openConnectForm } from './support/integrations.ts'

const shot = screenshots('integrations-salesforce')

const card = (page: Page, name: string): Locator => page.getByRole('region', { name })

describeInBrowser('settings → integrations with Salesforce as the contact source', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let stripe: StripeFake
  let salesforce: SalesforceFake

  beforeAll(async () => {
    roster = await startRoster({ ownDatabase: true })
    stripe = await StripeFake.start()
    const acme = String(stripe.createCustomer({ name: 'Acme', email: 'billing@acme.example' }).id)
    stripe.createCustomer({ name: 'Cactus', email: 'ap@cactus.example' })
    salesforce = await SalesforceFake.start()
    const account = salesforce.addAccount({ Name: 'Acme Corp', AccountNumber: acme })
    salesforce.addContact(account, {
      FirstName: 'Lucie',
      LastName: 'Moreau',
      Email: 'lucie@acme.example',
      Title: 'Comptable',
    })
    const cactus = salesforce.addAccount({ Name: 'Cactus' })
    salesforce.addContact(cactus, { LastName: 'Vert', Email: 'vert@cactus.example' })
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
  }, 240_000)
  afterAll(async () => {
    await browser.close()
    await roster.close()
    await stripe.stop()
    await salesforce.stop()
  })

  it('connects Salesforce through its consent page, matches accounts, and becomes the contact source', async () => {
    const { page } = browser
    const form = await openConnectForm(page)

    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Stripe' }).click()
    await form.getByLabel('Stripe API key').fill(stripe.apiKey)
    await form.getByRole('button', { name: /^Advanced/ }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(stripe.url)
    await form.getByRole('button', { name: 'Connect Stripe' }).click()
    await card(page, 'Stripe').waitFor()

    await form.getByRole('combobox', { name: 'System' }).click()
    await page.getByRole('option', { name: 'Salesforce' }).click()
    expect(await form.getByLabel('Refresh token').count()).toBe(0)
    await form.getByRole('textbox', { name: 'Consumer key' }).fill(salesforce.clientId)
    await form.getByLabel('Consumer secret').fill(salesforce.clientSecret)
    await form.getByRole('button', { name: /^Advanced/ }).click()
    await form.getByRole('textbox', { name: 'Base URL' }).fill(salesforce.url)
    await form.getByRole('textbox', { name: 'Account field to match' }).fill('AccountNumber')
    await shot(page, 'connect-form')
    await form.getByRole('button', { name: 'Continue to Salesforce' }).click()
    await page.getByRole('heading', { name: 'Allow Access?' }).waitFor()
    await page.getByRole('link', { name: 'Allow' }).click()
    await card(page, 'Salesforce').waitFor()
    await shot(page, 'connected')

    // The choice says what it replaces.
    const source = page.getByRole('region', { name: 'Contact source' })
    await source.getByText('Choosing Salesforce replaces').waitFor()
    await source.getByRole('combobox', { name: 'Sync contacts from' }).click()
    await page.getByRole('option', { name: 'Salesforce' }).click()
    await source.getByText('Salesforce contacts replace the billing system’s contacts').waitFor()
    await card(page, 'Salesforce').getByRole('button', { name: 'Sync now' }).click()

    await card(page, 'Salesforce')
      .getByRole('button', { name: 'Show the matching of customers' })
      .click()
    const matched = card(page, 'Salesforce').getByRole('table', { name: 'Matched customers' })
    await matched.getByRole('cell', { name: 'Acme Corp' }).waitFor({ timeout: 20_000 })
    const confirm = card(page, 'Salesforce').getByRole('button', {
      name: 'Confirm Cactus is Cactus',
    })
    await confirm.waitFor()
    await shot(page, 'matching')
    await confirm.click()
    await matched.getByRole('cell', { name: 'Confirmed by an admin' }).waitFor()

    await page.getByRole('link', { name: 'Customers' }).click()
    // The confirmed name match queued a full run, which brings Cactus its Salesforce contact too:
    // the list shows it once that run is over (the page does not poll: read it again until then).
    await expect
      .poll(
        async () => {
          await page.reload()
          await page.getByRole('link', { name: 'Acme', exact: true }).waitFor()
          return page.getByText('vert@cactus.example').count()
        },
        { timeout: 60_000, interval: 500 },
      )
      .toBeGreaterThan(0)
    await shot(page, 'customers')
    await page.getByRole('link', { name: 'Acme', exact: true }).click()
    await page.getByRole('heading', { name: 'Acme', exact: true, level: 1 }).waitFor()
    await page.getByText('lucie@acme.example').first().waitFor()
    await page.getByText('Comptable').first().waitFor()
    await page.getByRole('note').filter({ hasText: 'Salesforce' }).first().waitFor()
    expect(await page.getByRole('button', { name: 'Add a contact' }).count()).toBe(0)
    await shot(page, 'customer-contacts')
  })
})
