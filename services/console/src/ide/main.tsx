import 'graphiql/setup-workers/vite';
import 'graphiql/style.css';
import './ide.css';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { IdePage } from './IdePage.js';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <IdePage />
  </StrictMode>,
);
