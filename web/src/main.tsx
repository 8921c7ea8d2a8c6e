/** The dashboard's entry: sign-in, the header, and the router's pages. */
import { render } from 'preact';
import { useEffect, useState } from 'preact/hooks';
import 'uplot/dist/uPlot.min.css';
import './style.css';
import { api, ApiError, setToken, token } from './api.ts';
import { href, useRoute } from './router.ts';
import type { Caller } from './types.ts';
import { ApplicationsPage } from './pages/applications-page.tsx';
import { ApplicationPage } from './pages/application-page.tsx';

// A link may carry the token once (`/#token=…`, printed by npm start): keep it, drop it from the URL.
const fromLink = /^#token=([^&]+)/.exec(location.hash);
if (fromLink !== null) {
  setToken(decodeURIComponent(fromLink[1] as string));
  history.replaceState(null, '', `${location.pathname}#/`);
}

function SignIn({ onSignedIn, error }: { onSignedIn: () => void; error?: string | undefined }) {
  const [value, setValue] = useState('');
  return (
    <main class="signin">
      <h1>Eddy</h1>
      <form
        onSubmit={(e) => {
          e.preventDefault();
          setToken(value.trim());
          onSignedIn();
        }}
      >
        <label for="token">API token</label>
        <input
          id="token"
          type="password"
          autoComplete="off"
          value={value}
          onInput={(e) => setValue((e.target as HTMLInputElement).value)}
          autoFocus
        />
        <button type="submit" disabled={value.trim() === ''}>
          Sign in
        </button>
        {error !== undefined && <p class="error">{error}</p>}
        <p class="muted">
          <code>eddy server</code> prints an admin token on its first start;{' '}
          <code>eddy server token create --role viewer</code> makes a read-only one.
        </p>
      </form>
    </main>
  );
}

function App() {
  const [caller, setCaller] = useState<Caller | undefined>(undefined);
  const [authError, setAuthError] = useState<string | undefined>(undefined);
  const [attempt, setAttempt] = useState(0);
  const route = useRoute();
  useEffect(() => {
    if (token() === null) return;
    api.me().then(setCaller, (e: unknown) => {
      setToken(null);
      setCaller(undefined);
      setAuthError(e instanceof ApiError ? e.message : String(e));
    });
  }, [attempt]);
  if (token() === null || (caller === undefined && authError !== undefined)) {
    return (
      <SignIn
        error={authError}
        onSignedIn={() => {
          setAuthError(undefined);
          setAttempt((n) => n + 1);
        }}
      />
    );
  }
  // The page loads its data while /v1/me answers: actions appear once the role is known.
  const [first, name, tab] = route.path;
  return (
    <>
      <header class="top">
        <a class="brand" href={href([])}>
          Eddy
        </a>
        <nav>
          <a href={href([])} aria-current={first === undefined ? 'page' : undefined}>
            Applications
          </a>
        </nav>
        <span class="who" title="the token in use">
          {caller !== undefined && (
            <>
              {caller.name} · <span class={`role role-${caller.role}`}>{caller.role}</span>
            </>
          )}
        </span>
        <button
          class="link"
          onClick={() => {
            setToken(null);
            setCaller(undefined);
            setAttempt((n) => n + 1);
          }}
        >
          Sign out
        </button>
      </header>
      {first === 'apps' && name !== undefined ? (
        <ApplicationPage name={name} tab={tab ?? 'overview'} route={route} caller={caller} />
      ) : (
        <ApplicationsPage />
      )}
    </>
  );
}

render(<App />, document.getElementById('app') as HTMLElement);
