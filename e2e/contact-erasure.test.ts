import { readFile } from 'node:fs/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { seedCustomers } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('contact-erasure')

describeInBrowser("a contact's personal data (GDPR)", () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await seedCustomers(roster.app, roster.store, ann)
    await signIn(browser.page, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('downloads what Roster holds about a contact, then erases it after a typed confirmation', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Acme SAS' }).click()
    await page.getByRole('heading', { name: 'Acme SAS', level: 1 }).waitFor()

    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page
        .getByRole('button', { name: 'Download the personal data of sales@acme.example' })
        .click(),
    ])
    const saved = JSON.parse(await readFile(await download.path(), 'utf8'))
    expect(saved.contact).toMatchObject({ email: 'sales@acme.example' })

    await page
      .getByRole('button', { name: 'Erase the personal data of sales@acme.example' })
      .click()
    const dialog = page.getByRole('dialog', { name: "Erase sales@acme.example's personal data?" })
    const erase = dialog.getByRole('button', { name: 'Erase personal data' })
    expect(await erase.isDisabled()).toBe(true)
    await dialog.getByRole('textbox', { name: 'Type ERASE to confirm' }).fill('ERASE')
    await shot(page, 'confirm')
    await erase.click()
    await dialog.waitFor({ state: 'hidden' })
    await page
      .getByRole('table', { name: 'Contacts' })
      .getByText('sales@acme.example')
      .waitFor({ state: 'detached' })
    await page.getByText('Contact erased: its personal data was removed').first().waitFor()
    await page.getByText("The contact's personal data was erased.").waitFor()
    expect(await page.getByText('sales@acme.example').count()).toBe(0)
    await shot(page, 'erased')
  })
})
