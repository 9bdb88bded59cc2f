/** Tekton's `$(…)` variable substitution over a string, with a lookup; unknown references are left as Tekton leaves them. */
export function substitute(text: string, lookup: (ref: string) => string | undefined): string {
  return text.replace(/\$\(([^()]+)\)/g, (whole, ref: string) => lookup(ref.trim()) ?? whole);
}
