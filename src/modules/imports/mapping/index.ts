export { checkMapping, requiredFields } from './check.ts'
export { fieldInfo, type FieldInfo } from './fields.ts'
export { learnFromMapping, normalizeHeader, suggestMapping } from './suggest.ts'
