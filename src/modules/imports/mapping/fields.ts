// The import's fields are declared in the catalogue (src/contracts/fields.ts).
export { fieldInfo, type FieldInfo } from '../../../contracts/imports.ts'
