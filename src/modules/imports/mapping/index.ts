export { checkMapping, requiredFields } from './check.ts'
export { fieldInfo, type FieldInfo } from '../../../contracts/imports.ts'
export { learnFromMapping, normalizeHeader, suggestMapping } from './suggest.ts'
