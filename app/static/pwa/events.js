// A tiny event bus so the status line and open screens follow the outbox and sync.
const target = new EventTarget();

/** Tell listeners that something of `kind` changed ("records", "sync"). */
export function emit(kind, detail = null) {
  target.dispatchEvent(new CustomEvent(kind, { detail }));
}

/** Listen to `kind`; returns a function that stops listening. */
export function on(kind, handler) {
  target.addEventListener(kind, handler);
  return () => target.removeEventListener(kind, handler);
}
