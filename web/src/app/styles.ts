/**
 * All of Mantine's styles, fetched as the app starts, beside the first page rather than before
 * it (that one shows with first-paint.css). Pages other than the first ones wait for them, so
 * none shows unstyled; should they fail to load, the pages show anyway.
 */
export const allStyles: Promise<unknown> = import('./all-styles.ts').catch(() => undefined)
