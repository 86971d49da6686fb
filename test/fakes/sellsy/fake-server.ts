import { FakeHttp, fakeId, type Failure, type RecordedRequest } from '../fake-http.ts'
import { answer, type Json, type SellsyStore } from './fake-api.ts'

/**
 * A local stand-in for Sellsy's API v2 and its OAuth2 login (test tooling), on one host as a
 * connection's base URL makes it: `POST /oauth2/access-tokens` (client credentials, tokens that
 * expire on the fake's clock and then answer 401), `GET /v2/companies`,
 * `POST /v2/{companies,individuals,contacts}/search` (filters `type`, `is_archived`,
 * `updated_at`/`updated` {start,end}, `id`), `GET /v2/{companies,individuals}/{id}[/contacts]`
 * and `GET /v2/contacts/{id}/companies`. Paging is Sellsy's: `limit` ≤ 100, seek `offset`
 * tokens, or numbers from `offset=0` up to the 100,000th row. Every answer carries the
 * `X-Quota-Remaining-By-*` headers; `quota.perSecond` makes it answer 429 for real. Every write
 * stamps the record's `updated_at` (contacts: `updated`) with the clock.
 *
 *   const sellsy = await SellsyFake.start()
 *   const id = sellsy.createCompany({ name: 'Acme', contacts: [{ email: 'ap@acme.example', main: true }] })
 *   sellsyConnector.list({ settings: { baseUrl: sellsy.url }, secrets: sellsy.secrets, … })
 *   sellsy.failNext(1, { status: 429, retryAfter: 2 }); sellsy.expireTokens()
 */

export interface ContactInput {
  id?: number
  civility?: string | null
  first_name?: string | null
  last_name?: string | null
  email?: string | null
  phone_number?: string | null
  mobile_number?: string | null
  position?: string | null
  is_archived?: boolean
  /** The company's main, invoicing or dunning contact. */
  main?: boolean
  invoicing?: boolean
  dunning?: boolean
}

export interface AddressInput {
  address_line_1?: string | null
  address_line_2?: string | null
  postal_code?: string | null
  city?: string | null
  country?: string | null
  country_code?: string | null
}

export interface CompanyInput {
  id?: number
  type?: 'client' | 'prospect' | 'supplier'
  name?: string | null
  email?: string | null
  phone_number?: string | null
  reference?: string | null
  auxiliary_code?: string | null
  vat?: string | null
  address?: AddressInput | null
  contacts?: ContactInput[]
}

export interface IndividualInput {
  id?: number
  type?: 'client' | 'prospect' | 'supplier'
  first_name?: string | null
  last_name?: string | null
  email?: string | null
  phone_number?: string | null
  address?: AddressInput | null
  contacts?: ContactInput[]
}

export interface SellsyFakeOptions {
  now?: number
  /** Seconds an access token lives (Sellsy: 3600). */
  tokenLifetime?: number
}

type Owner = 'companies' | 'individuals'

export class SellsyFake implements SellsyStore {
  readonly http: FakeHttp
  readonly clientId = `roster-${fakeId('', 8)}`
  clientSecret = fakeId('', 32)
  tokenLifetime: number
  readonly tokens = new Map<string, number>()
  readonly companies = new Map<number, Json>()
  readonly individuals = new Map<number, Json>()
  readonly contacts = new Map<number, Json>()
  /** Owner id → its contacts' ids, in linking order. */
  readonly links = {
    companies: new Map<number, number[]>(),
    individuals: new Map<number, number[]>(),
  }
  readonly addresses = new Map<number, Json>()
  /** Requests a second before Sellsy answers 429 (none by default). */
  quota: { perSecond?: number } = {}
  readonly spent = new Map<number, number>()
  /** The status of each answer, in the order of `requests` (0: dropped). */
  readonly statuses: number[] = []
  private lastId = 1000

  private constructor(options: SellsyFakeOptions) {
    this.http = new FakeHttp(options.now)
    this.tokenLifetime = options.tokenLifetime ?? 3600
  }

  static async start(options: SellsyFakeOptions = {}): Promise<SellsyFake> {
    const fake = new SellsyFake(options)
    await fake.http.listen((request, failure) => {
      const reply = answer(fake, request, failure)
      fake.statuses.push(reply === 'drop' ? 0 : reply.status)
      return reply
    })
    return fake
  }

  get url(): string {
    return this.http.url
  }

  /** The suites' name for the secret a connection holds. */
  get apiKey(): string {
    return this.clientSecret
  }

  get secrets(): { clientId: string; clientSecret: string } {
    return { clientId: this.clientId, clientSecret: this.clientSecret }
  }

  get requests(): RecordedRequest[] {
    return this.http.requests
  }

  now(): number {
    return this.http.now()
  }

  advance(seconds: number): void {
    this.http.advance(seconds)
  }

  failNext(count: number, failure: Failure): void {
    this.http.failNext(count, failure)
  }

  /** The API access's secret renewed in Sellsy: its tokens stop working, the old secret too. */
  revokeKey(): void {
    this.clientSecret = fakeId('', 32)
    this.tokens.clear()
  }

  /** Every token handed out expires now (as an hour passing would do). */
  expireTokens(): void {
    for (const token of this.tokens.keys()) this.tokens.set(token, this.now())
  }

  /** Token requests answered so far. */
  tokenCalls(): RecordedRequest[] {
    return this.requests.filter((r) => r.path === '/oauth2/access-tokens')
  }

  stop(): Promise<void> {
    return this.http.close()
  }

  createCompany(input: CompanyInput = {}): number {
    const { contacts = [], vat, address, ...fields } = input
    const id = input.id ?? this.nextId()
    const data: Json = {
      id,
      type: 'client',
      name: null,
      email: null,
      website: null,
      phone_number: null,
      mobile_number: null,
      fax_number: null,
      legal_france: {
        siret: null,
        siren: null,
        vat: vat ?? null,
        ape_naf_code: null,
        company_type: null,
        rcs_immatriculation: null,
      },
      capital: null,
      reference: null,
      note: '',
      auxiliary_code: null,
      rate_category_id: null,
      main_contact_id: null,
      dunning_contact_id: null,
      invoicing_contact_id: null,
      invoicing_address_id: null,
      delivery_address_id: null,
      accounting_code_id: null,
      accounting_purchase_code_id: null,
      owner: { id: 112, type: 'staff' },
      created: this.stamp(),
      updated_at: this.stamp(),
      is_archived: false,
      ...fields,
    }
    this.companies.set(id, data)
    this.links.companies.set(id, [])
    if (address) this.setAddress(data, address)
    for (const contact of contacts) this.addContact(id, contact)
    return id
  }

  updateCompany(id: number, changes: Omit<CompanyInput, 'id' | 'contacts'>): void {
    const company = this.live('companies', id)
    const { vat, address, ...fields } = changes
    Object.assign(company, structuredClone(fields))
    if (vat !== undefined) (company.legal_france as Json).vat = vat
    if (address) this.setAddress(company, address)
    company.updated_at = this.stamp()
  }

  /** Archived in Sellsy: still listed, with `is_archived: true`. */
  archiveCompany(id: number): void {
    this.updateCompany(id, {})
    this.live('companies', id).is_archived = true
  }

  /** Deleted in Sellsy: gone from every list, 404 when fetched, no trace of it. */
  deleteCompany(id: number): void {
    this.companies.delete(id)
    this.links.companies.delete(id)
  }

  createIndividual(input: IndividualInput = {}): number {
    const { contacts = [], address, ...fields } = input
    const id = input.id ?? this.nextId()
    const data: Json = {
      id,
      type: 'client',
      civility: null,
      first_name: null,
      last_name: null,
      email: null,
      website: null,
      phone_number: null,
      mobile_number: null,
      fax_number: null,
      reference: null,
      note: '',
      auxiliary_code: null,
      main_contact_id: null,
      dunning_contact_id: null,
      invoicing_contact_id: null,
      owner: { id: 112, type: 'staff' },
      created: this.stamp(),
      updated_at: this.stamp(),
      is_archived: false,
      ...fields,
    }
    this.individuals.set(id, data)
    this.links.individuals.set(id, [])
    if (address) this.setAddress(data, address)
    for (const contact of contacts) this.addContact(id, contact, 'individuals')
    return id
  }

  updateIndividual(id: number, changes: Omit<IndividualInput, 'id' | 'contacts'>): void {
    const individual = this.live('individuals', id)
    const { address, ...fields } = changes
    Object.assign(individual, structuredClone(fields))
    if (address) this.setAddress(individual, address)
    individual.updated_at = this.stamp()
  }

  archiveIndividual(id: number): void {
    this.updateIndividual(id, {})
    this.live('individuals', id).is_archived = true
  }

  /** A new contact linked to the company (or individual); its main one when `main`. */
  addContact(ownerId: number, input: ContactInput, owner: Owner = 'companies'): number {
    const { main, invoicing, dunning, ...fields } = input
    const id = input.id ?? this.nextId()
    this.contacts.set(id, {
      id,
      civility: null,
      first_name: null,
      last_name: null,
      email: null,
      website: null,
      phone_number: null,
      mobile_number: null,
      fax_number: null,
      position: null,
      birth_date: null,
      avatar: null,
      note: '',
      social: { twitter: null, facebook: null, linkedin: null, viadeo: null },
      owner: { id: 112, type: 'staff' },
      created: this.stamp(),
      updated: this.stamp(),
      is_archived: false,
      ...fields,
    })
    this.linkContact(ownerId, id, owner)
    const record = this.live(owner, ownerId)
    const roles = {
      main_contact_id: main,
      invoicing_contact_id: invoicing,
      dunning_contact_id: dunning,
    }
    for (const [field, on] of Object.entries(roles)) {
      if (on !== true) continue
      record[field] = id
      record.updated_at = this.stamp()
    }
    return id
  }

  /** A contact already known, linked to one more company: it is then the contact of each. */
  linkContact(ownerId: number, contactId: number, owner: Owner = 'companies'): void {
    this.live(owner, ownerId)
    const linked = this.links[owner].get(ownerId) ?? []
    if (!linked.includes(contactId)) linked.push(contactId)
    this.links[owner].set(ownerId, linked)
    this.touchContact(contactId)
  }

  updateContact(id: number, changes: Omit<ContactInput, 'id' | 'main'>): void {
    const contact = this.contacts.get(id)
    if (!contact) throw new Error(`No Sellsy contact ${id}`)
    Object.assign(contact, structuredClone(changes))
    this.touchContact(id)
  }

  /** The company's main contact is now this one (a change of the company). */
  setMainContact(companyId: number, contactId: number | null): void {
    this.updateCompany(companyId, {})
    this.live('companies', companyId).main_contact_id = contactId
  }

  /** Stores a record as is (for what the API would never send). */
  putRawCompany(data: Json): void {
    const id = Number(data.id)
    this.companies.set(id, { updated_at: this.stamp(), is_archived: false, ...data })
    this.links.companies.set(id, this.links.companies.get(id) ?? [])
  }

  putRawContact(companyId: number, data: Json): void {
    const id = Number(data.id)
    this.contacts.set(id, { updated: this.stamp(), ...data })
    this.linkContact(companyId, id)
  }

  /** The fake's clock as Sellsy writes dates: ISO 8601 with Paris's winter offset. */
  stamp(seconds = this.now()): string {
    return new Date((seconds + 3600) * 1000).toISOString().replace(/\.\d{3}Z$/, '+01:00')
  }

  private touchContact(id: number): void {
    const contact = this.contacts.get(id)
    if (contact) contact.updated = this.stamp()
  }

  private setAddress(record: Json, input: AddressInput): void {
    const id = this.nextId()
    this.addresses.set(id, {
      id,
      name: 'Siège',
      address_line_1: null,
      address_line_2: null,
      address_line_3: null,
      address_line_4: null,
      postal_code: null,
      city: null,
      country: null,
      country_code: null,
      is_invoicing_address: true,
      is_delivery_address: true,
      geocode: { lat: null, lng: null },
      ...input,
    })
    record.invoicing_address_id = id
    record.delivery_address_id = id
  }

  private live(owner: Owner, id: number): Json {
    const record = this[owner].get(id)
    if (!record) throw new Error(`No Sellsy ${owner} ${id}`)
    return record
  }

  private nextId(): number {
    return ++this.lastId
  }
}
