import js from '@eslint/js'
import reactHooks from 'eslint-plugin-react-hooks'
import tseslint from 'typescript-eslint'

/**
 * The house reads one way: contracts → platform → modules → app → cli (src/). A layer imports
 * only itself and the layers before it; the web app imports only the contracts (`@contracts/…`).
 * Inside src/ a layer is reached by going up (`../../modules/…`); from web/ by its path
 * (`…/src/modules/…`), since web/src has folders of the same names.
 */
const forbid = (files, layers, message, { fromWeb = false } = {}) => ({
  files,
  rules: {
    'no-restricted-imports': [
      'error',
      {
        patterns: layers.map((name) => ({
          regex: fromWeb ? `(^|/)src/${name}/` : `(^|/)src/${name}/|^(\\.\\./)+${name}/`,
          message,
        })),
      },
    ],
  },
})

const boundaries = [
  forbid(
    ['src/contracts/**'],
    ['platform', 'modules', 'app', 'cli'],
    'Contracts are shared with the web app: they import nothing of the server.',
  ),
  forbid(
    ['src/platform/**'],
    ['modules', 'app', 'cli'],
    'The platform knows no module: take what it needs as a parameter, and wire it in src/app/.',
  ),
  forbid(
    ['src/modules/**'],
    ['app', 'cli'],
    'Modules do not reach up to the composition root (src/app) or the command line.',
  ),
  forbid(['src/app/**'], ['cli'], 'The composition root does not import the command line.'),
  forbid(
    ['web/src/**'],
    ['modules', 'platform', 'app', 'cli'],
    'The web app imports only the contracts (@contracts/…), never server code.',
    { fromWeb: true },
  ),
]

export default tseslint.config(
  { ignores: ['node_modules', 'data', 'drizzle', 'dist', 'test-output'] },
  js.configs.recommended,
  ...tseslint.configs.strictTypeChecked,
  {
    languageOptions: {
      parserOptions: { projectService: true, tsconfigRootDir: import.meta.dirname },
    },
    rules: {
      // Template literals with numbers are idiomatic in messages and SQL.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowNumber: true }],
      // `const { secret: _, ...rest } = row` is how a field is dropped from a copy.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
    },
  },
  {
    files: ['web/src/**/*.{ts,tsx}'],
    extends: [reactHooks.configs.flat.recommended],
    rules: {
      // `onChange={(event) => setName(event.currentTarget.value)}` is how React handlers read.
      '@typescript-eslint/no-confusing-void-expression': ['error', { ignoreArrowShorthand: true }],
      // Warns that the React Compiler skips components using TanStack Virtual; the app does not
      // run the React Compiler. Restore it if the compiler is adopted.
      'react-hooks/incompatible-library': 'off',
    },
  },
  {
    // Tests read API responses as untyped JSON and assert on their fields; the assertions are the
    // type check there. Production code keeps these rules.
    files: ['test/**/*.ts', 'e2e/**/*.ts'],
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
    },
  },
  {
    files: ['**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
  },
  ...boundaries,
)
