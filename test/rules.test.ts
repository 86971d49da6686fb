import { describe, expect, it } from 'vitest'
import { emailField } from '../src/contracts/common.ts'
import { normalizePhone } from '../src/modules/contacts/phone.ts'
import { toCountryCode } from '../src/contracts/country.ts'
import { customerCsvRows } from '../src/modules/customers/export.ts'
import { slugify } from '../src/modules/organizations/organizations.service.ts'

describe('country', () => {
  it.each([
    ['FR', 'FR'],
    ['fr', 'FR'],
    ['FRA', 'FR'],
    ['France', 'FR'],
    ['Allemagne', 'DE'],
    ['  côte d’ivoire ', 'CI'],
    ['United States of America', 'US'],
    ['Royaume-Uni', 'GB'],
  ])('reads %s as %s', (input, code) => {
    expect(toCountryCode(input)).toBe(code)
  })

  it.each(['XX', 'Atlantis', ''])('does not guess %j', (input) => {
    expect(toCountryCode(input)).toBeUndefined()
  })
})

describe('phone', () => {
  it('stores national numbers in E.164 using the default country', () => {
    expect(normalizePhone('06 12 34 56 78', 'FR')).toEqual({ phone: '+33612345678' })
    expect(normalizePhone('(415) 555-2671', 'US')).toEqual({ phone: '+14155552671' })
  })

  it('reads international numbers without a default country', () => {
    expect(normalizePhone('+44 20 7946 0958', null)).toEqual({ phone: '+442079460958' })
  })

  it('keeps what it cannot read, with a warning', () => {
    const result = normalizePhone('06 12 34 56 78', null)
    expect(result.phone).toBe('06 12 34 56 78')
    expect(result.warning).toContain('kept as typed')
    expect(normalizePhone('call reception', 'FR').warning).toBeDefined()
  })
})

describe('email', () => {
  it('trims and validates', () => {
    expect(emailField.parse('  a.b@c.co ')).toBe('a.b@c.co')
    expect(emailField.safeParse('a.b@').success).toBe(false)
    expect(emailField.safeParse('two words@c.co').success).toBe(false)
  })
})

describe('slug', () => {
  it('makes a URL-safe slug from a name', () => {
    expect(slugify('Société Générale & Fils')).toBe('societe-generale-fils')
    expect(slugify('!!!')).toBe('organization')
  })
})

describe('CSV export', () => {
  it('neutralises cells a spreadsheet would run as formulas', () => {
    const row = customerCsvRows({
      id: '00000000-0000-4000-8000-000000000000',
      name: '=HYPERLINK("http://x","y")',
      externalId: '+1',
      accountingCode: '-2',
      vatNumber: '@SUM(A1)',
      address: '\t=1',
      postalCode: '\r=1',
      city: '=A1\n+B1',
      country: 'FR',
      group: null,
      accountManagers: [],
      workflow: null,
      source: 'roster',
      contacts: [],
    })
    const cells = row.split(',')
    expect(cells[1]).toBe(`"'=HYPERLINK(""http://x""`)
    expect(row).toContain(`"'+1"`)
    expect(row).toContain(`"'-2"`)
    expect(row).toContain(`"'@SUM(A1)"`)
    expect(row).toContain(`"'\t=1"`)
    expect(row).toContain(`"'\r=1"`)
    expect(row).toContain(`"'=A1\n+B1"`)
  })
})
