import { createWriteStream } from 'node:fs'
import { once } from 'node:events'

export const HEADER = [
  'Customer name',
  'Customer ID',
  'Address',
  'Postal code',
  'City',
  'Country',
  'Contact email',
  'First name',
  'Family name',
  'Phone number',
  'Role',
  'Main contact',
]

const firstNames = ['Hélène', 'Zoë', 'François', 'Anaïs', 'Jérôme', 'Ånne', 'Łukasz', 'Renée']
const lastNames = ['Dupré', 'Müller', 'Lefèvre', 'Ñúñez', 'Søren', 'Gagné', 'Œuvrard', 'Côté']
const cities = ['Paris', 'Besançon', 'Orléans', 'Zürich', 'Montréal', 'Nîmes']
const roles = ['Accounting', 'Sales', 'Purchaser', 'Payer', '']

/** One line of the benchmark file: customer `c`, its contact `k`. */
export function benchLine(c: number, k: number): string[] {
  return [
    `Société Dupré & Fils n°${c}`,
    `CUST-${String(c).padStart(6, '0')}`,
    `${(c % 200) + 1} rue de l'Église`,
    String(10000 + (c % 89999)),
    cities[c % cities.length] ?? 'Paris',
    'France',
    `contact${k}.c${c}@societe-exemple.fr`,
    firstNames[(c + k) % firstNames.length] ?? '',
    lastNames[(c * 7 + k) % lastNames.length] ?? '',
    `+33 6 ${String(10 + (c % 89))} ${String(10 + (k % 89))} ${String(10 + ((c + k) % 89))} ${String(10 + ((c * k) % 89))}`,
    roles[k % roles.length] ?? '',
    k === 0 ? '1' : '',
  ]
}

/** Writes `customers × contactsPerCustomer` lines, `;`-separated, UTF-8. */
export async function generateFile(
  path: string,
  customers: number,
  contactsPerCustomer: number,
): Promise<void> {
  const out = createWriteStream(path)
  out.write(HEADER.join(';') + '\n')
  for (let c = 0; c < customers; c++) {
    let chunk = ''
    for (let k = 0; k < contactsPerCustomer; k++) chunk += benchLine(c, k).join(';') + '\n'
    if (!out.write(chunk)) await once(out, 'drain')
  }
  out.end()
  await once(out, 'finish')
}
