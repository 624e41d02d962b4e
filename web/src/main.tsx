import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { manageDialogs } from './dialog-a11y.ts';
import { RuntimeProvider, prepareRuntime } from './runtime.tsx';
import { fixTabListKeys } from './tab-list-keys.ts';

prepareRuntime();
manageDialogs();
fixTabListKeys();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <RuntimeProvider>
      <App />
    </RuntimeProvider>
  </StrictMode>,
);
