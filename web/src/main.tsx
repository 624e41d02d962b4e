import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './App.tsx';
import { manageDialogs } from './dialog-a11y.ts';
import { fixTabListKeys } from './tab-list-keys.ts';

manageDialogs();
fixTabListKeys();
createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
