import type { Locator, Page } from 'playwright-core'
import { customers } from '../src/platform/db/schema/index.ts'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { seedCustomers } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('export-reimport')

const names = async (page: Page): Promise<string[]> =>
  page
    .getByRole('table', { name: 'Customers' })
    .locator('tbody tr td:nth-child(2) a')
    .allTextContents()

/** The counts of a row of the import's summary (created, updated, unchanged, rejected). */
const counts = (summary: Locator, row: string): Promise<string[]> =>
  summary
    .getByRole('row', { name: new RegExp(`^${row}`) })
    .getByRole('cell')
    .allTextContents()

describeInBrowser('exporting a filtered list and importing it again', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let file = ''

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

  it('downloads the customers one workflow follows, with their contacts and account managers', async () => {
    const { page } = browser
    await signIn(page, ann)
    await page.goto('/customers?workflow=Gentle')
    await expect
      .poll(async () => (await names(page)).sort(), { timeout: 10_000 })
      .toEqual(
        [
          'Acme SAS',
          'Cabinet Lefèvre',
          'Éditions du Parc',
          'Garage Moreau',
          'Imprimerie Roux',
          'Kiosque Bernard',
          'Menuiserie Fournier',
        ].sort(),
      )
    await page.getByRole('button', { name: 'Export' }).click()
    const dialog = page.getByRole('dialog', { name: 'Export customers' })
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      dialog.getByRole('button', { name: 'Download' }).click(),
    ])
    await dialog.getByText('Export downloaded.').waitFor()
    await shot(page, 'exported')
    file = await download.path()
    await dialog.getByRole('button', { name: 'Close' }).first().click()
  })

  it('imports the downloaded file unchanged: every line read, nothing created, updated or rejected', async () => {
    const { page } = browser
    await page.goto('/imports/new')
    const [chooser] = await Promise.all([
      page.waitForEvent('filechooser'),
      page.getByRole('button', { name: 'Choose a file' }).click(),
    ])
    await chooser.setFiles(file)
    await page.getByRole('combobox', { name: 'Separator' }).waitFor()
    await page.getByRole('button', { name: 'Next: map the columns' }).click()
    // The export's own columns are the import's: each is mapped without a hand.
    for (const [column, field] of [
      ['Customer name', 'Customer name'],
      ['Customer ID', 'Customer ID'],
      ['Contact email', 'Contact email'],
      ['Account managers', 'Account manager'],
      ['Workflow', 'Workflow'],
      ['Main contact', 'Main contact'],
    ]) {
      const picker = page.getByRole('combobox', { name: `Roster field for column ${column}` })
      expect(await picker.inputValue()).toBe(field)
    }
    await page.getByRole('button', { name: 'Next: review' }).click()
    const plan = page.getByRole('table', { name: 'What the import will do' })
    await plan.waitFor()
    await shot(page, 'review')
    // Acme has two contacts: 8 lines, 7 customers.
    expect(await counts(plan, 'Lines')).toEqual(['0', '0', '8', '0'])
    expect(await counts(plan, 'Customers')).toEqual(['0', '0', '7', '—'])
    expect(await counts(plan, 'Contacts')).toEqual(['0', '0', '8', '—'])

    await page.getByRole('button', { name: /^Submit: import/ }).click()
    await page.getByText('The import is complete').waitFor()
    const done = page.getByRole('table', { name: 'What the import did' })
    expect(await counts(done, 'Lines')).toEqual(['0', '0', '8', '0'])
    expect(await counts(done, 'Customers')).toEqual(['0', '0', '7', '—'])
    expect(await counts(done, 'Contacts')).toEqual(['0', '0', '8', '—'])
    await shot(page, 'unchanged')
  })
})

describeInBrowser('selecting every customer a filter finds', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await seedCustomers(roster.app, roster.store, ann)
    // More than the list loads at once (100), so that ticking the rows shown is not all of them.
    await roster.store.db.insert(customers).values(
      Array.from({ length: 130 }, (_, i) => ({
        organizationId: ann.organizationId,
        name: `Papeterie ${String(i).padStart(3, '0')}`,
      })),
    )
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  it('offers all the matching customers once the rows shown are ticked, and archives them all', async () => {
    const { page } = browser
    await signIn(page, ann)
    await page.goto('/customers?q=papeterie')
    const table = page.getByRole('table', { name: 'Customers' })
    await table.getByRole('row').filter({ hasText: 'Papeterie 000' }).waitFor()
    await page.getByRole('checkbox', { name: 'Select all customers shown' }).check()
    const bar = page.getByRole('region', { name: 'Bulk actions' })
    await bar.getByText('100 customers selected').waitFor()
    await bar.getByRole('button', { name: 'Select all 130 customers matching this filter' }).click()
    await bar.getByText('All 130 customers matching this filter are selected').waitFor()
    await shot(page, 'select-all-matching')
    await bar.getByRole('button', { name: 'Archive' }).click()
    await page.getByRole('dialog', { name: 'Archive 130 customers?' }).waitFor()
    await page.getByRole('button', { name: 'Archive', exact: true }).last().click()
    await page.getByRole('status').getByText('No customers match.').waitFor()
    await bar.waitFor({ state: 'detached' })
    // The others are still there.
    await page.goto('/customers')
    await table.getByRole('row').filter({ hasText: 'Acme SAS' }).waitFor()
    expect(await table.getByRole('row').filter({ hasText: 'Papeterie' }).count()).toBe(0)
  })
})
