import { Route, Routes } from 'react-router'
import { ImportDetailsPage } from './ImportDetailsPage.tsx'
import { ImportHistoryPage } from './ImportHistoryPage.tsx'
import { ImportWizardPage } from './ImportWizardPage.tsx'
import { NotFoundPage } from './NotFoundPage.tsx'

/** /imports (the history), /imports/new (the wizard) and /imports/:id (one import). */
export function ImportsPage() {
  return (
    <Routes>
      <Route index element={<ImportHistoryPage />} />
      <Route path="new" element={<ImportWizardPage />} />
      <Route path=":id" element={<ImportDetailsPage />} />
      <Route path="*" element={<NotFoundPage />} />
    </Routes>
  )
}
