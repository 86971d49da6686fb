import { readFile } from 'node:fs/promises'
import type { Locator, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { seedCustomers } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('customer-admin')

const table = (page: Page): Locator => page.getByRole('table', { name: 'Customers' })
const row = (page: Page, name: string): Locator =>
  table(page).getByRole('row').filter({ hasText: name })
const names = async (page: Page): Promise<string[]> =>
  table(page).locator('tbody tr td:nth-child(2) a').allTextContents()

describeInBrowser('customers by hand', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await seedCustomers(roster.app, roster.store, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('creates a customer by hand, then archives it out of the list and finds it among the archived', async () => {
    const { page } = browser
    await signIn(page, ann)
    await page.goto('/customers')
    await page.getByRole('button', { name: 'Add customers' }).click()
    await page.getByRole('menuitem', { name: 'New customer' }).click()
    const form = page.getByRole('form', { name: 'New customer' })
    await form.getByRole('textbox', { name: 'Name' }).fill('Zénith Créations')
    await form.getByRole('textbox', { name: 'Customer ID' }).fill('C-9001')
    await shot(page, 'new-customer')
    await form.getByRole('button', { name: 'Create customer' }).click()
    await page.getByRole('heading', { name: 'Zénith Créations' }).waitFor()
    expect(new URL(page.url()).pathname).toMatch(/^\/customers\/[0-9a-f-]{36}$/)

    await page.getByRole('button', { name: 'More' }).click()
    await page.getByRole('menuitem', { name: 'Archive' }).click()
    await page.getByRole('button', { name: 'Archive customer' }).click()
    await page.getByText('This customer is archived').waitFor()
    await page.getByText('Customer archived').waitFor()
    await shot(page, 'archived')

    await page.goto('/customers?q=zenith')
    await page.getByRole('status').getByText('No customers match.').waitFor()
    await page.getByRole('switch', { name: 'Show archived customers' }).click()
    await expect.poll(() => names(page), { timeout: 10_000 }).toEqual(['Zénith Créations'])
  })

  it('assigns an account manager to the selected customers in one go', async () => {
    const { page } = browser
    await page.goto('/customers')
    await row(page, 'Initech').waitFor()
    await page.getByRole('checkbox', { name: 'Select Globex France' }).check()
    await page.getByRole('checkbox', { name: 'Select Initech' }).check()
    const bar = page.getByRole('region', { name: 'Bulk actions' })
    await bar.getByText('2 customers selected').waitFor()
    await bar.getByRole('combobox', { name: 'Account manager to assign' }).click()
    await page.getByRole('option', { name: 'Bob Durand' }).click()
    await shot(page, 'bulk-assign')
    await bar.getByRole('button', { name: 'Assign account manager' }).click()
    await row(page, 'Initech').getByText('Bob Durand').waitFor()
    await row(page, 'Globex France').getByText('Bob Durand').waitFor()
    await bar.waitFor({ state: 'detached' })
  })

  it('exports the filtered list as a CSV with semicolons and downloads it', async () => {
    const { page } = browser
    await page.getByRole('searchbox', { name: 'Search' }).fill('initech')
    await expect.poll(() => names(page), { timeout: 10_000 }).toEqual(['Initech'])
    await page.getByRole('button', { name: 'Export' }).click()
    const dialog = page.getByRole('dialog', { name: 'Export customers' })
    await dialog.getByRole('combobox', { name: 'Separator' }).click()
    await page.getByRole('option', { name: 'Semicolon ( ; )' }).click()
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download' }).click(),
    ])
    await dialog.getByText('Export downloaded.').waitFor()
    await shot(page, 'export')
    expect(download.suggestedFilename()).toMatch(/^customers-\d{4}-\d{2}-\d{2}\.csv$/)
    const text = await readFile(await download.path(), 'utf8')
    const lines = text.trimEnd().split('\r\n')
    expect(lines[0]?.startsWith('\uFEFFCustomer Roster ID;Customer name;Customer ID')).toBe(true)
    expect(lines).toHaveLength(2)
    expect(lines[1]).toContain(';Initech;')
    expect(lines[1]).toContain('bob.durand.')
  })
})
