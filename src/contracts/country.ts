import countries from 'i18n-iso-countries'
import en from 'i18n-iso-countries/langs/en.json' with { type: 'json' }
import fr from 'i18n-iso-countries/langs/fr.json' with { type: 'json' }

countries.registerLocale(en)
countries.registerLocale(fr)

const fold = (value: string): string =>
  value
    .normalize('NFD')
    .replace(/\p{Diacritic}/gu, '')
    .replace(/[^a-z0-9]+/gi, ' ')
    .trim()
    .toLowerCase()

const byName = new Map<string, string>()
for (const lang of ['en', 'fr']) {
  for (const [code, names] of Object.entries(countries.getNames(lang, { select: 'all' }))) {
    for (const name of names) byName.set(fold(name), code)
  }
}

/**
 * An ISO 3166-1 alpha-2 code for a country typed as a code (FR, FRA) or a name in English or
 * French (France, Allemagne, "cote d'ivoire"); undefined when it is none of these.
 */
export function toCountryCode(input: string): string | undefined {
  const value = input.trim()
  if (/^[a-z]{2}$/i.test(value)) {
    const code = value.toUpperCase()
    return countries.isValid(code) ? code : undefined
  }
  if (/^[a-z]{3}$/i.test(value)) {
    const code = countries.alpha3ToAlpha2(value.toUpperCase())
    if (code) return code
  }
  return byName.get(fold(value))
}
