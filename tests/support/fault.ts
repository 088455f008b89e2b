// `CODE: message` of the fault a call throws: the code is data on a UserError /
// RuntimeFault (diagnostics/fault.ts), not part of its message.
export function codedMessage(f: () => unknown): string {
  try {
    f();
  } catch (e) {
    const fault = e as { code?: string; message: string };
    return `${fault.code ?? ''}: ${fault.message}`;
  }
  throw new Error('expected the call to throw');
}
