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
    await call('POST', `/customers/${customerId}/contacts`, {
      email: 'sam@globex.example',
      firstName: 'Sam',
    })
    await signIn(opened.page, ann)
    // The web build (when its sources changed) and the suite's own database take a while.
  }, 240_000)
  afterAll(async () => {
    await browser?.close()
    await roster?.close()
    delete process.env.SMTP_URL
  })

  it('sends from the customer page to a contact added on the spot, the main contact changed there', async () => {
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
    await dialog
      .getByRole('list', { name: 'To' })
      .getByText(/boss@globex\.example/)
      .waitFor()

    // Sam becomes the main contact: the recipients are resolved again, to Sam.
    await dialog.getByRole('combobox', { name: 'Main contact' }).click()
    await page.getByRole('option', { name: 'Sam · sam@globex.example' }).click()
    await dialog
      .getByRole('list', { name: 'To' })
      .getByText(/sam@globex\.example/)
      .waitFor()
    expect(await dialog.getByRole('textbox', { name: 'Message' }).inputValue()).toContain(
      'Hello Sam,',
    )

    await dialog.getByRole('textbox', { name: 'New contact email' }).fill('ap@globex.example')
    await dialog.getByRole('textbox', { name: 'First name' }).fill('Ann')
    await dialog.getByRole('button', { name: 'Add contact' }).click()
    await dialog.getByRole('list', { name: 'To' }).getByText('ap@globex.example').waitFor()
    // The main contact, fallen back to in To, is left out: the new contact is enough.
    await dialog.getByRole('button', { name: 'Remove sam@globex.example' }).click()
    await dialog
      .getByRole('textbox', { name: 'Message' })
      .fill('Hello Ann, two invoices are overdue.')
    await shot(page, 'dialog')
    await dialog.getByRole('button', { name: 'Send reminder' }).click()
    await dialog.waitFor({ state: 'hidden' })

    // The suite's workers send it.
    await expect
      .poll(() => smtp.mails.some((m) => m.to.includes('ap@globex.example')), { timeout: 20_000 })
      .toBe(true)
    const mail = smtp.mails.find((m) => m.to.includes('ap@globex.example'))
    expect(mail?.to).toEqual(['ap@globex.example'])
    expect(header(mail?.raw ?? '', 'Subject')).toBe('Overdue invoices - Globex')
    expect(mail?.raw).toContain('Hello Ann, two invoices are overdue.')

    const contacts = await browser.page.request.get(`/api/v1/customers/${customerId}/contacts`)
    expect(
      ((await contacts.json()) as { data: { email: string; firstName: string | null }[] }).data,
    ).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ email: 'ap@globex.example', firstName: 'Ann', isMain: false }),
        expect.objectContaining({ email: 'sam@globex.example', isMain: true }),
      ]),
    )
    await page.reload()
    await page.getByText(/Reminder "First reminder" sent to ap@globex\.example/).waitFor()
    await shot(page, 'history')

    // Sam asks to receive no reminders: the next draft passes over him.
    const samSwitch = page.getByRole('switch', { name: 'Send reminders to sam@globex.example' })
    await samSwitch.click({ force: true })
    await page.getByText('No reminders', { exact: true }).waitFor()
    expect(await samSwitch.isChecked()).toBe(false)
    await page.getByRole('button', { name: 'Send a reminder' }).click()
    await dialog
      .getByText(/The main contact cannot receive it: sam@globex\.example receives no reminders/)
      .waitFor()
    // Ann has no role: nobody is left for the step's recipients.
    await dialog.getByText(/Nobody can receive this reminder/).waitFor()
    expect(await dialog.getByRole('button', { name: 'Send reminder' }).isDisabled()).toBe(true)
    await shot(page, 'nobody-left')
  })
})
