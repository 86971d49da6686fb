import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Download, Page } from 'playwright-core'
import { afterAll, beforeAll, expect, it } from 'vitest'
import type { JobHooks } from '../src/app/jobs.ts'
import { describeInBrowser, laptop, openBrowser, phone, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'

const shot = screenshots('imports')

// What the workers await after each chunk an import commits: set by a test that must find an
// import still running, whatever the machine's speed.
let afterImportChunk: JobHooks['afterImportChunk']

// "Dossier" is a header Roster does not know: the member maps it to Customer ID by hand.
const csv = [
  'Company;Dossier;Email;First name;Last name;Country',
  'Hélios Énergie;HEL-001;compta@helios.example;Marie;Dubois;France',
  'Müller GmbH;MUS-204;buchhaltung@muller.example;Hans;Müller;Germany',
  'Brightside Ltd;BRS-017;not-an-email;Sam;Taylor;United Kingdom',
  'Nordlys AS;NOR-555;faktura@nordlys.example;Ingrid;Berg;Norway',
  '',
].join('\r\n')

async function chooseFile(page: Page, path: string): Promise<void> {
  const [chooser] = await Promise.all([
    page.waitForEvent('filechooser'),
    page.getByRole('button', { name: 'Choose a file' }).click(),
  ])
  await chooser.setFiles(path)
}

async function downloaded(page: Page, click: () => Promise<void>): Promise<Download> {
  const [download] = await Promise.all([page.waitForEvent('download'), click()])
  return download
}

async function contentOf(download: Download): Promise<Buffer> {
  return readFile(await download.path())
}

/** Picks the Roster field of a column in the mapping step, with the keyboard only. */
async function mapColumn(page: Page, column: string, field: string): Promise<void> {
  const picker = page.getByRole('combobox', { name: `Roster field for column ${column}` })
  await picker.focus()
  await page.keyboard.press('ControlOrMeta+a')
  await page.keyboard.type(field)
  await page.getByRole('option', { name: new RegExp(`^${field}\\b`) }).waitFor()
  await page.keyboard.press('ArrowDown')
  await page.keyboard.press('Enter')
  expect(await picker.inputValue()).toBe(field)
}

describeInBrowser('importing customers in the wizard, then reading the history', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs
  let dir: string
  let file: string

  beforeAll(async () => {
    // A small upload limit, to see a file over it refused.
    roster = await startRoster({
      importMaxBytes: 1024 * 1024,
      hooks: { afterImportChunk: (chunk) => afterImportChunk?.(chunk) },
    })
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store, { name: 'Acme Finance' })
    dir = await mkdtemp(join(tmpdir(), 'roster-e2e-imports-'))
    file = join(dir, 'customers.csv')
    await writeFile(file, csv)
    await writeFile(join(dir, 'logo.png'), Buffer.from([0x89, 0x50, 0x4e, 0x47, 0, 0, 0, 0]))
    await writeFile(join(dir, 'too-large.csv'), `Name\n${'Acme Industries\n'.repeat(80_000)}`)
    const many = Array.from(
      { length: 12_000 },
      (_, i) => `Client ${i};C-${i};billing${i}@client${i}.example;France`,
    )
    await writeFile(
      join(dir, 'many.csv'),
      ['Company;Customer ID;Email;Country', ...many].join('\n'),
    )
  })
  afterAll(async () => {
    afterImportChunk = undefined
    await browser.close()
    await roster.app.close()
    await rm(dir, { recursive: true, force: true })
  })

  it('opens Import or Assign customers from the Add customers menu', async () => {
    const { page } = browser
    await page.goto('/customers')
    await page.getByRole('textbox', { name: 'Email' }).fill(ann.email)
    await page.getByRole('textbox', { name: 'Password' }).fill(ann.password)
    await page.getByRole('button', { name: 'Sign in' }).click()
    await page.getByRole('button', { name: 'Add customers' }).click()
    await page.getByRole('menuitem', { name: 'Import history' }).waitFor()
    await shot(page, 'add-customers-menu')
    await page.getByRole('menuitem', { name: 'Import or Assign customers' }).click()
    await page.getByRole('heading', { name: 'Import or Assign customers' }).waitFor()
    expect(new URL(page.url()).pathname).toBe('/imports/new')
    await expect(page.getByRole('link', { name: /template/ }).count()).resolves.toBe(4)
    const template = await downloaded(page, () =>
      page.getByRole('link', { name: 'Customers and contacts template' }).click(),
    )
    expect((await contentOf(template)).toString()).toContain('Contact email')
    await shot(page, 'upload', { tour: 'import-upload' })
  })

  it("refuses a file it cannot read, or too large, with the API's reason", async () => {
    const { page } = browser
    const alert = page.getByRole('alert').filter({ hasText: 'This file cannot be imported' })
    await chooseFile(page, join(dir, 'logo.png'))
    await alert.getByText('This file is an image (PNG), not a spreadsheet.').waitFor()
    await shot(page, 'refused')

    await chooseFile(page, join(dir, 'too-large.csv'))
    await alert.getByText('The file is larger than the 1 MB limit').waitFor()
    expect(new URL(page.url()).searchParams.get('import')).toBeNull()
  })

  it('uploads a CSV, shows what was detected and reads it again with another separator', async () => {
    const { page } = browser
    await chooseFile(page, file)
    const separator = page.getByRole('combobox', { name: 'Separator' })
    await separator.waitFor()
    expect(new URL(page.url()).searchParams.get('import')).toMatch(/^[0-9a-f-]{36}$/)
    expect(await separator.inputValue()).toBe('Semicolon (;)')
    expect(await page.getByRole('combobox', { name: 'Encoding' }).inputValue()).toBe('UTF-8')
    expect(await page.getByRole('textbox', { name: 'Header row' }).inputValue()).toBe('1')
    const sample = page.getByRole('table', { name: 'First lines of the file' })
    await sample.getByRole('cell', { name: 'not-an-email' }).waitFor()
    await shot(page, 'detected', { tour: 'import-detected' })

    await separator.click()
    await page.getByRole('option', { name: 'Comma (,)' }).click()
    await sample.getByText('1 column;').waitFor()
    await separator.click()
    await page.getByRole('option', { name: 'Semicolon (;)' }).click()
    await sample.getByText('6 columns;').waitFor()
  })

  it('maps the columns, marks the required fields and shows the bad email on its cell', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Next: map the columns' }).click()
    const dossier = page.getByRole('combobox', { name: 'Roster field for column Dossier' })
    expect(await dossier.inputValue()).toBe('Ignore this column')
    const company = page.getByRole('combobox', { name: 'Roster field for column Company' })
    expect(await company.inputValue()).toBe('Customer name')
    const required = page.getByRole('group', { name: 'Required fields' })
    expect(await required.textContent()).toContain('Contact email — column Email')

    await mapColumn(page, 'Dossier', 'Customer ID')
    const preview = page.getByRole('table', { name: /Preview of the first lines/ })
    await preview.getByRole('columnheader', { name: 'Customer ID' }).waitFor()
    const badCell = preview.getByRole('cell', { name: /not-an-email/ })
    await badCell.getByText('is not a valid email address').waitFor()
    await page.getByText('Checked: 1 of 4 lines will be rejected').waitFor()
    await badCell.scrollIntoViewIfNeeded()
    await shot(page, 'mapped', { tour: 'import-map' })

    // A field already mapped cannot be picked for a second column.
    await page.getByRole('combobox', { name: 'Roster field for column Last name' }).click()
    const taken = page.getByRole('option', { name: /Customer name/ })
    expect(await taken.getAttribute('aria-disabled')).toBe('true')
    await page.keyboard.press('Escape')
  })

  it('reviews the dry run: what will be created, and the rejected line with its reason', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Next: review' }).click()
    const summary = page.getByRole('table', { name: 'What the import will do' })
    await summary.waitFor()
    const cells = async (row: string) =>
      summary
        .getByRole('row', { name: new RegExp(`^${row}`) })
        .getByRole('cell')
        .allTextContents()
    expect(await cells('Lines')).toEqual(['3', '0', '0', '1'])
    expect(await cells('Customers')).toEqual(['3', '0', '0', '—'])
    expect(await cells('Contacts')).toEqual(['3', '0', '0', '—'])
    const rejected = page.getByRole('table', { name: 'Rejected lines' })
    const line = rejected.getByRole('row', { name: /not-an-email/ })
    // The rejected lines arrive after the counts: reading the cells does not wait for them.
    await line.waitFor()
    expect(await line.getByRole('cell').allTextContents()).toEqual([
      '4',
      'Email',
      'not-an-email',
      '"not-an-email" is not a valid email address; write it like name@company.com.',
    ])
    await shot(page, 'review', { tour: 'import-review' })
  })

  it('submits the import and shows its counts once it is complete', async () => {
    const { page } = browser
    await page.getByRole('button', { name: 'Submit: import 3 lines' }).click()
    await page.getByText('The import is complete').waitFor()
    const summary = page.getByRole('table', { name: 'What the import did' })
    expect(
      await summary
        .getByRole('row', { name: /^Lines/ })
        .getByRole('cell')
        .allTextContents(),
    ).toEqual(['3', '0', '0', '1'])
    await shot(page, 'completed', { tour: 'import-completed' })

    // The import ran on the server: reopening the wizard's address shows its outcome again.
    await page.reload()
    await page.getByText('The import is complete').waitFor()
    await page.getByRole('button', { name: 'Download the error file' }).waitFor()
  })

  it('lists the import in the history and gives back its rejected line, error file and file', async () => {
    const { page } = browser
    await page.getByRole('link', { name: 'Open the import history' }).click()
    const history = page.getByRole('table', { name: 'Import history' })
    const row = history.getByRole('row', { name: /customers\.csv/ })
    await row.waitFor()
    const cells = await row.getByRole('cell').allTextContents()
    expect(cells.slice(1)).toEqual([
      ann.email,
      'customers.csv',
      'Completed',
      '4',
      '3',
      '0',
      '0',
      '1',
    ])
    await shot(page, 'history', { tour: 'import-history' })

    const original = await downloaded(page, () =>
      row.getByRole('link', { name: 'customers.csv' }).click(),
    )
    expect((await contentOf(original)).toString()).toBe(csv)

    await row.getByRole('link').first().click()
    await page.getByRole('heading', { name: 'Import of customers.csv' }).waitFor()
    const rejected = page.getByRole('table', { name: 'Rejected lines' })
    await rejected.getByRole('cell', { name: /is not a valid email address/ }).waitFor()
    await shot(page, 'details', { tour: 'import-details' })

    const errors = await downloaded(page, () =>
      page.getByRole('button', { name: 'Download the error file' }).click(),
    )
    expect(errors.suggestedFilename()).toBe('customers - rejected lines.csv')
    const text = (await contentOf(errors)).toString('utf8').replace(/^\uFEFF/, '')
    const [header, ...lines] = text.trim().split(/\r?\n/)
    expect(header?.split(';')).toEqual([
      'Company',
      'Dossier',
      'Email',
      'First name',
      'Last name',
      'Country',
      'Error',
    ])
    expect(lines).toHaveLength(1)
    expect(lines[0]).toContain('not-an-email')
    expect(lines[0]).toContain('is not a valid email address')
  })

  it('keeps the wizard and the history readable on a phone; a discarded upload shows as cancelled', async () => {
    const { page } = browser
    await page.setViewportSize(phone)
    await page.goto('/imports/new')
    await page.getByText('Step 1 of 5: Upload').waitFor()
    await shot(page, 'upload-phone')
    await chooseFile(page, file)
    await page.getByRole('button', { name: 'Next: map the columns' }).click()
    await page.getByText('Step 2 of 5: Map').waitFor()
    await page.getByRole('combobox', { name: 'Roster field for column Dossier' }).waitFor()
    await shot(page, 'map-phone')

    await page.getByRole('button', { name: 'Back' }).click()
    await page.getByRole('button', { name: 'Choose another file' }).click()
    await page.getByRole('button', { name: 'Choose a file' }).waitFor()
    expect(new URL(page.url()).searchParams.get('import')).toBeNull()

    await page.goto('/imports')
    const cards = page.getByRole('list', { name: 'Imports' }).getByRole('listitem')
    await cards.first().getByText('Cancelled').waitFor()
    expect(await cards.count()).toBe(2)
    await cards.nth(1).getByText('4 lines: 3 created, 0 updated, 0 unchanged, 1 rejected').waitFor()
    await shot(page, 'history-phone')
    await page.setViewportSize(laptop)
  })

  it('shows a running import again when its page is reopened, and cancels it', async () => {
    const { page } = browser
    // The import waits after its first chunk of customers (chunk 0 holds groups) until the cancel
    // is asked for: on a fast machine it would otherwise be over before the test reopens its page.
    const { promise: cancelAsked, resolve: release } = Promise.withResolvers<undefined>()
    afterImportChunk = (chunk) => (chunk >= 1 ? cancelAsked : undefined)
    await page.goto('/imports/new')
    await chooseFile(page, join(dir, 'many.csv'))
    await page.getByRole('button', { name: 'Next: map the columns' }).click()
    await page.getByText('This file is large: its lines are checked when you continue').waitFor()
    await page.getByRole('button', { name: 'Next: review' }).click()
    await page
      .getByRole('button', { name: 'Submit: import 12,000 lines' })
      .click({ timeout: 90_000 })
    await page.getByRole('progressbar', { name: 'Import progress' }).waitFor()
    await page.getByText(/(Reading and checking|Saving) .* of 12,000/).waitFor()
    await shot(page, 'running', { tour: 'import-running' })
    const id = new URL(page.url()).searchParams.get('import')

    // Leaving the page leaves the import running; its page shows the progress again.
    await page.goto('/imports')
    const row = page.getByRole('table', { name: 'Import history' }).getByRole('row', {
      name: /many\.csv/,
    })
    expect(await row.getByRole('cell').nth(3).textContent()).toMatch(/Running|Waiting to start/)
    await page.goto(`/imports/${id}`)
    await page.getByRole('progressbar', { name: 'Import progress' }).waitFor()
    // Cancelled before its first chunk of customers is saved (at "0 of 12,000" on a loaded
    // machine), it would save no line: the cancel is asked once that chunk is saved, the run
    // being held after it.
    await page
      .getByText('Saving the customers and contacts: 2,000 of 12,000 lines')
      .waitFor({ timeout: 90_000 })
    await page.getByRole('button', { name: 'Cancel the import' }).click()
    const dialog = page.getByRole('dialog', { name: 'Cancel this import?' })
    await dialog.getByRole('button', { name: 'Cancel the import' }).click()
    await page.getByText('The import stops after the customers it is saving now.').first().waitFor()
    release(undefined)
    afterImportChunk = undefined
    await page.getByText('The import was cancelled').waitFor({ timeout: 90_000 })
    await page.getByText('2,000 lines were saved before it stopped.').waitFor()
    await shot(page, 'cancelled')
  }, 180_000)

  it('pages through the rejected lines of the dry run', async () => {
    const { page } = browser
    const bad = Array.from({ length: 30 }, (_, i) => `Client ${i};C-${i};wrong-${i}`)
    await writeFile(join(dir, 'bad.csv'), ['Company;Customer ID;Email', ...bad].join('\n'))
    await page.goto('/imports/new')
    await chooseFile(page, join(dir, 'bad.csv'))
    await page.getByRole('button', { name: 'Next: map the columns' }).click()
    await page.getByRole('button', { name: 'Next: review' }).click()
    await page.getByRole('heading', { name: 'Rejected lines (30)' }).waitFor()
    const rows = page.getByRole('table', { name: 'Rejected lines' }).locator('tbody tr')
    expect(await rows.count()).toBe(25)
    expect(await page.getByRole('button', { name: 'Submit: import 0 lines' }).isDisabled()).toBe(
      true,
    )
    const pager = page.getByRole('navigation', { name: 'Pages of rejected lines' })
    await pager.getByRole('button', { name: 'Next page' }).click()
    await pager.getByText('Page 2').waitFor()
    // The page's number changes at the click, its lines when they arrive: wait for them.
    const firstLine = () => rows.first().getByRole('cell').first().textContent()
    await expect.poll(firstLine).toBe('27')
    expect(await rows.count()).toBe(5)
    await pager.getByRole('button', { name: 'Previous page' }).click()
    await pager.getByText('Page 1').waitFor()
    await expect.poll(firstLine).toBe('2')
  })

  it('maps the role values Roster does not know in their own step, then imports every line', async () => {
    const { page } = browser
    await writeFile(
      join(dir, 'roles.csv'),
      [
        'Company;Customer ID;Email;Rôle',
        'Alpha;R-1;a@alpha.example;Comptabilité',
        'Beta;R-2;b@beta.example;Trésorerie',
        'Gamma;R-3;c@gamma.example;trésorerie',
        '',
      ].join('\n'),
    )
    await page.goto('/imports/new')
    await chooseFile(page, join(dir, 'roles.csv'))
    await page.getByRole('button', { name: 'Next: map the columns' }).click()
    await page.getByRole('button', { name: 'Next: review' }).click()
    const values = page.getByRole('table', { name: 'Values to map' })
    await values.getByRole('cell', { name: 'Trésorerie', exact: true }).waitFor()
    await values.getByRole('cell', { name: '2 lines' }).waitFor()
    // Comptabilité is known: only the unknown value is asked.
    expect(await values.locator('tbody tr').count()).toBe(1)
    await page.getByRole('combobox', { name: 'Role for "Trésorerie"' }).click()
    await page.getByRole('option', { name: 'Payer' }).click()
    await shot(page, 'values')
    await page.getByRole('button', { name: 'Next: review' }).click()
    await page.getByRole('table', { name: 'What the import will do' }).waitFor()
    await page.getByRole('button', { name: 'Submit: import 3 lines' }).click()
    await page.getByRole('table', { name: 'What the import did' }).waitFor()
  })

  it('filters the history by status and discards an upload never submitted', async () => {
    const { page } = browser
    await page.goto('/imports/new')
    await chooseFile(page, join(dir, 'roles.csv'))
    await page.getByRole('combobox', { name: 'Separator' }).waitFor()
    await page.goto('/imports')
    await page.getByRole('combobox', { name: 'Status' }).click()
    await page.getByRole('option', { name: 'Not submitted' }).click()
    const rows = page.getByRole('table', { name: 'Import history' }).locator('tbody tr')
    // The file just left, and the one whose every line was rejected at the review.
    await expect.poll(() => rows.count()).toBe(2)
    await shot(page, 'history-not-submitted')
    await page.getByRole('button', { name: 'Discard roles.csv' }).click()
    await expect.poll(() => rows.count()).toBe(1)
    await page.getByRole('button', { name: 'Discard bad.csv' }).click()
    await page.getByText('No import has this status.').waitFor()
  })
})
