import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { brotliCompressSync } from 'node:zlib'
import { afterAll, describe, expect, it } from 'vitest'
import { openVault } from '../src/platform/auth/encryption.ts'
import { loadConfig } from '../src/platform/config.ts'
import { buildApp } from '../src/app/http.ts'
import { isBuildFresh, writeStamp } from '../src/platform/build/stamp.ts'
import { json, testQueue, testStore } from './support.ts'

const config = loadConfig()

const store = await testStore()
const queue = await testQueue(store)

/** A stand-in for a build: what the server does with one does not depend on its content. */
async function fakeBuild(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'roster-web-'))
  await mkdir(join(dir, 'assets'))
  await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>')
  await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
  await writeFile(join(dir, 'assets', 'index-abc123.js.br'), brotliCompressSync('console.log(1)'))
  afterAll(() => rm(dir, { recursive: true, force: true }))
  return dir
}

describe('serving the web app', () => {
  it("serves the app's page for its own routes, never cached, and keeps API errors in JSON", async () => {
    const app = await buildApp({
      db: store.db,
      queue,
      vault: openVault(config),
      publicUrl: config.publicUrl,
      webDir: await fakeBuild(),
    })
    afterAll(() => app.close())
    for (const url of ['/', '/customers', '/customers/0b7c1a9e-1111-4222-8333-444455556666']) {
      const page = await app.inject({ url })
      expect(page.statusCode).toBe(200)
      expect(page.headers['content-type']).toContain('text/html')
      expect(page.headers['cache-control']).toBe('no-cache')
      expect(page.body).toContain('<div id="root">')
    }
    const asset = await app.inject({ url: '/assets/index-abc123.js' })
    expect(asset.statusCode).toBe(200)
    expect(asset.headers['cache-control']).toBe('public, max-age=31536000, immutable')
    expect(asset.body).toBe('console.log(1)')
    const compressed = await app.inject({
      url: '/assets/index-abc123.js',
      headers: { 'accept-encoding': 'gzip, deflate, br' },
    })
    expect(compressed.headers['content-encoding']).toBe('br')
    expect(compressed.headers['cache-control']).toBe('public, max-age=31536000, immutable')

    const missingAsset = await app.inject({ url: '/assets/gone-123.js' })
    expect(missingAsset.statusCode).toBe(404)
    const unknownApi = await app.inject({ url: '/api/v1/nothing-here' })
    expect(unknownApi.statusCode).toBe(404)
    expect(json(unknownApi).error).toMatchObject({ code: 'not_found' })
    const unauthenticated = await app.inject({ url: '/api/v1/customers' })
    expect(json(unauthenticated).error).toMatchObject({ code: 'unauthenticated' })
  })

  it('sends, on every answer, a policy that keeps the app to its own files and out of any frame', async () => {
    const app = await buildApp({
      db: store.db,
      queue,
      vault: openVault(config),
      publicUrl: config.publicUrl,
      webDir: await fakeBuild(),
    })
    afterAll(() => app.close())
    const answers = await Promise.all(
      [
        '/',
        '/customers',
        '/assets/index-abc123.js',
        '/api/v1/customers',
        '/api/v1/nothing-here',
        '/healthz',
        '/api/openapi.json',
      ].map((url) => app.inject({ url })),
    )
    for (const answer of answers) {
      const policy = String(answer.headers['content-security-policy'])
      expect(policy).toContain("frame-ancestors 'none'")
      expect(policy).toContain("script-src 'self'")
      expect(policy).not.toContain('unsafe-eval')
      expect(answer.headers['x-frame-options']).toBe('SAMEORIGIN')
      expect(answer.headers['x-content-type-options']).toBe('nosniff')
    }
    // The API viewer has no inline script: the same policy serves it.
    const docs = await app.inject({ url: '/api/docs/' })
    expect(docs.statusCode).toBe(200)
    expect(docs.body).not.toMatch(/<script>[^<]/)
    expect(String(docs.headers['content-security-policy'])).toContain("script-src 'self'")
  })

  it('answers the API while the first build runs, says the app is being built, then serves it', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-web-'))
    afterAll(() => rm(dir, { recursive: true, force: true }))
    let finish = (): void => undefined
    const webBuild = new Promise<void>((done) => (finish = done))
    const app = await buildApp({
      db: store.db,
      queue,
      vault: openVault(config),
      publicUrl: config.publicUrl,
      webDir: dir,
      webBuild,
    })
    afterAll(() => app.close())
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
    expect(json(await app.inject({ url: '/api/v1/customers' })).error).toMatchObject({
      code: 'unauthenticated',
    })
    const building = await app.inject({ url: '/customers' })
    expect(building.statusCode).toBe(503)
    expect(building.headers['retry-after']).toBe('2')
    expect(building.headers['cache-control']).toBe('no-store')
    expect(building.body).toContain('Roster is starting')
    // It looks again by itself, without a script (the policy allows none inline).
    expect(building.body).toContain('<meta http-equiv="refresh" content="2">')
    expect(building.body).not.toContain('<script')

    await mkdir(join(dir, 'assets'))
    await writeFile(join(dir, 'index.html'), '<!doctype html><div id="root"></div>')
    await writeFile(join(dir, 'assets', 'index-abc123.js'), 'console.log(1)')
    finish()
    await webBuild
    const page = await app.inject({ url: '/customers' })
    expect(page.statusCode).toBe(200)
    expect(page.body).toContain('<div id="root">')
    expect((await app.inject({ url: '/assets/index-abc123.js' })).body).toBe('console.log(1)')
  })

  it('says so on its pages when the first build failed, and the API still answers', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'roster-web-'))
    afterAll(() => rm(dir, { recursive: true, force: true }))
    const webBuild = Promise.reject(new Error('vite exited with 1: /secret/path'))
    webBuild.catch(() => undefined) // as `roster serve` reports it
    const app = await buildApp({
      db: store.db,
      queue,
      vault: openVault(config),
      publicUrl: config.publicUrl,
      webDir: dir,
      webBuild,
    })
    afterAll(() => app.close())
    await webBuild.catch(() => undefined)
    const page = await app.inject({ url: '/' })
    expect(page.statusCode).toBe(500)
    expect(page.body).toContain('The web app could not be built')
    expect(page.body).not.toContain('/secret/path')
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
  })

  it('answers the API alone when no web app was built', async () => {
    const app = await buildApp({
      db: store.db,
      queue,
      vault: openVault(config),
      publicUrl: config.publicUrl,
      webDir: join(tmpdir(), 'no-such-build'),
    })
    afterAll(() => app.close())
    expect((await app.inject({ url: '/customers' })).statusCode).toBe(404)
    expect((await app.inject({ url: '/healthz' })).statusCode).toBe(200)
  })
})

describe('deciding whether the web app must be built again', () => {
  it('keeps a build while the files it was made from are unchanged, and not after', async () => {
    const root = await mkdtemp(join(tmpdir(), 'roster-stamp-'))
    afterAll(() => rm(root, { recursive: true, force: true }))
    const out = join(root, 'out')
    await mkdir(join(root, 'web', 'src'), { recursive: true })
    await mkdir(out)
    const source = join(root, 'web', 'src', 'main.tsx')
    await writeFile(source, 'export {}')
    await writeFile(join(root, 'package-lock.json'), '{}')
    expect(isBuildFresh(root, out, 'index.html')).toBe(false)

    await writeFile(join(out, 'index.html'), '<!doctype html>')
    writeStamp(root, out, [source, '\0virtual:module', join(root, 'node_modules', 'x', 'i.js')])
    expect(isBuildFresh(root, out, 'index.html')).toBe(true)

    await writeFile(source, 'export const changed = true')
    expect(isBuildFresh(root, out, 'index.html')).toBe(false)
    await writeFile(source, 'export {}')
    expect(isBuildFresh(root, out, 'index.html')).toBe(true)
    await writeFile(join(root, 'package-lock.json'), '{"lockfileVersion":3}')
    expect(isBuildFresh(root, out, 'index.html')).toBe(false)
  })
})
