import './first-paint.css'
import '@mantine/notifications/styles.css'
import { Center, Loader, MantineProvider } from '@mantine/core'
import { ModalsProvider } from '@mantine/modals'
import { Notifications } from '@mantine/notifications'
import { QueryClientProvider } from '@tanstack/react-query'
import { Suspense, useState } from 'react'
import { BrowserRouter, useRoutes } from 'react-router'
import { createQueryClient } from '../platform/query.ts'
import { theme } from '../platform/theme.ts'
import { routes } from './routes.tsx'

/**
 * The routes in declarative mode: the app loads no data through the router, and the data router
 * (loaders, actions, fetchers) would add some 15 KB compressed to the first load.
 */
function Screens() {
  return useRoutes(routes)
}

export function App() {
  const [queryClient] = useState(createQueryClient)
  return (
    <MantineProvider theme={theme}>
      <QueryClientProvider client={queryClient}>
        <ModalsProvider>
          <Notifications position="top-right" />
          {/* Each page is loaded when first shown (routes.tsx); the sign-in page waits here. */}
          <Suspense
            fallback={
              <Center mih="100vh">
                <Loader aria-label="Loading" />
              </Center>
            }
          >
            <BrowserRouter>
              <Screens />
            </BrowserRouter>
          </Suspense>
        </ModalsProvider>
      </QueryClientProvider>
    </MantineProvider>
  )
}
