import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <main>
      <h1>Warden</h1>
      <p>
        <a href="/ide">GraphQL IDE</a>
      </p>
    </main>
  </StrictMode>,
);
