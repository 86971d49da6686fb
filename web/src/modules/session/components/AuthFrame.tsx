import { Center, Paper, Stack, Text, Title } from '@mantine/core'
import type { ReactNode } from 'react'

/** The frame of the pages seen before signing in: Roster's name, what the page is for, a form. */
export function AuthFrame({ intro, children }: { intro: string; children: ReactNode }) {
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder shadow="sm" p="xl" radius="md" w="100%" maw={420}>
        <Stack>
          <div>
            <Title order={1} size="h2">
              Roster
            </Title>
            <Text c="dimmed">{intro}</Text>
          </div>
          {children}
        </Stack>
      </Paper>
    </Center>
  )
}

/** The token a link from an email carries after `#token=`, which no server sees. */
export function tokenFromHash(hash: string): string {
  return new URLSearchParams(hash.replace(/^#/, '')).get('token') ?? ''
}
