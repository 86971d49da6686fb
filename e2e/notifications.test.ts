import { afterAll, beforeAll, expect, it } from 'vitest'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('notifications')

describeInBrowser('notifications and profile', () => {
  let roster: Roster
  let browser: Browser
  let ann: SignInAs

  beforeAll(async () => {
    roster = await startRoster()
    browser = await openBrowser(roster.baseURL)
    ann = await newOrgWithMember(roster.store)
    await signIn(browser.page, ann)
  })
  afterAll(async () => {
    await browser.close()
    await roster.app.close()
  })

  /** Runs an import through the API with the member's session, as the wizard does. */
  async function runImport(fileName: string, csv: string): Promise<string> {
    const { page } = browser
    const upload = await page.request.post('/api/v1/imports', {
      multipart: { file: { name: fileName, mimeType: 'text/csv', buffer: Buffer.from(csv) } },
    })
    expect(upload.status()).toBe(201)
    const preview = (await upload.json()) as { id: string; suggestedMapping: (string | null)[] }
    const mapped = await page.request.put(`/api/v1/imports/${preview.id}/mapping`, {
      data: { mapping: preview.suggestedMapping },
    })
    expect(mapped.status()).toBe(200)
    expect((await page.request.post(`/api/v1/imports/${preview.id}/start`)).status()).toBe(202)
    return preview.id
  }

  it('rings the bell when imports the member started have finished, and links to them', async () => {
    const { page } = browser
    const importId = await runImport(
      'customers.csv',
      'Customer name;Customer ID\nAcme;C-1\nGlobex;C-2\n',
    )
    await runImport('more.csv', 'Customer name;Customer ID\nInitech;C-3\n')

    const bell = page.getByRole('button', { name: /^Notifications/ })
    await expect
      .poll(
        async () => {
          await page.reload()
          await bell.waitFor()
          return bell.getAttribute('aria-label')
        },
        { timeout: 30_000, interval: 1_000 },
      )
      .toBe('Notifications, 2 unread')
    await bell.click()
    const item = page.getByRole('button', { name: 'Unread: Import of customers.csv completed' })
    await item.waitFor()
    await page.getByText('2 lines applied.').waitFor()
    await shot(page, 'bell', { tour: 'notifications' })

    await item.click()
    await page.waitForURL(`**/imports/${importId}`)
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications, 1 unread')
  })

  it('marks every notification read at once', async () => {
    const { page } = browser
    const bell = page.getByRole('button', { name: /^Notifications/ })
    await bell.click()
    await page.getByRole('button', { name: 'Unread: Import of more.csv completed' }).waitFor()
    await page.getByRole('button', { name: 'Mark all read' }).click()
    await page.getByRole('button', { name: 'Import of more.csv completed' }).waitFor()
    await expect.poll(() => bell.getAttribute('aria-label')).toBe('Notifications')
    expect(await page.getByRole('button', { name: 'Mark all read' }).isDisabled()).toBe(true)
    await shot(page, 'all-read')
    await page.keyboard.press('Escape')
  })

  it('saves the name and the notification channels on the profile page', async () => {
    const { page } = browser
    await page.getByRole('button', { name: /Account menu/ }).click()
    await page.getByRole('menuitem', { name: 'Profile' }).click()
    await page.getByRole('heading', { name: 'Profile' }).waitFor()
    await page.getByRole('textbox', { name: 'Name' }).fill('Ann Martin-Durand')
    await page.getByRole('switch', { name: 'By email' }).check({ force: true })
    await page.getByRole('switch', { name: 'On Slack' }).check({ force: true })
    await page.getByRole('button', { name: 'Save profile' }).click()
    await page.getByText('Add a Slack webhook URL to get notifications on Slack.').first().waitFor()
    await shot(page, 'profile-needs-webhook')

    await page
      .getByRole('textbox', { name: 'Slack webhook URL' })
      .fill('https://hooks.slack.com/services/T000/B000/XXXX')
    await page.getByRole('button', { name: 'Save profile' }).click()
    await page.getByText('Profile saved.').waitFor()
    await page.getByRole('banner').getByText('Ann Martin-Durand').waitFor()
    await shot(page, 'profile', { tour: 'profile' })

    const profile = await page.request.get('/api/v1/profile')
    expect(await profile.json()).toMatchObject({
      name: 'Ann Martin-Durand',
      notifications: {
        inApp: true,
        email: true,
        slack: true,
        slackWebhookUrl: 'https://hooks.slack.com/services/T000/B000/XXXX',
      },
    })
  })
})
