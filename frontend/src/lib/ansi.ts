// stripAnsi removes terminal escape sequences (colours, cursor moves) so a
// log reads as text. Rendering the colours is a later step.
// eslint-disable-next-line no-control-regex
const escapes = /\u001b\[[0-9;?]*[ -/]*[@-~]|\u001b\][^\u0007]*\u0007/g

export function stripAnsi(text: string): string {
  return text.replace(escapes, '')
}
