import { setTimeout as sleep } from 'node:timers/promises'
import { afterAll, beforeAll, expect, it } from 'vitest'
import { header, startSmtp } from '../test/reminders/smtp.ts'
import { describeInBrowser, openBrowser, type Browser } from './support/browser.ts'
import { newOrgWithMember, startRoster, type Roster, type SignInAs } from './support/roster.ts'
import { screenshots } from './support/screenshots.ts'
import { apiAs } from './support/seed.ts'
import { signIn } from './support/session.ts'

const shot = screenshots('reminders')

describeInBrowser('sending a reminder', () => {
  let roster: Roster | undefined
  let browser: Browser | undefined
  let ann: SignInAs
  let customerId: string
  let smtp: Awaited<ReturnType<typeof startSmtp>>

  beforeAll(async () => {
    smtp = await startSmtp()
    // The suite's own workers send the reminders, through this SMTP server.
    process.env.SMTP_URL = smtp.url
    const started = await startRoster({ ownDatabase: true })
    roster = started
    const opened = await openBrowser(started.baseURL)
    browser = opened
    ann = await newOrgWithMember(started.store)
    const call = await apiAs(started.app, started.store, ann.organizationId)
    await call('POST', '/workflows', {
      name: 'Standard',
      steps: [
        {
          name: 'First reminder',
          delayDays: 7,
          subject: 'Overdue invoices - {{customer.name}}',
          body: 'Hello {{contact.firstName}},\n\nTwo invoices are overdue.\n\n{{member.name}}',
          to: ['ACCOUNTING'],
          cc: ['main'],
        },
      ],
    })
    customerId = (await call('POST', '/customers', { name: 'Globex', workflow: 'Standard' })).id
    await call('POST', `/customers/${customerId}/contacts`, {
      email: 'boss@globex.example',
      firstName: 'Hank',
      isMain: true,
    })
    await signIn(opened.page, ann)
    // The web build (when its sources changed) and the suite's own database take a while.
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await roster?.close()
    delete process.env.SMTP_URL
  })

  it('sends from the customer page to a contact added on the spot', async () => {
    if (!browser) throw new Error('no browser')
    const { page } = browser
    await page.goto(`/customers/${customerId}`)
    await page.getByRole('heading', { name: 'Globex', level: 1 }).waitFor()
    await page.getByRole('button', { name: 'Send a reminder' }).click()
    const dialog = page.getByRole('dialog', { name: 'Send a reminder' })
    await dialog.getByText('No Accounting contact: sent to the main contact.').waitFor()
    expect(await dialog.getByRole('textbox', { name: 'Subject' }).inputValue()).toBe(
      'Overdue invoices - Globex',
    )

    await dialog.getByRole('textbox', { name: 'New contact email' }).fill('ap@globex.example')
    await dialog.getByRole('textbox', { name: 'First name' }).fill('Ann')
    await dialog.getByRole('button', { name: 'Add contact' }).click()
    await dialog.getByRole('list', { name: 'To' }).getByText('ap@globex.example').waitFor()
    // The main contact, fallen back to in To, is left out: the new contact is enough.
    await dialog.getByRole('button', { name: 'Remove boss@globex.example' }).click()
    await dialog
      .getByRole('textbox', { name: 'Message' })
      .fill('Hello Ann, two invoices are overdue.')
    await shot(page, 'dialog')
    await dialog.getByRole('button', { name: 'Send reminder' }).click()
    await dialog.waitFor({ state: 'hidden' })

    let mail = smtp.mails.find((m) => m.to.includes('ap@globex.example'))
    for (let i = 0; !mail && i < 100; i++) {
      await sleep(200)
      mail = smtp.mails.find((m) => m.to.includes('ap@globex.example'))
    }
    expect(header(mail?.raw ?? '', 'Subject')).toBe('Overdue invoices - Globex')
    expect(mail?.raw).toContain('Hello Ann, two invoices are overdue.')

    const contacts = await browser.page.request.get(`/api/v1/customers/${customerId}/contacts`)
    expect(
      ((await contacts.json()) as { data: { email: string; firstName: string | null }[] }).data,
    ).toContainEqual(expect.objectContaining({ email: 'ap@globex.example', firstName: 'Ann' }))
    await page.reload()
    await page.getByText(/Reminder "First reminder" sent to ap@globex\.example/).waitFor()
    await shot(page, 'history')
  })
})
