/** Does nothing: for `promise.catch(noop)` where the failure is reported elsewhere, and `then(noop, noop)`. */
export function noop(): undefined {
  return undefined;
}
