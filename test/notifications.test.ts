import { randomUUID } from 'node:crypto'
import { createServer } from 'node:http'
import type { AddressInfo } from 'node:net'
import { SMTPServer } from 'smtp-server'
import { eq } from 'drizzle-orm'
import { afterAll, describe, expect, it } from 'vitest'
import {
  deliverNotification,
  type DeliverData,
} from '../src/modules/notifications/notifications.job.ts'
import {
  listNotifications,
  notifyAdmins,
  notifyMember,
  type NotificationMessage,
} from '../src/modules/notifications/notifications.service.ts'
import { updateProfile } from '../src/modules/organizations/profile.service.ts'
import { loadConfig } from '../src/platform/config.ts'
import { members } from '../src/platform/db/schema/index.ts'
import {
  client,
  json,
  newMember,
  newOrg,
  testApp,
  testQueue,
  testStore,
  type TestOrg,
} from './support.ts'

const store = await testStore()
const app = await testApp(store)
const queue = await testQueue(store)

const closed = (server: { close(done: () => void): unknown }) =>
  new Promise<void>((resolve) => {
    server.close(() => {
      resolve()
    })
  })

// A real SMTP server, so the email goes through nodemailer and the SMTP protocol end to end.
interface ReceivedMail {
  user: string | undefined
  to: string[]
  raw: string
}
const mails: ReceivedMail[] = []
const smtp = new SMTPServer({
  authOptional: true,
  allowInsecureAuth: true,
  disabledCommands: ['STARTTLS'],
  logger: false,
  onAuth(auth, _session, callback) {
    callback(null, { user: auth.username })
  },
  onData(stream, session, callback) {
    const chunks: Buffer[] = []
    stream.on('data', (chunk: Buffer) => chunks.push(chunk))
    stream.on('end', () => {
      mails.push({
        user: typeof session.user === 'string' ? session.user : undefined,
        to: session.envelope.rcptTo.map((r) => r.address),
        raw: Buffer.concat(chunks).toString('utf8'),
      })
      callback()
    })
  },
})
await new Promise<void>((resolve) => {
  smtp.listen(0, '127.0.0.1', resolve)
})
afterAll(() => closed(smtp))
const smtpPassword = 'smtp-pa55word'
const smtpUrl = `smtp://roster:${smtpPassword}@127.0.0.1:${(smtp.server.address() as AddressInfo).port}`

// A stand-in for Slack's incoming webhooks: answers what it is told to, then 200 "ok".
const slack = {
  posts: [] as { path: string; body: unknown }[],
  answers: [] as { status: number; text: string }[],
}
const slackServer = createServer((request, response) => {
  const chunks: Buffer[] = []
  request.on('data', (chunk: Buffer) => chunks.push(chunk))
  request.on('end', () => {
    slack.posts.push({
      path: request.url ?? '',
      body: JSON.parse(Buffer.concat(chunks).toString('utf8')),
    })
    const answer = slack.answers.shift() ?? { status: 200, text: 'ok' }
    response.writeHead(answer.status, { 'content-type': 'text/plain' }).end(answer.text)
  })
})
await new Promise<void>((resolve) => {
  slackServer.listen(0, '127.0.0.1', resolve)
})
afterAll(() => closed(slackServer))
// Profiles take Slack's host only; the job is told to post there through the stand-in.
const slackBase = `http://127.0.0.1:${(slackServer.address() as AddressInfo).port}`
const newWebhook = (): string => `https://hooks.slack.com/services/T0001/B0001/${randomUUID()}`

const publicUrl = 'https://roster.example.com'
const password = 'correct horse battery'
const config = loadConfig({ ...process.env, SMTP_URL: smtpUrl, ROSTER_PUBLIC_URL: publicUrl })
const deps = { db: store.db, config, slackOrigin: slackBase }

const warnings: string[] = []
process.on('warning', (warning) => warnings.push(warning.message))

const importFinished = (importId: string): NotificationMessage => ({
  kind: 'import_completed',
  title: 'Import of customers.csv finished',
  body: '120 lines imported, 3 rejected.',
  subject: { importId },
})

const notify = (org: TestOrg, memberId: string, message: NotificationMessage) =>
  store.db.transaction((tx) => notifyMember(tx, queue, org.id, memberId, message))

const queuedJobs = (org: TestOrg) =>
  queue.boss.findJobs<DeliverData>(deliverNotification.name, {
    data: { organizationId: org.id },
    queued: true,
  })

/** Runs the organisation's queued deliveries once each, as a worker would, and clears them. */
async function deliverQueued(
  org: TestOrg,
  with_: Parameters<typeof deliverNotification.handle>[0] = deps,
) {
  const jobs = await queuedJobs(org)
  for (const job of jobs) await deliverNotification.handle(with_, job.data, job)
  if (jobs.length > 0) {
    await queue.boss.deleteJob(
      deliverNotification.name,
      jobs.map((job) => job.id),
    )
  }
  return jobs
}

const mailsTo = (email: string) => mails.filter((mail) => mail.to.includes(email))
const postsTo = (webhook: string) => slack.posts.filter((post) => webhook.endsWith(post.path))

// Enough of MIME for assertions: undoes quoted-printable soft breaks and escapes.
const decoded = (raw: string): string =>
  raw
    .replace(/=\r?\n/g, '')
    .replace(/=([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)))

describe('notifying a member', () => {
  it('notifies in-app only by default, with nothing queued to send', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    const importId = randomUUID()
    await notify(org, member.id, importFinished(importId))

    const list = await listNotifications(store.db, org.id, member.id, { limit: 50 })
    expect(list.unread).toBe(1)
    expect(list.data).toEqual([
      {
        id: expect.any(String),
        kind: 'import_completed',
        title: 'Import of customers.csv finished',
        body: '120 lines imported, 3 rejected.',
        subject: { importId },
        createdAt: expect.any(String),
        readAt: null,
      },
    ])
    expect(await queuedJobs(org)).toEqual([])
  })

  it('emails a member who turned email on, with a link to the import', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    await updateProfile(store.db, org.id, member.id, { notifications: { email: true } })
    const importId = randomUUID()
    await notify(org, member.id, importFinished(importId))

    expect(await deliverQueued(org)).toHaveLength(1)
    const [mail, ...more] = mailsTo(member.email)
    expect(more).toEqual([])
    expect(mail?.user).toBe('roster')
    const text = decoded(mail?.raw ?? '')
    expect(text).toMatch(new RegExp(`^To: ${member.email}\\r?$`, 'm'))
    expect(text).toMatch(/^From: Roster <roster@localhost>\r?$/m)
    expect(text).toMatch(/^Subject: Import of customers\.csv finished\r?$/m)
    expect(text).toContain('120 lines imported, 3 rejected.')
    expect(text).toContain(`Open in Roster: ${publicUrl}/imports/${importId}`)
    expect(text).toContain(`<a href="${publicUrl}/imports/${importId}">Open in Roster</a>`)
  })

  it('posts to the Slack webhook of a member who turned Slack on', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    const webhook = newWebhook()
    await updateProfile(store.db, org.id, member.id, {
      notifications: { inApp: false, slack: true, slackWebhookUrl: webhook },
    })
    const importId = randomUUID()
    await notify(org, member.id, {
      ...importFinished(importId),
      body: '3 lines rejected: <see the report> & fix them.',
    })

    expect(await deliverQueued(org)).toHaveLength(1)
    expect(postsTo(webhook).map((post) => post.body)).toEqual([
      {
        text: `*Import of customers.csv finished*\n3 lines rejected: &lt;see the report&gt; &amp; fix them.\n<${publicUrl}/imports/${importId}|Open in Roster>`,
      },
    ])
    const list = await listNotifications(store.db, org.id, member.id, { limit: 50 })
    expect(list.data).toEqual([])
    expect(mailsTo(member.email)).toEqual([])
  })

  it('skips email with a warning, and without failing, when SMTP_URL is not set', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    await updateProfile(store.db, org.id, member.id, { notifications: { email: true } })
    await notify(org, member.id, importFinished(randomUUID()))

    const withoutSmtp = { db: store.db, config: loadConfig({ ...process.env, SMTP_URL: '' }) }
    expect(withoutSmtp.config.smtpUrl).toBeUndefined()
    await expect(deliverQueued(org, withoutSmtp)).resolves.toHaveLength(1)
    await new Promise((resolve) => setImmediate(resolve))
    expect(mailsTo(member.email)).toEqual([])
    expect(warnings).toContain(
      `Email notification to member ${member.id} skipped: SMTP_URL is not set.`,
    )
  })

  it('retries Slack after a server error and delivers on the next attempt', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    const webhook = newWebhook()
    await updateProfile(store.db, org.id, member.id, {
      notifications: { slack: true, slackWebhookUrl: webhook },
    })
    await notify(org, member.id, importFinished(randomUUID()))
    const [job] = await queuedJobs(org)
    if (!job) throw new Error('no delivery queued')

    slack.answers.push({ status: 500, text: 'internal_error' })
    const failed = deliverNotification.handle(deps, job.data, job)
    await expect(failed).rejects.toThrow('Slack answered 500 (internal_error)')
    await expect(failed).rejects.not.toThrow(webhook)
    await deliverNotification.handle(deps, job.data, job)
    await queue.boss.deleteJob(deliverNotification.name, job.id)

    const posts = postsTo(webhook)
    expect(posts).toHaveLength(2)
    expect(posts[1]?.body).toEqual(posts[0]?.body)
    expect(deliverNotification.queue).toMatchObject({ retryLimit: 5, retryBackoff: true })
  })

  it('turns Slack off, and says so in-app, when Slack answers that the webhook is gone', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', password)
    const webhook = newWebhook()
    await updateProfile(store.db, org.id, member.id, {
      notifications: { inApp: false, slack: true, slackWebhookUrl: webhook },
    })
    await notify(org, member.id, importFinished(randomUUID()))

    slack.answers.push({ status: 404, text: 'no_service' })
    await expect(deliverQueued(org)).resolves.toHaveLength(1)
    await new Promise((resolve) => setImmediate(resolve))

    const api = client(app, await signIn(member.email))
    expect(json(await api.get('/api/v1/profile')).notifications).toEqual({
      inApp: false,
      email: false,
      slack: false,
      slackWebhookUrl: webhook,
    })
    const [notice, ...more] = json(await api.get('/api/v1/notifications')).data
    expect(more).toEqual([])
    expect(notice).toMatchObject({
      kind: 'slack_disabled',
      title: 'Slack notifications turned off',
    })
    expect(notice.body).toContain('"Import of customers.csv finished" was not posted there')
    const mine = warnings.filter((w) => w.includes(member.id))
    expect(mine).toEqual([
      `Slack notification to member ${member.id} not delivered: Slack answered 404 (no_service). Slack notifications were turned off for this member.`,
    ])
    expect(warnings.join('\n')).not.toContain('/services/')
    expect(warnings.join('\n')).not.toContain(smtpPassword)
  })

  it('sends what the member wants when the job runs, not when it was queued', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    await updateProfile(store.db, org.id, member.id, { notifications: { email: true } })
    await notify(org, member.id, importFinished(randomUUID()))
    await updateProfile(store.db, org.id, member.id, { notifications: { email: false } })

    expect(await deliverQueued(org)).toHaveLength(1)
    expect(mailsTo(member.email)).toEqual([])
  })

  it('neither notifies nor queues anything when the work it belongs to rolls back', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    await updateProfile(store.db, org.id, member.id, { notifications: { email: true } })
    const rolledBack = store.db.transaction(async (tx) => {
      await notifyMember(tx, queue, org.id, member.id, importFinished(randomUUID()))
      throw new Error('the import failed to commit')
    })
    await expect(rolledBack).rejects.toThrow('the import failed to commit')

    const list = await listNotifications(store.db, org.id, member.id, { limit: 50 })
    expect(list.data).toEqual([])
    expect(await queuedJobs(org)).toEqual([])
  })

  it('notifies every admin, and only the admins, each per their preferences', async () => {
    const org = await newOrg(store)
    const first = await newMember(store, org, 'admin')
    const second = await newMember(store, org, 'admin')
    const manager = await newMember(store, org, 'account_manager')
    await updateProfile(store.db, org.id, second.id, { notifications: { email: true } })
    await store.db.transaction((tx) =>
      notifyAdmins(tx, queue, org.id, {
        kind: 'connection_needs_reconnection',
        title: 'Reconnect Xero',
        body: 'Xero stopped accepting Roster’s access; an admin must reconnect it.',
        subject: { connectionId: randomUUID() },
      }),
    )
    const unread = async (id: string) =>
      (await listNotifications(store.db, org.id, id, { limit: 50 })).unread
    expect([await unread(first.id), await unread(second.id), await unread(manager.id)]).toEqual([
      1, 1, 0,
    ])
    expect(await deliverQueued(org)).toHaveLength(1)
    expect(mailsTo(second.email)).toHaveLength(1)
    expect(decoded(mailsTo(second.email)[0]?.raw ?? '')).toContain(`${publicUrl}/connections/`)
  })

  it('delivers through a running worker', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    await updateProfile(store.db, org.id, member.id, { notifications: { email: true } })
    await queue.work(deliverNotification, deps)
    try {
      await notify(org, member.id, importFinished(randomUUID()))
      await expect
        .poll(() => mailsTo(member.email).length, { timeout: 15_000, interval: 100 })
        .toBe(1)
    } finally {
      await queue.boss.offWork(deliverNotification.name)
    }
  })
})

async function signIn(email: string): Promise<{ cookie: string }> {
  const res = await app.inject({
    method: 'POST',
    url: '/api/v1/session',
    payload: { email, password },
  })
  const cookie = res.cookies.find((c) => c.name === 'roster_session')
  if (!cookie) throw new Error(`could not sign in: ${res.body}`)
  return { cookie: `roster_session=${cookie.value}` }
}

/** A member of a new organisation, signed in, with a client on their session. */
async function signedInMember(org?: TestOrg) {
  const inOrg = org ?? (await newOrg(store))
  const member = await newMember(store, inOrg, 'member', password)
  return { org: inOrg, member, api: client(app, await signIn(member.email)) }
}

async function notifyThrice(org: TestOrg, memberId: string): Promise<void> {
  // One transaction each, so they are created one after the other.
  for (const title of ['First', 'Second', 'Third']) {
    await notify(org, memberId, { kind: 'import_failed', title, body: `${title} import failed.` })
  }
}

describe('notifications API', () => {
  it('lists the member’s notifications newest first, with the unread count and an unread filter', async () => {
    const { org, member, api } = await signedInMember()
    await notifyThrice(org, member.id)
    const all = json(await api.get('/api/v1/notifications'))
    expect(all.data.map((n: { title: string }) => n.title)).toEqual(['Third', 'Second', 'First'])
    expect(all).toMatchObject({ unread: 3, nextCursor: null })

    await api.post(`/api/v1/notifications/${all.data[1].id}/read`, undefined)
    const unread = json(await api.get('/api/v1/notifications?unread=true'))
    expect(unread.data.map((n: { title: string }) => n.title)).toEqual(['Third', 'First'])
    expect(unread.unread).toBe(2)
    expect((await api.get('/api/v1/notifications?unread=maybe')).statusCode).toBe(400)
  })

  it('pages through the notifications with a cursor', async () => {
    const { org, member, api } = await signedInMember()
    await notifyThrice(org, member.id)
    const first = json(await api.get('/api/v1/notifications?limit=2'))
    expect(first.data.map((n: { title: string }) => n.title)).toEqual(['Third', 'Second'])
    const next = json(await api.get(`/api/v1/notifications?limit=2&cursor=${first.nextCursor}`))
    expect(next.data.map((n: { title: string }) => n.title)).toEqual(['First'])
    expect(next.nextCursor).toBeNull()
    const bad = await api.get('/api/v1/notifications?cursor=nope')
    expect(bad.statusCode).toBe(400)
    expect(json(bad).error.message).toBe('The cursor is not one this API gave out.')
  })

  it('marks one notification read, keeping the first time, then all of them', async () => {
    const { org, member, api } = await signedInMember()
    await notifyThrice(org, member.id)
    const [newest] = json(await api.get('/api/v1/notifications')).data
    const read = await api.post(`/api/v1/notifications/${newest.id}/read`, undefined)
    expect(read.statusCode).toBe(200)
    expect(json(read)).toMatchObject({ id: newest.id, title: 'Third', readAt: expect.any(String) })
    const again = json(await api.post(`/api/v1/notifications/${newest.id}/read`, undefined))
    expect(again.readAt).toBe(json(read).readAt)
    expect(json(await api.get('/api/v1/notifications')).unread).toBe(2)

    const all = await api.post('/api/v1/notifications/read-all', undefined)
    expect(json(all)).toEqual({ marked: 2 })
    const after = json(await api.get('/api/v1/notifications'))
    expect(after.unread).toBe(0)
    expect(after.data.every((n: { readAt: string | null }) => n.readAt !== null)).toBe(true)
  })

  it('answers 404 for a notification of another organisation or another member', async () => {
    const theirs = await signedInMember()
    await notifyThrice(theirs.org, theirs.member.id)
    const [notification] = json(await theirs.api.get('/api/v1/notifications')).data
    const stranger = await signedInMember()
    const colleague = await signedInMember(theirs.org)
    for (const api of [stranger.api, colleague.api]) {
      const res = await api.post(`/api/v1/notifications/${notification.id}/read`, undefined)
      expect(res.statusCode).toBe(404)
      expect(json(res).error).toMatchObject({
        code: 'not_found',
        message: 'Notification not found.',
      })
      expect(json(await api.get('/api/v1/notifications')).data).toEqual([])
    }
    expect(json(await theirs.api.get('/api/v1/notifications')).unread).toBe(3)
  })
})

describe('notification settings of the server', () => {
  it('refuses an SMTP_URL that is not smtp:// or smtps:// without repeating its password', () => {
    const bad = () => loadConfig({ SMTP_URL: `https://roster:${smtpPassword}@mail.example.com` })
    expect(bad).toThrow('SMTP_URL must look like smtp://user:password@host:587 or smtps://…')
    expect(bad).not.toThrow(smtpPassword)
  })

  it('links to localhost on the configured port unless ROSTER_PUBLIC_URL is set', () => {
    expect(loadConfig({ PORT: '8080' })).toMatchObject({
      smtpUrl: undefined,
      mailFrom: 'Roster <roster@localhost>',
      publicUrl: 'http://localhost:8080',
    })
    expect(loadConfig({ ROSTER_PUBLIC_URL: 'https://roster.example.com/' }).publicUrl).toBe(
      'https://roster.example.com',
    )
  })
})

describe('profile API', () => {
  it('shows the signed-in member’s profile with in-app notifications on by default', async () => {
    const { member, api } = await signedInMember()
    const res = await api.get('/api/v1/profile')
    expect(res.statusCode).toBe(200)
    expect(json(res)).toEqual({
      id: member.id,
      email: member.email,
      name: null,
      role: 'member',
      notifications: { inApp: true, email: false, slack: false, slackWebhookUrl: null },
    })
  })

  it('changes the name and notification preferences, leaving the rest as it was', async () => {
    const { api } = await signedInMember()
    const webhook = 'https://hooks.slack.com/services/T0001/B0001/abcdef'
    const res = await api.patch('/api/v1/profile', {
      name: 'Ada Lovelace',
      notifications: { email: true, slack: true, slackWebhookUrl: ` ${webhook} ` },
    })
    expect(res.statusCode).toBe(200)
    expect(json(res)).toMatchObject({
      name: 'Ada Lovelace',
      notifications: { inApp: true, email: true, slack: true, slackWebhookUrl: webhook },
    })
    await api.patch('/api/v1/profile', { notifications: { inApp: false, slack: false } })
    expect(json(await api.get('/api/v1/profile'))).toMatchObject({
      name: 'Ada Lovelace',
      notifications: { inApp: false, email: true, slack: false, slackWebhookUrl: webhook },
    })
  })

  it('refuses an API key on the profile and notifications, which belong to a member', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    for (const res of [
      await api.get('/api/v1/profile'),
      await api.patch('/api/v1/profile', { notifications: { email: true } }),
      await api.get('/api/v1/notifications'),
      await api.post('/api/v1/notifications/read-all', undefined),
    ]) {
      expect(res.statusCode).toBe(403)
      expect(json(res).error.code).toBe('forbidden')
      expect(json(res).error.message).toContain('sign in as the member')
    }
  })

  it('refuses to turn Slack on without a webhook URL', async () => {
    const { api } = await signedInMember()
    for (const notifications of [{ slack: true }, { slack: true, slackWebhookUrl: null }]) {
      const res = await api.patch('/api/v1/profile', { notifications })
      expect(res.statusCode).toBe(400)
      expect(json(res).error.code).toBe('validation_failed')
      expect(json(res).error.message).toContain(
        'Add a Slack webhook URL to get notifications on Slack.',
      )
      expect(json(res).error.details[0].path).toBe('notifications.slackWebhookUrl')
    }
    const webhook = 'https://hooks.slack.com/services/T0001/B0001/abcdef'
    await api.patch('/api/v1/profile', { notifications: { slack: true, slackWebhookUrl: webhook } })
    const clearing = await api.patch('/api/v1/profile', { notifications: { slackWebhookUrl: '' } })
    expect(clearing.statusCode).toBe(400)
    expect(json(await api.get('/api/v1/profile')).notifications.slackWebhookUrl).toBe(webhook)
  })

  it('refuses a Slack webhook URL that is not on https://hooks.slack.com', async () => {
    const { api } = await signedInMember()
    const before = slack.posts.length
    for (const slackWebhookUrl of [
      'http://hooks.slack.com/services/T0001/B0001/abcdef',
      'hooks.slack.com/services/T0001/B0001/abcdef',
      'ftp://example.com/hook',
      'http://127.0.0.1:9999/hook',
      `${slackBase}/services/T0001/B0001/abcdef`,
      'http://169.254.169.254/latest/meta-data/',
      'https://hooks.slack.com.example.com/services/T0001/B0001/abcdef',
      'https://hooks.slack.com:8443/services/T0001/B0001/abcdef',
      'https://user@hooks.slack.com/services/T0001/B0001/abcdef',
      'https://evil.example.com/?https://hooks.slack.com/services/x',
    ]) {
      const res = await api.patch('/api/v1/profile', { notifications: { slackWebhookUrl } })
      expect(res.statusCode).toBe(400)
      expect(json(res).error.details[0]).toEqual({
        path: 'notifications.slackWebhookUrl',
        message:
          'Use the https:// webhook URL Slack gives you, like https://hooks.slack.com/services/….',
      })
    }
    expect(slack.posts.length).toBe(before)
  })

  it('posts nowhere when a webhook URL saved before the rule is not on Slack’s host', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member')
    const before = slack.posts.length
    // As saved by an earlier version, which let http://127.0.0.1 through.
    await store.db
      .update(members)
      .set({ notifySlack: true, slackWebhookUrl: `${slackBase}/services/T0001/B0001/old` })
      .where(eq(members.id, member.id))
    await notify(org, member.id, importFinished(randomUUID()))
    expect(await deliverQueued(org, { db: store.db, config })).toHaveLength(1)
    expect(slack.posts.length).toBe(before)
    await expect
      .poll(() => warnings.join('\n'))
      .toContain(`member ${member.id} not delivered: its webhook URL is not on`)
  })

  it('refuses fields it does not know, such as the email', async () => {
    const { api } = await signedInMember()
    const res = await api.patch('/api/v1/profile', { email: 'someone@else.com' })
    expect(res.statusCode).toBe(400)
    expect(json(res).error.message).toBe('Unknown field: email.')
  })

  it('documents the routes in the OpenAPI document', async () => {
    const doc = json(await app.inject({ url: '/api/openapi.json' }))
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/notifications',
        '/api/v1/notifications/{id}/read',
        '/api/v1/notifications/read-all',
        '/api/v1/profile',
      ]),
    )
  })
})
