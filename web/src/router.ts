/**
 * A small hash router: `#/` the applications, `#/apps/NAME/TAB` an application, with an optional
 * `?vertex=ID` and other query parameters. Hash routes need no server-side fallback.
 */
import { useEffect, useState } from 'preact/hooks';

/** A parsed location. */
export interface Route {
  readonly path: readonly string[];
  readonly query: URLSearchParams;
}

function parse(): Route {
  const raw = location.hash.replace(/^#/, '') || '/';
  const [path = '/', query = ''] = raw.split('?');
  return {
    path: path
      .split('/')
      .filter((p) => p !== '')
      .map((p) => decodeURIComponent(p)),
    query: new URLSearchParams(query),
  };
}

/** The current route; re-renders on navigation. */
export function useRoute(): Route {
  const [route, setRoute] = useState(parse);
  useEffect(() => {
    const on = () => setRoute(parse());
    addEventListener('hashchange', on);
    return () => removeEventListener('hashchange', on);
  }, []);
  return route;
}

/** The href of a route. */
export function href(path: readonly (string | number)[], query?: Record<string, string>): string {
  const q = query === undefined ? '' : `?${new URLSearchParams(query).toString()}`;
  return `#/${path.map((p) => encodeURIComponent(String(p))).join('/')}${q}`;
}

/** Navigates to a route. */
export function navigate(path: readonly (string | number)[], query?: Record<string, string>): void {
  location.hash = href(path, query);
}
