import { FluentProvider, webLightTheme } from "@fluentui/react-components";
import { mockIPC } from "@tauri-apps/api/mocks";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";

export function renderWithFluent(ui: ReactElement) {
  return render(<FluentProvider theme={webLightTheme}>{ui}</FluentProvider>);
}

export type Handler = (args: Record<string, unknown>) => unknown;

/**
 * How long every mocked command takes to answer, in milliseconds (0: at once). CI runs the suite a
 * second time with a delay, so a test that reads the page before Rust's answer has arrived fails
 * there every time instead of now and then under load.
 */
const answerDelayMs = Number(process.env.RESETDESK_TEST_IPC_DELAY_MS ?? 0);

function answerLater(handle: () => unknown): Promise<unknown> {
  // The handler runs now (its call and side effects are in place); only its answer is late, as
  // Rust's would be. Both outcomes are taken at once, so a refusal is never an unhandled rejection.
  return new Promise((resolve, reject) => {
    let answer: Promise<unknown>;
    try {
      answer = Promise.resolve(handle());
    } catch (refusal) {
      answer = Promise.reject(refusal);
    }
    answer.then(
      (value) => setTimeout(() => resolve(value), answerDelayMs),
      (refusal) => setTimeout(() => reject(refusal), answerDelayMs),
    );
  });
}

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
    return answerDelayMs > 0 ? answerLater(() => handler(args)) : handler(args);
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
