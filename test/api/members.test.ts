import { and, eq } from 'drizzle-orm'
import type { LightMyRequestResponse } from 'fastify'
import { describe, expect, it } from 'vitest'
import { createApiKey } from '../../src/modules/organizations/api-keys.service.ts'
import { sendAccountEmail } from '../../src/modules/organizations/account-emails.job.ts'
import { loadConfig } from '../../src/platform/config.ts'
import { invitations } from '../../src/platform/db/schema/index.ts'
import { decoded, linkIn, sendQueuedAccountEmails } from '../account-emails.ts'
import { header, startSmtp } from '../reminders/smtp.ts'
import {
  client,
  json,
  newMember,
  newOrg,
  testApp,
  testQueue,
  testStore,
  type TestOrg,
} from '../support.ts'

const store = await testStore()
const app = await testApp(store)
const openApp = await testApp(store, { signupOpen: true })
const queue = await testQueue(store)
const smtp = await startSmtp()
const publicUrl = 'https://roster.example.com'
const password = 'correct horse battery'

const sendEmails = () => sendQueuedAccountEmails(store, queue, smtp.url, publicUrl)
const mailsTo = (email: string) => smtp.mails.filter((mail) => mail.to.includes(email))

const post = (url: string, payload: object, on = app) =>
  on.inject({ method: 'POST', url: `/api/v1${url}`, payload: payload as Record<string, unknown> })

const cookieOf = (res: LightMyRequestResponse): { cookie: string } => {
  const cookie = res.cookies.find((c) => c.name === 'roster_session')
  if (!cookie) throw new Error(`no session cookie: ${res.statusCode} ${res.body}`)
  return { cookie: `roster_session=${cookie.value}` }
}

const signIn = async (email: string, secret = password, organization?: string) =>
  post('/session', { email, password: secret, ...(organization ? { organization } : {}) })

/** An admin of a fresh organisation, signed in. */
async function adminOf(org: TestOrg) {
  const admin = await newMember(store, org, 'admin', password)
  const res = await signIn(admin.email)
  expect(res.statusCode).toBe(200)
  return { ...admin, api: client(app, cookieOf(res)) }
}

/** Invites an email as `role` and accepts the invitation from the email it receives. */
async function invited(org: TestOrg, email: string, role = 'member') {
  const admin = client(app, org.key)
  expect((await admin.post('/api/v1/invitations', { email, role })).statusCode).toBe(201)
  await sendEmails()
  const { token } = linkIn(smtp.mails, email, '/invitation')
  const res = await post('/invitations/accept', { token, name: 'Invited Person', password })
  expect(res.statusCode).toBe(200)
  return { ...json(res), api: client(app, cookieOf(res)) }
}

describe('inviting a member by email', () => {
  it('emails a link with which the invitee chooses a password and is signed in', async () => {
    const org = await newOrg(store)
    const admin = await adminOf(org)
    const email = `zoe.${org.slug}@example.com`
    const created = await admin.api.post('/api/v1/invitations', { email, role: 'account_manager' })
    expect(created.statusCode).toBe(201)
    expect(json(created)).toMatchObject({ email, role: 'account_manager', sentAt: null })

    // At least this invitation: another file of this test worker (the CLI's `member invite`)
    // may have left one queued; what this test checks is the one mail to this address.
    expect(await sendEmails()).toBeGreaterThanOrEqual(1)
    const [mail, ...more] = mailsTo(email)
    expect(more).toEqual([])
    const text = decoded(mail?.raw ?? '')
    expect(header(mail?.raw ?? '', 'Subject')).toBe(`You are invited to Test ${org.slug} on Roster`)
    expect(text).toContain(`${admin.email} invites you to join Test ${org.slug}`)
    const link = linkIn(smtp.mails, email, '/invitation')
    expect(link.url.startsWith(`${publicUrl}/invitation#token=`)).toBe(true)

    const pending = json(await admin.api.get('/api/v1/invitations')).data
    expect(pending).toEqual([
      expect.objectContaining({ email, invitedBy: admin.email, expired: false }),
    ])
    const days = (Date.parse(pending[0].expiresAt) - Date.parse(pending[0].sentAt)) / 86_400_000
    expect(days).toBe(7)

    const preview = await post('/invitations/lookup', { token: link.token })
    expect(json(preview)).toEqual({
      email,
      role: 'account_manager',
      organization: { name: `Test ${org.slug}` },
    })

    const accepted = await post('/invitations/accept', {
      token: link.token,
      name: 'Zoé Durand',
      password,
    })
    expect(accepted.statusCode).toBe(200)
    expect(json(accepted).member).toMatchObject({
      email,
      name: 'Zoé Durand',
      role: 'account_manager',
    })
    const session = await client(app, cookieOf(accepted)).get('/api/v1/session')
    expect(json(session).organization.id).toBe(org.id)
    expect((await signIn(email)).statusCode).toBe(200)
    expect(json(await admin.api.get('/api/v1/invitations')).data).toEqual([])

    // Single use: the link no longer works.
    const again = await post('/invitations/accept', { token: link.token, name: 'X', password })
    expect(again.statusCode).toBe(404)
    expect(json(again).error.message).toContain('This invitation link does not work')
  })

  it('refuses to invite a member, or an email already invited, with the reason', async () => {
    const org = await newOrg(store)
    const existing = await newMember(store, org, 'member')
    const api = client(app, org.key)
    const res = await api.post('/api/v1/invitations', { email: existing.email.toUpperCase() })
    expect(res.statusCode).toBe(409)
    expect(json(res).error.message).toContain('is already a member of this organisation')
    expect(json(res).error.details).toEqual([{ path: 'email', message: 'Already a member.' }])

    const email = `twice.${org.slug}@example.com`
    expect((await api.post('/api/v1/invitations', { email })).statusCode).toBe(201)
    const twice = await api.post('/api/v1/invitations', { email })
    expect(twice.statusCode).toBe(409)
    expect(json(twice).error.message).toContain('is already invited')
    const bad = await api.post('/api/v1/invitations', { email: 'not an email', role: 'boss' })
    expect(bad.statusCode).toBe(400)
    expect(json(await api.get('/api/v1/invitations')).data).toHaveLength(1)
  })

  it('leaves an invitation unsent, with a warning, when SMTP_URL is not set', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const email = `nosmtp.${org.slug}@example.com`
    const { id } = json(await api.post('/api/v1/invitations', { email }))
    const warnings: string[] = []
    const listen = (warning: Error) => warnings.push(warning.message)
    process.on('warning', listen)
    try {
      const config = loadConfig({ ...process.env, SMTP_URL: '' })
      await sendAccountEmail.handle(
        { db: store.db, config },
        { kind: 'invitation', organizationId: org.id, invitationId: id },
        // The handler reads only the data.
        undefined as never,
      )
      await new Promise((resolve) => setImmediate(resolve))
    } finally {
      process.off('warning', listen)
    }
    expect(warnings).toContain('The invitation email was not sent: SMTP_URL is not set.')
    expect(json(await api.get('/api/v1/invitations')).data[0]).toMatchObject({ sentAt: null })
    expect(mailsTo(email)).toEqual([])
    await sendEmails()
  })

  it('lets only admins invite', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', password)
    const api = client(app, cookieOf(await signIn(member.email)))
    const res = await api.post('/api/v1/invitations', { email: `x.${org.slug}@example.com` })
    expect(res.statusCode).toBe(403)
    expect((await api.get('/api/v1/invitations')).statusCode).toBe(403)
  })

  it('sends again with a new link, withdraws, and refuses expired links', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const email = `late.${org.slug}@example.com`
    const { id } = json(await api.post('/api/v1/invitations', { email }))
    await sendEmails()
    const first = linkIn(smtp.mails, email, '/invitation')
    expect((await api.post(`/api/v1/invitations/${id}/resend`, {})).statusCode).toBe(200)
    await sendEmails()
    const second = linkIn(smtp.mails, email, '/invitation')
    expect(second.token).not.toBe(first.token)
    expect((await post('/invitations/lookup', { token: first.token })).statusCode).toBe(404)
    expect((await post('/invitations/lookup', { token: second.token })).statusCode).toBe(200)

    await store.db
      .update(invitations)
      .set({ expiresAt: new Date(Date.now() - 1000) })
      .where(and(eq(invitations.organizationId, org.id), eq(invitations.id, id)))
    expect(json(await api.get('/api/v1/invitations')).data[0].expired).toBe(true)
    const expired = await post('/invitations/accept', { token: second.token, name: 'L', password })
    expect(expired.statusCode).toBe(404)

    expect((await api.post(`/api/v1/invitations/${id}/resend`, {})).statusCode).toBe(200)
    await sendEmails()
    const third = linkIn(smtp.mails, email, '/invitation')
    expect((await api.delete(`/api/v1/invitations/${id}`)).statusCode).toBe(204)
    expect((await post('/invitations/lookup', { token: third.token })).statusCode).toBe(404)
    expect((await api.delete(`/api/v1/invitations/${id}`)).statusCode).toBe(404)
    expect(json(await api.get('/api/v1/invitations')).data).toEqual([])
  })
})

describe('changing roles and removing members', () => {
  it('changes a role, and refuses to demote or remove the last admin', async () => {
    const org = await newOrg(store)
    const admin = await adminOf(org)
    const other = await newMember(store, org, 'member')
    const promoted = await admin.api.patch(`/api/v1/members/${other.id}`, { role: 'admin' })
    expect(json(promoted).role).toBe('admin')
    const demoted = await admin.api.patch(`/api/v1/members/${other.id}`, { role: 'member' })
    expect(json(demoted).role).toBe('member')

    const last = await admin.api.patch(`/api/v1/members/${admin.id}`, { role: 'member' })
    expect(last.statusCode).toBe(409)
    expect(json(last).error.message).toBe(
      `${admin.email} is the organisation's last admin and cannot be demoted: make another member admin first.`,
    )
    const removeLast = await admin.api.delete(`/api/v1/members/${admin.id}`)
    expect(removeLast.statusCode).toBe(409)
    expect(json(removeLast).error.message).toContain('cannot be removed')
    const bad = await admin.api.patch(`/api/v1/members/${other.id}`, { role: 'owner' })
    expect(bad.statusCode).toBe(400)
    expect(json(bad).error.details[0].path).toBe('role')

    const elsewhere = await newOrg(store)
    const foreign = await client(app, elsewhere.key).patch(`/api/v1/members/${other.id}`, {
      role: 'admin',
    })
    expect(foreign.statusCode).toBe(404)
  })

  it('keeps one admin when two admins demote each other at once', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const first = await newMember(store, org, 'admin')
    const second = await newMember(store, org, 'admin')
    const answers = await Promise.all([
      api.patch(`/api/v1/members/${first.id}`, { role: 'member' }),
      api.delete(`/api/v1/members/${second.id}`),
    ])
    expect(answers.map((res) => res.statusCode).sort()).toEqual([200, 409])
    const admins = json(await api.get('/api/v1/members')).data.filter(
      (m: { role: string }) => m.role === 'admin',
    )
    expect(admins).toHaveLength(1)
  })

  it('ends the sessions and API keys of a removed member and lists the customers they managed', async () => {
    const org = await newOrg(store)
    const api = client(app, org.key)
    const manager = await newMember(store, org, 'account_manager', password)
    const session = client(app, cookieOf(await signIn(manager.email)))
    const { key } = await createApiKey(store.db, org.id, {
      name: 'theirs',
      createdByMemberId: manager.id,
    })
    const theirKey = client(app, key)
    expect((await theirKey.get('/api/v1/customers')).statusCode).toBe(200)
    const acme = json(
      await api.post('/api/v1/customers', { name: 'Acme', accountManagers: [manager.email] }),
    )
    await api.post('/api/v1/customers', { name: 'Globex', accountManagers: [manager.email] })
    await api.post('/api/v1/customers', { name: 'Initech' })

    const managed = json(await api.get(`/api/v1/members/${manager.id}/customers`)).data
    expect(managed.map((c: { name: string }) => c.name)).toEqual(['Acme', 'Globex'])

    const removed = await api.delete(`/api/v1/members/${manager.id}`)
    expect(removed.statusCode).toBe(200)
    expect(json(removed)).toMatchObject({
      member: { id: manager.id, email: manager.email },
      sessionsEnded: 1,
      apiKeysRevoked: 1,
    })
    expect(json(removed).customers.map((c: { name: string }) => c.name)).toEqual(['Acme', 'Globex'])
    expect((await session.get('/api/v1/customers')).statusCode).toBe(401)
    expect((await theirKey.get('/api/v1/customers')).statusCode).toBe(401)
    expect((await signIn(manager.email)).statusCode).toBe(401)
    expect(json(await api.get(`/api/v1/customers/${acme.id}`)).accountManagers).toEqual([])
    const history = json(await api.get(`/api/v1/customers/${acme.id}/history`))
    expect(history.data[0]).toMatchObject({ action: 'update' })
    expect((await api.delete(`/api/v1/members/${manager.id}`)).statusCode).toBe(404)
  })
})

describe('resetting a password by email', () => {
  it('answers the same whether the email has an account, and emails only an account', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', password)
    const nobody = `nobody.${org.slug}@example.com`
    const known = await post('/password-resets', { email: member.email })
    const unknown = await post('/password-resets', { email: nobody })
    expect(known.statusCode).toBe(202)
    expect(unknown.statusCode).toBe(202)
    expect(json(known)).toEqual(json(unknown))
    // A second request within the minute sends nothing more.
    expect((await post('/password-resets', { email: member.email })).statusCode).toBe(202)
    await sendEmails()
    expect(mailsTo(nobody)).toEqual([])
    expect(mailsTo(member.email)).toHaveLength(1)
    expect(header(mailsTo(member.email)[0]?.raw ?? '', 'Subject')).toBe(
      'Choose a new Roster password',
    )
  })

  it('refuses requests from another site, and too many for one email, known or not', async () => {
    const foreign = await app.inject({
      method: 'POST',
      url: '/api/v1/password-resets',
      headers: { origin: 'https://evil.example' },
      payload: { email: 'someone@example.com' },
    })
    expect(foreign.statusCode).toBe(403)
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', password)
    for (const email of [member.email, `ghost.${org.slug}@example.com`]) {
      for (let i = 0; i < 5; i++) {
        expect((await post('/password-resets', { email })).statusCode).toBe(202)
      }
      const refused = await post('/password-resets', { email })
      expect(refused.statusCode).toBe(429)
      expect(json(refused).error.message).toMatch(
        /^Too many password reset requests: try again in 1[45] minutes\.$/,
      )
    }
    await sendEmails()
    expect(mailsTo(member.email)).toHaveLength(1)
  })

  it('sets the new password once, signs in and ends the other sessions', async () => {
    const org = await newOrg(store)
    const member = await newMember(store, org, 'member', password)
    const elsewhere = client(app, cookieOf(await signIn(member.email)))
    await post('/password-resets', { email: member.email })
    await sendEmails()
    const { url, token } = linkIn(smtp.mails, member.email, '/reset-password')
    expect(url.startsWith(`${publicUrl}/reset-password#token=`)).toBe(true)

    const short = await post('/password-resets/complete', { token, password: 'short' })
    expect(short.statusCode).toBe(400)
    expect(json(short).error.details[0].path).toBe('password')

    const newPassword = 'a brand new passphrase'
    const done = await post('/password-resets/complete', { token, password: newPassword })
    expect(done.statusCode).toBe(200)
    expect(json(done).member.email).toBe(member.email)
    const fresh = client(app, cookieOf(done))
    expect((await fresh.get('/api/v1/session')).statusCode).toBe(200)
    expect((await elsewhere.get('/api/v1/session')).statusCode).toBe(401)
    expect((await signIn(member.email)).statusCode).toBe(401)
    expect((await signIn(member.email, newPassword)).statusCode).toBe(200)

    const reused = await post('/password-resets/complete', { token, password: 'yet another one' })
    expect(reused.statusCode).toBe(404)
    expect(json(reused).error.message).toContain('This password reset link does not work')
  })
})

describe('signing up', () => {
  it('reads ROSTER_SIGNUP: open or closed, closed by default', () => {
    expect(loadConfig({}).signupOpen).toBe(false)
    expect(loadConfig({ ROSTER_SIGNUP: 'open' }).signupOpen).toBe(true)
    expect(loadConfig({ ROSTER_SIGNUP: 'closed' }).signupOpen).toBe(false)
    expect(() => loadConfig({ ROSTER_SIGNUP: 'yes' })).toThrow(
      'ROSTER_SIGNUP must be open (anyone may create an organisation) or closed',
    )
  })

  it('is closed unless the operator opens it', async () => {
    expect(json(await app.inject({ url: '/api/v1/signup' }))).toEqual({ open: false })
    const res = await post('/signup', {
      organization: 'Closed Ltd',
      name: 'Cleo',
      email: 'cleo@closed.example',
      password,
    })
    expect(res.statusCode).toBe(403)
    expect(json(res).error.message).toContain('Sign-up is closed')
  })

  it('creates an organisation whose first admin is signed in, when open', async () => {
    expect(json(await openApp.inject({ url: '/api/v1/signup' }))).toEqual({ open: true })
    const email = `founder.${Date.now()}@example.com`
    const body = { organization: 'Signup Test Co', name: 'Fay', email, password }
    const res = await post('/signup', body, openApp)
    expect(res.statusCode).toBe(201)
    expect(json(res)).toMatchObject({
      organization: { name: 'Signup Test Co' },
      member: { email, role: 'admin' },
    })
    const again = await post('/signup', body, openApp)
    expect(again.statusCode).toBe(201)
    expect(json(again).organization.slug).not.toBe(json(res).organization.slug)
    const members = await client(openApp, cookieOf(res)).get('/api/v1/members')
    expect(json(members).data).toHaveLength(1)
    const bad = await post('/signup', { ...body, email: 'nope' }, openApp)
    expect(bad.statusCode).toBe(400)
  })
})

describe('switching organisations', () => {
  it('moves the session to another organisation of the same email, and nowhere else', async () => {
    const a = await newOrg(store)
    const b = await newOrg(store)
    const stranger = await newOrg(store)
    const email = `multi.${a.slug}@example.com`
    const inA = await invited(a, email, 'admin')
    await client(app, b.key).post('/api/v1/customers', { name: 'Only in B' })
    // The second invitation's link is accepted too: they now belong to both.
    await invited(b, email)

    const orgs = json(await inA.api.get('/api/v1/session/organizations')).data
    expect(orgs.map((o: { id: string; current: boolean }) => [o.id, o.current]).sort()).toEqual(
      [
        [a.id, true],
        [b.id, false],
      ].sort(),
    )
    const refused = await inA.api.post('/api/v1/session/organization', {
      organization: stranger.slug,
    })
    expect(refused.statusCode).toBe(404)

    const switched = await inA.api.post('/api/v1/session/organization', { organization: b.slug })
    expect(switched.statusCode).toBe(200)
    expect(json(switched).organization.id).toBe(b.id)
    const inB = client(app, cookieOf(switched))
    const names = json(await inB.get('/api/v1/customers')).data.map((c: { name: string }) => c.name)
    expect(names).toEqual(['Only in B'])
    // The session it left ended.
    expect((await inA.api.get('/api/v1/session')).statusCode).toBe(401)
    const key = await client(app, a.key).post('/api/v1/session/organization', {
      organization: b.slug,
    })
    expect(key.statusCode).toBe(403)
  })

  it('keeps a member whose email is unproven to their own organisation', async () => {
    const a = await newOrg(store)
    const b = await newOrg(store)
    // Typed by an admin of A with a first password: nothing proves they read this email.
    const typed = await newMember(store, a, 'admin', password)
    await client(app, b.key).post('/api/v1/members', { email: typed.email, role: 'admin' })
    const api = client(app, cookieOf(await signIn(typed.email)))
    const orgs = json(await api.get('/api/v1/session/organizations')).data
    expect(orgs.map((o: { id: string }) => o.id)).toEqual([a.id])
    const res = await api.post('/api/v1/session/organization', { organization: b.id })
    expect(res.statusCode).toBe(404)
  })
})
