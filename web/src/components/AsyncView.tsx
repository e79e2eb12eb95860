import {
  useCallback,
  useEffect,
  useRef,
  useState,
  type DependencyList,
  type ReactNode,
} from 'react';
import { ProblemAlert, type FieldLabels } from './ProblemAlert.js';

/** What a load gives: the API client's `{ data, error }`. */
export interface Loaded<T> {
  data?: T;
  error?: unknown;
}

export interface AsyncState<T> {
  /** The last data loaded (kept while it reloads, so that a refresh does not flash). */
  data: T | undefined;
  /** The problem of the last load, if it failed. */
  error: unknown;
  /** True until the first load ends, and during each reload. */
  loading: boolean;
  /** Loads again (after a change, or when told something changed). */
  reload: () => void;
}

/**
 * Loads when the dependencies change (and on `reload`), answering only with the latest load:
 * an answer to an earlier one that arrives late is dropped.
 */
export function useAsync<T>(load: () => Promise<Loaded<T>>, deps: DependencyList): AsyncState<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>({
    data: undefined,
    error: null,
    loading: true,
  });
  const [tick, setTick] = useState(0);
  const latest = useRef(0);
  // The caller names in `deps` what the load uses, as for useEffect.
  const run = useCallback(load, deps);
  useEffect(() => {
    const n = ++latest.current;
    setState((s) => ({ ...s, loading: true }));
    run().then(
      (r) => {
        if (n !== latest.current) return;
        setState((s) =>
          r.error !== undefined && r.error !== null
            ? { data: s.data, error: r.error, loading: false }
            : { data: r.data, error: null, loading: false },
        );
      },
      (error: unknown) => {
        if (n === latest.current) setState((s) => ({ data: s.data, error, loading: false }));
      },
    );
  }, [run, tick]);
  const reload = useCallback(() => setTick((t) => t + 1), []);
  return { ...state, reload };
}

/**
 * The one way a loaded view shows its states: loading (the first time), the problem if the load
 * failed, the empty text when there is nothing, else the data.
 */
export function AsyncView<T>({
  state,
  children,
  emptyText = 'Nothing to show.',
  isEmpty = (d) => Array.isArray(d) && d.length === 0,
  loadingText = 'Loading…',
  labels,
}: {
  state: Pick<AsyncState<T>, 'data' | 'error' | 'loading'>;
  children: (data: T) => ReactNode;
  emptyText?: ReactNode;
  isEmpty?: (data: T) => boolean;
  loadingText?: ReactNode;
  labels?: FieldLabels;
}) {
  if (state.error) return <ProblemAlert problem={state.error} labels={labels} />;
  if (state.data === undefined)
    return state.loading ? <p className="status">{loadingText}</p> : null;
  if (isEmpty(state.data)) return <p className="empty">{emptyText}</p>;
  return <>{children(state.data)}</>;
}
