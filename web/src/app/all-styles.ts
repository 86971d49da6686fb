// All of Mantine's styles, loaded after the first page's (first-paint.css): see main.tsx.
import '@mantine/core/styles.css'
