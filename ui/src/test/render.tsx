import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { mockIPC } from "@tauri-apps/api/mocks";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";

export function renderWithFluent(ui: ReactElement) {
  return render(<FluentProvider theme={webLightTheme}>{ui}</FluentProvider>);
}

export type Handler = (args: Record<string, unknown>) => unknown;

/**
 * Mocks Rust with one handler per command and records every call. A command without a handler
 * rejects, so a screen that calls something unexpected fails its test.
 */
export function mockCommands(handlers: Record<string, Handler>) {
  const calls: Array<{ cmd: string; args: Record<string, unknown> }> = [];
  mockIPC((cmd, payload) => {
    const args = (payload ?? {}) as Record<string, unknown>;
    calls.push({ cmd, args });
    const handler = handlers[cmd];
    if (!handler) throw `unexpected command ${cmd}`;
    return handler(args);
  });
  return {
    calls,
    callsOf: (cmd: string) => calls.filter((c) => c.cmd === cmd).map((c) => c.args),
  };
}

/** A rejection shaped as Rust's AppError. */
export function reject(kind: string, message: string): never {
  throw { kind, message };
}
