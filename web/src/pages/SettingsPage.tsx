import { Tabs } from '@mantine/core'
import {
  IconKey,
  IconPlugConnected,
  IconRoute,
  IconUsersGroup,
  IconWebhook,
} from '@tabler/icons-react'
import { useNavigate, useParams } from 'react-router'
import { IntegrationsPanel } from '../modules/integrations/components/IntegrationsPanel.tsx'
import { ApiKeysPanel } from '../modules/settings/components/ApiKeysPanel.tsx'
import { MembersPanel } from '../modules/settings/components/MembersPanel.tsx'
import { WorkflowsPanel } from '../modules/settings/components/WorkflowsPanel.tsx'
import { WebhooksPanel } from '../modules/webhooks/components/WebhooksPanel.tsx'
import { PageTitle } from '../platform/PageTitle.tsx'

const tabs = [
  { value: 'members', label: 'Members', icon: IconUsersGroup, panel: MembersPanel },
  { value: 'workflows', label: 'Workflows', icon: IconRoute, panel: WorkflowsPanel },
  { value: 'api-keys', label: 'API keys', icon: IconKey, panel: ApiKeysPanel },
  {
    value: 'integrations',
    label: 'Integrations',
    icon: IconPlugConnected,
    panel: IntegrationsPanel,
  },
  { value: 'webhooks', label: 'Webhooks', icon: IconWebhook, panel: WebhooksPanel },
]

/** Members, workflows, API keys, integrations and webhooks, one tab each (/settings/members…). */
export function SettingsPage() {
  const { '*': tab = '' } = useParams()
  const navigate = useNavigate()
  const current = tabs.some((t) => t.value === tab) ? tab : 'members'
  return (
    <>
      <PageTitle title="Settings" />
      <Tabs value={current} onChange={(value) => void navigate(`/settings/${value ?? 'members'}`)}>
        <Tabs.List mb="md">
          {tabs.map(({ value, label, icon: Icon }) => (
            <Tabs.Tab key={value} value={value} leftSection={<Icon size={16} aria-hidden />}>
              {label}
            </Tabs.Tab>
          ))}
        </Tabs.List>
        {tabs.map(({ value, panel: Panel }) => (
          <Tabs.Panel key={value} value={value}>
            {value === current && <Panel />}
          </Tabs.Panel>
        ))}
      </Tabs>
    </>
  )
}
