import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { manageDialogs } from './dialog-a11y.ts';
import { installApiFetch } from './api.ts';
import { RuntimeProvider } from './runtime.tsx';
import { fixTabListKeys } from './tab-list-keys.ts';

installApiFetch();
manageDialogs();
fixTabListKeys();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RuntimeProvider>
      <App />
    </RuntimeProvider>
  </StrictMode>,
);
